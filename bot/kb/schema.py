"""The shape of the knowledge base (policies_kb/), validated with pydantic.

Every fact a user can be told carries its own source link and, where the source is
single, secondary, dated or conflicting, an ``uncertain`` note that the bot reads out.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Dict, List, Literal, Optional

from pydantic import BaseModel, Extra, Field, root_validator, validator

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

Location = Literal["outside_china", "inside_china"]
CategoryCode = Literal["A", "B", "C"]
Provider = Literal["applicant", "employer", "third_party"]
Family = Literal["spouse", "child"]
Form = Literal["original", "copy", "original_and_copy", "upload", "online"]


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError("must be lower_snake_case, starting with a letter")
    return value


def _check_url(value: str) -> str:
    if not value.startswith(("https://", "http://")):
        raise ValueError("must be a full http(s) URL")
    return value


class Fact(Strict):
    """One statement the bot may make, with where it comes from."""

    text: str = Field(..., min_length=3)
    source: str
    uncertain: Optional[str] = None  # why it is not certain; the bot says so

    _url = validator("source", allow_reuse=True)(_check_url)


class Names(Strict):
    en: str
    zh: Optional[str] = None


class Conditions(Strict):
    """When a material applies. An empty field means 'in every case'."""

    location: Optional[Location] = None
    categories: List[CategoryCode] = []
    family: Optional[Family] = None
    first_application: Optional[bool] = None  # False: only for renewals/extensions
    employer_change: Optional[bool] = None
    # where the document was issued: decides apostille / legalisation / notarisation
    issued: Optional[Literal["abroad", "hk_macao_taiwan", "mainland"]] = None


class Material(Strict):
    id: str
    name: str
    aliases: List[str] = []
    provided_by: Provider
    form: Form = "original"
    conditions: Conditions = Conditions()
    format_rules: List[str] = []  # photo spec, signature, seal, ...
    validity: Optional[str] = None  # e.g. "issued within 6 months"
    needs_authentication: bool = False  # apostille or consular legalisation applies
    needs_translation: bool = False  # Chinese translation stamped by the employer
    note: Optional[str] = None
    source: str
    uncertain: Optional[str] = None

    _id = validator("id", allow_reuse=True)(_check_id)
    _url = validator("source", allow_reuse=True)(_check_url)


class WorkingDays(Strict):
    min: int = Field(..., ge=0)
    max: int = Field(..., ge=0)

    @root_validator(skip_on_failure=True)
    def _ordered(cls, values):  # noqa: N805 - pydantic signature
        if values["min"] > values["max"]:
            raise ValueError("min must not exceed max")
        return values


class ProcessingTime(Strict):
    standard: Optional[Fact] = None
    standard_working_days: Optional[WorkingDays] = None
    etown: Optional[Fact] = None
    etown_working_days: Optional[WorkingDays] = None


class Fee(Strict):
    label: str
    amount_cny: Optional[int] = Field(None, ge=0)  # None: not confirmed
    text: str
    source: str
    uncertain: Optional[str] = None

    _url = validator("source", allow_reuse=True)(_check_url)


class Deadline(Strict):
    id: str
    text: str
    days: Optional[int] = Field(None, ge=0)
    day_kind: Optional[Literal["calendar", "working"]] = None
    relative_to: Optional[str] = None  # "entry", "expiry", "contract_end", "change"
    before_or_after: Optional[Literal["before", "after", "within_before"]] = None
    source: str
    uncertain: Optional[str] = None

    _id = validator("id", allow_reuse=True)(_check_id)
    _url = validator("source", allow_reuse=True)(_check_url)


class ComplexCase(Strict):
    """A situation in a person's own case that hall staff should look at (it starts a handoff).

    ``signals`` are groups of lower-case phrases; a message shows the situation when it contains
    a phrase of every group (e.g. [["new employer", ...], ["pending", ...]]).
    """

    id: str
    label: str  # "a rejected application": said to the person and shown to staff
    why: str  # what staff can do here that the assistant cannot
    signals: List[List[str]] = Field(..., min_items=1)

    _id = validator("id", allow_reuse=True)(_check_id)

    @validator("signals")
    def _phrases(cls, groups):  # noqa: N805
        for group in groups:
            if not group or any(not p.strip() or p != p.lower() for p in group):
                raise ValueError("every group needs at least one phrase, written in lower case")
        return groups


class Service(Strict):
    """One administrative service: the unit a user asks about."""

    id: str
    kind: Literal["service"] = "service"
    names: Names
    aliases: List[str] = Field(..., min_items=1)
    summary: str
    for_whom: str
    applicant_location: Optional[Location] = None
    steps: List[str] = []
    materials: List[Material] = []
    processing_time: ProcessingTime = ProcessingTime()
    fees: List[Fee] = []
    validity: Optional[Fact] = None
    deadlines: List[Deadline] = []
    eligibility: List[Fact] = []
    halls: List[str] = []  # hall ids where it is handled
    online_systems: List[str] = []  # online system ids
    where_note: Optional[Fact] = None
    legal_basis: List[str] = []
    related: List[str] = []  # other service ids
    complex: bool = False  # staff should usually help (used by handoff)
    complex_cases: List[ComplexCase] = []  # situations that go to staff (handoff)
    source_url: str
    effective_date: Optional[dt.date] = None
    last_reviewed: dt.date
    uncertain: List[str] = []  # entry-wide caveats

    _id = validator("id", allow_reuse=True)(_check_id)
    _url = validator("source_url", allow_reuse=True)(_check_url)

    @validator("materials")
    def _unique_materials(cls, materials):  # noqa: N805
        seen = set()
        for material in materials:
            if material.id in seen:
                raise ValueError(f"material id '{material.id}' appears twice")
            seen.add(material.id)
        return materials


class Hall(Strict):
    id: str
    name: str
    aliases: List[str] = []
    district: str
    address: Optional[str] = None  # None: not published
    hours: Optional[str] = None  # None: not published
    services: List[str] = []  # service ids
    joint_window: Optional[bool] = None  # None: not published
    phone: Optional[str] = None
    source: str
    uncertain: Optional[str] = None
    last_reviewed: dt.date

    _id = validator("id", allow_reuse=True)(_check_id)
    _url = validator("source", allow_reuse=True)(_check_url)


class Hotline(Strict):
    id: str
    name: str
    number: str
    hours: str
    languages: List[str] = []
    text: str
    source: str
    uncertain: Optional[str] = None

    _id = validator("id", allow_reuse=True)(_check_id)
    _url = validator("source", allow_reuse=True)(_check_url)


class OnlineSystem(Strict):
    id: str
    name: str
    url: Optional[str] = None
    text: str
    source: str
    uncertain: Optional[str] = None

    _id = validator("id", allow_reuse=True)(_check_id)
    _url = validator("source", allow_reuse=True)(_check_url)


class Contacts(Strict):
    """policies_kb/contacts.yml"""

    hotlines: List[Hotline]
    online_systems: List[OnlineSystem]
    last_reviewed: dt.date


class HallsFile(Strict):
    """policies_kb/halls.yml"""

    halls: List[Hall]
    notes: List[Fact] = []
    last_reviewed: dt.date


class Country(Strict):
    id: str  # ISO 3166-1 alpha-2, lower case
    name: str
    aliases: List[str] = []
    # Apostille Convention: date the Convention applies between this country and China.
    # None: not a member (or the Convention does not apply with China): consular legalisation.
    apostille_with_china_since: Optional[dt.date] = None
    note: Optional[str] = None

    @validator("id")
    def _iso(cls, value):  # noqa: N805
        if not re.match(r"^[a-z]{2}$", value):
            raise ValueError("must be an ISO 3166-1 alpha-2 code in lower case")
        return value


class ApostilleFile(Strict):
    """policies_kb/apostille.yml: decides apostille versus consular legalisation."""

    china_in_force_since: dt.date
    summary: Fact
    apostille_route: Fact
    legalisation_route: Fact
    hk_macao_taiwan: Fact
    mainland: Fact
    countries: List[Country]
    source_url: str
    last_reviewed: dt.date
    uncertain: List[str] = []

    _url = validator("source_url", allow_reuse=True)(_check_url)


class TalentCategory(Strict):
    id: CategoryCode
    name: str
    summary: Fact
    criteria: List[Fact]


class CategoriesFile(Strict):
    """policies_kb/categories.yml: talent categories A/B/C and the points system."""

    categories: List[TalentCategory]
    points: List[Fact]
    source_url: str
    last_reviewed: dt.date

    _url = validator("source_url", allow_reuse=True)(_check_url)


class KbFiles(Strict):
    """Everything loaded from policies_kb/, before cross-references are checked."""

    services: Dict[str, Service]
    halls: HallsFile
    contacts: Contacts
    apostille: ApostilleFile
    categories: CategoriesFile
