"""The Rasa server speed-up validates action responses exactly as Rasa's own check does."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_speedups

VALID = {"events": [{"event": "slot", "name": "topic", "value": "fees", "timestamp": None}],
         "responses": [{"text": "Fees: CNY 400", "buttons": []}]}
INVALID = [
    {"events": [{"name": "topic"}], "responses": []},  # an event without its type
    {"events": "not a list", "responses": []},
    {"events": [], "responses": ["not an object"]},
]


def test_a_valid_response_passes_as_with_jsonschema_validate():
    jsonschema.validate(VALID, RemoteAction.action_response_format_spec())
    assert rasa_speedups.validate_action_result(None, VALID) is True


@pytest.mark.parametrize("result", INVALID)
def test_an_invalid_response_raises_the_same_error_as_rasa(result):
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as raised:
        rasa_speedups.validate_action_result(None, result)
    assert raised.value.message.startswith(expected.value.message)
    assert "Failed to validate Action server response" in raised.value.message


def test_install_replaces_rasas_check_once(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    monkeypatch.setattr(rasa_speedups, "_installed", False)
    rasa_speedups.install()
    rasa_speedups.install()
    assert RemoteAction._validate_action_result is rasa_speedups.validate_action_result
    assert RemoteAction("action_x", None)._validate_action_result(VALID) is True
