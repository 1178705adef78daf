"""The tailored checklist: the form's validation and the final list."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import PassThroughValidation, question_context, send
from bot import wiring
from bot.services import clock
from bot.domain.checklist_form import FORM_SLOTS
from bot.kb.errors import KnowledgeBaseNotLoaded
from bot.services.checklist_form import finish_form, remaining_questions, update_form
from bot.services.knowledge import ServiceUnavailable


class ValidateChecklistForm(PassThroughValidation):
    """Reads every answer through bot.services.checklist_form; asks only what changes the list."""

    slots = FORM_SLOTS

    def name(self) -> Text:
        return "validate_checklist_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Text]:
        return remaining_questions(tracker.slots)

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        try:
            live = wiring.knowledge_cache().get()
        except (KnowledgeBaseNotLoaded, ServiceUnavailable):
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        update = update_form(live, question_context(tracker), tracker.slots, tracker.get_slot("requested_slot"))
        if update.not_understood:
            dispatcher.utter_message(response=f"utter_not_understood_{update.not_understood}")
        return [SlotSet(name, value) for name, value in update.slots.items()]



class ActionShowChecklist(Action):
    """Builds and saves the checklist, answers with it and the stable page and PDF links."""

    def name(self) -> Text:
        return "action_show_checklist"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        try:
            result = finish_form(wiring.knowledge_cache().get().kb, wiring.uow_factory(), wiring.settings(),
                                 tracker.slots, tracker.get_slot("checklist_ids") or [], clock.today(wiring.settings()))
        except (KnowledgeBaseNotLoaded, ServiceUnavailable):
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        send(dispatcher, result.answer)
        # The next checklist (another employee) starts from a clean form; the ids are kept.
        return [SlotSet(name, None) for name in FORM_SLOTS] + [
            SlotSet("checklist_ids", result.checklist_ids)]
