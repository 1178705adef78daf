"""Personal data in free text is replaced by markers; file identifiers, dates and times are kept."""
import pytest

from bot.domain.personal_data.redaction import (
    EMAIL_MARK, NAME_MARK, PASSPORT_MARK, PHONE_MARK, personal_spans, redact_text, shifted,
)


@pytest.mark.parametrize("text, expected", [
    ("where is my application EZ2026-0900? my passport number is X9000001",
     f"where is my application EZ2026-0900? my passport number is {PASSPORT_MARK}"),
    ("book for Alice Secmann, passport S1230001, email alice@example.com",
     f"book for Alice Secmann, passport {PASSPORT_MARK}, email {EMAIL_MARK}"),
    ("passport: E4417302.", f"passport: {PASSPORT_MARK}."),
    ("my passport is C01X00T47", f"my passport is {PASSPORT_MARK}"),
    ("passport AB12CD please", f"passport {PASSPORT_MARK} please"),  # few digits, but said to be one
    ("call me on +86 138 0013 8000 tomorrow", f"call me on {PHONE_MARK} tomorrow"),
    ("my phone: 138-0013-8000", f"my phone: {PHONE_MARK}"),
    ("13800138000", PHONE_MARK),
    ("tel 010-6512 3456 or 0049 30 1234567", f"tel {PHONE_MARK} or {PHONE_MARK}"),
    ("write to a.b+c@mail.example.cn.", f"write to {EMAIL_MARK}."),
    ("my name is Lena Hoffmann and I need help", f"my name is {NAME_MARK} and I need help"),
])
def test_personal_data_is_replaced_by_markers(text, expected):
    assert redact_text(text) == expected


@pytest.mark.parametrize("text", [
    "status of EZ2026-0042 please", "EZ2026-004200", "ez 2026 - 0042", "EZ2026 0042",
    "move K7MQ-2XHT to Friday", "code 2345-6789", "on 2026-12-04 at 10:30", "4 December 2026, 14:00",
    "the fee is 1000 yuan, hotline 12367", "it's 7302", "my number 2026 2027", "the name is wrong",
    "how much is it?", "",
])
def test_file_identifiers_dates_times_and_words_are_kept(text):
    assert redact_text(text) == text


def test_a_phone_number_next_to_other_digits_is_still_found():
    assert redact_text("13800138000 2026") == f"{PHONE_MARK} 2026"


def test_spans_are_ordered_and_offsets_move_with_the_markers():
    text = "E4417302 then EZ2026-0042"
    spans = personal_spans(text)
    assert [(s.start, s.end, s.marker) for s in spans] == [(0, 8, PASSPORT_MARK)]
    new = redact_text(text)
    start = text.index("EZ2026")
    assert new[shifted(start, spans):shifted(start + 11, spans)] == "EZ2026-0042"
