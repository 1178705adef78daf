"""Confirmation codes, passport and contact checks of a booking."""
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.booking_details import (
    CODE_ALPHABET, InvalidContact, check_email, check_name, check_passport, check_passport_input, check_phone,
    new_code, normalize_code,
)

CODE = re.compile(r"^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")
AMBIGUOUS = set("0O1IL")


def test_the_alphabet_has_no_ambiguous_characters():
    assert not AMBIGUOUS & set(CODE_ALPHABET) and len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 30


@settings(max_examples=300, deadline=None)
@given(st.integers())
def test_new_codes_are_formatted_and_never_ambiguous(_):
    code = new_code()
    assert CODE.match(code), code
    assert not AMBIGUOUS & set(code)
    assert normalize_code(code) == code


def test_codes_are_unguessable_enough():
    assert len({new_code() for _ in range(2000)}) == 2000


@given(st.lists(st.sampled_from(CODE_ALPHABET), min_size=8, max_size=8), st.sampled_from(["", "-", " ", "  "]),
       st.booleans())
def test_typed_codes_are_read_back(chars, separator, lower):
    raw = "".join(chars)
    typed = raw[:4] + separator + raw[4:]
    assert normalize_code(typed.lower() if lower else typed) == f"{raw[:4]}-{raw[4:]}"


@given(st.text(max_size=12))
def test_anything_else_is_no_code(text):
    result = normalize_code(text)
    assert result is None or (CODE.match(result) and not AMBIGUOUS & set(result))


@pytest.mark.parametrize("text", ["ABCD-EFG", "ABCD-EFGHJ", "ABCO-EFGH", "ABC1-EFGH", "ABCL-EFGH", "", None,
                                  "ABCD/EFGH", "ABCD-EFG!"])
def test_malformed_codes(text):
    assert normalize_code(text) is None


# -- passport -----------------------------------------------------------------------------

def test_passport_is_normalised():
    assert check_passport(" e1234 5634 ") == "E12345634"


@pytest.mark.parametrize("text", ["", "E12", "E1234-5634!", "x" * 21])
def test_impossible_passport_numbers(text):
    with pytest.raises(InvalidContact) as info:
        check_passport(text)
    assert info.value.field == "passport"


def test_passport_input_for_a_change_may_be_the_last_four():
    assert check_passport_input("5634") == "5634"
    assert check_passport_input("e12345634") == "E12345634"
    with pytest.raises(InvalidContact):
        check_passport_input("634")


# -- contact details ----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("  Anna   Müller ", "Anna Müller"),
    ("O'Brien-Smith, Seán", "O'Brien-Smith, Seán"),
    ("王小明", "王小明"),
    ("WANG Xiaoming", "WANG Xiaoming"),
])
def test_good_names(text, expected):
    assert check_name(text) == expected


@pytest.mark.parametrize("text", ["", "A", "R2D2", "<script>", "x" * 101, "--"])
def test_bad_names(text):
    with pytest.raises(InvalidContact) as info:
        check_name(text)
    assert info.value.field == "name"


@pytest.mark.parametrize("text, expected", [
    ("anna@example.com", "anna@example.com"),
    (" Anna.Mueller+permits@Example.CO.uk ", "Anna.Mueller+permits@example.co.uk"),
])
def test_good_emails(text, expected):
    assert check_email(text) == expected


@pytest.mark.parametrize("text", ["", "anna", "anna@", "@example.com", "anna@example", "anna@@example.com",
                                  "an na@example.com", "anna@example.c", "anna..m@example.com",
                                  "anna@-example.com", "anna@example.123", "a" * 65 + "@example.com"])
def test_bad_emails(text):
    with pytest.raises(InvalidContact) as info:
        check_email(text)
    assert info.value.field == "email"


@pytest.mark.parametrize("text, expected", [
    ("13812345678", "+8613812345678"),
    ("138 1234 5678", "+8613812345678"),
    ("+86 138-1234-5678", "+8613812345678"),
    ("0086 13812345678", "+8613812345678"),
    ("010 6427 4239", "+861064274239"),
    ("(010) 6427-4239", "+861064274239"),
    ("+86 (0)10 6427 4239", "+861064274239"),
    ("+49 30 1234567", "+49301234567"),
    ("１３８１２３４５６７８", "+8613812345678"),  # typed with a Chinese input method
])
def test_good_phone_numbers(text, expected):
    assert check_phone(text) == expected


@pytest.mark.parametrize("text", ["", "12345", "6427 4239", "23812345678", "+86 12345", "+0 123456789",
                                  "phone me", "138123456789", "+1 555", "١٣٨١٢٣٤٥٦٧٨"])
def test_bad_phone_numbers(text):
    with pytest.raises(InvalidContact) as info:
        check_phone(text)
    assert info.value.field == "phone"
