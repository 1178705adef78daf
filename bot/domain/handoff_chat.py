"""The chat side of the human handoff: what starts it, what the person is told, and the transcript
staff see. Pure: the callers pass the knowledge base's complex cases, the clock's results and the
conversation's events in.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from bot.domain.privacy import redact_events
from bot.domain.wording import Answer, Button, format_date
from bot.kb.schema import ComplexCase, Service

ASKED = "asked_for_human"
FALLBACK = "repeated_fallback"
COMPLEX = "complex_case"
OUTSIDE_HOURS = "outside_hours"

# handoff_path slot values (domain.yml): they choose the rule that follows action_start_handoff
QUEUED = "queued"
AFTER_HOURS = "after_hours"
OFFERED = "offered"

QUESTION_MIN, QUESTION_MAX = 5, 1000


@dataclass(frozen=True)
class FlaggedCase:
    """A complex case the knowledge base recognised in a message."""

    service_id: str
    case_id: str
    label: str
    why: str


def _normalise(text: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", (text or "").lower()).strip() + " "


def _contains(text: str, phrase: str) -> bool:
    return _normalise(phrase) in text


def find_complex_case(services: Iterable[Service], text: str,
                      mentioned: Sequence[str] = ()) -> Optional[FlaggedCase]:
    """The first complex case of the knowledge base whose every signal group has a phrase in ``text``;
    services ``mentioned`` in the message are tried first. Else, a mentioned service that is flagged
    ``complex`` as a whole. None when the knowledge base flags nothing."""
    ordered: List[Service] = sorted(services, key=lambda s: s.id not in mentioned)
    for service in ordered:
        for case in service.complex_cases:
            if is_complex_case(case, text):
                return FlaggedCase(service.id, case.id, case.label, case.why)
    for service in ordered:
        if service.id in mentioned and service.complex:
            return FlaggedCase(service.id, "complex_service", f"a {service.names.en} case",
                               "Applications of this kind are usually looked at individually by staff.")
    return None


def is_complex_case(case: ComplexCase, text: str) -> bool:
    """True when every signal group of ``case`` has a phrase in ``text`` (whole words, any case)."""
    normal = _normalise(text)
    return all(any(_contains(normal, p) for p in group) for group in case.signals)


# -- transcript -------------------------------------------------------------------------------

def transcript(events: Iterable[Dict]) -> List[Dict[str, str]]:
    """Transcript lines {"who": "user"|"bot"|"staff", "text", "at"} from Rasa event dicts, with the
    answers to personal-data questions redacted (bot.domain.privacy), button payloads and external
    intents left out."""
    lines: List[Dict[str, str]] = []
    last_user: Optional[str] = None
    clarified: Optional[str] = None  # a message Rasa's two-stage fallback will store again after a rewind
    for event in redact_events(events):
        kind = event.get("event")
        text = event.get("text")
        if kind == "rewind":
            clarified = last_user
            continue
        if kind not in ("user", "bot") or not isinstance(text, str) or not text.strip():
            continue
        if kind == "user" and is_external(event):
            continue
        if kind == "user":
            if clarified is not None and text == clarified:  # the fallback's copy, not a second message
                clarified = None
                continue
            last_user = text
        if kind == "user" and text.startswith("/"):  # a button's payload: the intent, not words
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or "a button"
            text = "[opened the chat]" if intent == "greet" else f"[chose: {intent.replace('_', ' ')}]"
        who = "staff" if kind == "bot" and (event.get("metadata") or {}).get("from") == "staff" else \
            ("user" if kind == "user" else "bot")
        lines.append({"who": who, "text": text, "at": _iso(event.get("timestamp"))})
    return lines


def is_external(event: Dict) -> bool:
    """An intent the web app triggered through Rasa's API (hand-back, expiry), not the person's words."""
    return bool((event.get("metadata") or {}).get("is_external"))


def _iso(stamp) -> str:
    if isinstance(stamp, (int, float)):
        return dt.datetime.fromtimestamp(stamp, dt.timezone.utc).isoformat()
    return dt.datetime.now(dt.timezone.utc).isoformat()


def latest_user_text(events: Sequence[Dict], requested_slot: str) -> Optional[str]:
    """The last message the person wrote while the form asked for ``requested_slot``."""
    asked: Optional[str] = None
    found: Optional[str] = None
    for event in events:
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            asked = event.get("value")
        elif event.get("event") == "user" and asked == requested_slot:
            found = event.get("text")
    return found


# -- the question and contact left outside hours ----------------------------------------------

class InvalidQuestion(ValueError):
    """The question for staff is empty, too short, too long or not text; the message says so."""


def check_question(text: Optional[str]) -> str:
    """The question with its whitespace tidied, or InvalidQuestion."""
    cleaned = re.sub(r"\s+", " ", (text or "").replace("\x00", "")).strip()
    if cleaned.startswith("/"):
        raise InvalidQuestion("Please write your question in words, so the staff know what to look at.")
    if len(cleaned) < QUESTION_MIN or not re.search(r"[^\W\d_]", cleaned):
        raise InvalidQuestion("Please write your question in a few words, so the staff know what to look at.")
    if len(cleaned) > QUESTION_MAX:
        raise InvalidQuestion(f"Please keep your message to staff under {QUESTION_MAX} characters; they can ask you "
                              "for more when they reply.")
    return cleaned


# -- what the person is told ------------------------------------------------------------------

def lead(reason: str, flagged: Optional[FlaggedCase]) -> str:
    if reason == COMPLEX and flagged:
        return f"This sounds like {flagged.label}, which a person should look at. {flagged.why}"
    if reason == FALLBACK:
        return "Sorry, I still couldn't understand you, so let me bring in a person."
    return "Of course, let me bring in a person."


def queued_text(lead_text: str, ticket_id: int, position: Optional[int], wait_minutes: Optional[int]) -> str:
    if position is None:
        return (f"{lead_text} A member of the hall's staff already has your conversation (request #{ticket_id}) "
                "and will answer here.")
    ahead = "You are next in the queue" if position == 1 else f"You are number {position} in the queue"
    return (f"{lead_text} I've passed our conversation to the hall's staff (request #{ticket_id}). {ahead}; "
            f"a staff member should join you here in about {_minutes(wait_minutes)}. They can see what we "
            "talked about, so you don't need to repeat it. Until they hand you back, I'll stay quiet; anything "
            "you write now goes to them.")


def _minutes(value: Optional[int]) -> str:
    if not value:
        return "a few minutes"
    return "1 minute" if value == 1 else f"{value} minutes"


def after_hours_text(lead_text: str, hours: str, reply_by: dt.date) -> str:
    return (f"{lead_text} The hall's staff answer in this chat {hours} (Beijing time), and they are not here "
            f"right now. I can pass your question on with a way to reach you; they will reply on "
            f"{weekday_date(reply_by)}, the next working day.")


HANDOFF_STEPS = ("action_start_handoff", "action_handoff_expired", "action_submit_handoff")


def after_expiry(events: Sequence[Dict]) -> bool:
    """True when the call-back form being finished was offered because a queued live chat expired
    (the latest handoff step in ``events`` is action_handoff_expired), not because staff were out."""
    for event in reversed(events):
        if event.get("event") == "action" and event.get("name") in HANDOFF_STEPS:
            return event["name"] == "action_handoff_expired"
    return False


def submitted_text(ticket_id: int, masked_contact: str, reply_by: Optional[dt.date]) -> str:
    when = f"on {weekday_date(reply_by)}" if reply_by else "on the next working day"
    return (f"Thank you. Your question is with the hall's staff (request #{ticket_id}); they will reply to "
            f"{masked_contact} {when}. Anything else I can help with in the meantime?")


def already_waiting_text(ticket_id: int, in_hours: bool, reply_by: Optional[dt.date]) -> str:
    if in_hours:
        return f"Your request #{ticket_id} is already with the hall's staff; a staff member will answer here."
    when = f"on {weekday_date(reply_by)}" if reply_by else "on the next working day"
    return f"Your question (request #{ticket_id}) is already with the hall's staff; they will reply {when}."


def offer_answer() -> Answer:
    return Answer("I can't judge an individual case myself. Would you like a member of the hall's staff to "
                  "look at yours?",
                  [Button("Yes, connect me to staff", "/request_human"), Button("No, thanks", "/deny")])


def fallback_offer_button() -> Button:
    return Button("Leave a question for staff", "/request_human")


def expired_text(waited_minutes: int, hours: str, reply_by: dt.date) -> str:
    return (f"I'm sorry: no one on the hall's staff was free to join you in the last {_minutes(waited_minutes)}, "
            f"so I've taken our conversation back. Nothing you wrote is lost; the staff can read it. I can pass "
            f"your question on with a way to reach you: they answer {hours} (Beijing time) and will reply by "
            f"{weekday_date(reply_by)}, the next working day.")


def handback_text(topic_names: Tuple[str, ...]) -> str:
    about = f" We were talking about the {' and the '.join(topic_names)}." if topic_names else ""
    return (f"You're back with the assistant; the staff member has handed the conversation back to me.{about} "
            "Ask me anything else about documents, fees, processing times or where to apply.")


def weekday_date(day: dt.date) -> str:
    return f"{day.strftime('%A')} {format_date(day)}"
