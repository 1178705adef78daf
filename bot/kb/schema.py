"""The shape of the knowledge base (policies_kb/), validated with pydantic: one file per service
(services/*.yml, below) and the files they refer to (halls, contacts, apostille, categories).

The pieces every file shares (Strict, Fact, source and id checks) are in bot.kb.facts.
"""
from __future__ import annotations

import datetime as dt
from typing import Dict, List, Literal, Optional

from pydantic import Field, root_validator, validator

from bot.kb.apostille_schema import ApostilleFile
from bot.kb.categories_schema import CategoriesFile, CategoryCode
from bot.kb.contacts_schema import Contacts, HallsFile
from bot.kb.facts import Fact, Names, Strict, check_id, check_unique_ids, check_url

Location = Literal["outside_china", "inside_china"]
Provider = Literal["applicant", "employer", "third_party"]
Family = Literal["spouse", "child"]
Form = Literal["original", "copy", "original_and_copy", "upload", "online"]


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

    _id = validator("id", allow_reuse=True)(check_id)
    _url = validator("source", allow_reuse=True)(check_url)


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

    _url = validator("source", allow_reuse=True)(check_url)


class Deadline(Strict):
    id: str
    text: str
    days: Optional[int] = Field(None, ge=0)
    day_kind: Optional[Literal["calendar", "working"]] = None
    relative_to: Optional[str] = None  # "entry", "expiry", "contract_end", "change"
    before_or_after: Optional[Literal["before", "after", "within_before"]] = None
    source: str
    uncertain: Optional[str] = None

    _id = validator("id", allow_reuse=True)(check_id)
    _url = validator("source", allow_reuse=True)(check_url)


class ComplexCase(Strict):
    """A situation in a person's own case that hall staff should look at (it starts a handoff).

    ``signals`` are groups of lower-case phrases; a message shows the situation when it contains
    a phrase of every group (e.g. [["new employer", ...], ["pending", ...]]).
    """

    id: str
    label: str  # "a rejected application": said to the person and shown to staff
    why: str  # what staff can do here that the assistant cannot
    signals: List[List[str]] = Field(..., min_items=1)

    _id = validator("id", allow_reuse=True)(check_id)

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

    _id = validator("id", allow_reuse=True)(check_id)
    _url = validator("source_url", allow_reuse=True)(check_url)

    @validator("materials")
    def _unique_materials(cls, materials):  # noqa: N805
        return check_unique_ids(materials, "material id")


class KbFiles(Strict):
    """Everything loaded from policies_kb/, before cross-references are checked."""

    services: Dict[str, Service]
    halls: HallsFile
    contacts: Contacts
    apostille: ApostilleFile
    categories: CategoriesFile
