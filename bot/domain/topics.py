"""Which question is being asked, and about which service: pure rules over intents and context."""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Tuple


class Topic(str, enum.Enum):
    MATERIALS = "materials"
    PROCESSING_TIME = "processing_time"
    FEES = "fees"
    VALIDITY = "validity"
    DEADLINES = "deadlines"
    ELIGIBILITY = "eligibility"
    WHERE = "where"
    OVERVIEW = "overview"
    APOSTILLE = "apostille"
    HOTLINES = "hotlines"


# intent -> (topic, service the intent itself names)
INTENT_TOPICS = {
    "ask_materials": (Topic.MATERIALS, None),
    "ask_processing_time": (Topic.PROCESSING_TIME, None),
    "ask_fees": (Topic.FEES, None),
    "ask_validity": (Topic.VALIDITY, None),
    "ask_deadlines": (Topic.DEADLINES, None),
    "ask_eligibility": (Topic.ELIGIBILITY, None),
    "ask_where": (Topic.WHERE, None),
    "ask_service_overview": (Topic.OVERVIEW, None),
    "ask_joint_application": (Topic.OVERVIEW, "joint_application"),
    "ask_health_check": (Topic.OVERVIEW, "health_check"),
    "ask_accommodation_registration": (Topic.OVERVIEW, "accommodation_registration"),
    "ask_apostille": (Topic.APOSTILLE, None),
    "ask_hotline": (Topic.HOTLINES, None),
}
QUESTION_INTENTS = frozenset(INTENT_TOPICS) | {"inform"}

# The most likely case when nobody has said which service: a foreign employee's first questions.
DEFAULT_SERVICE = {
    Topic.MATERIALS: "work_permit_notification",
    Topic.PROCESSING_TIME: "work_permit",
    Topic.FEES: "residence_permit",
    Topic.VALIDITY: "residence_permit",
    Topic.DEADLINES: "residence_permit",
    Topic.ELIGIBILITY: "work_permit",
    Topic.WHERE: "joint_application",
    Topic.OVERVIEW: "joint_application",
}
# Other services offered as buttons when the default was assumed.
ALTERNATIVES = ("work_permit_notification", "work_permit", "residence_permit", "joint_application")

# Work-permit services that differ only by where the applicant is.
_BY_LOCATION = {"inside_china": "work_permit", "outside_china": "work_permit_notification"}

_INSIDE = re.compile(
    r"\b(already|currently|now|living|staying|working)\b[^.?!]{0,20}\b(in|inside)\s+(china|beijing|the country)\b"
    r"|\b(inside|in)\s+(mainland\s+)?china\s+(already|now)\b|\binside\s+(mainland\s+)?china\b",
    re.I,
)
_OUTSIDE = re.compile(
    r"\b(outside\s+(of\s+)?china|abroad|overseas|not\s+(yet\s+)?in\s+china|still\s+in\s+(my|his|her|their)\s+"
    r"(home\s+)?country|before\s+(entry|entering|coming))\b",
    re.I,
)
_HK_MO_TW = re.compile(r"\b(hong\s*kong|macao|macau|taiwan)\b", re.I)
_MAINLAND = re.compile(r"\b(from|in)\s+(a\s+)?(mainland\s+)?(chinese|china)\s+(university|college|school)\b"
                       r"|\bmainland\s+china\b", re.I)


def detect_location(text: str) -> Optional[str]:
    """'inside_china' / 'outside_china' when the text says where the applicant is."""
    if _OUTSIDE.search(text or ""):
        return "outside_china"
    if _INSIDE.search(text or ""):
        return "inside_china"
    return None


def detect_issuing_region(text: str) -> Optional[str]:
    """'hk_macao_taiwan' or 'mainland' when a document's origin is named that way."""
    if _HK_MO_TW.search(text or ""):
        return "hk_macao_taiwan"
    if _MAINLAND.search(text or ""):
        return "mainland"
    return None


@dataclass(frozen=True)
class Question:
    topic: Topic
    service_id: Optional[str]
    assumed: bool  # True: nobody named a service; the most likely one was taken


def resolve_question(
    intent: str,
    mentioned_services: Iterable[str],
    context_service: Optional[str],
    context_topic: Optional[str],
    location: Optional[str],
    known_services: Iterable[str],
) -> Question:
    """Decide topic and service: this message first, then the conversation, then the default."""
    known = set(known_services)
    if intent == "inform":
        topic = Topic(context_topic) if context_topic in Topic._value2member_map_ else Topic.OVERVIEW
        fixed = None
    else:
        topic, fixed = INTENT_TOPICS[intent]
    mentioned = [s for s in mentioned_services if s in known]
    assumed = False
    if fixed:
        service = fixed
    elif mentioned:
        service = mentioned[0]
    elif context_service in known:
        service = context_service
    elif topic in DEFAULT_SERVICE:
        service, assumed = DEFAULT_SERVICE[topic], True
    else:
        service = None
    service = adjust_for_location(service, location)
    if service is not None and service not in known:
        service, assumed = None, False
    return Question(topic, service, assumed)


def adjust_for_location(service: Optional[str], location: Optional[str]) -> Optional[str]:
    """The work permit before entry is the Notification Letter; after entry, the permit itself."""
    if service in _BY_LOCATION.values() and location in _BY_LOCATION:
        return _BY_LOCATION[location]
    return service


def alternatives(service_id: Optional[str]) -> Tuple[str, ...]:
    return tuple(s for s in ALTERNATIVES if s != service_id)
