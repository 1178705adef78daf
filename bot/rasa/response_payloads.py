"""Button payloads stop producing ERROR logs.

Rasa 3.6 fills every string of a response's text and buttons (payloads included) with slot values:
``rasa.core.nlg.interpolator.interpolate_text`` rewrites each "{...}" as a placeholder. A payload
such as '/inform{"service":"work_permit"}' then has the placeholder '"service":"work_permit"', no
slot has that name, and Rasa logs a KeyError with its traceback at ERROR (about 3 KB per greeting)
before returning the payload unchanged. Here an intent payload whose braces hold a JSON object is
returned unchanged at once: the same result, without the error. Every other text, including
payloads written with Rasa's escaped double braces, goes through Rasa's own function.
"""
from __future__ import annotations

from typing import Dict, Text

from bot.domain.abuse.payloads import is_literal_payload

_rasa_interpolate_text = None


def interpolate_text(response: Text, values: Dict[Text, Text]) -> Text:
    """Rasa's interpolate_text, except that an intent payload with JSON entities is no template."""
    if is_literal_payload(response):
        return response
    return _rasa_interpolate_text(response, values)


def install() -> None:
    """Put the shortcut in front of Rasa's interpolate_text (idempotent)."""
    global _rasa_interpolate_text
    from rasa.core.nlg import interpolator

    if _rasa_interpolate_text is None:
        _rasa_interpolate_text = interpolator.interpolate_text
        interpolator.interpolate_text = interpolate_text
