"""Case status for applicants (after identity verification) and the HR list for enterprises."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import question_context
from bot import wiring
from bot.services import clock
from bot.services.case_form import Turn, case_turn, hr_turn
from bot.services.keys import case_hasher

CASE_SLOTS = ("case_number", "case_passport")
HR_SLOTS = ("credit_code", "hr_access_code")


def say(dispatcher: CollectingDispatcher, turn: Turn) -> List[EventType]:
    for text in turn.texts:
        dispatcher.utter_message(text=text)
    for response in turn.responses:
        dispatcher.utter_message(response=response)
    return [SlotSet(name, value) for name, value in turn.slots.items()]


class PassThroughValidation(FormValidationAction):
    """Values are checked while they are read (bot.services.case_form); keep what this turn set."""

    slots: tuple = ()

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        return [SlotSet(k, v) for k, v in tracker.slots_to_validate().items() if k in self.slots]


class ValidateCaseStatusForm(PassThroughValidation):
    slots = CASE_SLOTS

    def name(self) -> Text:
        return "validate_case_status_form"

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        settings = wiring.settings()
        turn = case_turn(wiring.uow_factory(), case_hasher(settings), question_context(tracker),
                         tracker.get_slot("requested_slot"), tracker.get_slot("case_number"), tracker.sender_id,
                         clock.now(), clock.today(settings))
        return say(dispatcher, turn)


class ValidateHrCasesForm(PassThroughValidation):
    slots = HR_SLOTS

    def name(self) -> Text:
        return "validate_hr_cases_form"

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        settings = wiring.settings()
        turn = hr_turn(wiring.uow_factory(), question_context(tracker), tracker.get_slot("requested_slot"),
                       tracker.get_slot("credit_code"), clock.now(), settings.resolved_public_base_url)
        return say(dispatcher, turn)


class ActionFinishCaseStatus(Action):
    """The answer was given while verifying; forget the case so the next question starts fresh."""

    def name(self) -> Text:
        return "action_finish_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return [SlotSet(name, None) for name in CASE_SLOTS]


class ActionFinishHrCases(Action):
    def name(self) -> Text:
        return "action_finish_hr_cases"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        return [SlotSet(name, None) for name in HR_SLOTS]
