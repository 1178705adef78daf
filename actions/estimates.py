"""Date estimates on the China working-day calendar: conclusion dates, deadlines, extension windows."""
from __future__ import annotations

from typing import Text

from rasa_sdk import Tracker

from actions.common import KnowledgeAction
from bot import wiring
from bot.domain.wording import Answer
from bot.kb.base import KnowledgeBase
from bot.services.clock import today
from bot.services.estimates import estimate


class ActionEstimateDate(KnowledgeAction):
    def name(self) -> Text:
        return "action_estimate_date"

    def answer(self, kb: KnowledgeBase, tracker: Tracker) -> Answer:
        text = (tracker.latest_message or {}).get("text") or ""
        return estimate(kb, text, today(wiring.settings()), tracker.get_slot("service"))
