"""What a person gives at an identity question, found inside a sentence. Pure.

At the passport question, "my passport number is E4417302", "passport: E4417302." and
"E 4417 302" are the whole number; "7302 Hoffmann" and "last four 7302, family name Hoffmann" are
the last four characters with the family name; "it's 7302" is the last four without it. Words
that are not an answer ("stop", "help", a question, something in the wrong shape) are told
apart, so that they are answered instead of being counted as a failed attempt.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import List, Optional

from bot.domain.booking_chat import find_code, without_codes
from bot.domain.cases import InvalidCaseNumber, parse_case_number
from bot.domain.identity import LAST_FOUR, PASSPORT_MAX, PASSPORT_MIN

WHOLE, LAST_FOUR_WITH_NAME, LAST_FOUR_ONLY = "whole", "last_four_with_name", "last_four_only"
STOP, HELP, QUESTION, WRONG_SHAPE = "stop", "help", "question", "wrong_shape"
ANSWERS = (WHOLE, LAST_FOUR_WITH_NAME)  # the kinds that are checked (and may count as a failure)

STOP_WORDS = frozenset({"stop", "cancel", "quit", "exit", "abort", "end", "leave", "never mind", "nevermind",
                        "forget it", "stop it", "stop please", "please stop", "cancel please", "please cancel",
                        "no thanks", "no thank you", "not now", "i give up", "go back", "start over"})
STOP_INTENTS = frozenset({"stop", "goodbye"})
HELP_WORDS = frozenset({"help", "help me", "?", "??", "what", "what?", "huh", "why", "why?", "i don't know",
                        "i dont know", "don't know", "dont know", "not sure", "i'm not sure", "which number",
                        "what number", "which one", "where", "where do i find it", "what do you need"})
HELP_INTENTS = frozenset({"help", "not_sure"})
# Words around an answer that are not part of it ("my passport number is", "family name").
FILLER = frozenset({"my", "the", "his", "her", "their", "a", "is", "are", "it", "it's", "its", "that's", "thats",
                    "passport", "number", "no", "nr", "num", "#", "last", "four", "4", "digits", "digit",
                    "characters", "character", "chars", "letters", "family", "name", "surname", "last-name",
                    "lastname", "and", "with", "of", "ending", "ends", "end", "in", "on", "here", "you", "go",
                    "ok", "okay", "sure", "yes", "please", "i", "am", "i'm", "applicant", "applicant's", "by",
                    "whole", "full", "id", "sorry", "thanks", "thank"})
_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*", re.UNICODE)
_CASE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\s?\d{4}\s?[-\u2010-\u2015\u2212\uff0d_ ]\s?\d{1,8}"
                           r"(?![A-Za-z0-9])")
_SPACED_NUMBER = re.compile(r"^[A-Za-z0-9]+(?:[ \-][A-Za-z0-9]+)+$")


@dataclass(frozen=True)
class IdentityAnswer:
    """What the message at the passport question was: ``kind`` is one of WHOLE, LAST_FOUR_WITH_NAME,
    LAST_FOUR_ONLY, STOP, HELP, QUESTION, WRONG_SHAPE. ``value`` is the normalised whole number or
    last four; ``family_name`` as typed (tidied)."""

    kind: str
    value: str = ""
    family_name: str = ""

    @property
    def is_answer(self) -> bool:
        return self.kind in ANSWERS


def read_identity_answer(text: Optional[str], intent: str = "") -> IdentityAnswer:
    """The passport (whole, or the last four with or without the family name) in ``text``, or what
    else the message is. Case numbers and booking codes in the message are not taken for a passport."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    plain = re.sub(r"[\s.!,;:]+$", "", raw.lower()).strip()
    plain = re.sub(r"\s+", " ", plain)
    has_digit = any(c.isdigit() for c in raw)
    if not has_digit and (plain in STOP_WORDS or intent in STOP_INTENTS or _starts_with_stop(plain)):
        return IdentityAnswer(STOP)
    if not has_digit and (plain in HELP_WORDS or intent in HELP_INTENTS or plain.rstrip("?") in HELP_WORDS):
        return IdentityAnswer(HELP)
    rest = _without_file_numbers(raw)
    spaced = _whole_spaced(rest)
    if spaced:
        return IdentityAnswer(WHOLE, spaced)
    tokens = [t for t in _TOKEN.findall(rest)]
    numbers = [t.upper() for t in tokens
               if any(c.isdigit() for c in t) and t.isascii() and t.isalnum() and t.lower() not in FILLER]
    if not numbers:
        return IdentityAnswer(QUESTION if "?" in raw else WRONG_SHAPE)
    if len(numbers) > 1:
        return IdentityAnswer(WRONG_SHAPE)
    number = numbers[0]
    if len(number) == LAST_FOUR:
        name = family_name_words(t for t in tokens if t.upper() != number)
        return IdentityAnswer(LAST_FOUR_WITH_NAME if name else LAST_FOUR_ONLY, number, name)
    if PASSPORT_MIN <= len(number) <= PASSPORT_MAX:
        return IdentityAnswer(WHOLE, number)
    return IdentityAnswer(WRONG_SHAPE)


