"""The passport, case number or booking code inside a sentence, and the words that are no answer."""
import pytest

from bot.domain.personal_data.extraction import (
    HELP, LAST_FOUR_ONLY, LAST_FOUR_WITH_NAME, QUESTION, STOP, WHOLE, WRONG_SHAPE, IdentityAnswer,
    booking_code_in, case_number_in, read_identity_answer,
)
from bot.domain.personal_data.identity_check import NotAnAnswer, identity_answer, identity_matches
from bot.domain.verification import CaseHasher


@pytest.mark.parametrize("text, expected", [
    ("E4417302", IdentityAnswer(WHOLE, "E4417302")),
    ("my passport number is E4417302", IdentityAnswer(WHOLE, "E4417302")),
    ("passport: E4417302.", IdentityAnswer(WHOLE, "E4417302")),
    ("e 4417 302", IdentityAnswer(WHOLE, "E4417302")),
    ("E4417302 for case EZ2026-0042", IdentityAnswer(WHOLE, "E4417302")),
    ("K7MQ-2XHT, passport E4417302", IdentityAnswer(WHOLE, "E4417302")),
    ("it's 7302", IdentityAnswer(LAST_FOUR_ONLY, "7302")),
    ("7302 Hoffmann", IdentityAnswer(LAST_FOUR_WITH_NAME, "7302", "Hoffmann")),
    ("last four 7302, family name Hoffmann", IdentityAnswer(LAST_FOUR_WITH_NAME, "7302", "Hoffmann")),
    ("my surname is van der Berg, last 4: 7302", IdentityAnswer(LAST_FOUR_WITH_NAME, "7302", "van der Berg")),
    ("王 7302", IdentityAnswer(LAST_FOUR_WITH_NAME, "7302", "王")),
])
def test_the_passport_is_found_inside_a_sentence(text, expected):
    assert read_identity_answer(text) == expected


@pytest.mark.parametrize("text, intent, kind", [
    ("stop", "inform", STOP), ("Stop.", "", STOP), ("cancel", "", STOP), ("never mind", "", STOP),
    ("no, stop it", "stop", STOP), ("help", "", HELP), ("what?", "", HELP), ("I don't know", "", HELP),
    ("why do you need my passport?", "", QUESTION), ("how much does it cost?", "ask_fees", QUESTION),
    ("hello", "", WRONG_SHAPE), ("abcd", "", WRONG_SHAPE), ("T47", "", WRONG_SHAPE), ("12 34", "", WRONG_SHAPE),
    ("E44 and 123456", "", WRONG_SHAPE), ("", "", WRONG_SHAPE),
])
def test_words_are_told_apart_from_answers(text, intent, kind):
    answer = read_identity_answer(text, intent)
    assert answer.kind == kind and not answer.is_answer
    with pytest.raises(NotAnAnswer):
        identity_answer(answer)


def test_the_last_four_prove_identity_only_with_the_family_name():
    hasher = CaseHasher(b"k" * 32)
    whole, last4 = hasher.passport("E4417302"), hasher.last_four("EZ2026-0042", "7302")

    def proves(text):
        return identity_matches(hasher, "EZ2026-0042", whole, last4, "Lena Hoffmann", identity_answer(text))
    assert proves("E4417302") and proves("7302 hoffmann") and proves("my passport is E4417302")
    assert not proves("7302 Schmidt") and not proves("7303 Hoffmann") and not proves("E4417303")
    with pytest.raises(NotAnAnswer):
        proves("7302")


@pytest.mark.parametrize("text, expected", [
    ("where is my application ez2026-0900? thanks", "EZ2026-0900"), ("case EZ 2026 0042 please", "EZ2026-0042"),
    ("EZ2026-42 is mine", None), ("nothing here in 2026", None),
])
def test_a_case_number_is_found_anywhere(text, expected):
    assert case_number_in(text) == expected


def test_a_booking_code_is_found_anywhere():
    assert booking_code_in("please move k7mq 2xht to Friday") == "K7MQ-2XHT"
    assert booking_code_in("next week please") is None
