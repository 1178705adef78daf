"""A request for a person: acknowledged, with the staffed lines from the knowledge base."""
from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from actions.common import KnowledgeAction
from bot.domain.wording import Answer
from bot.kb.base import KnowledgeBase
from bot.services.contacts import ASK_FOR_HUMAN, people_to_call


class ActionAcknowledgeHandoff(KnowledgeAction):
    unavailable_response = "utter_handoff_unavailable"

    def name(self) -> Text:
        return "action_acknowledge_handoff"

    def answer(self, kb: KnowledgeBase, tracker: Tracker) -> Answer:
        return people_to_call(kb, ASK_FOR_HUMAN)
