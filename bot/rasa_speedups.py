"""Speed-ups for the Rasa server process, installed once when our tracker store is created.

Rasa 3.6 validates every action server response with ``jsonschema.validate``, and jsonschema
(4.17) re-checks the constant response schema against the draft 2020-12 meta-schema on every
call. Profiled under load (bench/hotspots.py) that meta-schema check was about a third of the
Rasa server's CPU time. Here the schema is checked once and its validator reused: the same
validation, the same ``ValidationError`` with the same message, without the repeated check.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Text

_installed = False


@lru_cache(maxsize=1)
def action_response_validator():
    """A validator for Rasa's action-response schema, its schema checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    cls = validator_for(spec)
    cls.check_schema(spec)  # what jsonschema.validate does on every call
    return cls(spec)


def validate_action_result(self, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result with a reused validator (same errors and message)."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(action_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    """Install the speed-ups into this process (idempotent)."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result
    _installed = True