def family_name_words(tokens) -> str:
    """The words of a message that can be a family name: letters only, not filler, at most four."""
    words = [t for t in tokens if not any(c.isdigit() for c in t) and t.lower() not in FILLER]
    return " ".join(words) if 1 <= len(words) <= 4 else ""


def case_number_in(text: Optional[str]) -> Optional[str]:
    """The first valid case number anywhere in ``text``, canonical ("EZ2026-0042"), or None."""
    for match in _CASE_IN_TEXT.finditer(unicodedata.normalize("NFKC", text or "")):
        try:
            return parse_case_number(match.group(0))
        except InvalidCaseNumber:
            continue
    return None


def booking_code_in(text: Optional[str]) -> Optional[str]:
    """The first booking code anywhere in ``text`` ("move k7mq 2xht please" -> "K7MQ-2XHT"), or None."""
    return find_code(text or "")


def _without_file_numbers(text: str) -> str:
    """``text`` with case numbers and hyphenated booking codes blanked (they are not the passport)."""
    def blank_code(match: re.Match) -> str:
        written = match.group(0)  # digits only: a passport typed in groups ("1234-5678"), kept
        return " " if find_code(written) and not re.sub(r"\W", "", written).isdigit() else written

    text = _CASE_IN_TEXT.sub(" ", text)
    return re.sub(r"(?<![A-Za-z0-9])[A-Za-z0-9]{4}\s?[-\u2010-\u2015]\s?[A-Za-z0-9]{4}(?![A-Za-z0-9])", blank_code, text)


def _whole_spaced(text: str) -> Optional[str]:
    """A whole number typed in groups ("E 4417 302", "E-4417-302"), the message holding nothing else."""
    candidate = re.sub(r"^(?:(?:my|the)\s+)?passport(?:\s+(?:number|no\.?))?\s*(?:is|:)?\s*|^(?:it's|it is)\s+", "",
                       text.strip(), flags=re.I).strip().rstrip(".!")
    if not _SPACED_NUMBER.match(candidate):
        return None
    compact = re.sub(r"[ \-]", "", candidate).upper()
    groups = re.split(r"[ \-]", candidate)
    if any(g.isalpha() and len(g) > 2 for g in groups):  # words, not groups of a number
        return None
    if any(c.isdigit() for c in compact) and PASSPORT_MIN <= len(compact) <= PASSPORT_MAX:
        return compact
    return None


def _starts_with_stop(plain: str) -> bool:
    words: List[str] = plain.split()
    return bool(words) and words[0] in ("stop", "cancel", "quit") and len(words) <= 4
