"""Human handoff: start it, collect a question and contact outside staff hours, greet back after staff.

Inside staff hours action_start_handoff opens a ticket in the queue and pauses the conversation
(ConversationPaused): Rasa stays silent while staff hold it, and the person's messages reach the
staff console. Staff hand it back through Rasa's HTTP API (bot/integrations/rasa_api.py), which
resumes the conversation and triggers EXTERNAL_handback (rule: action_handback) on the person's
channel; a ticket nobody claimed in time is resumed with EXTERNAL_handoff_expired (rule:
action_handoff_expired, then the handoff form).
"""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import send
from bot import wiring
from bot.domain import handoff_chat as chat
from bot.domain.forms import ESCALATIONS
from bot.domain.booking_details import InvalidContact
from bot.kb.errors import KnowledgeBaseNotLoaded
from bot.services import clock, handoff_chat
from bot.services.keys import secret_key
from bot.services.knowledge import ServiceUnavailable

logger = logging.getLogger(__name__)


def conversation(tracker: Tracker) -> handoff_chat.Conversation:
    return handoff_chat.Conversation(tracker.sender_id, list(tracker.events), dict(tracker.current_slot_values()))


def turn_events(dispatcher: CollectingDispatcher, turn: handoff_chat.HandoffTurn) -> List[EventType]:
    for text in turn.texts:
        dispatcher.utter_message(text=text)
    for answer in turn.answers:
        send(dispatcher, answer)
    events: List[EventType] = [SlotSet(name, value) for name, value in turn.slots.items()]
    return events + ([ConversationPaused()] if turn.pause else [])


def flagged_case(tracker: Tracker) -> Optional[chat.FlaggedCase]:
    """The knowledge base's complex case in the latest message, if any."""
    message = tracker.latest_message or {}
    kb = wiring.knowledge_cache().get().kb
    mentioned = [kb.resolve_service(str(e.get("value") or "")) for e in message.get("entities") or []
                 if e.get("entity") == "service"]
    ids = [s.id for s in mentioned if s] + ([tracker.get_slot("service")] if tracker.get_slot("service") else [])
    return chat.find_complex_case(kb.services.values(), message.get("text") or "", ids)


def start_turn(tracker: Tracker, reason: str) -> handoff_chat.HandoffTurn:
    settings = wiring.settings()
    flagged = None
    if reason == chat.COMPLEX:
        flagged = flagged_case(tracker)
        if flagged is None:
            return handoff_chat.offer()
    return handoff_chat.start(wiring.uow_factory(), settings, conversation(tracker), reason, flagged,
                              clock.now(settings))


class ActionStartHandoff(Action):
    """request_human, report_complex_case (and a request during a form): hand over to staff."""

    def name(self) -> Text:
        return "action_start_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        reason = chat.COMPLEX if intent == "report_complex_case" else chat.ASKED
        try:
            turn = start_turn(tracker, reason)
        except (SQLAlchemyError, KnowledgeBaseNotLoaded, ServiceUnavailable) as exc:
            logger.error("handoff unavailable: %s", type(exc).__name__)
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return [SlotSet("handoff_path", chat.OFFERED)]
        return turn_events(dispatcher, turn)


# Messages that leave the form or get its reminder (data/rules/forms.yml) instead of being taken
# as an answer: the form extracts nothing, Rasa rejects the form's turn and the rule runs.
NOT_AN_ANSWER = frozenset({"stop", "goodbye"}) | frozenset(ESCALATIONS)


def answers(tracker: Tracker, slot: str) -> bool:
    intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return tracker.get_slot("requested_slot") == slot and intent not in NOT_AN_ANSWER


class ValidateHandoffForm(FormValidationAction):
    """The question for staff (any words: it may look like a question the bot answers), then a contact."""

    def name(self) -> Text:
        return "validate_handoff_form"

    async def extract_handoff_question(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[Text, Any]:
        if not answers(tracker, "handoff_question"):
            return {}
        try:
            return {"handoff_question": chat.check_question((tracker.latest_message or {}).get("text"))}
        except chat.InvalidQuestion as exc:
            dispatcher.utter_message(text=str(exc))
            return {"handoff_question": None}

    async def extract_handoff_contact(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        if not answers(tracker, "handoff_contact"):
            return {}
        settings = wiring.settings()
        try:
            masked = handoff_chat.keep_contact(wiring.uow_factory(), secret_key(settings), tracker.sender_id,
                                               (tracker.latest_message or {}).get("text"), clock.now(settings))
        except InvalidContact as exc:
            dispatcher.utter_message(text=f"Sorry, that doesn't look right: {exc.problem}.")
            return {"handoff_contact": None}
        return {"handoff_contact": masked}

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> List[Text]:
        return ["handoff_question", "handoff_contact"]


class ActionSubmitHandoff(Action):
    """Outside hours: open the ticket with the question and contact, and promise the reply day."""

    def name(self) -> Text:
        return "action_submit_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        settings = wiring.settings()
        try:
            turn = handoff_chat.submit(wiring.uow_factory(), settings, secret_key(settings), conversation(tracker),
                                       tracker.get_slot("handoff_reason") or chat.OUTSIDE_HOURS,
                                       tracker.get_slot("handoff_question") or "", clock.now(settings))
        except handoff_chat.ContactExpired:
            dispatcher.utter_message(text="Sorry, that took a while and I no longer have your contact. Please ask "
                                          "for a person again and I'll take your question and contact once more.")
            return [SlotSet("handoff_path", None), SlotSet("handoff_question", None), SlotSet("handoff_contact", None)]
        except SQLAlchemyError as exc:
            logger.error("handoff ticket not stored: %s", type(exc).__name__)
            dispatcher.utter_message(response="utter_handoff_unavailable")
            return [SlotSet("handoff_path", None)]
        return turn_events(dispatcher, turn)


class ActionHandoffExpired(Action):
    """EXTERNAL_handoff_expired, triggered when nobody claimed the queued ticket in time: say no one was
    free and offer to take the question and a contact (the handoff form follows, data/rules/handoff.yml)."""

    def name(self) -> Text:
        return "action_handoff_expired"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        settings = wiring.settings()
        return turn_events(dispatcher, handoff_chat.expired(settings, clock.now(settings)))


class ActionHandback(Action):
    """EXTERNAL_handback, triggered by the staff console's hand-back (HTTP API): greet the person back
    with the context."""

    def name(self) -> Text:
        return "action_handback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text=chat.handback_text(self._topics(tracker)))
        return [SlotSet("handoff_path", None), SlotSet("handoff_reason", None)]

    @staticmethod
    def _topics(tracker: Tracker) -> tuple:
        service = tracker.get_slot("service")
        if not service:
            return ()
        try:
            known = wiring.knowledge_cache().get().kb.services.get(service)
        except (KnowledgeBaseNotLoaded, ServiceUnavailable):
            known = None
        return (known.names.en,) if known else ()
