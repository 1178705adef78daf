"""The checklist conversation: which questions to ask, and what an answer means. Pure rules.

Slots hold knowledge-base ids or fixed codes, never raw user text. "unknown" marks a question
the user skipped ("not sure"), so it is not asked again and the checklist keeps the items that
depend on it, marked "if it applies to you".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence

from bot.domain import forms
from bot.domain.topics import detect_issuing_region, detect_location

UNKNOWN = "unknown"
FORM_SLOTS = ("checklist_services", "location", "category", "degree_country", "record_country", "family",
              "employer_change")
# Services a checklist is built for, and what the joint application expands to.
WORK_PERMIT_SERVICES = {"work_permit", "work_permit_notification", "work_permit_extension", "work_permit_change",
                        "work_permit_cancellation"}
RESIDENCE_SERVICES = {"residence_permit", "residence_permit_renewal", "residence_permit_change"}
JOINT = "joint_application"
FIRST_PERMITS = {"work_permit", "work_permit_notification"}  # where degree and criminal record are asked for

# Messages that interrupt the form (a question, "stop") never fill a slot unless they are also
# a clear answer (e.g. "Germany" classified as an apostille question).
DIGRESSION_INTENTS = forms.DIGRESSION_INTENTS

_SKIP = re.compile(r"^\W*(not sure|don'?t know|do not know|no idea|dunno|skip( this( one)?)?|pass|can'?t say|"
                   r"not certain|unsure|i'?ll check later|don'?t know yet)\W*$", re.I)
_CATEGORY = re.compile(r"\bcategory\s*([abc])\b|^\W*(?:i'?m|i am|probably|maybe|it'?s|type|class|cat\.?)?\s*"
                       r"([abc])\W*$", re.I)
_SPOUSE = re.compile(r"\b(wife|husband|spouse|partner|married)\b", re.I)
_CHILD = re.compile(r"\b(kids?|child|children|sons?|daughters?|baby)\b", re.I)
_NO_FAMILY = re.compile(r"\b(just me|only me|alone|no family|nobody|no one|single|none|by myself|no)\b", re.I)
_CHANGE = re.compile(r"\b(chang\w*|switch\w*|new)\s+(employer|company|job|companies)\b|\bmoving to another "
                     r"(company|employer)\b", re.I)
_FIRST = re.compile(r"\b(first (job|time|application|permit)|never worked in china|no previous (employer|job))\b",
                    re.I)
_BOTH = re.compile(r"\b(both( permits)?|joint|two[- ]permit|work (permit )?and residence)\b", re.I)


@dataclass(frozen=True)
class Turn:
    """One user message as the form sees it."""

    intent: str
    text: str
    services: Sequence[str] = ()  # knowledge-base ids named in it
    countries: Sequence[str] = ()  # ISO ids named in it


def is_skip(turn: Turn) -> bool:
    return turn.intent == "not_sure" or bool(_SKIP.match(turn.text or ""))


def parse_services(turn: Turn) -> Optional[List[str]]:
    if _BOTH.search(turn.text or "") or JOINT in turn.services:
        return [JOINT]
    return list(dict.fromkeys(turn.services)) or None


def parse_location(turn: Turn) -> Optional[str]:
    """Answer to "Is the applicant in mainland China now?"."""
    if turn.intent == "affirm":
        return "inside_china"
    if turn.intent == "deny":
        return "outside_china"
    return detect_location(turn.text) or (
        "inside_china" if re.search(r"\b(in|already in)\s+(beijing|china)\b", turn.text or "", re.I) else None)


def parse_category(turn: Turn) -> Optional[str]:
    match = _CATEGORY.search(turn.text or "")
    return (match.group(1) or match.group(2)).upper() if match else None


def parse_country(turn: Turn) -> Optional[str]:
    region = detect_issuing_region(turn.text)
    if region:
        return region
    if re.search(r"\b(chinese university|in china|china)\b", turn.text or "", re.I) and not turn.countries:
        return "mainland"
    return turn.countries[0] if turn.countries else None


def parse_family(turn: Turn) -> Optional[str]:
    spouse, child = bool(_SPOUSE.search(turn.text or "")), bool(_CHILD.search(turn.text or ""))
    if spouse or child:
        return "+".join(p for p, on in (("spouse", spouse), ("child", child)) if on)
    if turn.intent == "deny" or _NO_FAMILY.search(turn.text or ""):
        return "none"
    return None


def parse_employer_change(turn: Turn) -> Optional[str]:
    if _CHANGE.search(turn.text or "") or turn.intent == "affirm":
        return "yes"
    if _FIRST.search(turn.text or "") or turn.intent == "deny":
        return "no"
    return None


PARSERS = {
    "checklist_services": parse_services,
    "location": parse_location,
    "category": parse_category,
    "degree_country": parse_country,
    "record_country": parse_country,
    "family": parse_family,
    "employer_change": parse_employer_change,
}


def expanded_services(chosen: Iterable[str], location: Optional[str]) -> List[str]:
    """The services whose materials make up the checklist: the joint application is both permits,
    and the work permit before entry is the Notification Letter."""
    out: List[str] = []
    for service in chosen:
        parts = ["work_permit", "residence_permit"] if service == JOINT else [service]
        for part in parts:
            if part == "work_permit" and location == "outside_china":
                part = "work_permit_notification"
            if part not in out:
                out.append(part)
    return out


def questions_to_ask(slots: Dict[str, object]) -> List[str]:
    """The form's questions that matter for what is known so far, in order."""
    chosen = slots.get("checklist_services") or []
    if not chosen:
        return ["checklist_services"]
    chosen = list(chosen)
    services = set(expanded_services(chosen, None)) | set(chosen)
    asks = ["checklist_services"]
    if "work_permit" in services and JOINT not in chosen:
        asks.append("location")  # decides Notification Letter (abroad) or work permit (in China)
    if services & FIRST_PERMITS:
        asks += ["category", "degree_country", "record_country"]
    if services & RESIDENCE_SERVICES:
        asks.append("family")
    if services & {"work_permit"} and slots.get("location") != "outside_china":
        asks.append("employer_change")
    return asks


