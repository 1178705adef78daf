"""The estimate use case: find the date in a question, apply the knowledge base's rule, answer in words.

Never raises for what a user typed: a missing, impossible or past date becomes a polite answer
that still states the rule.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import List, Optional, Tuple

from bot.domain import estimates as rules
from bot.domain import workdays
from bot.domain.dates import ParsedDate, find_dates_in_text
from bot.domain.topics import Topic
from bot.domain.wording import Answer, AnswerBuilder, format_date
from bot.kb.base import KnowledgeBase
from bot.kb.schema import Service

# The most likely service when none is named, per kind of estimate.
DEFAULTS = {"conclusion": "work_permit", "entry_deadline": "residence_permit",
            "extension_window": "residence_permit_renewal"}
EVENT_DEFAULTS = {"entry": "residence_permit", "contract_end": "work_permit_cancellation",
                  "change": "residence_permit_change"}
# A question about the window before expiry is answered by the renewal service's rules.
RENEWAL_OF = {"work_permit": "work_permit_extension", "residence_permit": "residence_permit_renewal"}
TOPICS = {"conclusion": Topic.PROCESSING_TIME.value, "entry_deadline": Topic.DEADLINES.value,
          "extension_window": Topic.DEADLINES.value}
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
_WORK_PERMIT = re.compile(r"\bwork\s*permit|工作许可", re.I)
_RESIDENCE_PERMIT = re.compile(r"\bresidence\s+permit|居留", re.I)
_ETOWN = re.compile(r"\be[\s-]?town\b|\byizhuang\b|亦庄|经开区", re.I)
MAX_CLOSED_GROUPS = 6


def estimate(kb: KnowledgeBase, question_text: str, today: dt.date, service_id: Optional[str],
             kind: Optional[str] = None) -> Answer:
    """An answer stating the estimated date(s), the rule, how days were counted, caveats and sources."""
    text = question_text or ""
    kind = kind if kind in rules.KINDS else rules.classify_estimate_question(text)
    event = (rules.detect_event(text) or "entry") if kind == "entry_deadline" else None
    chosen = _choose_service(kb, kind, text, service_id, event) if kind else None
    if chosen is None:
        return what_i_estimate(kb)
    service, assumed = chosen
    date = _date_for(kind, text, today)
    if kind == "conclusion":
        b = _conclusion(service, date, today, bool(_ETOWN.search(text)))
    elif kind == "entry_deadline":
        b, service = _deadlines(kb, service, date, today, event)
    else:
        b = _window(service, date, today)
    if assumed:
        b.add(f"You didn't say which permit, so I assumed the {service.names.en}. Tell me if you meant another one.")
    b.source(service.source_url).reviewed(service.last_reviewed)
    return Answer(b.text(), [], service.id, TOPICS[kind])


def what_i_estimate(kb: KnowledgeBase) -> Answer:
    """The three kinds of date the bot can work out, with an example of each."""
    b = AnswerBuilder("I can work out three kinds of dates for you:")
    b.add("• When a case concludes, e.g. " + EXAMPLES["conclusion"])
    b.add("• A deadline counted from entry, e.g. " + EXAMPLES["entry_deadline"])
    b.add("• When to apply for an extension or renewal, e.g. " + EXAMPLES["extension_window"])
    for service_id in dict.fromkeys(DEFAULTS.values()):
        if service_id in kb.services:
            b.source(kb.service(service_id).source_url).reviewed(kb.service(service_id).last_reviewed)
    return Answer(b.text(), [], None, Topic.DEADLINES.value)


# -- choosing the service and the date ------------------------------------------------

def _choose_service(kb: KnowledgeBase, kind: str, text: str, service_id: Optional[str],
                    event: Optional[str]) -> Optional[Tuple[Service, bool]]:
    """The service named (True: assumed) or the most likely one for this kind of question."""
    named = _named_in_text(kind, text, event)
    stale = None not in (_family(named), _family(service_id)) and _family(named) != _family(service_id)
    if service_id in kb.services and not stale:
        if kind == "extension_window":
            service_id = RENEWAL_OF.get(service_id, service_id)
        return kb.service(service_id), False
    candidate = named or (EVENT_DEFAULTS.get(event) if kind == "entry_deadline" else DEFAULTS[kind])
    if candidate not in kb.services:
        return None
    return kb.service(candidate), named is None


def _named_in_text(kind: str, text: str, event: Optional[str]) -> Optional[str]:
    work, residence = bool(_WORK_PERMIT.search(text)), bool(_RESIDENCE_PERMIT.search(text))
    if work == residence:
        return None
    if kind == "extension_window":
        return "work_permit_extension" if work else "residence_permit_renewal"
    if kind == "entry_deadline" and event == "change":
        return "work_permit_change" if work else "residence_permit_change"
    if kind == "entry_deadline" and event == "contract_end":
        return "work_permit_cancellation" if work else None
    if kind == "conclusion":
        return "work_permit" if work else "residence_permit"
    return None


def _family(service_id: Optional[str]) -> Optional[str]:
    # The conversation's service may be stale: "my residence permit expires..." after work-permit talk.
    for family in ("work_permit", "residence_permit"):
        if (service_id or "").startswith(family):
            return family
    return None


def _date_for(kind: str, text: str, today: dt.date) -> Optional[ParsedDate]:
    """The date the question's key verb refers to ("accepts on ...", "entered on ...", "expires on ...")."""
    prefer = "past" if rules.prefers_past(kind, text) else "future"
    found = find_dates_in_text(text, today, prefer)
    anchor = rules.anchor_position(kind, text)
    after = [d for d in found if d.start >= anchor]
    return (after or found or [None])[0]


