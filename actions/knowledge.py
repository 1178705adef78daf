"""Answers permit questions from the knowledge base, remembering the context for follow-ups."""
from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import question_context, send, slot_events
from bot import wiring
from bot.kb.errors import KnowledgeBaseNotLoaded
from bot.services.answering.answer import answer_message
from bot.services.answers import answer_question
from bot.services.knowledge import ServiceUnavailable

logger = logging.getLogger(__name__)


class ActionAnswerQuestion(Action):
    """Materials, time, fees, validity, deadlines, eligibility, where, apostille, hotlines, overviews: the
    facts that answer the question when they are found with confidence, else the asked topic."""

    def name(self) -> Text:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        ctx = question_context(tracker)
        try:
            live = wiring.knowledge_cache().get()
            index = wiring.fact_index_cache().get(live.kb)
            reply = answer_message(live, index, wiring.encoder().encode, ctx) or answer_question(live, ctx)
        except (KnowledgeBaseNotLoaded, ServiceUnavailable) as exc:
            logger.error("cannot answer from the knowledge base: %s", exc)
            dispatcher.utter_message(response="utter_service_unavailable")
            return []
        send(dispatcher, reply.answer)
        return slot_events(reply.remember)
