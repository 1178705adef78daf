"""Each action with a tracker factory, against a fresh database holding the knowledge base."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultAskAffirmation, ActionDefaultFallback
from actions.input import ActionExplainInput, ActionReplyChinese
from actions.knowledge import ActionAnswerQuestion
from bot import wiring
from bot.config import Settings
from tests.conftest import make_tracker


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


async def test_answer_question_sets_context_slots(loaded):
    tracker = make_tracker("how much is the residence permit", "ask_fees",
                           [{"entity": "service", "value": "residence permit"}])
    messages, events = await run(ActionAnswerQuestion(), tracker)
    assert "CNY" in messages[0]["text"] or "400" in messages[0]["text"]
    slots = {e["name"]: e["value"] for e in events}
    assert slots["service"] == "residence_permit" and slots["topic"] == "fees"


async def test_answer_question_uses_slots_for_follow_up(loaded):
    tracker = make_tracker("how long does it take?", "ask_processing_time", slots={"service": "joint_application"})
    messages, _ = await run(ActionAnswerQuestion(), tracker)
    assert messages[0]["text"].startswith("Processing time — Two-permit joint application") or \
        "joint" in messages[0]["text"].lower()


async def test_buttons_are_sent(loaded):
    messages, _ = await run(ActionAnswerQuestion(), make_tracker("fees?", "ask_fees"))
    assert messages[0]["buttons"] and messages[0]["buttons"][0]["payload"].startswith("/inform")


async def test_database_without_knowledge_base_gives_a_clear_apology(tmp_path):
    from bot.db import migrate

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", kb_refresh_seconds=0)
    migrate.upgrade(settings.resolved_database_url)
    wiring.configure(settings)
    try:
        messages, events = await run(ActionAnswerQuestion(), make_tracker("fees?", "ask_fees"))
    finally:
        wiring.configure(None)
    assert [m["response"] for m in messages] == ["utter_service_unavailable"] and events == []


async def test_unreachable_database_gives_a_clear_apology():
    # nothing listens on port 1: the connection is refused at once
    wiring.configure(Settings(database_url="postgresql://etown@127.0.0.1:1/etown", kb_refresh_seconds=0))
    try:
        messages, _ = await run(ActionAnswerQuestion(), make_tracker("fees?", "ask_fees"))
    finally:
        wiring.configure(None)
    assert [m["response"] for m in messages] == ["utter_service_unavailable"]


async def test_affirmation_offers_labelled_buttons(loaded):
    ranking = [{"name": "nlu_fallback", "confidence": 0.4}, {"name": "ask_fees", "confidence": 0.35},
               {"name": "ask_validity", "confidence": 0.2}, {"name": "greet", "confidence": 0.05}]
    messages, _ = await run(ActionDefaultAskAffirmation(), make_tracker("how much valid", "nlu_fallback",
                                                                       ranking=ranking))
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles == ["What it costs", "How long a permit is valid", "Something else"]
    assert messages[0]["response"] == "utter_ask_affirmation"


async def test_final_fallback_outside_staff_hours_names_people_to_call_and_reverts(loaded):
    from tests.actions.test_handoff_actions import staff_away

    wiring.configure(staff_away(loaded))
    messages, events = await run(ActionDefaultFallback(), make_tracker("blorp", "nlu_fallback"))
    assert "12367" in messages[0]["text"]
    assert messages[0]["buttons"] == [{"title": "Leave a question for staff", "payload": "/request_human"}]
    assert events[-1]["event"] == "rewind"


async def test_chinese_message_gets_english_reply_with_chinese_lines(loaded):
    messages, _ = await run(ActionReplyChinese(), make_tracker("工作许可需要什么材料", "chinese_message"))
    text = messages[0]["text"]
    assert text.startswith("Thank you for your message. Chinese support is coming soon")
    assert "12345" in text


@pytest.mark.parametrize("text, response", [
    ("", "utter_input_empty"),
    ("   ", "utter_input_empty"),
    ("x" * 10000, "utter_input_too_long"),
    ("\x00\x01\x02\x03", "utter_input_unreadable"),
    ("asdfghjkl", "utter_input_unreadable"),
])
async def test_unreadable_input_is_explained(text, response):
    messages, _ = await run(ActionExplainInput(), make_tracker(text, "unreadable_input"))
    assert messages[0]["response"] == response
