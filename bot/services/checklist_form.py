"""Use case: turn what a person says during the checklist conversation into form slots."""
from __future__ import annotations

import datetime as dt

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from bot.config import Settings
from bot.db.uow import UnitOfWorkFactory
from bot.domain.checklist import Profile, build_checklist
from bot.domain.checklist_form import (
    DIGRESSION_INTENTS, Turn, interpret, prefill, profile_fields, questions_to_ask,
)
from bot.domain.wording import Answer, Button
from bot.kb.base import KnowledgeBase
from bot.services.answers import QuestionContext, mentions
from bot.services.checklists import MAX_BATCH, batch_link, checklist_link, render_chat_text, save_checklist
from bot.services.knowledge import LiveKnowledge


@dataclass
class FormUpdate:
    slots: Dict[str, object] = field(default_factory=dict)
    not_understood: Optional[str] = None  # the slot whose answer was not understood


def turn_for(live: LiveKnowledge, ctx: QuestionContext) -> Turn:
    found = mentions(live, ctx)
    return Turn(ctx.intent, ctx.text, tuple(found.services), tuple(found.countries))


def update_form(live: LiveKnowledge, ctx: QuestionContext, slots: Dict[str, object],
                requested: Optional[str]) -> FormUpdate:
    """Slot values from this message: the answer to the requested question, or what the opening
    message and the earlier conversation already said. Nothing when the message is a digression."""
    turn = turn_for(live, ctx)
    if requested is None:
        return FormUpdate(prefill(slots, turn, ctx.service, ctx.location))
    value = interpret(requested, turn)
    if value is not None:
        return FormUpdate({requested: value})
    if ctx.intent in DIGRESSION_INTENTS:
        return FormUpdate()  # let the digression be answered; the form resumes after it
    return FormUpdate({requested: None}, not_understood=requested)


def remaining_questions(slots: Dict[str, object]) -> List[str]:
    return questions_to_ask(slots)


@dataclass
class FinishedChecklist:
    answer: Answer
    checklist_ids: List[str]  # every checklist made in this conversation, the new one last


def finish_form(kb: KnowledgeBase, uow_factory: UnitOfWorkFactory, settings: Settings, slots: Dict[str, object],
                previous_ids: List[str], today: dt.date) -> FinishedChecklist:
    """Save the checklist the form's answers describe and word it for the chat, with stable links.

    After the second checklist in a conversation (HR, several employees) the answer also links
    one page and one PDF with all of them.
    """
    profile = Profile(**profile_fields(slots))
    new_id = save_checklist(uow_factory(), profile)
    ids = [i for i in previous_ids if i != new_id][-(MAX_BATCH - 1):] + [new_id]
    answer = render_chat_text(build_checklist(kb, profile, today), checklist_link(settings, new_id))
    if len(ids) > 1:
        body, footer = answer.text.rsplit("\n", 1)  # the footer (sources, review date) stays last
        answer.text = (f"{body}\nAll {len(ids)} checklists of this conversation together: "
                       f"{batch_link(settings, ids)} (PDF: {batch_link(settings, ids, pdf=True)})\n{footer}")
    answer.buttons = [Button("Checklist for another person", "/request_checklist")]
    return FinishedChecklist(answer, ids)
