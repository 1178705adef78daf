"""The chat side's pure rules: complex cases from the knowledge base, transcripts, wording."""
import datetime as dt

import pytest

from bot.domain import handoff_chat as chat


@pytest.mark.parametrize("text, case", [
    ("My work permit application was REJECTED yesterday", "rejected_application"),
    ("they refused my residence permit", "rejected_application"),
    ("I want to change employer but my case is still pending", "employer_change_pending"),
    ("new company offer while my work permit is under review", "employer_change_pending"),
    ("I overstayed my visa by two days", "overstay"),
])
def test_the_knowledge_base_flags_complex_cases(kb, text, case):
    assert chat.find_complex_case(kb.services.values(), text).case_id == case


@pytest.mark.parametrize("text", ["my case is complicated", "I want to change employer", "my case is pending",
                                  "what documents do I need?", "unrejected-ish"])
def test_other_messages_are_not_flagged(kb, text):
    assert chat.find_complex_case(kb.services.values(), text) is None


def test_a_service_flagged_complex_as_a_whole_counts_when_mentioned(kb):
    flagged = chat.find_complex_case(kb.services.values(), "I have questions about my case", ["permanent_residence"])
    assert flagged and flagged.case_id == "complex_service"


def test_transcript_redacts_personal_answers_and_marks_staff_and_buttons():
    events = [
        {"event": "user", "text": "/greet", "timestamp": 0.5, "parse_data": {"intent": {"name": "greet"}}},
        {"event": "user", "text": "/request_human", "timestamp": 1.0, "parse_data": {"intent": {"name": "request_human"}}},
        {"event": "slot", "name": "requested_slot", "value": "handoff_contact"},
        {"event": "user", "text": "lena@example.com", "timestamp": 2.0},
        {"event": "bot", "text": "Hello, this is the hall.", "metadata": {"from": "staff"}, "timestamp": 3.0},
        {"event": "bot", "text": "", "timestamp": 4.0},
        {"event": "action", "name": "action_listen"},
        # what Rasa stores for a trigger_intent call (the console's hand-back): not the person's words
        {"event": "user", "text": "EXTERNAL: EXTERNAL_handback", "timestamp": 5.0, "metadata": {"is_external": True},
         "parse_data": {"intent": {"name": "EXTERNAL_handback"}}},
    ]
    lines = chat.transcript(events)
    assert [(line["who"], line["text"]) for line in lines] == [
        ("user", "[opened the chat]"), ("user", "[chose: request human]"), ("user", "[redacted]"), ("staff", "Hello, this is the hall.")]
    assert lines[1]["at"] == "1970-01-01T00:00:01+00:00"


@pytest.mark.parametrize("text, expected", [
    ("  Which   hall\nhandles it? ", "Which hall handles it?"),
    ("résumé question", "résumé question"),
])
def test_questions_are_tidied(text, expected):
    assert chat.check_question(text) == expected


def test_wording_never_shows_more_than_it_should():
    assert "number 3 in the queue" in chat.queued_text("Of course.", 7, 3, 25) and "25 minutes" in \
        chat.queued_text("Of course.", 7, 3, 25)
    assert "already has your conversation" in chat.queued_text("Of course.", 7, None, None)
    assert "Monday 7 December 2026" in chat.after_hours_text("Of course.", "09:00-17:00 on working days",
                                                              dt.date(2026, 12, 7))
    assert chat.handback_text(()).startswith("You're back with the assistant")
    assert "the Residence permit" in chat.handback_text(("Residence permit",))


def test_the_call_back_form_knows_when_an_expired_live_chat_offered_it():
    start = {"event": "action", "name": "action_start_handoff"}
    expired = {"event": "action", "name": "action_handoff_expired"}
    submitted = {"event": "action", "name": "action_submit_handoff"}
    form = {"event": "action", "name": "handoff_form"}
    assert chat.after_expiry([start, {"event": "pause"}, {"event": "resume"}, expired, form])
    assert not chat.after_expiry([start, form])  # outside staff hours
    assert not chat.after_expiry([start, expired, form, submitted, start, form])  # a later, ordinary one
    assert not chat.after_expiry([])


def test_the_message_a_two_stage_fallback_stores_again_appears_once():
    events = [
        {"event": "user", "text": "visa thing??", "timestamp": 1.0},
        {"event": "bot", "text": "Did you mean the fees?", "timestamp": 2.0},
        {"event": "user", "text": "how much is the residence permit", "timestamp": 3.0},
        {"event": "rewind", "timestamp": 4.0},
        {"event": "action", "name": "action_listen", "timestamp": 4.1},
        {"event": "user", "text": "how much is the residence permit", "timestamp": 4.2},  # Rasa's copy
        {"event": "bot", "text": "CNY 400 to 1,000.", "timestamp": 5.0},
        {"event": "user", "text": "how much is the residence permit", "timestamp": 6.0},  # asked again, for real
    ]
    said = [(line["who"], line["text"]) for line in chat.transcript(events)]
    assert said == [("user", "visa thing??"), ("bot", "Did you mean the fees?"),
                    ("user", "how much is the residence permit"), ("bot", "CNY 400 to 1,000."),
                    ("user", "how much is the residence permit")]
