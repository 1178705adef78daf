"""bot/rasa/response_payloads.py: the button payloads of domain.yml are filled exactly as Rasa fills
them, without the ERROR traces Rasa logs for their JSON braces."""
import copy
from pathlib import Path

import pytest
import yaml
from rasa.core.nlg import interpolator

from bot.rasa import response_payloads

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"
SLOTS = {"service": "work_permit", "name": "Alice", "requested_slot": None, "session_started_metadata": None}


class Recorder:
    def __init__(self):
        self.errors = []

    def exception(self, event, **kwargs):
        self.errors.append(event)

    error = exception


def domain_buttons():
    responses = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))["responses"]
    return [variant["buttons"] for variants in responses.values() for variant in variants if variant.get("buttons")]


@pytest.fixture
def patched(monkeypatch):
    monkeypatch.setattr(interpolator, "interpolate_text", interpolator.interpolate_text)  # restored afterwards
    monkeypatch.setattr(response_payloads, "_rasa_interpolate_text", None)
    rasa_interpolate_text = interpolator.interpolate_text
    response_payloads.install()
    recorder = Recorder()
    monkeypatch.setattr(interpolator, "structlogger", recorder)
    return rasa_interpolate_text, recorder


def test_rasa_logs_an_error_for_every_json_payload_of_the_greeting(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(interpolator, "structlogger", recorder)
    buttons = [b for group in domain_buttons() for b in group if "{" in b["payload"]]
    assert buttons, "domain.yml has JSON button payloads"
    filled = interpolator.interpolate(copy.deepcopy(buttons), SLOTS)  # Rasa's own, unpatched
    assert filled == buttons and len(recorder.errors) == len(buttons)  # unchanged, one ERROR trace each


def test_with_the_patch_domain_buttons_are_filled_the_same_without_errors(patched, monkeypatch):
    rasa_interpolate_text, recorder = patched
    for buttons in domain_buttons():
        ours = interpolator.interpolate(copy.deepcopy(buttons), SLOTS)
        assert recorder.errors == []
        rasa_recorder = Recorder()
        monkeypatch.setattr(interpolator, "structlogger", rasa_recorder)
        monkeypatch.setattr(interpolator, "interpolate_text", rasa_interpolate_text)
        assert ours == interpolator.interpolate(copy.deepcopy(buttons), SLOTS)
        monkeypatch.setattr(interpolator, "interpolate_text", response_payloads.interpolate_text)
        monkeypatch.setattr(interpolator, "structlogger", recorder)


@pytest.mark.parametrize("text", [
    "Your service: {service}", "Hello {name}, welcome", '/inform{{"service":"work_permit"}}', "/ask_fees",
    "{unknown} slot", "Plain text",
])
def test_other_texts_are_still_filled_by_rasa(patched, text):
    rasa_interpolate_text, _ = patched
    assert response_payloads.interpolate_text(text, SLOTS) == rasa_interpolate_text(text, SLOTS)
