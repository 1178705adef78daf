"""Appointments at the halls: the booking form, and the form that cancels or moves a booking."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.common import PassThroughValidation, question_context, say, send
from bot import wiring
from bot.kb.errors import KnowledgeBaseNotLoaded, PolicyFileInvalid
from bot.services import clock
from bot.services.booking_change_form import CHANGE_SLOTS, change_summary, change_turn, finish_change, required_slots
from bot.services.booking_form import BOOKING_SLOTS, booking_summary, booking_turn, finish_booking
from bot.services.booking_holds.chat import required_slots as booking_required_slots
from bot.services.booking_schedule import BookingTools, Finish
from bot.services.keys import secret_key
from bot.services.knowledge import ServiceUnavailable

logger = logging.getLogger(__name__)


def booking_tools(dispatcher: CollectingDispatcher) -> Optional[BookingTools]:
    """The tools of a booking turn, or None (and an apology) while the knowledge base is unavailable."""
    settings = wiring.settings()
    try:
        return BookingTools(wiring.uow_factory(), wiring.booking_config(), wiring.knowledge_cache().get(),
                            secret_key(settings), settings.resolved_public_base_url, wiring.mailer(),
                            wiring.hold_policy())
    except (KnowledgeBaseNotLoaded, ServiceUnavailable, PolicyFileInvalid) as exc:
        logger.error("booking unavailable: %s", exc)
        dispatcher.utter_message(response="utter_service_unavailable")
        return None


def finished(dispatcher: CollectingDispatcher, result: Finish) -> List[EventType]:
    return say(dispatcher, result) + ([FollowupAction(result.followup)] if result.followup else [])


class BookingTurnValidation(PassThroughValidation):
    """A booking form whose every message is read by one service turn function (``turn``)."""

    turn = None  # booking_turn or change_turn

    async def get_extraction_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        tools = booking_tools(dispatcher)
        if tools is None:
            return []
        settings = wiring.settings()
        return say(dispatcher, type(self).turn(tools, question_context(tracker), tracker.slots,
                                               tracker.get_slot("requested_slot"), tracker.sender_id,
                                               clock.now(settings), clock.today(settings)))


class ValidateBookingForm(BookingTurnValidation):
    slots = BOOKING_SLOTS
    turn = booking_turn

    def name(self) -> Text:
        return "validate_booking_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Text]:
        # The domain's list, plus the e-mailed code once the booking is held: a list that differs from the
        # domain's makes rasa-sdk name the next slot itself (the code).
        return booking_required_slots(domain_slots, tracker.slots)


class ActionAskBookingConfirmed(Action):
    """The appointment as it will be booked (masked details), with Yes / No."""

    def name(self) -> Text:
        return "action_ask_booking_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        tools = booking_tools(dispatcher)
        if tools is not None:
            send(dispatcher, booking_summary(tools, tracker.slots))
        return []


class ActionBookAppointment(Action):
    def name(self) -> Text:
        return "action_book_appointment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        tools = booking_tools(dispatcher)
        if tools is None:
            return []
        metadata = (tracker.latest_message or {}).get("metadata")
        client_ip = metadata.get("client_ip") if isinstance(metadata, dict) else None
        return finished(dispatcher, finish_booking(tools, tracker.slots, tracker.sender_id,
                                                   clock.now(wiring.settings()), client_ip))


class ValidateBookingChangeForm(BookingTurnValidation):
    slots = CHANGE_SLOTS
    turn = change_turn

    def name(self) -> Text:
        return "validate_booking_change_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Text]:
        return required_slots(tracker.slots)

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Optional[EventType]:
        # Always said, also when the list equals the domain's (rasa-sdk would then leave it to Rasa):
        # None ends the form, e.g. on a booking that can no longer be changed.
        missing = [name for name in required_slots(tracker.slots) if tracker.slots.get(name) is None]
        return SlotSet(REQUESTED_SLOT, missing[0] if missing else None)


class ActionAskChangeConfirmed(Action):
    def name(self) -> Text:
        return "action_ask_change_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        tools = booking_tools(dispatcher)
        if tools is not None:
            send(dispatcher, change_summary(tools, tracker.slots, tracker.sender_id, clock.now(wiring.settings())))
        return []


class ActionChangeBooking(Action):
    def name(self) -> Text:
        return "action_change_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        tools = booking_tools(dispatcher)
        if tools is None:
            return []
        return finished(dispatcher, finish_change(tools, tracker.slots, tracker.sender_id,
                                                  clock.now(wiring.settings())))
