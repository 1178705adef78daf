"""What an input channel refuses before a message reaches the NLU pipeline. Pure.

The pipeline's cost grows faster than the length of the text (tokenizers, featurizers and DIET's
attention), so one very long message could hold a Rasa process for seconds or exhaust its memory.
The channels (REST and socket.io) therefore refuse, unread by NLU and unstored, what is not text,
is not valid Unicode, or is longer than the guard's limit; the transport caps the bytes before that.
"""
from __future__ import annotations

import enum
from typing import Optional

from bot.domain.input_check import MAX_CHARS, InputKind, classify

# A request body or socket.io packet above this is refused before it is read: the longest message
# allowed (MAX_CHARS), even written as JSON \\uXXXX escapes (6 bytes a character), fits with room to spare.
MAX_REQUEST_BYTES = 64 * 1024

TOO_LONG_EN = ("That message is too long for me to read (over {limit} characters). Please ask your question "
               "in a few sentences; if you have several questions, send them one at a time.")
TOO_LONG_ZH = "这条消息太长了（超过 {limit} 个字符），我无法处理。请用几句话提出您的问题；如有多个问题，请分开发送。"

NOT_TEXT_REPLY = "Sorry, I could not read that message. Please type your question as text. 抱歉，无法读取该消息，请输入文字。"


class Refusal(str, enum.Enum):
    NOT_TEXT = "not_text"  # null, a number, an object...
    INVALID_UNICODE = "invalid_unicode"  # lone surrogates: no valid text in any encoding
    TOO_LONG = "too_long"


def refusal(text: object) -> Optional[Refusal]:
    """Why ``text`` must not reach NLU, or None when it may (total: never raises)."""
    if not isinstance(text, str):
        return Refusal.NOT_TEXT
    if len(text) > MAX_CHARS:
        return Refusal.TOO_LONG
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return Refusal.INVALID_UNICODE
    return None


def too_long_reply(text: str) -> str:
    """The polite answer to an over-long message, in Chinese when its beginning is mostly Chinese."""
    chinese = classify(text[:200]) is InputKind.CHINESE
    return (TOO_LONG_ZH if chinese else TOO_LONG_EN).format(limit=f"{MAX_CHARS:,}")
