"""The words of the three date estimates: when a case concludes, deadlines counted from an event,
and the window to apply before an expiry. Each builds an answer from the domain's computed dates.
"""
from __future__ import annotations

import datetime as dt
from typing import List, Optional, Tuple

from bot.domain import estimates as rules
from bot.domain import workdays
from bot.domain.dates import ParsedDate
from bot.domain.wording import AnswerBuilder, format_date, format_day
from bot.kb.base import KnowledgeBase
from bot.kb.schema import Service

EXAMPLES = {
    "conclusion": "“if E-Town accepts my application on 3 December, when will it be concluded?”",
    "entry_deadline": "“I entered China on 5 November, what is my deadline?”",
    "extension_window": "“my work permit expires on 15 March 2027, when should I apply to extend it?”",
}
ASK = {
    "conclusion": "Tell me the date the application is (or was) accepted and I'll work out the date",
    "entry_deadline": "Tell me the date of {event} and I'll work out your last day",
    "extension_window": "Tell me the date your permit expires and I'll work out when to apply",
}
MAX_CLOSED_GROUPS = 6


def conclusion_answer(service: Service, date: Optional[ParsedDate], today: dt.date, etown: bool) -> AnswerBuilder:
    """When an application accepted on ``date`` concludes, with the rule and the closed days skipped;
    the rule and a request for the date when ``date`` is missing or unusable."""
    b = AnswerBuilder(_heading("When the result is due", service))
    figure = rules.processing_rule(service, etown)
    if figure is None:
        b.add(f"My sources publish no processing time in working days for the {service.names.en}, "
              "so I can't work out a date.")
        for fact in (service.processing_time.etown, service.processing_time.standard):
            if fact:
                b.fact(fact)
        b.add("The hotline 12367 can tell you more.")
        return b
    rule = figure.rule
    if date is None or not date.ok:
        b.add(f"{_capital(rule.text)}, counted in {rules.WORKING_COUNT}.", rule.source, rule.uncertain)
        return _ask(b, "conclusion", date)
    c = rules.conclusion_date(service, date.day, today, etown)
    when = (f"between {format_day(c.earliest)} and {format_day(c.latest)} at the latest" if c.is_range
            else f"by {format_day(c.latest)}")
    verb = "was" if date.in_past else "is"
    b.add(f"If the application {verb} accepted on {_given(date)}, the result is due {when}.")
    b.add(f"• Rule: {rule.text}.", rule.source, rule.uncertain)
    b.add(f"• How days are counted: {c.counting}.")
    if c.closed:
        b.add("• Closed days skipped: " + closed_summary(c.closed) + ".")
    for day in c.adjusted:
        b.add(f"• {format_day(day)} is an adjusted working day, so it counts.")
    return _notes(b, c.caveats)


def deadline_answer(kb: KnowledgeBase, service: Service, date: Optional[ParsedDate], today: dt.date,
                    event: str, fallback: Optional[str]) -> Tuple[AnswerBuilder, Service]:
    """The deadlines counted from ``event`` (from the ``fallback`` service's rules when ``service`` has none),
    and the service whose rules were used."""
    lead = None
    if not _counted_from(service, event) and fallback in kb.services and _counted_from(kb.service(fallback), event):
        lead = (f"My sources set no deadline for the {service.names.en} counted from {rules.EVENT_WORDS[event]}; "
                f"the one that applies is for the {kb.service(fallback).names.en}.")
        service = kb.service(fallback)
    b = AnswerBuilder(_heading("Deadline", service))
    if lead:
        b.add(lead)
    relevant = _counted_from(service, event)
    if not relevant:
        b.add(f"My sources set no deadline for the {service.names.en} counted from {rules.EVENT_WORDS[event]}.")
        for deadline in service.deadlines:
            b.add("• " + deadline.text, deadline.source, deadline.uncertain)
        return b, service
    if date is None or not date.ok:
        for deadline in relevant:
            b.add("• " + deadline.text, deadline.source, deadline.uncertain)
        counted_from = relevant[0].relative_to or event
        return _ask(b, "entry_deadline", date, rules.EVENT_WORDS.get(counted_from, counted_from)), service
    caveats: List[str] = []
    for d in rules.event_deadlines(service, date.day, today, event):
        b.add("• " + d.deadline_text, d.rule.source, d.rule.uncertain)
        b.add("  " + _deadline_line(d, date, today))
        b.add(f"  Rule: {d.rule.text}; how days are counted: {d.counting}.")
        caveats += [c for c in d.caveats if c not in caveats]
    return _notes(b, caveats), service


def _counted_from(service: Service, event: str) -> list:
    """The service's deadlines that run from ``event`` and have a day count."""
    events = rules.SAME_EVENT.get(event, {event})
    return [d for d in service.deadlines if d.relative_to in events and d.days is not None]


def _deadline_line(d: rules.EventDeadline, date: ParsedDate, today: dt.date) -> str:
    line = f"From {_given(date)}, the last day is {format_day(d.last_day)}."
    if d.closed_reason:
        line += f" Halls are closed that day ({d.closed_reason}), so to be safe go by {format_day(d.apply_by)}."
    if d.passed:
        return line + (f" That day has already passed (today is {format_day(today)}). Please contact the exit-entry "
                       "administration or the hotline 12367 as soon as possible.")
    return line + f" That is {_count_days((d.apply_by - today).days)} from today."


