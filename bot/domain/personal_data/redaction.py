"""Personal data in any message text, replaced by a marker before the text is stored. Pure.

Replaced: e-mail addresses ("[email]"), phone numbers ("[phone]") and passport-like tokens
("[passport]": 6-20 letters and digits with at least five digits, the same rule as the log filter,
and any letters-and-digits token given right after the word "passport"), and a name said as one
("my name is ...": "[name]"). Names elsewhere in a sentence cannot be told from other words and
are kept; the forms' own name questions are redacted whole (bot.domain.privacy). Kept as typed: case
numbers ("EZ2026-0042", "EZ2026-004200") and booking codes written with their separator
("K7MQ-2XHT"), which identify a file, not a person; dates and times; short numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

EMAIL_MARK, PHONE_MARK, PASSPORT_MARK, NAME_MARK = "[email]", "[phone]", "[passport]", "[name]"

# Identifiers of files, not of people (protected from the rules below).
_CASE_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\s?\d{4}\s?[-\u2010-\u2015\u2212\uff0d_ ]\s?\d{4,6}"
                          r"(?![A-Za-z0-9])")
_BOOKING_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{4}\s?[-\u2010-\u2015]\s?[A-Za-z0-9]{4}(?![A-Za-z0-9])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
# A phone number: + or 00 and 7-15 digits, or a Chinese mobile (1[3-9] and 9 more) or a number with
# its leading 0 (landline with area code), with spaces, dashes, dots or brackets between digits.
_PHONE_CANDIDATE = re.compile(r"(?<![\w+\-/.])(?:\+|00)?\(?\d[\d\s\-().]{5,22}\d(?![\w])")
_PASSPORT_LIKE = re.compile(r"(?<![A-Za-z0-9])(?=(?:[A-Za-z]*\d){5})[A-Za-z0-9]{6,20}(?![A-Za-z0-9])")
_AFTER_PASSPORT_WORD = re.compile(
    r"\bpassport(?:\s+(?:number|no\.?|nr\.?|#))?\s*(?:is|was|:|=|-)?\s*(?P<value>[A-Za-z0-9]*\d[A-Za-z0-9]*)\b", re.I)
# A name said as such: "my name is Lena Hoffmann", "applicant: WANG Xiaoming" (1-4 capitalised words).
_AFTER_NAME_WORDS = re.compile(r"\b(?:(?:my|his|her|the\s+applicant'?s?)\s+(?:full\s+)?name\s+is"
                               r"|name\s*:|applicant\s*:)"
                               r"\s*(?P<value>[A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*){0,3})")
MAX_PHONE_GROUPS = 6  # "+86 (0)10 6512 3456" has five
_DATE_LIKE = re.compile(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    marker: str


def personal_spans(text: str) -> List[Span]:
    """Where ``text`` holds personal data, in order, without overlaps."""
    if not text:
        return []
    taken: List[Tuple[int, int]] = [m.span() for m in _CASE_NUMBER.finditer(text)]
    spans: List[Span] = []

    def add(start: int, end: int, marker: str) -> None:
        if not any(start < e and s < end for s, e in taken):
            taken.append((start, end))
            spans.append(Span(start, end, marker))

    for match in _EMAIL.finditer(text):
        add(*match.span(), EMAIL_MARK)
    for match in _PHONE_CANDIDATE.finditer(text):
        found = _phone_within(match.group(0))
        if found:
            add(match.start() + found[0], match.start() + found[1], PHONE_MARK)
    # Booking codes are protected after phones: "138-0013-8000" is a phone number, not a code.
    taken += [m.span() for m in _BOOKING_CODE.finditer(text) if _is_code(m.group(0))]
    for match in _AFTER_PASSPORT_WORD.finditer(text):
        if len(match.group("value")) >= 4:
            add(*match.span("value"), PASSPORT_MARK)
    for match in _AFTER_NAME_WORDS.finditer(text):
        add(*match.span("value"), NAME_MARK)
    for match in _PASSPORT_LIKE.finditer(text):
        add(*match.span(), PASSPORT_MARK)
    return sorted(spans, key=lambda s: s.start)


def redact_text(text: str) -> str:
    """``text`` with every e-mail address, phone number and passport-like token replaced by its marker."""
    return apply_spans(text, personal_spans(text))


def apply_spans(text: str, spans: Sequence[Span]) -> str:
    out, position = [], 0
    for span in spans:
        out += [text[position:span.start], span.marker]
        position = span.end
    return "".join(out) + text[position:]


def shifted(position: int, spans: Sequence[Span]) -> int:
    """Where a character offset of the original text lands in the redacted one (for entity offsets)."""
    shift = 0
    for span in spans:
        if span.end <= position:
            shift += len(span.marker) - (span.end - span.start)
    return position + shift


def _is_code(written: str) -> bool:
    # A booking code holds a digit or a letter on each side ("next-week" is no code): any mix of
    # letters and digits with a separator reads as a code, never as a passport.
    halves = re.split(r"\s?[-\u2010-\u2015]\s?", written)
    return len(halves) == 2 and any(c.isdigit() for c in written)


def _phone_within(candidate: str) -> Optional[Tuple[int, int]]:
    """The longest run of whole groups of ``candidate`` that is a phone number ("13800138000 2026").
    At most MAX_PHONE_GROUPS groups, and only runs with 7 to 15 digits are looked at closely."""
    groups = [(m.start(), m.end(), sum(c.isdigit() for c in m.group(0))) for m in re.finditer(r"\S+", candidate)]
    for size in range(min(len(groups), MAX_PHONE_GROUPS), 0, -1):
        for first in range(len(groups) - size + 1):
            window = groups[first:first + size]
            if 7 <= sum(g[2] for g in window) <= 15:
                start, end = window[0][0], window[-1][1]
                if _is_phone(candidate[start:end]):
                    return start, end
    return None


def _is_phone(candidate: str) -> bool:
    candidate = candidate.strip()
    if not candidate[-1:].isdigit() or not (candidate[:1].isdigit() or candidate[:1] in "+("):
        return False
    if _DATE_LIKE.match(candidate.strip()):
        return False
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("+") or candidate.startswith("00"):
        return 7 <= len(digits) <= 15
    if digits.startswith("0"):
        return 9 <= len(digits) <= 12  # 0 + area code + a 7-8 digit number
    return len(digits) == 11 and re.match(r"1[3-9]", digits) is not None
