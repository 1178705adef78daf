"""What kind of text a user sent, before any answer is attempted."""
from __future__ import annotations

import enum
import unicodedata

MAX_CHARS = 2000  # longer messages get a polite request to shorten them
CJK_SHARE = 0.3  # from this share of CJK characters a message counts as Chinese


class InputKind(str, enum.Enum):
    OK = "ok"
    EMPTY = "empty"  # nothing, or only white space / invisible characters
    UNREADABLE = "unreadable"  # control characters, replacement characters: binary or broken encoding
    TOO_LONG = "too_long"
    CHINESE = "chinese"


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3400 <= code <= 0x9FFF  # CJK unified ideographs (+ extension A)
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
    )


def classify(text: str | None) -> InputKind:
    """Sort a raw message into one of the InputKind cases (pure, total, never raises)."""
    if text is None:
        return InputKind.EMPTY
    visible = [c for c in text if not c.isspace() and unicodedata.category(c) not in ("Cf", "Zs")]
    if not visible:
        return InputKind.EMPTY
    broken = sum(1 for c in visible if c == "\ufffd" or unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn"))
    if broken and broken / len(visible) > 0.1:
        return InputKind.UNREADABLE
    if len(text) > MAX_CHARS:
        return InputKind.TOO_LONG
    if sum(1 for c in visible if _is_cjk(c)) / len(visible) >= CJK_SHARE:
        return InputKind.CHINESE
    return InputKind.OK
