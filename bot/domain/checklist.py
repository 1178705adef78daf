"""Tailored document checklists: the materials one applicant needs, merged across services,
grouped by who provides them and numbered straight through. Pure: no I/O.

Matching rules (see open_conditions): a material whose condition contradicts the profile is
left out; a condition the profile leaves open ("not sure") keeps the material, marked
"if it applies to you" with the open condition spelled out.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Dict, List, Optional, Tuple

from bot.domain.answers import FORM
from bot.domain.checklist_profile import (  # noqa: F401 - re-exported: the checklist's public names
    HK_MACAO_TAIWAN, LABEL_MAX, MAINLAND, InvalidProfile, Profile, check_profile, is_checklist_id, profile_key,
    resolve_country_value,
)
from bot.domain.checklist_rules import Authentication, authentication, open_conditions
from bot.kb.base import KnowledgeBase
from bot.kb.schema import Material, Service
from bot.kb.text import normalize

JOINT_APPLICATION = "joint_application"
# The joint application has no list of its own: it is the work permit applied for in China plus
# the work-type residence permit (the same expansion as bot.domain.checklist_form).
JOINT_PARTS = ("work_permit", "residence_permit")
# Services in the order an applicant meets them; others follow alphabetically.
SERVICE_ORDER = ("work_permit_notification", "z_visa", "accommodation_registration", "health_check", "work_permit",
                 "residence_permit")
PROVIDERS = ("applicant", "employer", "third_party")
PROVIDER_TITLES = {
    "applicant": "From the applicant",
    "employer": "From the employer",
    "third_party": "From third parties (authorities, doctors, former employers)",
}
IF_APPLIES = "if it applies to you"
TRANSLATION = "with a Chinese translation stamped with the employer's official seal"
NOT_SURE = "not sure"
WHERE = {"outside_china": "outside China", "inside_china": "in China"}


@dataclass(frozen=True)
class ChecklistItem:
    """One document to bring. ``conditions``: why it may not apply (answers left open)."""

    number: int
    material_id: str
    name: str
    provided_by: str
    service_ids: Tuple[str, ...]
    service_names: Tuple[str, ...]
    details: Tuple[str, ...]  # form, format rules, validity, translation: worded
    authentication: Optional[Authentication]
    notes: Tuple[str, ...]
    uncertain: Tuple[str, ...]
    sources: Tuple[str, ...]
    conditions: Tuple[str, ...] = ()

    @property
    def if_applies(self) -> bool:
        return bool(self.conditions)

    @property
    def shared(self) -> bool:
        return len(self.service_ids) > 1


@dataclass(frozen=True)
class ProviderGroup:
    provider: str
    title: str
    items: Tuple[ChecklistItem, ...]


@dataclass(frozen=True)
class ServiceRef:
    id: str
    name: str
    source_url: str
    last_reviewed: dt.date


@dataclass(frozen=True)
class Checklist:
    profile: Profile
    title: str
    services: Tuple[ServiceRef, ...]
    summary: Tuple[Tuple[str, str], ...]  # (question, answer) lines describing the profile
    groups: Tuple[ProviderGroup, ...]
    notes: Tuple[str, ...]  # header notes: merged list, open category, mismatches
    uncertain: Tuple[str, ...]  # caveats of the services and of the apostille list
    sources: Tuple[str, ...]
    last_reviewed: Optional[dt.date]
    generated_on: dt.date

    @property
    def items(self) -> List[ChecklistItem]:
        return [item for group in self.groups for item in group.items]


@dataclass
class _Entry:
    """One document while the list is merged: the (service, material) pairs that need it."""

    parts: List[Tuple[Service, Material, List[str]]] = field(default_factory=list)
    auth: Optional[Authentication] = None

    def takes(self, service: Service, material: Material) -> bool:
        if any(s.id == service.id for s, _, _ in self.parts):
            return False
        first = self.parts[0][1]
        if normalize(first.name) == normalize(material.name):
            return True
        # A shared id is not enough: both services call their own, different form "application_form".
        return first.id == material.id and bool(_terms(first) & _terms(material))


def build_checklist(kb: KnowledgeBase, profile: Profile, today: dt.date) -> Checklist:
    """The materials ``profile`` needs for its services, as one merged, grouped, numbered list.

    Services no longer in ``kb`` are left out with a note, so a saved link keeps working.
    """
    services, notes = _services(kb, profile)
    entries: List[_Entry] = []
    for service in services:
        if not service.materials:
            notes.append(f"My sources list no separate documents for the {service.names.en}.")
        for material in service.materials:
            left = open_conditions(material, profile)
            if left is None:
                continue
            entry = next((e for e in entries if e.takes(service, material)), None)
            if entry is None:
                entry = _Entry()
                entries.append(entry)
            entry.parts.append((service, material, left))
            entry.auth = entry.auth or authentication(kb, material, profile, today)
    items = [_item(entry) for entry in entries]
    groups = _grouped(items)
    notes += _notes(kb, profile, services, items)
    uncertain = _unique(note for service in services for note in service.uncertain)
    sources = _unique([s.source_url for s in services] + [src for i in items for src in i.sources])
    reviewed = [s.last_reviewed for s in services]
    if any(i.authentication and i.authentication.from_country_list for i in items):
        uncertain += _unique(kb.files.apostille.uncertain)
        sources.append(kb.files.apostille.source_url)
        reviewed.append(kb.files.apostille.last_reviewed)
    return Checklist(
        profile=profile, title=_title(kb, profile, services),
        services=tuple(ServiceRef(s.id, s.names.en, s.source_url, s.last_reviewed) for s in services),
        summary=tuple(profile_summary(kb, profile, services)), groups=tuple(groups), notes=tuple(_unique(notes)),
        uncertain=tuple(_unique(uncertain)), sources=tuple(_unique(sources)),
        last_reviewed=min(reviewed) if reviewed else None, generated_on=today,
    )


def _services(kb: KnowledgeBase, profile: Profile) -> Tuple[List[Service], List[str]]:
    ids: List[str] = []
    notes: List[str] = []
    for service_id in profile.services:
        parts = JOINT_PARTS if service_id == JOINT_APPLICATION else (service_id,)
        for part in parts:
            if part not in kb.services:
                notes.append(f"The service '{part}' is no longer in my knowledge base, so its documents are left out.")
            elif part not in ids:
                ids.append(part)
    rank = {s: n for n, s in enumerate(SERVICE_ORDER)}
    ids.sort(key=lambda s: (rank.get(s, len(rank)), s))
    return [kb.service(s) for s in ids], notes


def _grouped(items: List[ChecklistItem]) -> List[ProviderGroup]:
    """Items by provider (applicant, employer, third party), numbered straight through the groups."""
    groups, number = [], 0
    for provider in PROVIDERS:
        numbered = []
        for item in (i for i in items if i.provided_by == provider):
            number += 1
            numbered.append(replace(item, number=number))
        if numbered:
            groups.append(ProviderGroup(provider, PROVIDER_TITLES[provider], tuple(numbered)))
    return groups


def _item(entry: _Entry) -> ChecklistItem:
    services = [s for s, _, _ in entry.parts]
    materials = [m for _, m, _ in entry.parts]
    per_part = [_details(m) for m in materials]
    if all(d == per_part[0] for d in per_part):
        details = list(per_part[0])
    else:  # the same document, asked for differently: say what each service wants
        details = [f"for the {s.names.en}: " + "; ".join(d) for s, d in zip(services, per_part)]
    translating = [s for s, m in zip(services, materials) if m.needs_translation]
    if translating:
        only = "" if len(translating) == len(materials) else f" (for the {translating[0].names.en})"
        details.append(TRANSLATION + only)
    open_parts = [left for _, _, left in entry.parts]
    # still needed for sure by one service: no "if it applies" mark, whatever the others say
    conditions = () if not all(open_parts) else tuple(_unique(c for left in open_parts for c in left))
    auth = entry.auth
    notes = [m.note.strip() for m in materials if m.note] + [auth.country_note if auth else None]
    sources = [m.source for m in materials] + [auth.source if auth else None]
    return ChecklistItem(
        number=0, material_id=materials[0].id, name=" / ".join(_unique(m.name for m in materials)),
        provided_by=materials[0].provided_by, service_ids=tuple(s.id for s in services),
        service_names=tuple(s.names.en for s in services), details=tuple(details), authentication=auth,
        notes=tuple(_unique(notes)), uncertain=tuple(_unique(m.uncertain for m in materials)),
        sources=tuple(_unique(sources)), conditions=conditions,
    )


def _details(material: Material) -> Tuple[str, ...]:
    details = [FORM[material.form], *material.format_rules]
    if material.validity:
        details.append(material.validity)
    return tuple(d.rstrip(". ") for d in details)


def _notes(kb: KnowledgeBase, profile: Profile, services: List[Service], items: List[ChecklistItem]) -> List[str]:
    notes = []
    if len(services) > 1:
        names = " and the ".join(s.names.en for s in services)
        notes.append(f"One list for the {names}: a document more than one of them needs appears once, "
                     "with the services it serves.")
    where = {"outside_china": "outside China", "inside_china": "already in China"}
    if JOINT_APPLICATION in profile.services and JOINT_APPLICATION in kb.services:
        # its parts are judged as the joint application (a Notification Letter holder applies in China)
        services = [kb.service(JOINT_APPLICATION)] + [s for s in services if s.id not in JOINT_PARTS]
    for service in services:
        if profile.location and service.applicant_location and profile.location != service.applicant_location:
            notes.append(f"The {service.names.en} is for applicants {where[service.applicant_location]}, and you "
                         f"said the applicant is {where[profile.location]}: check with the employer which "
                         "procedure applies.")
    if profile.category is None and any(c.startswith("talent category") for i in items for c in i.conditions):
        cats = "; ".join(f"{c.id}: {c.name.split(' - ')[-1]}" for c in kb.files.categories.categories)
        notes.append(f"You weren't sure of the talent category ({cats}). The employer's online application "
                     "assigns it; documents only some categories need are kept and marked "
                     f"\"{IF_APPLIES}\".")
    if any(i.if_applies for i in items):
        notes.append(f"Items marked \"{IF_APPLIES}\" depend on an answer you weren't sure about; each says when "
                     "it is needed.")
    return notes


def _title(kb: KnowledgeBase, profile: Profile, services: List[Service]) -> str:
    if JOINT_APPLICATION in profile.services and JOINT_APPLICATION in kb.services:
        rest = [s.names.en for s in services if s.id not in JOINT_PARTS]
        return "Document checklist: " + " + ".join([kb.service(JOINT_APPLICATION).names.en, *rest])
    return "Document checklist: " + (" + ".join(s.names.en for s in services) or "no known service")


def profile_summary(kb: KnowledgeBase, profile: Profile, services: List[Service]) -> List[Tuple[str, str]]:
    """The profile as (question, answer) lines for the top of a checklist."""
    lines = []
    if profile.label:
        lines.append(("Employee", profile.label))
    lines.append(("Applying for", ", ".join(s.names.en for s in services) or NOT_SURE))
    yes_no = {True: "yes", False: "no", None: NOT_SURE}
    lines += [
        ("Applicant is", WHERE.get(profile.location, NOT_SURE)),
        ("Talent category", profile.category or NOT_SURE),
        ("Highest degree obtained in", _place(kb, profile.degree_country)),
        ("Criminal record certificate from", _place(kb, profile.record_country)),
        ("Family coming along", _family(profile.family)),
        ("Changing employer", yes_no[profile.employer_change]),
        ("First application", yes_no[profile.first_application]),
    ]
    return lines


def _place(kb: KnowledgeBase, value: Optional[str]) -> str:
    if value is None:
        return NOT_SURE
    if value == MAINLAND:
        return "mainland China"
    if value == HK_MACAO_TAIWAN:
        return "Hong Kong, Macao or Taiwan"
    country = kb.countries.get(value)
    return country.name if country else value.upper()


def _family(family) -> str:
    if family is None:
        return NOT_SURE
    if not family:
        return "no one"
    return " and ".join(w for k, w in (("spouse", "spouse"), ("child", "children")) if k in family)


def _terms(material: Material) -> set:
    return {normalize(t) for t in [material.name, *material.aliases]}


def _unique(values) -> List:
    return list(dict.fromkeys(v for v in values if v))
