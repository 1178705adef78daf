"""bot/rasa/payload_guard.py against Rasa's own MessageProcessor.parse_message, with Rasa's
RegexMessageHandler (the component that unpacks "/intent{...}") standing in for the NLU model."""
from functools import lru_cache

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.processor import MessageProcessor
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.rasa import payload_guard

DOMAIN_YAML = """
intents: [greet, affirm, inform, ask_fees, ask_materials, EXTERNAL_handback]
entities: [service]
slots:
  service: {type: text, mappings: [{type: from_entity, entity: service}]}
responses:
  utter_greet: [{text: Hello}]
"""
SERVICE_BUTTON = '/inform{"service":"work_permit"}'


@lru_cache(maxsize=1)
def domain() -> Domain:
    return Domain.from_yaml(DOMAIN_YAML)


class RegexOnlyNlu:
    """Rasa's HTTP-interpreter hook filled with Rasa's own regex message handling (no model)."""

    async def parse(self, message):
        parsed = RegexMessageHandler().process([Message(data={"text": message.text})], domain())[0]
        return {"text": message.text, "intent": parsed.get("intent") or {"name": None, "confidence": 0.0},
                "entities": parsed.get("entities") or []}


@pytest.fixture
def processor(monkeypatch):
    monkeypatch.setattr(MessageProcessor, "parse_message", MessageProcessor.parse_message)  # restored afterwards
    monkeypatch.setattr(payload_guard, "_rasa_parse_message", None)
    rasa_parse = MessageProcessor.parse_message
    payload_guard.install()
    found = object.__new__(MessageProcessor)
    found.http_interpreter = RegexOnlyNlu()
    found.domain = domain()
    found.rasa_parse = lambda message, tracker=None: rasa_parse(found, message, tracker)
    return found


def conversation(*bot_buttons, user_turns_after=0, **kwargs):
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
              UserUttered("hi", {"name": "greet", "confidence": 1.0})]
    for buttons in bot_buttons:
        events.append(BotUttered("Which one?", data={"buttons": [{"title": "t", "payload": p} for p in buttons]}))
    for index in range(user_turns_after):
        events += [UserUttered(f"words {index}", {"name": "affirm", "confidence": 1.0}), BotUttered("ok")]
    return DialogueStateTracker.from_events("guard-test", events, **kwargs)


async def test_an_offered_payload_is_parsed_exactly_as_rasa_parses_it(processor):
    tracker = conversation([SERVICE_BUTTON, "/ask_fees"])
    ours = await processor.parse_message(UserMessage(SERVICE_BUTTON), tracker)
    assert ours == await processor.rasa_parse(UserMessage(SERVICE_BUTTON), tracker)
    assert ours["intent"]["name"] == "inform" and ours["entities"][0]["value"] == "work_permit"


async def test_a_payload_the_bot_did_not_offer_is_parsed_as_its_words(processor):
    tracker = conversation(["/ask_fees"])
    message = UserMessage('/inform{"service":"residence_permit"}')
    ours = await processor.parse_message(message, tracker)
    assert message.text == 'inform{"service":"residence_permit"}'  # what Rasa then stores as the user's text
    assert ours == await processor.rasa_parse(UserMessage('inform{"service":"residence_permit"}'), tracker)
    assert ours["intent"]["name"] is None and ours["entities"] == []  # no slot filled from the typed JSON


@pytest.mark.parametrize("text", ["/EXTERNAL_handback", "/restart", "/session_start"])
async def test_internal_intents_typed_by_a_person_are_words_even_when_offered(processor, text):
    tracker = conversation([text])
    rasa_reading = await processor.rasa_parse(UserMessage(text), tracker)
    ours = await processor.parse_message(UserMessage(text), tracker)
    assert ours["intent"]["name"] != text[1:] and ours["text"] == text[1:]
    assert rasa_reading["intent"]["name"] in (text[1:], None)  # Rasa believes what its domain knows


async def test_public_intents_pass_without_an_offer(processor):
    ours = await processor.parse_message(UserMessage("/greet"), conversation())
    assert ours["intent"]["name"] == "greet"


async def test_buttons_of_older_turns_or_sessions_are_no_longer_offered(processor):
    old = conversation([SERVICE_BUTTON], user_turns_after=payload_guard.OFFER_WINDOW_USER_TURNS)
    assert (await processor.parse_message(UserMessage(SERVICE_BUTTON), old))["intent"]["name"] is None
    recent = conversation([SERVICE_BUTTON], user_turns_after=payload_guard.OFFER_WINDOW_USER_TURNS - 2)
    assert (await processor.parse_message(UserMessage(SERVICE_BUTTON), recent))["intent"]["name"] == "inform"
    new_session = conversation([SERVICE_BUTTON])
    new_session.update(ActionExecuted("action_session_start"))
    new_session.update(SessionStarted())
    assert payload_guard.offered_payloads(new_session.events) == []


async def test_without_a_conversation_rasa_parses_as_before(processor):
    # rasa test and the HTTP API's /model/parse parse texts without a conversation: untouched
    ours = await processor.parse_message(UserMessage("/EXTERNAL_handback"))
    assert ours == await processor.rasa_parse(UserMessage("/EXTERNAL_handback"))
    assert ours["intent"]["name"] == "EXTERNAL_handback"


async def test_a_typed_restart_no_longer_resumes_a_paused_conversation(processor):
    tracker = conversation()
    tracker.update(ActionExecuted("action_listen"))
    from rasa.shared.core.events import ConversationPaused

    tracker.update(ConversationPaused())
    await processor._handle_message_with_tracker(UserMessage("/restart"), tracker)
    assert tracker.latest_message.text == "restart" and tracker.latest_message.intent.get("name") != "restart"
    assert not MessageProcessor._should_handle_message(tracker)  # still paused: the staff keep it


async def test_the_staff_consoles_trigger_intent_still_raises_external_intents(processor, monkeypatch):
    async def no_slots(output_channel, tracker):
        return tracker

    async def nothing(*args, **kwargs):
        return None

    monkeypatch.setattr(processor, "run_action_extract_slots", no_slots, raising=False)
    monkeypatch.setattr(processor, "_run_prediction_loop", nothing, raising=False)
    monkeypatch.setattr(processor, "save_tracker", nothing, raising=False)
    tracker = conversation()
    await processor.trigger_external_user_uttered("EXTERNAL_handback", {}, tracker, CollectingOutputChannel())
    assert tracker.latest_message.intent["name"] == "EXTERNAL_handback"
