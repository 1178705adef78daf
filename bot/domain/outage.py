"""What the chat says when it cannot answer: a store is down, or no reply could be prepared. Pure.

Each message says what happened in plain words, that nothing said before is lost, and what to do:
try again shortly, or call a hotline that answers in English.
"""
from __future__ import annotations

from typing import Iterable, Optional

from bot.kb.contacts_schema import Hotline

UNAVAILABLE = ("Sorry, the assistant is temporarily unavailable, so I could not handle your last message. "
               "Nothing you told me before it is lost: please send it again in a minute or two.")
NO_ANSWER = ("Sorry, I could not prepare an answer just now: part of the service is not responding. "
             "What you told me so far is kept. Please try again in a few minutes.")


def english_hotline(hotlines: Iterable[Hotline]) -> Optional[Hotline]:
    """The first hotline that answers in English, or None."""
    return next((h for h in hotlines if "English" in h.languages), None)


def hotline_hint(hotline: Optional[Hotline]) -> str:
    if hotline is None:
        return " If it is urgent, please contact the service hall by phone."
    return f" If it is urgent, call the {hotline.name} ({hotline.hours})."


def unavailable_text(hotline: Optional[Hotline]) -> str:
    """A store (database, lock store) could not be reached: the message was not handled."""
    return UNAVAILABLE + hotline_hint(hotline)


def no_answer_text(hotline: Optional[Hotline]) -> str:
    """The message was handled but produced no reply (e.g. the action server is down)."""
    return NO_ANSWER + hotline_hint(hotline)
