"""Case numbers, statuses and their wording (pure)."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.cases import (
    STATUS_CODES, STATUSES, CaseStatusView, InvalidCaseNumber, UnknownStatus, case_number_problem, case_status_text,
    parse_case_number, parse_status, status_info,
)


@pytest.mark.parametrize("text, expected", [
    ("EZ2026-0042", "EZ2026-0042"),
    ("ez2026-0042", "EZ2026-0042"),
    (" ez 2026 - 0042 ", "EZ2026-0042"),
    ("EZ2026 0042", "EZ2026-0042"),  # a space where the dash goes
    ("EZ2026–0042", "EZ2026-0042"),  # an en dash pasted from a document
    ("EZ2026_0042", "EZ2026-0042"),
    ("BJ2025-123456", "BJ2025-123456"),
    ("EZ2026-00042", "EZ2026-00042"),  # 5 digits: a different number from -0042, kept as given
])
def test_case_numbers_are_normalised(text, expected):
    assert parse_case_number(text) == expected


@pytest.mark.parametrize("text, words", [
    ("", "Please give the case number"),
    (None, "Please give the case number"),
    ("ez 2026-42", "has 2 digits; it should have 4 to 6"),  # leading zeros are not guessed
    ("EZ2026-1234567", "has 7 digits"),
    ("EZ20260042", "is not a case number"),  # no separator: where would the year end?
    ("E2026-0042", "two letters, the four-digit year"),
    ("EZ26-0042", "two letters, the four-digit year"),
    ("my case is EZ2026-0042", "is not a case number"),
    ("EZ2026-00A2", "is not a case number"),
])
def test_wrong_case_numbers_get_a_helpful_message(text, words):
    with pytest.raises(InvalidCaseNumber) as raised:
        parse_case_number(text)
    assert words in raised.value.message
    assert "EZ2026-0042" in raised.value.message or "4 to 6" in raised.value.message
    assert case_number_problem(text) == raised.value.message


def test_long_input_is_not_echoed_whole():
    with pytest.raises(InvalidCaseNumber) as raised:
        parse_case_number("x" * 500)
    assert len(raised.value.message) < 250


def test_a_valid_number_has_no_problem():
    assert case_number_problem("EZ2026-0042") is None


@given(st.sampled_from(["EZ", "BJ", "ab"]), st.integers(2000, 2099), st.integers(4, 6), st.data())
def test_any_well_formed_number_survives_normalisation(letters, year, width, data):
    digits = data.draw(st.text("0123456789", min_size=width, max_size=width))
    spaced = f" {letters.lower()} {year} - {digits} "
    canonical = f"{letters.upper()}{year}-{digits}"
    assert parse_case_number(spaced) == canonical
    assert parse_case_number(canonical) == canonical


def test_every_status_explains_itself_and_says_what_to_do():
    assert STATUS_CODES == ("received", "under_review", "materials_required", "approved", "rejected",
                            "ready_for_collection")
    for code, info in STATUSES.items():
        assert info.code == code and info.label and info.explanation.endswith(".")
        assert len(info.next_step) > 20
    assert status_info("materials_required").next_step.startswith("Read the note")
    assert "passport" in status_info("ready_for_collection").next_step
    assert [c for c in STATUS_CODES if status_info(c).concluded] == ["approved", "rejected", "ready_for_collection"]


@pytest.mark.parametrize("text, code", [
    ("under_review", "under_review"), ("Under review", "under_review"), ("UNDER-REVIEW", "under_review"),
    ("Not approved", "rejected"), (" ready for collection ", "ready_for_collection"),
])
def test_statuses_are_read_by_code_or_label(text, code):
    assert parse_status(text) == code


@pytest.mark.parametrize("text", ["", "pending", "approve"])
def test_unknown_statuses_list_the_known_ones(text):
    with pytest.raises(UnknownStatus, match="received, under_review"):
        parse_status(text)


def view(**changes):
    fields = dict(case_number="EZ2026-0042", service_id="work_permit", service_name="Foreigner's Work Permit",
                  status="under_review", status_label="Under review", explanation="An officer is reviewing it.",
                  next_step="Nothing to do.", submitted_on=dt.date(2026, 11, 13), updated_on=dt.date(2026, 11, 18),
                  note=None, expected_on=dt.date(2026, 11, 25), expected_rule="conclusion within 3 working days",
                  concluded=False, hall_id=None, hall_name=None)
    return CaseStatusView(**{**fields, **changes})


def test_chat_text_shows_status_dates_and_rule_but_no_personal_data():
    text = case_status_text(view(note="Bring the contract.", hall_name="E-Town office"), dt.date(2026, 11, 22))
    assert "Case EZ2026-0042 (Foreigner's Work Permit): Under review." in text
    assert "Note from the office: Bring the contract." in text
    assert "Expected conclusion: by 25 November 2026 (rule: conclusion within 3 working days" in text
    assert "Hall: E-Town office." in text


def test_chat_text_says_when_the_expected_date_has_passed():
    text = case_status_text(view(expected_on=dt.date(2026, 11, 18)), dt.date(2026, 11, 22))
    assert "That date has passed" in text


def test_no_expected_date_once_decided():
    text = case_status_text(view(status="approved", status_label="Approved", concluded=True))
    assert "Expected" not in text and "expected" not in text