def interpret(slot: str, turn: Turn) -> Optional[str | List[str]]:
    """The slot value an answer gives: a parsed value, UNKNOWN for "not sure", or None if not understood."""
    if is_skip(turn):
        return UNKNOWN if slot != "checklist_services" else None
    return PARSERS[slot](turn)


def prefill(slots: Dict[str, object], turn: Turn, context_service: Optional[str],
            context_location: Optional[str]) -> Dict[str, object]:
    """Values the opening message or the earlier conversation already gave (asked again: never)."""
    found: Dict[str, object] = {}
    services = parse_services(turn) or ([context_service] if context_service else None)
    if services and not slots.get("checklist_services"):
        found["checklist_services"] = services
    location = detect_location(turn.text) or context_location
    if location and not slots.get("location"):
        found["location"] = location
    category = re.search(r"\bcategory\s*([abc])\b", turn.text or "", re.I)
    if category and not slots.get("category"):
        found["category"] = category.group(1).upper()
    if turn.countries and not slots.get("record_country"):
        found["record_country"] = turn.countries[0]  # "our new hire from Brazil": the nationality
    family = parse_family(Turn("", turn.text)) if _SPOUSE.search(turn.text or "") or _CHILD.search(
        turn.text or "") else None
    if family and not slots.get("family"):
        found["family"] = family
    return found


def profile_fields(slots: Dict[str, object]) -> Dict[str, object]:
    """Keyword arguments for bot.domain.checklist_profile.Profile from the form's slots (UNKNOWN -> None)."""

    def known(name: str):
        value = slots.get(name)
        return None if value in (None, UNKNOWN) else value

    location = known("location")
    chosen = list(slots.get("checklist_services") or [])
    if location is None and set(chosen) & ({JOINT} | RESIDENCE_SERVICES):
        location = "inside_china"  # the joint application and residence permits are applied for in China
    family = known("family")
    change = known("employer_change")
    return {
        "services": expanded_services(chosen, location),
        "location": location,
        "category": known("category"),
        "degree_country": known("degree_country"),
        "record_country": known("record_country"),
        "family": None if family is None else set() if family == "none" else set(str(family).split("+")),
        "employer_change": None if change is None else change == "yes",
    }
