"""Two-stage fallback: offer what the bot thinks was meant; after two misunderstandings in a row hand
the conversation to staff inside staff hours, or name the hotlines and offer to leave a question."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from sqlalchemy.exc import SQLAlchemyError

from actions.common import KnowledgeAction, question_context, send, slot_events
from actions.handoff import conversation, turn_events
from bot import wiring
from bot.domain import handoff_chat as chat
from bot.domain.intents import INTENT_LABELS, suggestions
from bot.domain.wording import Answer
from bot.kb.base import KnowledgeBase
from bot.kb.errors import KnowledgeBaseNotLoaded
from bot.services.answering.answer import answer_message
from bot.services.answers import Reply
from bot.services.knowledge import ServiceUnavailable
from bot.services import clock, handoff, handoff_chat
from bot.services.contacts import CANNOT_UNDERSTAND, people_to_call

logger = logging.getLogger(__name__)


def _facts_for(tracker: Tracker) -> Optional[Reply]:
    """The facts that answer a message no intent fitted (long messages with a story around the
    question), when they are found with confidence; None otherwise or when the knowledge base is out."""
    try:
        live = wiring.knowledge_cache().get()
        return answer_message(live, wiring.fact_index_cache().get(live.kb), wiring.encoder().encode,
                              question_context(tracker))
    except (KnowledgeBaseNotLoaded, ServiceUnavailable) as exc:
        logger.error("no fact search for a misunderstood message: %s", type(exc).__name__)
        return None


class ActionDefaultAskAffirmation(Action):
    """First stage: the facts, when the message's question is found in the knowledge base; otherwise
    buttons for the likeliest intents, in words, plus 'Something else'."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        reply = _facts_for(tracker)
        if reply is not None:  # the words were not understood as an intent, but the facts were found
            send(dispatcher, reply.answer)
            return slot_events(reply.remember)
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in suggestions(ranking)]
        buttons.append({"title": "Something else", "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return []


class ActionDefaultFallback(KnowledgeAction):
    """Last stage (Rasa runs it after two fallbacks in a row): inside staff hours a person takes
    over; outside them, say so plainly, name the staffed hotlines and offer to leave a question."""

    def name(self) -> Text:
        return "action_default_fallback"

    def answer(self, kb: KnowledgeBase, tracker: Tracker) -> Answer:
        answer = people_to_call(kb, CANNOT_UNDERSTAND)
        answer.buttons.append(chat.fallback_offer_button())
        return answer

    async def run(self, dispatcher, tracker, domain):
        # Like Rasa's default: the misunderstood message does not steer the dialogue.
        settings = wiring.settings()
        now = clock.now(settings)
        try:
            if handoff.staff_on_duty(now, settings):
                turn = handoff_chat.start(wiring.uow_factory(), settings, conversation(tracker), chat.FALLBACK,
                                          None, now)
                return turn_events(dispatcher, turn) + [UserUtteranceReverted()]
        except SQLAlchemyError as exc:  # the hotlines below still help
            logger.error("handoff after fallback unavailable: %s", type(exc).__name__)
        return await super().run(dispatcher, tracker, domain) + [UserUtteranceReverted()]
