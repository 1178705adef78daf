"""Case status for applicants (after identity verification) and the HR list for enterprises."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import PassThroughValidation, question_context, say
from bot import wiring
from bot.services import clock
from bot.services.case_form import case_turn, hr_turn
from bot.services.keys import case_hasher

CASE_SLOTS = ("case_number", "case_passport")
HR_SLOTS = ("credit_code", "hr_access_code")


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