def window_answer(service: Service, date: Optional[ParsedDate], today: dt.date) -> AnswerBuilder:
    """The first and last day to apply before the expiry ``date`` and whether the window is open now;
    the rules and a request for the date when ``date`` is missing or unusable."""
    b = AnswerBuilder(_heading("When to apply", service))
    expiry_rules = [d for d in service.deadlines if d.relative_to == "expiry"]
    countable = any(d.days is not None for d in expiry_rules)
    if date is None or not date.ok or not countable:
        for deadline in expiry_rules:
            b.add("• " + deadline.text, deadline.source, deadline.uncertain)
        if not countable:
            b.add(f"My sources give no day count for applying before expiry for the {service.names.en}, "
                  "so I can't work out exact dates; the hall or the hotline 12367 can tell you more.")
            return b
        return _ask(b, "extension_window", date)
    w = rules.extension_window(service, date.day, today)
    if w is None:
        b.add(f"My sources publish no application window before expiry for the {service.names.en}.")
        for deadline in expiry_rules:
            b.add("• " + deadline.text, deadline.source, deadline.uncertain)
        return b
    b.add(f"Your permit {'expired' if date.in_past else 'expires'} on {_given(date)}.")
    if w.first_day and w.first_rule:
        line = f"• First day to apply: {format_day(w.first_day)} ({w.first_rule.text.lower()})"
        if w.opens_on != w.first_day:
            line += (f"; halls are closed that day ({_closed(w.first_day)}), so the first chance at the hall is "
                     f"{format_day(w.opens_on)}")
        b.add(line + ".", w.first_rule.source, w.first_rule.uncertain)
    else:
        b.add("• First day to apply: my sources publish no earliest date.")
    if w.last_day and w.last_rule:
        line = f"• Last day to apply: {format_day(w.last_day)} ({w.last_rule.text.lower()})"
        if w.last_closed_reason:
            line += (f"; the hall is closed that day ({w.last_closed_reason}), so apply by {format_day(w.apply_by)} "
                     "at the latest")
        b.add(line + ".", w.last_rule.source, w.last_rule.uncertain)
    else:
        b.add("• Last day to apply: my sources publish no latest date; apply well before the permit expires.")
    b.add(_window_status(w, today))
    b.add(f"• How days are counted: {w.counting}.")
    return _notes(b, w.caveats)


def _window_status(w: rules.ExtensionWindow, today: dt.date) -> str:
    if w.status == "expired":
        return (f"{format_day(w.expiry)} is already in the past (today is {format_day(today)}), so the window to "
                "apply has closed. If you meant a later year, tell me the full date; if your permit really has "
                "expired, please contact the hall or the hotline 12367 straight away.")
    if w.status == "missed":
        return (f"The last day to apply ({format_day(w.apply_by or w.last_day)}) has already passed. Please contact "
                "the hall or the hotline 12367 as soon as possible.")
    if w.status == "not_open_yet":
        return (f"You can't apply yet: the window opens on {format_day(w.opens_on)}, "
                f"{_count_days((w.opens_on - today).days)} from today.")
    if w.apply_by:
        days = (w.apply_by - today).days
        left = "today is the last day" if days == 0 else f"{_count_days(days)} left"
        return f"You can apply now ({left})."
    return "You can apply now."


# -- wording --------------------------------------------------------------------------

def closed_summary(closed) -> str:
    """"1–7 October 2026 (National Day holiday); 10–11 October 2026 (weekend)": runs of closed days."""
    groups: List[Tuple[dt.date, dt.date, str]] = []
    for day, reason in closed:
        label = "weekend" if reason in ("Saturday", "Sunday") else reason
        if groups and groups[-1][2] == label and (day - groups[-1][1]).days == 1:
            groups[-1] = (groups[-1][0], day, label)
        else:
            groups.append((day, day, label))
    parts = [f"{_span(first, last)} ({_label(first, last, label)})" for first, last, label in groups]
    more = len(parts) - MAX_CLOSED_GROUPS
    return "; ".join(parts[:MAX_CLOSED_GROUPS]) + (f"; and {more} more" if more > 0 else "")


def _span(first: dt.date, last: dt.date) -> str:
    if first == last:
        return format_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{format_date(last)}"
    return f"{format_date(first)} – {format_date(last)}"


def _label(first: dt.date, last: dt.date, label: str) -> str:
    return f"{first:%A}" if label == "weekend" and first == last else label


def _ask(b: AnswerBuilder, kind: str, date: Optional[ParsedDate], event: str = "") -> AnswerBuilder:
    if date is not None and date.problem:
        b.add(f"Sorry, I can't use “{date.text}”: {_sentence(date.problem)}")
    b.add(ASK[kind].format(event=event) + ", e.g. " + EXAMPLES[kind])
    return b


def _notes(b: AnswerBuilder, caveats) -> AnswerBuilder:
    for caveat in caveats:
        b.add("Note: " + caveat)
    return b


def _heading(what: str, service: Service) -> str:
    return f"{what} — {service.names.en}" + (f" ({service.names.zh})" if service.names.zh else "") + ":"


def _given(date: ParsedDate) -> str:
    text = format_day(date.day)
    return text + (" (I assumed the year; tell me if you meant another)" if date.year_assumed else "")


def _closed(day: dt.date) -> str:
    return workdays.reason_closed(day) or "closed"


def _count_days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(("?", ".", "!")) else text + "."
