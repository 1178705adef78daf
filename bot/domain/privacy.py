"""What must not be kept: personal data in what a person typed. Pure.

Two rules, applied to every event before it is stored (tracker store, ticket transcripts):

- A passport number, a name or an access code typed in answer to the form question that asked
  for it is used once, in the turn it is given, and stored only as REDACTED.
- Any other user message keeps its words, with e-mail addresses, phone numbers and passport-like
  tokens replaced by markers (bot.domain.personal_data.redaction), in its text, in the parse
  data's text and in the entities; the free-text slots (the question left for staff) likewise.
  The client address a channel passes in the message metadata is dropped.

The tracker in memory is not changed: forms read the value in the turn it is typed.
"""
from __future__ import annotations

import copy
from typing import Dict, Iterable, Iterator, List, Optional

from bot.domain.personal_data.redaction import personal_spans, apply_spans, redact_text, shifted

REDACTED = "[redacted]"
# Form slots whose answers are personal data or secrets (see domain.yml).
SENSITIVE_SLOTS = frozenset({"case_passport", "booking_passport", "applicant_name", "hr_access_code",
                             "contact_email", "contact_phone", "change_passport", "handoff_contact"})
# Slots that hold what the person wrote (stored with personal data replaced by markers).
FREE_TEXT_SLOTS = frozenset({"handoff_question"})
# Message metadata a channel passes for the turn only (the client address, for the guessing limits).
TURN_ONLY_METADATA = frozenset({"client_ip"})


class RequestedSlot:
    """Follows the form's requested slot along a conversation's events (one event at a time)."""

    def __init__(self) -> None:
        self.value: Optional[str] = None

    def see(self, event: Dict) -> None:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            self.value = event.get("value")
        elif kind == "active_loop" and event.get("name") is None:
            self.value = None

    def see_slot(self, name: Optional[str], value) -> None:
        """The same, from an event object's fields (no dict built): a SlotSet or an ActiveLoop."""
        if name == "requested_slot":
            self.value = value


def redact_events(events: Iterable[Dict]) -> Iterator[Dict]:
    """Copies of Rasa event dicts as they may be stored: answers to sensitive questions (the form's
    requested_slot at that moment) removed, personal data in other messages replaced by markers."""
    requested = RequestedSlot()
    for event in events:
        requested.see(event)
        yield redact_event(event, requested.value)


def redact_event(event: Dict, requested: Optional[str]) -> Dict:
    """One event as it may be stored, given the slot the form was asking for when it came."""
    kind = event.get("event")
    if kind == "user":
        if requested in SENSITIVE_SLOTS:
            return redact_user_event(event)
        return redact_free_text(event)
    if kind == "slot" and event.get("name") in FREE_TEXT_SLOTS and isinstance(event.get("value"), str):
        clean = dict(event)
        clean["value"] = redact_text(event["value"])
        return clean
    return event


def redact_user_event(event: Dict) -> Dict:
    """The whole message removed (an answer to a personal-data question)."""
    clean = _without_turn_metadata(copy.deepcopy(event))
    clean["text"] = REDACTED
    parse = clean.get("parse_data") or {}
    if parse:
        parse["text"] = REDACTED
        parse["entities"] = []
    return clean


def redact_free_text(event: Dict) -> Dict:
    """A user message with personal data in its text replaced by markers; entities that held any
    of it dropped, the others moved to their place in the new text. The event itself is unchanged."""
    text = event.get("text")
    spans = personal_spans(text) if isinstance(text, str) else []
    metadata_clean = not _has_turn_metadata(event)
    if not spans and metadata_clean:
        return event
    clean = _without_turn_metadata(copy.deepcopy(event))
    if not spans:
        return clean
    clean["text"] = apply_spans(text, spans)
    parse = clean.get("parse_data")
    if isinstance(parse, dict):
        if parse.get("text") == text:
            parse["text"] = clean["text"]
        elif isinstance(parse.get("text"), str):
            parse["text"] = redact_text(parse["text"])
        parse["entities"] = [_moved(entity, spans) for entity in parse.get("entities") or []
                             if not _touches(entity, spans, text)]
    return clean


def redacted_texts(events: List[Dict]) -> List[Optional[str]]:
    """The user texts as they would be stored (for tests and audits)."""
    return [e.get("text") for e in redact_events(events) if e.get("event") == "user"]


def _touches(entity: Dict, spans, text: str) -> bool:
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int):
        if any(start < s.end and s.start < end for s in spans):
            return True
    value = entity.get("value")
    return isinstance(value, str) and (redact_text(value) != value
                                       or any(text[s.start:s.end] in value for s in spans))


def _moved(entity: Dict, spans) -> Dict:
    start, end = entity.get("start"), entity.get("end")
    if isinstance(start, int) and isinstance(end, int):
        entity = dict(entity, start=shifted(start, spans), end=shifted(end, spans))
    return entity


def _has_turn_metadata(event: Dict) -> bool:
    for holder in (event.get("metadata"), (event.get("parse_data") or {}).get("metadata")):
        if isinstance(holder, dict) and TURN_ONLY_METADATA & holder.keys():
            return True
    return False


def _without_turn_metadata(event: Dict) -> Dict:
    for holder in (event.get("metadata"), (event.get("parse_data") or {}).get("metadata")):
        if isinstance(holder, dict):
            for key in TURN_ONLY_METADATA & holder.keys():
                del holder[key]
    return event
