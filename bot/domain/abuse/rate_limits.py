"""Answers to a chat client that sends messages faster than the rate limits allow. Pure.

The limits themselves (per sender, per client address) are settings (bot/config.py); the channels
count messages in the lock store's Redis or in memory (bot/rasa/rate_limits.py).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, List, Optional

from bot.domain.input_check import InputKind, classify

if TYPE_CHECKING:
    from limits import RateLimitItem

TOO_FAST_EN = ("You are sending messages faster than I can answer them. Please wait {seconds} seconds, "
               "then send your message again.")
TOO_FAST_ZH = "您发送消息的速度太快了。请等待 {seconds} 秒后再发送。"


def retry_after_seconds(reset_at: float, now: float) -> int:
    """Whole seconds until a refused client may send again (at least 1), from the window's reset time."""
    return max(1, math.ceil(reset_at - now))


def too_fast_reply(text: object, seconds: int) -> str:
    """The polite answer to a message over a rate limit, in Chinese when its beginning is mostly Chinese."""
    chinese = isinstance(text, str) and classify(text[:200]) is InputKind.CHINESE
    return (TOO_FAST_ZH if chinese else TOO_FAST_EN).format(seconds=seconds)


class InvalidRateLimit(ValueError):
    """A rate-limit setting cannot be read; the message says how to write it."""


def parse_rate_limits(text: Optional[str]) -> List["RateLimitItem"]:
    """The limits of a setting such as "20/minute;300/hour" (empty: none)."""
    from limits import parse_many

    if not (text or "").strip():
        return []
    try:
        return parse_many(text.strip())
    except ValueError:
        raise InvalidRateLimit(f'"{text}" is not a rate limit; write e.g. "20/minute" or "20/minute;300/hour"') \
            from None
