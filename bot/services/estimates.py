"""The estimate use case: find the date in a question, apply the knowledge base's rule, answer in words.

Never raises for what a user typed: a missing, impossible or past date becomes a polite answer
that still states the rule.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional, Tuple

from bot.domain import estimate_questions as questions
from bot.domain import estimates as rules
from bot.domain.dates import ParsedDate, find_dates_in_text
from bot.domain.topics import Topic
from bot.domain.wording import Answer, AnswerBuilder
from bot.kb.base import KnowledgeBase
from bot.kb.schema import Service
from bot.services import estimate_answers as answers

# The most likely service when none is named, per kind of estimate.
DEFAULTS = {"conclusion": "work_permit", "entry_deadline": "residence_permit",
            "extension_window": "residence_permit_renewal"}
EVENT_DEFAULTS = {"entry": "residence_permit", "contract_end": "work_permit_cancellation",
                  "change": "residence_permit_change"}
# A question about the window before expiry is answered by the renewal service's rules.
RENEWAL_OF = {"work_permit": "work_permit_extension", "residence_permit": "residence_permit_renewal"}
TOPICS = {"conclusion": Topic.PROCESSING_TIME.value, "entry_deadline": Topic.DEADLINES.value,
          "extension_window": Topic.DEADLINES.value}
_WORK_PERMIT = re.compile(r"\bwork\s*permit|工作许可", re.I)
_RESIDENCE_PERMIT = re.compile(r"\bresidence\s+permit|居留", re.I)
_ETOWN = re.compile(r"\be[\s-]?town\b|\byizhuang\b|亦庄|经开区", re.I)


def estimate(kb: KnowledgeBase, question_text: str, today: dt.date, service_id: Optional[str],
             kind: Optional[str] = None) -> Answer:
    """An answer stating the estimated date(s), the rule, how days were counted, caveats and sources."""
    text = question_text or ""
    kind = kind if kind in rules.KINDS else questions.classify_estimate_question(text)
    event = (questions.detect_event(text) or "entry") if kind == "entry_deadline" else None
    chosen = _choose_service(kb, kind, text, service_id, event) if kind else None
    if chosen is None:
        return what_i_estimate(kb)
    service, assumed = chosen
    date = _date_for(kind, text, today)
    if kind == "conclusion":
        b = answers.conclusion_answer(service, date, today, bool(_ETOWN.search(text)))
    elif kind == "entry_deadline":
        b, service = answers.deadline_answer(kb, service, date, today, event, EVENT_DEFAULTS.get(event))
    else:
        b = answers.window_answer(service, date, today)
    if assumed:
        b.add(f"You didn't say which permit, so I assumed the {service.names.en}. Tell me if you meant another one.")
    b.source(service.source_url).reviewed(service.last_reviewed)
    return Answer(b.text(), [], service.id, TOPICS[kind])


def what_i_estimate(kb: KnowledgeBase) -> Answer:
    """The three kinds of date the bot can work out, with an example of each."""
    b = AnswerBuilder("I can work out three kinds of dates for you:")
    b.add("• When a case concludes, e.g. " + answers.EXAMPLES["conclusion"])
    b.add("• A deadline counted from entry, e.g. " + answers.EXAMPLES["entry_deadline"])
    b.add("• When to apply for an extension or renewal, e.g. " + answers.EXAMPLES["extension_window"])
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
    prefer = "past" if questions.prefers_past(kind, text) else "future"
    found = find_dates_in_text(text, today, prefer)
    anchor = questions.anchor_position(kind, text)
    after = [d for d in found if d.start >= anchor]
    return (after or found or [None])[0]
