"""Mainland China's working-day calendar: holidays, adjusted working days, years not yet published."""
import datetime as dt

import chinese_calendar
import pytest
from chinese_calendar import constants
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.workdays import (
    HOLIDAY_NAMES,
    add_working_days,
    closed_days,
    covered_range,
    is_covered,
    is_provisional,
    is_working_day,
    next_working_day,
    previous_working_day,
    provisional_holidays,
    reason_closed,
    rule_calendar,
    schedule_note,
    uncovered_years,
    working_days_between,
)

D = dt.date


def days(start: dt.date, end: dt.date):
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


needs_2027_uncovered = pytest.mark.skipif(is_covered(2027), reason="chinese_calendar now publishes 2027")


# -- the official schedule --------------------------------------------------------------

def test_spring_festival_2026_is_closed_from_15_to_23_february():
    for day in days(D(2026, 2, 15), D(2026, 2, 23)):
        assert not is_working_day(day), day
        assert reason_closed(day) == "Spring Festival holiday"


@pytest.mark.parametrize("day", [D(2026, 2, 14), D(2026, 2, 28)])
def test_spring_festival_2026_adjusted_saturdays_are_working_days(day):
    assert day.weekday() == 5
    assert is_working_day(day)
    assert reason_closed(day) is None


def test_national_day_2025_is_closed_from_1_to_8_october():
    for day in days(D(2025, 10, 1), D(2025, 10, 8)):
        assert not is_working_day(day), day
    assert reason_closed(D(2025, 10, 1)) == "National Day holiday"
    assert reason_closed(D(2025, 10, 6)) == "Mid-Autumn Festival holiday"  # Mid-Autumn fell inside the week
    assert is_working_day(D(2025, 10, 9))


@pytest.mark.parametrize("day", [D(2025, 9, 28), D(2025, 10, 11)])
def test_national_day_2025_adjusted_weekend_days_are_working_days(day):
    assert day.weekday() >= 5
    assert is_working_day(day)


def test_national_day_2026_is_closed_from_1_to_7_october():
    for day in days(D(2026, 10, 1), D(2026, 10, 7)):
        assert reason_closed(day) == "National Day holiday"
    assert is_working_day(D(2026, 10, 8))
    assert reason_closed(D(2026, 9, 25)) == "Mid-Autumn Festival holiday"


@pytest.mark.parametrize("day", [D(2026, 9, 20), D(2026, 10, 10)])
def test_national_day_2026_adjusted_weekend_days_are_working_days(day):
    assert day.weekday() >= 5
    assert is_working_day(day)


def test_new_year_2026_is_closed_1_to_3_january_and_sunday_4_january_works():
    for day in days(D(2026, 1, 1), D(2026, 1, 3)):
        assert reason_closed(day) == "New Year's Day holiday"
    assert D(2026, 1, 4).weekday() == 6
    assert is_working_day(D(2026, 1, 4))


def test_plain_weekends_name_the_day():
    assert reason_closed(D(2026, 11, 21)) == "Saturday"
    assert reason_closed(D(2026, 11, 22)) == "Sunday"
    assert reason_closed(D(2026, 11, 23)) is None


def test_holiday_names_are_english_for_every_published_holiday():
    for day in constants.holidays:
        if not chinese_calendar.is_workday(day):
            reason = reason_closed(day)
            assert reason and reason.endswith(("holiday", ")")) and reason.isascii(), (day, reason)


def test_datetime_is_accepted_like_a_date():
    assert is_working_day(dt.datetime(2026, 2, 14, 9, 30))
    assert add_working_days(dt.datetime(2026, 9, 30, 17, 0), 3) == D(2026, 10, 10)


# -- covered years ------------------------------------------------------------------------

def test_covered_range_is_read_from_the_library():
    first, last = covered_range()
    assert (first, last) == (min(constants.holidays).year, max(constants.holidays).year)
    assert is_covered(first) and is_covered(last)
    assert not is_covered(first - 1) and not is_covered(last + 1)


def test_2026_is_covered():
    assert is_covered(2026)


# -- years after the schedule: provisional holidays by rule ---------------------------------

def test_rule_calendar_computes_spring_festival_2027_from_5_to_10_february():
    closed, weekend_workdays = rule_calendar(2027)
    assert sorted(day for day in closed if day.month == 2) == days(D(2027, 2, 5), D(2027, 2, 10))
    assert {closed[day] for day in days(D(2027, 2, 5), D(2027, 2, 10))} == {"Spring Festival holiday"}
    assert not weekend_workdays  # no notice, no adjusted working days


@needs_2027_uncovered
def test_spring_festival_2027_is_closed_provisionally_from_eve_to_the_days_off_for_its_weekend():
    assert not is_covered(2027)
    # Eve Friday 5 February, festival days 6-8 (Saturday to Monday), and Tuesday 9 / Wednesday 10
    # off for the two that fall on the weekend.
    for day in days(D(2027, 2, 5), D(2027, 2, 10)):
        assert not is_working_day(day), day
        assert reason_closed(day) == "Spring Festival holiday, provisional"
        assert is_provisional(day)
    assert is_working_day(D(2027, 2, 4)) and is_working_day(D(2027, 2, 11))
    assert add_working_days(D(2027, 2, 4), 1) == D(2027, 2, 11)
    assert working_days_between(D(2027, 2, 1), D(2027, 2, 12)) == 5  # 2, 3, 4, 11 and 12


