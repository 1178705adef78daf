"""Reading user dates: day first, relative phrases, impossible and past dates, dates inside sentences."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.dates import ParsedDate, describe, find_date_in_text, find_dates_in_text, parse_user_date

D = dt.date
TODAY = D(2026, 11, 22)  # a Sunday


@pytest.mark.parametrize("text, expected", [
    ("next Tuesday", D(2026, 11, 24)),
    ("tomorrow", D(2026, 11, 23)),
    ("today", D(2026, 11, 22)),
    ("30/9", D(2027, 9, 30)),  # day first; the next 30 September
    ("30 September 2026", D(2026, 9, 30)),
    ("2026-09-30", D(2026, 9, 30)),
    ("2026/9/30", D(2026, 9, 30)),
    ("Sept 30th", D(2027, 9, 30)),
    ("September 30, 2027", D(2027, 9, 30)),
    ("the 1st of October 2027", D(2027, 10, 1)),
    ("in 3 weeks", D(2026, 12, 13)),
    ("in two weeks", D(2026, 12, 6)),
    ("a week from now", D(2026, 11, 29)),
    ("the day after tomorrow", D(2026, 11, 24)),
    ("30.9.2026", D(2026, 9, 30)),
    ("30/09/26", D(2026, 9, 30)),
    ("3/12", D(2026, 12, 3)),
    ("29/2", D(2028, 2, 29)),  # the next 29 February that exists
    ("this Sunday", D(2026, 11, 22)),
    ("Sunday", D(2026, 11, 29)),
    ("Monday 7 December", D(2026, 12, 7)),
    ("Dec 25", D(2026, 12, 25)),
])
def test_understood_dates(text, expected):
    parsed = parse_user_date(text, TODAY)
    assert parsed.ok, parsed
    assert parsed.day == expected
    assert parsed.problem is None


@pytest.mark.parametrize("text, expected", [
    ("30/9", D(2026, 9, 30)),
    ("Sept 30th", D(2026, 9, 30)),
    ("Sunday", D(2026, 11, 15)),
    ("29/2", D(2024, 2, 29)),
    ("1 December", D(2025, 12, 1)),
])
def test_preferring_the_past_picks_the_latest_earlier_date(text, expected):
    assert parse_user_date(text, TODAY, prefer="past").day == expected


def test_a_missing_year_is_reported():
    assert parse_user_date("30/9", TODAY).year_assumed
    assert not parse_user_date("30/9/2027", TODAY).year_assumed
    assert "year assumed" in describe(parse_user_date("30/9", TODAY))


@pytest.mark.parametrize("text, expected", [
    ("yesterday", D(2026, 11, 21)),
    ("3 days ago", D(2026, 11, 19)),
    ("last Friday", D(2026, 11, 20)),
    ("30 September 2026", D(2026, 9, 30)),
    ("2026-01-05", D(2026, 1, 5)),
])
def test_past_dates_are_classified(text, expected):
    parsed = parse_user_date(text, TODAY)
    assert parsed.day == expected and parsed.in_past


def test_today_and_later_are_not_past():
    assert not parse_user_date("today", TODAY).in_past
    assert not parse_user_date("tomorrow", TODAY).in_past


@pytest.mark.parametrize("text, words", [
    ("31 February", "31 February does not exist"),
    ("30/2", "30 February does not exist"),
    ("31/2/2027", "31 February does not exist"),
    ("2026-13-01", "no month 13"),
    ("2026-02-30", "30 February does not exist"),
    ("29 February 2027", "2027 is not a leap year"),
    ("31 April", "April has 30 days"),
    ("32/1", "32 January does not exist"),
    ("0/5", "0 May does not exist"),
    ("13/13/2026", "no month 13"),
])
def test_impossible_dates_are_recognised_not_moved(text, words):
    parsed = parse_user_date(text, TODAY)
    assert parsed.status == "impossible"
    assert parsed.day is None
    assert words in parsed.problem


def test_month_first_dates_get_a_hint_instead_of_a_silent_swap():
    parsed = parse_user_date("9/30", TODAY)
    assert parsed.status == "impossible"
    assert "30 September" in parsed.problem and "day first" in parsed.problem


def test_a_weekday_that_contradicts_the_date_is_questioned():
    parsed = parse_user_date("Tuesday 7 December 2026", TODAY)
    assert parsed.status == "conflict" and parsed.day is None
    assert "Monday" in parsed.problem


@pytest.mark.parametrize("text", ["in March", "March 2027", "next week", "by December"])
def test_a_month_or_week_without_a_day_asks_which_day(text):
    parsed = parse_user_date(text, TODAY)
    assert parsed.status == "no_day" and parsed.day is None
    assert "which day" in parsed.problem


@pytest.mark.parametrize("text", ["hello", "", "12", "may", "on", "the permit", "24/7"])
def test_noise_is_not_a_date(text):
    parsed = parse_user_date(text, TODAY)
    assert parsed.status == "not_a_date" and parsed.day is None and parsed.problem


def test_relative_dates_use_the_given_today_not_the_clock():
    assert parse_user_date("tomorrow", D(2030, 1, 1)).day == D(2030, 1, 2)
    assert parse_user_date("in 3 weeks", D(2020, 2, 20)).day == D(2020, 3, 12)
    assert parse_user_date("30/9", D(2030, 1, 1)).day == D(2030, 9, 30)


# -- dates inside sentences ---------------------------------------------------------------

@pytest.mark.parametrize("message, expected", [
    ("if E-Town accepts my application on 30/9 when will it be concluded?", D(2027, 9, 30)),
    ("may I know when it will be ready if they accept it next Tuesday", D(2026, 11, 24)),
    ("I have 2 kids and may apply on 3 December", D(2026, 12, 3)),
    ("I landed on Sept 30th, by when must I apply?", D(2027, 9, 30)),
    ("at 10.30 on 3/12", D(2026, 12, 3)),
    ("hotline 24/7, apply on 3 Dec", D(2026, 12, 3)),
    ("My work permit expires on 15 March 2027, when should I extend it?", D(2027, 3, 15)),
    ("I submit on 2026-12-30, when is it done?", D(2026, 12, 30)),
    ("if I apply in 3 weeks' time when is it ready", D(2026, 12, 13)),
    ("I arrived 3 days ago, what's my deadline", D(2026, 11, 19)),
    ("when will it be done if accepted on Monday 7 December", D(2026, 12, 7)),
    ("My permit expires 1 March. When can I renew?", D(2027, 3, 1)),
])
def test_finds_the_date_in_a_sentence(message, expected):
    found = find_date_in_text(message, TODAY)
    assert found is not None and found.ok, found
    assert found.day == expected
    assert message[found.start:found.end].strip() == found.text


@pytest.mark.parametrize("message", [
    "I apply within 30 days of entering",
    "it takes 5-7 working days",
    "the hotline is open 24/7",
    "may I ask how long it takes?",
    "I have 2 children and 1 dog",
    "what documents do I need for the work permit",
    "apply on the website",
])
def test_sentences_without_a_date(message):
    assert find_date_in_text(message, TODAY) is None


def test_impossible_date_inside_a_sentence_is_reported():
    found = find_date_in_text("if they accept my application on 31 February when will it be done", TODAY)
    assert found is not None and found.status == "impossible"
    assert "31 February does not exist" in found.problem


def test_several_dates_come_in_order():
    found = find_dates_in_text("I entered on 1 November 2026 and will apply on 3 December 2026", TODAY)
    assert [p.day for p in found] == [D(2026, 11, 1), D(2026, 12, 3)]
    assert found[0].start < found[1].start


def test_past_preference_inside_a_sentence():
    found = find_date_in_text("I entered China on 5 November", TODAY, prefer="past")
    assert found.day == D(2026, 11, 5) and found.in_past


# -- robustness ---------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_a_result_and_never_raises(text):
    parsed = parse_user_date(text, TODAY)
    assert isinstance(parsed, ParsedDate)
    assert (parsed.day is not None) == parsed.ok
    assert parsed.ok or parsed.problem


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31)))
def test_every_real_date_round_trips(day):
    for text in (f"{day.day}/{day.month}/{day.year}", day.isoformat(), f"{day.day} {day:%B %Y}",
                 f"{day:%b} {day.day}, {day.year}"):
        assert parse_user_date(text, TODAY).day == day, text


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 40), st.integers(1, 14), st.integers(2000, 2099))
def test_numbers_that_are_not_a_date_are_never_moved(d, m, y):
    try:
        real = D(y, m, d)
    except ValueError:
        real = None
    parsed = parse_user_date(f"{d}/{m}/{y}", TODAY)
    assert parsed.day == real
    assert parsed.ok == (real is not None)
