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


def test_personal_data_in_any_message_is_replaced_and_entities_follow():
    text = "where is my application EZ2026-0900? my passport number is X9000001"
    start = text.index("EZ2026")
    event = {"event": "user", "text": text, "metadata": {"client_ip": "203.0.113.9"},
             "parse_data": {"text": text, "metadata": {"client_ip": "203.0.113.9"}, "entities": [
                 {"entity": "case_number", "value": "EZ2026-0900", "start": start, "end": start + 11},
                 {"entity": "document", "value": "X9000001", "start": len(text) - 8, "end": len(text)}]}}
    stored = list(redact_events([event]))[0]
    assert stored["text"] == "where is my application EZ2026-0900? my passport number is [passport]"
    assert stored["parse_data"]["text"] == stored["text"]
    assert stored["parse_data"]["entities"] == [
        {"entity": "case_number", "value": "EZ2026-0900", "start": start, "end": start + 11}]
    assert "client_ip" not in stored["metadata"] and "client_ip" not in stored["parse_data"]["metadata"]
    assert "X9000001" in event["text"] and event["metadata"]["client_ip"]  # the turn's own copy is unchanged


def test_entity_offsets_move_past_a_marker():
    text = "alice@example.com wants EZ2026-0042"
    start = text.index("EZ2026")
    event = user(text)
    event["parse_data"]["entities"] = [{"entity": "case_number", "value": "EZ2026-0042", "start": start,
                                       "end": start + 11}]
    stored = list(redact_events([event]))[0]
    entity = stored["parse_data"]["entities"][0]
    assert stored["text"][entity["start"]:entity["end"]] == "EZ2026-0042"


def test_a_message_without_personal_data_is_passed_through_untouched():
    event = user("how much is the work permit?")
    assert list(redact_events([event]))[0] is event


def test_the_question_left_for_staff_is_stored_redacted():
    events = [{"event": "slot", "name": "handoff_question", "value": "call 13800138000 about E4417302"},
              {"event": "slot", "name": "checklist_ids", "value": "a1b2c3d4e5f6"}]
    stored = list(redact_events(events))
    assert stored[0]["value"] == "call [phone] about [passport]"
    assert stored[1]["value"] == "a1b2c3d4e5f6"  # ids are not free text