@needs_2027_uncovered
@pytest.mark.parametrize("day, reason", [
    (D(2027, 4, 5), "Qingming Festival (Tomb-sweeping Day) holiday, provisional"),
    (D(2027, 5, 3), "Labour Day holiday, provisional"),  # 1-2 May fall on the weekend
    (D(2027, 5, 4), "Labour Day holiday, provisional"),
    (D(2027, 6, 9), "Dragon Boat Festival holiday, provisional"),
    (D(2027, 9, 15), "Mid-Autumn Festival holiday, provisional"),
    (D(2027, 10, 4), "National Day holiday, provisional"),  # 2-3 October fall on the weekend
    (D(2027, 10, 5), "National Day holiday, provisional"),
])
def test_the_other_2027_holidays_by_rule_are_provisional(day, reason):
    assert day.weekday() < 5
    assert not is_working_day(day)
    assert reason_closed(day) == reason


@needs_2027_uncovered
def test_2027_fixed_date_holidays_are_certain():
    assert reason_closed(D(2027, 1, 1)) == "New Year's Day holiday"
    assert reason_closed(D(2027, 5, 1)) == "Labour Day holiday"
    assert reason_closed(D(2027, 5, 2)) == "Labour Day holiday"
    for day in days(D(2027, 10, 1), D(2027, 10, 3)):
        assert reason_closed(day) == "National Day holiday"
        assert not is_provisional(day)
    assert is_working_day(D(2027, 10, 6))


@needs_2027_uncovered
def test_no_2027_weekend_day_is_assumed_to_be_a_working_day():
    weekend = [day for day in days(D(2027, 1, 1), D(2027, 12, 31)) if day.weekday() >= 5]
    assert not any(is_working_day(day) for day in weekend)
    assert reason_closed(D(2027, 3, 6)) == "Saturday"


@needs_2027_uncovered
def test_provisional_holidays_2027_are_runs_of_days():
    runs = {words: (first, last) for words, first, last in provisional_holidays(2027)}
    assert runs["Spring Festival holiday"] == (D(2027, 2, 5), D(2027, 2, 10))
    assert runs["Labour Day holiday"] == (D(2027, 5, 1), D(2027, 5, 4))
    assert runs["National Day holiday"] == (D(2027, 10, 1), D(2027, 10, 5))


@needs_2027_uncovered
def test_schedule_note_2027_gives_the_provisional_dates_and_what_is_unknown():
    note = schedule_note([2027])
    assert note.startswith("The official holiday schedule for 2027 has not been published yet.")
    assert "provisional" in note and "statutory rules" in note
    for dates in ("Spring Festival 5–10 February", "Qingming Festival 5 April", "Labour Day 1–4 May",
                  "Dragon Boat Festival 9 June", "Mid-Autumn Festival 15 September", "National Day 1–5 October"):
        assert dates in note
    assert "weekend days that will become working days are not known" in note
    assert "only the fixed-date" not in note.lower()


def test_schedule_note_is_silent_for_published_years():
    first, last = covered_range()
    assert schedule_note([first, last]) is None
    assert schedule_note([]) is None


def test_schedule_note_names_every_year_after_the_schedule():
    _, last = covered_range()
    note = schedule_note([last + 2, last, last + 1])
    assert f"for {last + 1} and {last + 2} have not been published" in note
    assert f"{last + 1}: New Year's Day 1" in note and f"{last + 2}: New Year's Day 1" in note


def test_every_rule_holiday_name_reads_as_english_words():
    _, last = covered_range()
    for year in range(last + 1, last + 8):
        for day, words in rule_calendar(year)[0].items():
            assert words.isascii() and words.endswith("holiday"), (day, words)
            reason = reason_closed(day)
            assert reason.startswith(words) and reason.endswith(("holiday", ", provisional")), (day, reason)


@needs_2027_uncovered
def test_uncovered_years_lists_the_years_callers_must_warn_about():
    assert uncovered_years(D(2026, 12, 1), D(2027, 1, 10)) == [2027]
    assert uncovered_years(D(2027, 1, 10), D(2026, 12, 1)) == [2027]
    assert uncovered_years(D(2026, 1, 1), D(2026, 12, 31)) == []
    assert uncovered_years(D(2026, 6, 1), D(2028, 6, 1)) == [2027, 2028]


@needs_2027_uncovered
def test_counting_across_new_year_into_an_uncovered_year():
    assert add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_years_before_the_schedule_use_the_rules_and_are_not_called_provisional():
    first, _ = covered_range()
    assert not is_working_day(D(first - 1, 10, 1))
    assert reason_closed(D(first - 1, 10, 1)) == "National Day holiday"
    assert not is_provisional(D(first - 1, 10, 1))
    assert schedule_note([first - 1]).startswith(f"For {first - 1} I count the holidays by the general rules")


