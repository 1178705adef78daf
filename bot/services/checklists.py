"""Use cases of tailored checklists: save a profile behind a stable link, rebuild its list, word it for chat."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Iterable, List, Optional

from sqlalchemy.exc import IntegrityError

from bot.config import Settings
from bot.db.models import SavedChecklist
from bot.db.uow import UnitOfWork
from bot.domain.checklist import IF_APPLIES, Checklist, ChecklistItem, Profile, build_checklist, profile_key
from bot.domain.checklist_profile import ID_LENGTH, is_checklist_id
from bot.domain.wording import Answer, AnswerBuilder
from bot.kb.base import KnowledgeBase

MAX_BATCH = 50
ROUTE_WORDS = {
    "apostille": "apostille",
    "legalisation": "consular legalisation",
    "notarisation": "notarised",
    "none": "no authentication",
    "depends": "apostille or legalisation, depending on the issuing country",
}


class ChecklistNotFound(Exception):
    """No saved checklist has this id (or the id is malformed)."""

    def __init__(self, checklist_ids: Iterable[str]):
        self.checklist_ids = list(checklist_ids)
        super().__init__("no checklist with the id " + ", ".join(repr(i) for i in self.checklist_ids))


class InvalidBatch(Exception):
    """A batch asks for no checklist at all, or for more than MAX_BATCH."""


def save_checklist(uow: UnitOfWork, profile: Profile) -> str:
    """Store ``profile`` behind a new random id; saving the same profile again returns the same id."""
    key = profile_key(profile)
    with uow:
        existing = uow.checklists.by_profile_key(key)
        if existing is not None:
            return existing.id
        new_id = secrets.token_hex(ID_LENGTH // 2)
        uow.checklists.add(SavedChecklist(id=new_id, profile_key=key, profile=profile.canonical()))
        try:
            uow.commit()
            return new_id
        except IntegrityError:  # saved by a concurrent request a moment ago: use that one
            uow.session.rollback()
            return uow.checklists.by_profile_key(key).id


def get_profile(uow: UnitOfWork, checklist_id_: str) -> Profile:
    """The saved profile behind an id; ChecklistNotFound for unknown or malformed ids (no query then)."""
    return get_profiles(uow, [checklist_id_])[0]


def get_profiles(uow: UnitOfWork, checklist_ids: List[str]) -> List[Profile]:
    """Saved profiles in the order asked; ChecklistNotFound names every id that is missing."""
    if not checklist_ids:
        raise InvalidBatch("Give at least one checklist id, as ?ids=<id>,<id>")
    if len(checklist_ids) > MAX_BATCH:
        raise InvalidBatch(f"At most {MAX_BATCH} checklists fit in one batch; this link asks for {len(checklist_ids)}")
    malformed = [i for i in checklist_ids if not is_checklist_id(i)]
    if malformed:
        raise ChecklistNotFound(malformed)
    with uow:
        rows = uow.checklists.get_many(checklist_ids)
        missing = [i for i in checklist_ids if i not in rows]
        if missing:
            raise ChecklistNotFound(missing)
        return [Profile.from_dict(rows[i].profile) for i in checklist_ids]


def get_checklist(uow: UnitOfWork, kb: KnowledgeBase, checklist_id_: str, today: dt.date) -> Checklist:
    """The checklist behind a saved id, built from the live knowledge base."""
    return build_checklist(kb, get_profile(uow, checklist_id_), today)


def get_checklists(uow: UnitOfWork, kb: KnowledgeBase, checklist_ids: List[str],
                   today: dt.date) -> List[Checklist]:
    """Several saved checklists (an HR batch), in the order asked, at most MAX_BATCH."""
    return [build_checklist(kb, profile, today) for profile in get_profiles(uow, checklist_ids)]


def checklist_link(settings: Settings, checklist_id_: str) -> str:
    """The public address of a checklist's printable page; add ".pdf" for the PDF."""
    return f"{settings.resolved_public_base_url}/checklists/{checklist_id_}"


def batch_link(settings: Settings, checklist_ids: List[str], pdf: bool = False) -> str:
    """One page (or PDF) with the checklists of several employees."""
    return f"{settings.resolved_public_base_url}/checklists/batch{'.pdf' if pdf else ''}?ids={','.join(checklist_ids)}"


def render_chat_text(checklist: Checklist, link: str) -> Answer:
    """The checklist for the chat: numbered and grouped, compact; the full rules are behind the link."""
    heading = checklist.title.replace("Document checklist: ", "Your document checklist for the ", 1)
    if checklist.profile.label:
        heading += f" ({checklist.profile.label})"
    b = AnswerBuilder(heading + ":")
    for note in checklist.notes:
        b.add(note)
    for group in checklist.groups:
        b.add(group.title + ":")
        for item in group.items:
            b.add(_chat_line(item, len(checklist.services)))
    if not checklist.items:
        b.add("No documents to list for this profile.")
    if any(i.uncertain for i in checklist.items) or checklist.uncertain:
        b.add("Points marked \"not confirmed\" and other caveats are explained in the full checklist.")
    b.add(f"Full checklist with format rules, to print: {link}")
    b.add(f"PDF: {link}.pdf")
    for service in checklist.services:
        b.source(service.source_url)
    if checklist.last_reviewed:
        b.reviewed(checklist.last_reviewed)
    return Answer(b.text(), [], checklist.services[0].id if checklist.services else None, "checklist")


def _chat_line(item: ChecklistItem, service_count: int) -> str:
    bits = []
    if item.shared:
        if len(item.service_ids) == service_count:
            bits.append("needed for both" if service_count == 2 else f"needed for all {service_count}")
        else:
            bits.append("for the " + " and the ".join(item.service_names))
    if item.authentication:
        bits.append(ROUTE_WORDS[item.authentication.route])
    if item.if_applies:
        bits.append(f"{IF_APPLIES}: only if " + " and ".join(item.conditions))
    if item.uncertain:
        bits.append("not confirmed")
    return f"{item.number}. {item.name}" + (" — " + "; ".join(bits) if bits else "")
