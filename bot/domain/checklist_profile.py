"""The applicant profile a tailored checklist is built from, in one canonical spelling. Pure."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Set

from bot.domain.topics import detect_issuing_region
from bot.kb.base import KnowledgeBase

LOCATIONS = ("outside_china", "inside_china")
CATEGORIES = ("A", "B", "C")
FAMILY = ("spouse", "child")
MAINLAND = "mainland"
HK_MACAO_TAIWAN = "hk_macao_taiwan"
REGIONS = (MAINLAND, HK_MACAO_TAIWAN)
# Ids a user (or an HR tool) may send that mean a region rather than an apostille country.
REGION_IDS = {"cn": MAINLAND, "hk": HK_MACAO_TAIWAN, "mo": HK_MACAO_TAIWAN, "tw": HK_MACAO_TAIWAN}
LABEL_MAX = 80
ID_LENGTH = 16
CHECKLIST_ID = re.compile(rf"^[0-9a-f]{{{ID_LENGTH}}}$")
_SPACE = re.compile(r"\s+")


class InvalidProfile(ValueError):
    """A profile value the checklist cannot use; ``field`` names the profile field."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass
class Profile:
    """What the form (or an HR tool) knows about one applicant. None always means "not sure".

    ``family`` None: not sure; an empty set: nobody comes along. Country fields hold a
    lower-case ISO alpha-2 id, or "mainland" / "hk_macao_taiwan". ``label`` names the
    employee for HR; it is shown on pages and is part of the profile (and of its id).
    """

    services: List[str]
    location: Optional[str] = None
    category: Optional[str] = None
    degree_country: Optional[str] = None
    record_country: Optional[str] = None
    family: Optional[Set[str]] = None
    employer_change: Optional[bool] = None
    first_application: Optional[bool] = None
    label: Optional[str] = None

    def __post_init__(self) -> None:
        self.services = sorted({s.strip() for s in self.services if s and s.strip()})
        if not self.services:
            raise InvalidProfile("services", "name at least one service")
        for name, allowed in (("location", LOCATIONS), ("category", CATEGORIES)):
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise InvalidProfile(name, f"must be one of {', '.join(allowed)} or empty for 'not sure'")
        self.degree_country = _region_or_country(self.degree_country)
        self.record_country = _region_or_country(self.record_country)
        if self.family is not None:
            self.family = set(self.family)
            unknown = self.family - set(FAMILY)
            if unknown:
                raise InvalidProfile("family", f"unknown member {sorted(unknown)[0]!r}; use spouse or child")
        self.label = _clean_label(self.label)

    def canonical(self) -> Dict[str, Any]:
        """Plain JSON data with one spelling per meaning: what is stored and hashed."""
        return {
            "services": list(self.services),
            "location": self.location,
            "category": self.category,
            "degree_country": self.degree_country,
            "record_country": self.record_country,
            "family": None if self.family is None else sorted(self.family),
            "employer_change": self.employer_change,
            "first_application": self.first_application,
            "label": self.label,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Profile":
        """The inverse of canonical(); unknown keys are ignored so old rows keep loading."""
        family = data.get("family")
        return cls(
            services=list(data.get("services") or []),
            location=data.get("location"),
            category=data.get("category"),
            degree_country=data.get("degree_country"),
            record_country=data.get("record_country"),
            family=None if family is None else set(family),
            employer_change=data.get("employer_change"),
            first_application=data.get("first_application"),
            label=data.get("label"),
        )


def profile_key(profile: Profile) -> str:
    """A digest of the canonical profile: the same answers give the same key (and so the same link).

    The link's id itself is random (bot.services.checklists), so nobody can derive it from a profile.
    """
    canonical = json.dumps(profile.canonical(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def is_checklist_id(value: str) -> bool:
    return bool(CHECKLIST_ID.match(value or ""))


def check_profile(kb: KnowledgeBase, profile: Profile) -> Profile:
    """Raise InvalidProfile unless every service and country in ``profile`` is in ``kb``."""
    for service_id in profile.services:
        if service_id not in kb.services:
            known = ", ".join(sorted(kb.services))
            raise InvalidProfile("services", f"unknown service id {service_id!r}; known ids: {known}")
    for name in ("degree_country", "record_country"):
        value = getattr(profile, name)
        if value is not None and value not in REGIONS and value not in kb.countries:
            raise InvalidProfile(name, f"unknown country {value!r}; use an ISO alpha-2 code such as 'de', "
                                       "or 'mainland' / 'hk_macao_taiwan'")
    return profile


def resolve_country_value(kb: KnowledgeBase, value: Optional[str]) -> Optional[str]:
    """A country id from an id, a name or an alias ("Germany", "USA"); unresolvable text is kept."""
    if value is None or not value.strip():
        return None
    key = value.strip().lower()
    if key in REGIONS or key in REGION_IDS or key in kb.countries:
        return _region_or_country(key)
    region = detect_issuing_region(value)  # "Hong Kong", "mainland China"
    if region:
        return region
    country = kb.resolve_country(value)
    return _region_or_country(country.id) if country else key


def _region_or_country(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    key = value.strip().lower()
    if not key:
        return None
    return REGION_IDS.get(key, key)


def _clean_label(label: Optional[str]) -> Optional[str]:
    if label is None:
        return None
    text = _SPACE.sub(" ", "".join(ch for ch in label if ch.isprintable() or ch.isspace())).strip()
    return text[:LABEL_MAX] or None