# -- counting -----------------------------------------------------------------------------

@pytest.mark.parametrize("start, n, expected", [
    (D(2026, 9, 30), 1, D(2026, 10, 8)),
    (D(2026, 9, 30), 3, D(2026, 10, 10)),  # Saturday 10 October is an adjusted working day
    (D(2026, 2, 13), 1, D(2026, 2, 14)),
    (D(2026, 2, 13), 2, D(2026, 2, 24)),
    (D(2026, 2, 13), 3, D(2026, 2, 25)),
    (D(2025, 9, 26), 1, D(2025, 9, 28)),
    (D(2025, 9, 30), 3, D(2025, 10, 11)),
    (D(2025, 12, 31), 1, D(2026, 1, 4)),
    (D(2026, 11, 20), 1, D(2026, 11, 23)),
    (D(2026, 11, 23), 5, D(2026, 11, 30)),
])
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n) == expected


@pytest.mark.parametrize("start, expected", [
    (D(2026, 11, 23), D(2026, 11, 23)),  # a working day is day 0 itself
    (D(2026, 11, 21), D(2026, 11, 23)),
    (D(2026, 10, 1), D(2026, 10, 8)),
])
def test_zero_working_days_is_the_day_itself_or_the_next_working_day(start, expected):
    assert add_working_days(start, 0) == expected


def test_negative_counts_go_back():
    assert add_working_days(D(2026, 10, 8), -1) == D(2026, 9, 30)
    assert add_working_days(D(2026, 1, 5), -1) == D(2026, 1, 4)


def test_working_days_between():
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == -3
    assert working_days_between(D(2026, 9, 30), D(2026, 9, 30)) == 0
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6  # 14, 24, 25, 26, 27, 28


def test_next_and_previous_working_day():
    assert next_working_day(D(2026, 9, 30)) == D(2026, 10, 8)
    assert previous_working_day(D(2026, 10, 8)) == D(2026, 9, 30)
    assert previous_working_day(D(2026, 1, 5)) == D(2026, 1, 4)
    assert next_working_day(D(2026, 2, 13)) == D(2026, 2, 14)


def test_closed_days_names_each_day():
    assert closed_days(D(2026, 9, 30), D(2026, 10, 11)) == [
        *[(day, "National Day holiday") for day in days(D(2026, 10, 1), D(2026, 10, 7))],
        (D(2026, 10, 11), "Sunday"),
    ]


# -- properties ---------------------------------------------------------------------------

any_day = st.dates(min_value=D(2019, 1, 1), max_value=D(2028, 12, 31))
working_day = any_day.map(lambda d: add_working_days(d, 0))
counts = st.integers(min_value=0, max_value=60)


@settings(max_examples=150, deadline=None)
@given(any_day, st.integers(min_value=1, max_value=60))
def test_result_is_a_working_day_after_start(day, n):
    result = add_working_days(day, n)
    assert is_working_day(result)
    assert result > day


@settings(max_examples=150, deadline=None)
@given(working_day, counts)
def test_between_undoes_add(day, n):
    assert working_days_between(day, add_working_days(day, n)) == n


@settings(max_examples=150, deadline=None)
@given(any_day, st.integers(min_value=1, max_value=60))
def test_between_undoes_add_from_any_day_for_positive_counts(day, n):
    assert working_days_between(day, add_working_days(day, n)) == n


@settings(max_examples=150, deadline=None)
@given(any_day, counts)
def test_monotonic_in_n(day, n):
    assert add_working_days(day, n) <= add_working_days(day, n + 1)
    if n >= 1:
        assert add_working_days(day, n) < add_working_days(day, n + 1)


@settings(max_examples=150, deadline=None)
@given(working_day, counts, counts)
def test_adding_in_two_steps_is_adding_once(day, a, b):
    assert add_working_days(day, a + b) == add_working_days(add_working_days(day, a), b)


@settings(max_examples=150, deadline=None)
@given(working_day, counts)
def test_counting_back_returns_to_start(day, n):
    assert add_working_days(add_working_days(day, n), -n) == day


@settings(max_examples=150, deadline=None)
@given(any_day, any_day)
def test_between_is_antisymmetric(a, b):
    assert working_days_between(a, b) == -working_days_between(b, a)


@settings(max_examples=200, deadline=None)
@given(any_day)
def test_neighbours_and_reasons_agree(day):
    assert next_working_day(day) == add_working_days(day, 1)
    before = previous_working_day(day)
    assert before < day and is_working_day(before)
    assert working_days_between(before, day) == (1 if is_working_day(day) else 0)
    assert (reason_closed(day) is None) == is_working_day(day)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=D(covered_range()[0], 1, 1), max_value=D(covered_range()[1], 12, 31)))
def test_covered_years_follow_the_library(day):
    assert is_working_day(day) == chinese_calendar.is_workday(day)
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    if on_holiday and name:
        assert reason_closed(day) == HOLIDAY_NAMES[name]
