"""What must not be kept: answers to questions that ask for personal data. Pure.

A passport number, a name or an access code typed in answer to the form question that asked
for it is used once, in the turn it is given, and stored only as REDACTED.
"""
from __future__ import annotations

import copy
from typing import Dict, Iterable, Iterator, List, Optional

REDACTED = "[redacted]"
# Form slots whose answers are personal data or secrets (see domain.yml).
SENSITIVE_SLOTS = frozenset({"case_passport", "booking_passport", "applicant_name", "hr_access_code",
                             "contact_email", "contact_phone", "change_passport", "handoff_contact"})


def redact_events(events: Iterable[Dict]) -> Iterator[Dict]:
    """Copies of Rasa event dicts in which every user message that answered a sensitive
    question (the form's requested_slot at that moment) has its text and entities removed."""
    requested: Optional[str] = None
    for event in events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested = event.get("value")
        elif kind == "active_loop" and event.get("name") is None:
            requested = None
        if kind == "user" and requested in SENSITIVE_SLOTS:
            yield redact_user_event(event)
        else:
            yield event


def redact_user_event(event: Dict) -> Dict:
    clean = copy.deepcopy(event)
    clean["text"] = REDACTED
    parse = clean.get("parse_data") or {}
    if parse:
        parse["text"] = REDACTED
        parse["entities"] = []
    return clean


def redacted_texts(events: List[Dict]) -> List[Optional[str]]:
    """The user texts as they would be stored (for tests and audits)."""
    return [e.get("text") for e in redact_events(events) if e.get("event") == "user"]
