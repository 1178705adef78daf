from bot.domain.privacy import REDACTED, redact_events, redacted_texts


def user(text):
    return {"event": "user", "text": text, "parse_data": {"text": text, "entities": [{"value": text}]}}


def test_only_answers_to_sensitive_questions_are_redacted():
    events = [
        user("status of EZ2026-0042"),
        {"event": "active_loop", "name": "case_status_form"},
        {"event": "slot", "name": "requested_slot", "value": "case_number"},
        user("EZ2026-0042"),
        {"event": "slot", "name": "requested_slot", "value": "case_passport"},
        user("E12345678"),
        {"event": "slot", "name": "requested_slot", "value": None},
        {"event": "active_loop", "name": None},
        user("thanks"),
    ]
    assert redacted_texts(events) == ["status of EZ2026-0042", "EZ2026-0042", REDACTED, "thanks"]
    redacted = list(redact_events(events))[5]
    assert redacted["parse_data"] == {"text": REDACTED, "entities": []}
    assert events[5]["text"] == "E12345678"  # the input is not changed


def test_a_stopped_form_stops_redacting():
    events = [{"event": "slot", "name": "requested_slot", "value": "applicant_name"},
              {"event": "active_loop", "name": None}, user("what are the fees?")]
    assert redacted_texts(events) == ["what are the fees?"]
