"""Which "/intent" or "/intent{...}" texts a person may send as they are. Pure.

Rasa reads a message that starts with "/" as an intent (and entities) given directly, bypassing NLU:
that is how a button works. Typed by hand it would let anyone claim an internal event
("/EXTERNAL_handback": staff handed back), restart a paused handoff ("/restart") or fill slots. So
such a text is believed only when it is a payload the bot offered as a button in this conversation,
or a bare public intent on PUBLIC_INTENTS; internal intents never come from a person, offered or
not. Anything else is read as ordinary words: the slash is removed and NLU parses the rest.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable, Optional

PREFIX = "/"

# Bare intents a person may send as "/name": the chat page's opening "/greet" and the answers the
# bot's yes/no buttons carry anyway. Never with entities: those only come from an offered button.
PUBLIC_INTENTS = frozenset({"greet", "goodbye", "thanks", "affirm", "deny", "help", "not_sure", "stop"})

# Rasa's own intents that steer the conversation (restart, session start, undo) and our external
# intents (triggered by the staff console through Rasa's HTTP API, never through a channel).
INTERNAL_INTENTS = frozenset({"restart", "session_start", "back", "nlu_fallback"})
EXTERNAL_PREFIX = "EXTERNAL_"

# The shape Rasa 3.6 unpacks (YAMLStoryReader._regex_message_pattern): /intent@confidence{entities}rest
_PAYLOAD = re.compile(r"^/(?P<intent>[^{@]+)(?P<confidence>@[0-9.]+)?(?P<entities>{.+})?(?P<rest>.*)")


@dataclass(frozen=True)
class Payload:
    """A "/intent..." text as Rasa splits it; ``entities`` canonical JSON when it is JSON."""

    intent: str
    confidence: Optional[str]
    entities: Optional[str]
    rest: str


def _canonical(entities: Optional[str]) -> Optional[str]:
    if entities is None:
        return None
    try:
        return json.dumps(json.loads(entities), sort_keys=True, ensure_ascii=False)
    except ValueError:
        return entities.strip()


def parse_payload(text: Any) -> Optional[Payload]:
    """The payload ``text`` would be read as by Rasa's intent parser, or None when Rasa reads it as words."""
    if not isinstance(text, str):
        return None
    match = _PAYLOAD.match(text.strip())
    if match is None:
        return None
    return Payload(intent=match["intent"].strip(), confidence=match["confidence"],
                   entities=_canonical(match["entities"]), rest=match["rest"].strip())


def is_internal(intent: str) -> bool:
    """An intent that only the bot itself or the staff console (through Rasa's HTTP API) may raise."""
    name = intent.strip()
    return name.lower() in INTERNAL_INTENTS or name.upper().startswith(EXTERNAL_PREFIX)


def admitted(text: Any, offered: Iterable[str]) -> bool:
    """Whether ``text`` may reach Rasa as it is: ordinary words, a payload among ``offered`` (the
    payloads of the bot's recent buttons), or a bare public intent. Internal intents: never."""
    payload = parse_payload(text)
    if payload is None:
        return True  # not an intent payload: NLU reads it as words anyway
    if is_internal(payload.intent):
        return False
    if any(parse_payload(o) == payload for o in offered):
        return True
    return (payload.intent in PUBLIC_INTENTS and payload.confidence is None and payload.entities is None
            and not payload.rest)


def as_words(text: str) -> str:
    """A refused payload as the ordinary text NLU then reads: the leading slashes removed."""
    return text.strip().lstrip(PREFIX).strip()


def is_literal_payload(text: Any) -> bool:
    """An intent payload whose braces hold a JSON object ('/inform{"service":"work_permit"}'): its
    braces are entities, not response placeholders to fill with slot values."""
    if not isinstance(text, str):
        return False
    match = _PAYLOAD.match(text.strip())
    if match is None or match["entities"] is None:
        return False
    try:
        return isinstance(json.loads(match["entities"]), dict)
    except ValueError:
        return False