# -- the three answers ----------------------------------------------------------------

def _conclusion(service: Service, date: Optional[ParsedDate], today: dt.date, etown: bool) -> AnswerBuilder:
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
    when = (f"between {_day(c.earliest)} and {_day(c.latest)} at the latest" if c.is_range
            else f"by {_day(c.latest)}")
    verb = "was" if date.in_past else "is"
    b.add(f"If the application {verb} accepted on {_given(date)}, the result is due {when}.")
    b.add(f"• Rule: {rule.text}.", rule.source, rule.uncertain)
    b.add(f"• How days are counted: {c.counting}.")
    if c.closed:
        b.add("• Closed days skipped: " + closed_summary(c.closed) + ".")
    for day in c.adjusted:
        b.add(f"• {_day(day)} is an adjusted working day, so it counts.")
    return _notes(b, c.caveats)


def _deadlines(kb: KnowledgeBase, service: Service, date: Optional[ParsedDate], today: dt.date,
               event: str) -> Tuple[AnswerBuilder, Service]:
    lead = None
    fallback = EVENT_DEFAULTS.get(event)
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
    line = f"From {_given(date)}, the last day is {_day(d.last_day)}."
    if d.closed_reason:
        line += f" Halls are closed that day ({d.closed_reason}), so to be safe go by {_day(d.apply_by)}."
    if d.passed:
        return line + (f" That day has already passed (today is {_day(today)}). Please contact the exit-entry "
                       "administration or the hotline 12367 as soon as possible.")
    return line + f" That is {_count_days((d.apply_by - today).days)} from today."


def _window(service: Service, date: Optional[ParsedDate], today: dt.date) -> AnswerBuilder:
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
        line = f"• First day to apply: {_day(w.first_day)} ({w.first_rule.text.lower()})"
        if w.opens_on != w.first_day:
            line += (f"; halls are closed that day ({_closed(w.first_day)}), so the first chance at the hall is "
                     f"{_day(w.opens_on)}")
        b.add(line + ".", w.first_rule.source, w.first_rule.uncertain)
    else:
        b.add("• First day to apply: my sources publish no earliest date.")
    if w.last_day and w.last_rule:
        line = f"• Last day to apply: {_day(w.last_day)} ({w.last_rule.text.lower()})"
        if w.last_closed_reason:
            line += (f"; the hall is closed that day ({w.last_closed_reason}), so apply by {_day(w.apply_by)} "
                     "at the latest")
        b.add(line + ".", w.last_rule.source, w.last_rule.uncertain)
    else:
        b.add("• Last day to apply: my sources publish no latest date; apply well before the permit expires.")
    b.add(_window_status(w, today))
    b.add(f"• How days are counted: {w.counting}.")
    return _notes(b, w.caveats)


def _window_status(w: rules.ExtensionWindow, today: dt.date) -> str:
    if w.status == "expired":
        return (f"{_day(w.expiry)} is already in the past (today is {_day(today)}), so the window to apply has "
                "closed. If you meant a later year, tell me the full date; if your permit really has expired, "
                "please contact the hall or the hotline 12367 straight away.")
    if w.status == "missed":
        return (f"The last day to apply ({_day(w.apply_by or w.last_day)}) has already passed. Please contact "
                "the hall or the hotline 12367 as soon as possible.")
    if w.status == "not_open_yet":
        return (f"You can't apply yet: the window opens on {_day(w.opens_on)}, "
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
    text = _day(date.day)
    return text + (" (I assumed the year; tell me if you meant another)" if date.year_assumed else "")


def _day(day: dt.date) -> str:
    return f"{day:%A} {format_date(day)}"


def _closed(day: dt.date) -> str:
    return workdays.reason_closed(day) or "closed"


def _count_days(n: int) -> str:
    return f"{n} day" + ("" if n == 1 else "s")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(("?", ".", "!")) else text + "."
