"""Two-stage fallback: offer what the bot thinks was meant, then point to people who can help."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.common import KnowledgeAction
from bot.domain.intents import INTENT_LABELS, suggestions
from bot.domain.wording import Answer
from bot.kb.base import KnowledgeBase
from bot.services.contacts import CANNOT_UNDERSTAND, people_to_call


class ActionDefaultAskAffirmation(Action):
    """First stage: buttons for the likeliest intents, in words, plus 'Something else'."""

    def name(self) -> Text:
        return "action_default_ask_affirmation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        buttons = [{"title": INTENT_LABELS[name], "payload": f"/{name}"} for name in suggestions(ranking)]
        buttons.append({"title": "Something else", "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return []


class ActionDefaultFallback(KnowledgeAction):
    """Last stage: say so plainly and name the staffed hotlines."""

    def name(self) -> Text:
        return "action_default_fallback"

    def answer(self, kb: KnowledgeBase, tracker: Tracker) -> Answer:
        return people_to_call(kb, CANNOT_UNDERSTAND)

    async def run(self, dispatcher, tracker, domain):
        # Like Rasa's default: the misunderstood message does not steer the dialogue.
        return await super().run(dispatcher, tracker, domain) + [UserUtteranceReverted()]
