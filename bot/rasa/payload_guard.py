"""Only offered payloads: a typed "/intent" or "/intent{...}" reaches Rasa's intent parser only when
the bot offered it as a button in this conversation, or it is a bare public intent
(bot/domain/abuse/payloads.py). Otherwise the slash is removed and NLU reads the words.

Hooked into ``MessageProcessor.parse_message``, the one place where a channel's message (REST,
socket.io, or the HTTP API's /conversations/<id>/messages) is parsed with its conversation at hand;
the text is changed before Rasa parses it, so the stored user event shows what was understood.
Messages parsed without a conversation (``rasa test``, the HTTP API's /model/parse) are left alone.
Rasa's trigger_intent (how the staff console raises EXTERNAL_* intents) does not parse a text and
is untouched.
"""
from __future__ import annotations

import logging
from itertools import islice
from typing import Any, List, Reversible

from bot.domain.abuse.payloads import admitted, as_words

logger = logging.getLogger(__name__)

# Buttons stay clickable in the widget for a while: the bot's messages since the person's last
# OFFER_WINDOW_USER_TURNS messages count as offered (and never more than MAX_EVENTS_SCANNED events
# back, so the check does not grow with the conversation).
OFFER_WINDOW_USER_TURNS = 5
MAX_EVENTS_SCANNED = 300

_rasa_parse_message = None


def offered_payloads(events: Reversible[Any]) -> List[str]:
    """Payloads of the buttons and quick replies of the bot's recent messages (newest first), within
    this session and the person's last OFFER_WINDOW_USER_TURNS messages."""
    from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered

    found: List[str] = []
    user_turns = 0
    for event in islice(reversed(events), MAX_EVENTS_SCANNED):
        if isinstance(event, SessionStarted):
            break
        if isinstance(event, UserUttered):
            user_turns += 1
            if user_turns >= OFFER_WINDOW_USER_TURNS:
                break
        elif isinstance(event, BotUttered):
            for key in ("buttons", "quick_replies"):
                for button in (event.data or {}).get(key) or []:
                    payload = button.get("payload") if isinstance(button, dict) else None
                    if isinstance(payload, str):
                        found.append(payload)
    return found


async def parse_message(self, message, tracker=None, only_output_properties: bool = True):
    """MessageProcessor.parse_message, with a payload the bot did not offer read as words."""
    if tracker is not None and isinstance(message.text, str) \
            and not admitted(message.text, offered_payloads(tracker.events)):
        logger.info("A typed intent payload the bot did not offer was read as words")  # never the text
        message.text = as_words(message.text)
    return await _rasa_parse_message(self, message, tracker, only_output_properties)


def install() -> None:
    """Put the check in front of Rasa's MessageProcessor.parse_message (idempotent)."""
    global _rasa_parse_message
    from rasa.core.processor import MessageProcessor

    if _rasa_parse_message is None:
        _rasa_parse_message = MessageProcessor.parse_message
        MessageProcessor.parse_message = parse_message
