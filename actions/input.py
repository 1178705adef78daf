"""Messages the bot cannot read as an English question: Chinese, empty, binary, too long."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import KnowledgeAction
from bot.domain.input_check import InputKind, classify
from bot.domain.wording import Answer
from bot.kb.base import KnowledgeBase
from bot.services.contacts import CHINESE_NOT_SUPPORTED, people_to_call

RESPONSE_FOR = {
    InputKind.EMPTY: "utter_input_empty",
    InputKind.TOO_LONG: "utter_input_too_long",
}


class ActionReplyChinese(KnowledgeAction):
    def name(self) -> Text:
        return "action_reply_chinese"

    def answer(self, kb: KnowledgeBase, tracker: Tracker) -> Answer:
        return people_to_call(kb, CHINESE_NOT_SUPPORTED, language="chinese")


class ActionExplainInput(Action):
    """Says what was wrong with the message; never repeats it."""

    def name(self) -> Text:
        return "action_explain_input"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        kind = classify((tracker.latest_message or {}).get("text"))
        dispatcher.utter_message(response=RESPONSE_FOR.get(kind, "utter_input_unreadable"))
        return []
