"""What every action shares: sending an Answer, reading the question context from a tracker."""
from __future__ import annotations

import abc
import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot import wiring
from bot.domain.wording import Answer
from bot.kb.base import KnowledgeBase
from bot.kb.errors import KnowledgeBaseNotLoaded
from bot.services.answers import QuestionContext
from bot.services.case_form import Turn
from bot.services.knowledge import ServiceUnavailable

logger = logging.getLogger(__name__)


def send(dispatcher: CollectingDispatcher, answer: Answer) -> None:
    buttons = [{"title": b.title, "payload": b.payload} for b in answer.buttons]
    dispatcher.utter_message(text=answer.text, buttons=buttons or None)


def say(dispatcher: CollectingDispatcher, turn: Turn) -> List[EventType]:
    """Utter a service's Turn (texts it built, then response names) and return its slots as events."""
    for text in turn.texts:
        dispatcher.utter_message(text=text)
    for response in turn.responses:
        dispatcher.utter_message(response=response)
    return [SlotSet(name, value) for name, value in turn.slots.items()]


def question_context(tracker: Tracker) -> QuestionContext:
    message: Dict[str, Any] = tracker.latest_message or {}
    return QuestionContext(
        intent=(message.get("intent") or {}).get("name") or "",
        text=message.get("text") or "",
        entities=list(message.get("entities") or []),
        service=tracker.get_slot("service"),
        topic=tracker.get_slot("topic"),
        country=tracker.get_slot("country"),
        location=tracker.get_slot("location"),
        client_address=client_address(message),
    )


def client_address(message: Dict[str, Any]) -> Optional[str]:
    """The client address the channel put in the message metadata ("client_ip"), if any."""
    value = (message.get("metadata") or {}).get("client_ip")
    return value.strip()[:64] if isinstance(value, str) and value.strip() else None


def slot_events(values: Dict[str, Any]) -> List[SlotSet]:
    return [SlotSet(name, value) for name, value in values.items() if value is not None]


class KnowledgeAction(Action, abc.ABC):
    """An action that answers from the live knowledge base, with a fixed reply when it is unavailable.

    Abstract, so the action server does not register it as an action of its own.
    """

    unavailable_response = "utter_service_unavailable"

    @abc.abstractmethod
    def answer(self, kb: KnowledgeBase, tracker: Tracker) -> Answer:
        """The reply, built by a service from the knowledge base."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        try:
            kb = wiring.knowledge_cache().get().kb
        except (KnowledgeBaseNotLoaded, ServiceUnavailable) as exc:
            logger.error("knowledge base unavailable in %s: %s", self.name(), exc)
            dispatcher.utter_message(response=self.unavailable_response)
            return []
        send(dispatcher, self.answer(kb, tracker))
        return []


class PassThroughValidation(FormValidationAction, abc.ABC):
    """Values are checked while they are read (by a bot.services form turn); keep what this turn set.

    Abstract (``name`` is left to each form), so the action server does not register it on its own.
    """

    slots: tuple = ()

    @abc.abstractmethod
    def name(self) -> Text:
        """validate_<form>"""

    async def get_validation_events(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> List[EventType]:
        return [SlotSet(k, v) for k, v in tracker.slots_to_validate().items() if k in self.slots]
