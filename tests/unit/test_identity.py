"""Passport masking, credit codes and shortened names (pure)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.identity import (
    CREDIT_CODE_ALPHABET, InvalidCreditCode, InvalidPassport, abbreviate_name, credit_code_check_char,
    family_name, family_name_matches, mask_passport, normalise_passport,
    parse_credit_code, parse_passport, parse_passport_input,
)


def test_passports_are_masked_to_the_last_two_characters():
    assert mask_passport("E1234534") == "••••••34"
    assert mask_passport("e 1234 5634") == "•••••••34"
    assert mask_passport("AB123") == "•••23"
    assert mask_passport("1234") == "••••"


@given(st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=5, max_size=20))
def test_a_mask_shows_at_most_the_last_two_characters(number):
    masked = mask_passport(number)
    assert len(masked) == len(number)
    assert masked[-2:] == number[-2:]
    assert set(masked[:-2]) <= {"•"}


@pytest.mark.parametrize("name, family", [
    ("Lena Hoffmann", "Hoffmann"), ("WANG Xiaoming", "Wang"), ("Hoffmann, Lena", "Hoffmann"),
    ("Ludwig van Beethoven", "van Beethoven"), ("王小明", "王"), ("欧阳娜娜", "欧阳"), ("Madonna", "Madonna"),
])
def test_the_family_name_is_found_as_for_the_short_names(name, family):
    assert family_name(name) == family


@pytest.mark.parametrize("name, given, expected", [
    ("Lena Hoffmann", "hoffmann", True), ("Lena Hoffmann", "HOFFMANN", True),
    ("Lena Hoffmann", "Lena", True),  # written in the East Asian order
    ("Lena Hoffmann", "Hofman", False), ("Lena Hoffmann", "", False), ("Lena Hoffmann", "Lena Hoffmann", False),
    ("Ludwig van Beethoven", "Beethoven", True), ("Ludwig van Beethoven", "van beethoven", True),
    ("José García-López", "garcia lopez", True), ("WANG Xiaoming", "Wang", True),
    ("WANG Xiaoming", "Xiaoming", False),  # the capitals say which is the family name
    ("王小明", "王", True), ("王小明", "小明", False),
])
def test_family_names_match_without_case_accents_or_spacing(name, given, expected):
    assert family_name_matches(name, given) is expected


def test_passport_numbers_are_normalised_and_checked():
    assert normalise_passport(" e12 345 634\n") == "E12345634"
    assert parse_passport("c01x00t47") == "C01X00T47"
    for bad in ("", "E12", "E1234-5634", "x" * 21):
        with pytest.raises(InvalidPassport):
            parse_passport(bad)


def test_passport_input_is_the_whole_number_or_exactly_four_characters():
    assert parse_passport_input(" 0t 47 ") == "0T47"
    assert parse_passport_input("e12345634") == "E12345634"
    for bad in ("", "T47", "E1-34", "x" * 21):
        with pytest.raises(InvalidPassport, match="last four"):
            parse_passport_input(bad)


@pytest.mark.parametrize("code", ["91110108551385082Q", "91330100716105852F", "91440300708461136T",
                                  " 91110302ma01abcdea "])
def test_real_credit_codes_are_accepted(code):
    assert parse_credit_code(code) == code.strip().upper()


@pytest.mark.parametrize("code, words", [
    ("9111010855138508", "18 characters, not 16"),
    ("91110108551385082O", "other than I, O, S, V and Z"),
    ("9111A108551385082Q", "administrative division"),
    ("91110108551385082R", "check character"),
    ("", "not 0"),
])
def test_malformed_credit_codes_say_why(code, words):
    with pytest.raises(InvalidCreditCode, match=words):
        parse_credit_code(code)


@given(st.text("123456789", min_size=2, max_size=2), st.text("0123456789", min_size=6, max_size=6),
       st.text(CREDIT_CODE_ALPHABET, min_size=9, max_size=9), st.integers(0, 16), st.data())
def test_one_wrong_character_is_always_caught(head, region, org, position, data):
    first17 = head + region + org
    code = first17 + credit_code_check_char(first17)
    assert parse_credit_code(code) == code
    replacement = data.draw(st.sampled_from([c for c in CREDIT_CODE_ALPHABET if c != code[position]]))
    typo = code[:position] + replacement + code[position + 1:]
    with pytest.raises(InvalidCreditCode):
        parse_credit_code(typo)


@pytest.mark.parametrize("name, short", [
    ("Lena Hoffmann", "L. Hoffmann"),
    ("  lena   Hoffmann ", "L. Hoffmann"),
    ("Anna Maria Schmidt", "A. Schmidt"),
    ("Hoffmann, Lena", "L. Hoffmann"),
    ("LENA HOFFMANN", "L. Hoffmann"),
    ("WANG Xiaoming", "X. Wang"),  # passport style: the surname in capitals
    ("Xiaoming WANG", "X. Wang"),
    ("Xiaoming Wang", "X. Wang"),
    ("Ludwig van Beethoven", "L. van Beethoven"),
    ("Jean-Pierre Dupont", "J. Dupont"),
    ("Madonna", "Madonna"),  # one name: it is the surname
    ("MADONNA", "Madonna"),
    ("王小明", "王**"),
    ("王明", "王*"),
    ("欧阳娜娜", "欧阳**"),
    ("山田 太郎", "山田**"),
    ("김민수", "김**"),
    ("约翰·史密斯", "约·史密斯"),
    ("", ""),
])
def test_names_are_shortened_to_initial_and_surname(name, short):
    assert abbreviate_name(name) == short


@given(st.text(min_size=1, max_size=60))
def test_shortening_never_fails_and_never_grows_much(name):
    short = abbreviate_name(name)
    assert len(short) <= len(" ".join(name.split())) + 2
