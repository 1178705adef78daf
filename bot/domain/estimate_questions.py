"""Which date estimate a question asks for, and where in it the date's verb stands. Pure.

"When will it be concluded?" asks for a conclusion date, "I entered on 5 November, what is my
deadline?" for a deadline counted from an event, "my permit expires on ..." for the window to
apply for an extension or renewal.
"""
from __future__ import annotations

import re
from typing import Optional

_CONTRACT_END = re.compile(r"\bcontract\s+(?:ended|ends|end|is\s+ending|terminated|expired|expires|finished)\b"
                           r"|\b(?:left|leave|leaving|quit)\s+(?:my|the|his|her|their)\s+job\b|\bresign(?:ed|s)?\b"
                           r"|\bend\s+of\s+(?:my|the)\s+(?:contract|employment)\b", re.I)
_CHANGE = re.compile(r"\bchang(?:e|ed|es|ing)\b", re.I)
_ENTRY = re.compile(r"\b(?:enter(?:ed|ing|s)?|entry|arriv(?:e|ed|es|al|ing)|land(?:ed|s|ing)?|came\s+to|come\s+to"
                    r"|flew\s+(?:in|into|to))\b", re.I)
_EXPIRY = re.compile(r"\bexpir(?:e|es|ed|ing|y|ation)\b|\bruns?\s+out\b|\bvalid\s+(?:until|till|to)\b"
                     r"|\b(?:permit|card|visa)\s+(?:ends|ended|will\s+end)\b", re.I)
_RENEW = re.compile(r"\b(?:renew\w*|extend\w*|extension)\b", re.I)
_DONE = re.compile(r"\b(?:conclu\w+|ready|done|finish\w*|complet\w*|results?|decision|decided|approv\w*|issued"
                   r"|collect\w*|processed|get\s+(?:it|my|the)|receive\w*)\b", re.I)
_ANCHOR = re.compile(r"\b(?:accept\w*|submit\w*|appl(?:y|ies|ied)|fil(?:e|es|ed)|lodg\w+|hand\w*\s+in)\b", re.I)
_WHEN = re.compile(r"\b(?:when|what\s+date|which\s+day|how\s+long)\b", re.I)
_DEADLINE_Q = re.compile(r"\b(?:deadline|by\s+when|until\s+when|latest|last\s+day|must|have\s+to|need\s+to|should"
                         r"|how\s+(?:long|many\s+days)\s+do\s+i\s+have|too\s+late)\b", re.I)
_PAST_FORM = re.compile(r"\w+ed|came|flew|left|quit|ran", re.I)
_NOT_YET = re.compile(r"\b(?:will|would|to|is|are|be|gets?|if|when)\s+(?:be\s+)?$", re.I)


def classify_estimate_question(text: str) -> Optional[str]:
    """"conclusion", "entry_deadline" or "extension_window" from the question's wording; None if unclear."""
    text = text or ""
    done = bool(_DONE.search(text))
    if _CONTRACT_END.search(text):
        return "entry_deadline"
    if _EXPIRY.search(text) or (_RENEW.search(text) and not done):
        return "extension_window"
    if (_ENTRY.search(text) or _CHANGE.search(text)) and (_DEADLINE_Q.search(text) or not done):
        return "entry_deadline"
    if done or (_ANCHOR.search(text) and _WHEN.search(text)):
        return "conclusion"
    return None


def detect_event(text: str) -> Optional[str]:
    """The event a deadline question counts from: "contract_end", "change" or "entry"; None if not named."""
    for event, pattern in (("contract_end", _CONTRACT_END), ("entry", _ENTRY), ("change", _CHANGE)):
        if pattern.search(text or ""):
            return event
    return None


def anchor_position(kind: str, text: str) -> int:
    """Where the words that the date belongs to begin ("accepts", "entered", "expires"); 0 when absent."""
    match = _anchor(kind, text or "")
    return match.start() if match else 0


def prefers_past(kind: str, text: str) -> bool:
    """True when the date's verb is in the past ("I entered on 5 Nov", "it was accepted on 30/9"),
    so a date given without a year most likely lies behind us."""
    match = _anchor(kind, text or "")
    if match is None:
        return False
    past = any(_PAST_FORM.fullmatch(word) for word in match.group().split())
    return past and not _NOT_YET.search(text[: match.start()])


def _anchor(kind: str, text: str) -> Optional[re.Match]:
    if kind == "entry_deadline":
        pattern = {"contract_end": _CONTRACT_END, "change": _CHANGE}.get(detect_event(text), _ENTRY)
    else:
        pattern = {"conclusion": _ANCHOR, "extension_window": _EXPIRY}.get(kind)
    return pattern.search(text) if pattern else None
