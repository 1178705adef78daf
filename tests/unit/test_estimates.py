"""Date estimates: conclusion dates, deadlines from an event, extension windows; and the answers built from them."""
import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import estimates as rules
from bot.domain.estimate_questions import classify_estimate_question, detect_event, prefers_past
from bot.domain.estimates import conclusion_date, event_deadlines, extension_window
from bot.domain.workdays import is_covered, is_working_day
from bot.services.estimate_answers import closed_summary
from bot.services.estimates import estimate

D = dt.date
TODAY = D(2026, 11, 22)
SOURCE_LINE = re.compile(r"^Sources?: https?://\S+.*\(last reviewed \d{1,2} \w+ \d{4}\)$")
needs_2027_uncovered = pytest.mark.skipif(is_covered(2027), reason="chinese_calendar now publishes 2027")


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


# -- which estimate is asked for ----------------------------------------------------------

@pytest.mark.parametrize("text, kind", [
    ("if E-Town accepts my application on 30/9 when will it be concluded?", "conclusion"),
    ("I submitted on Monday, when is it ready?", "conclusion"),
    ("if I apply on 3 December, when will I get the result?", "conclusion"),
    ("if I apply for the renewal on 3 Dec when will it be ready", "conclusion"),
    ("application accepted yesterday, when can I collect the permit?", "conclusion"),
    ("I entered China on 5 November, what is my deadline?", "entry_deadline"),
    ("I arrived yesterday, by when must I apply?", "entry_deadline"),
    ("landed on 30/9, deadline for the residence permit?", "entry_deadline"),
    ("my contract ended on 20 November, when must the permit be cancelled?", "entry_deadline"),
    ("my passport number changed on 3 December, how long do I have to report it?", "entry_deadline"),
    ("My work permit expires on 15 March 2027, when should I extend it?", "extension_window"),
    ("expiry date 1 March, when to renew?", "extension_window"),
    ("when can I renew my residence permit", "extension_window"),
    ("my residence permit is valid until 1 June 2027", "extension_window"),
    ("what documents do I need?", None),
    ("hello", None),
    ("", None),
])
def test_classify_estimate_question(text, kind):
    assert classify_estimate_question(text) == kind


@pytest.mark.parametrize("text, event", [
    ("I entered China on 5 November", "entry"),
    ("I arrived in Beijing yesterday", "entry"),
    ("my contract ended last week", "contract_end"),
    ("I resigned on 3 May", "contract_end"),
    ("my job title changed", "change"),
    ("what is the deadline", None),
])
def test_detect_event(text, event):
    assert detect_event(text) == event


@pytest.mark.parametrize("kind, text, past", [
    ("entry_deadline", "I entered China on 5 November", True),
    ("entry_deadline", "I will enter China on 5 December", False),
    ("entry_deadline", "when I arrive on 5 December", False),
    ("conclusion", "my application was accepted on 18 November, when ready?", True),
    ("conclusion", "if E-Town accepts my application on 30/9 when will it be concluded?", False),
    ("conclusion", "if it is accepted on 30/9 when will it be done?", False),
    ("extension_window", "my permit expired on 1 March", True),
    ("entry_deadline", "my job title changed on 3 November, deadline to report?", True),
    ("entry_deadline", "my contract ended on 20 November", True),
    ("entry_deadline", "my contract ends on 20 December", False),
    ("extension_window", "my permit expires on 1 March", False),
])
def test_prefers_past_follows_the_tense_of_the_dates_verb(kind, text, past):
    assert prefers_past(kind, text) is past


# -- 1. conclusion ------------------------------------------------------------------------

def test_etown_work_permit_over_national_day_2026(kb):
    c = conclusion_date(kb.service("work_permit"), D(2026, 9, 30), TODAY.replace(month=9, day=1))
    assert (c.earliest, c.latest) == (D(2026, 10, 8), D(2026, 10, 10))
    assert c.is_range
    assert "Beijing E-Town" in c.rule.text and "3 working days" in c.rule.text
    assert c.counting == rules.WORKING_COUNT and "not counted" in c.counting
    assert D(2026, 10, 10) in c.adjusted  # adjusted Saturday counts
    assert [d for d, _ in c.closed] == [D(2026, 10, d) for d in range(1, 8)]
    assert c.caveats == ()


def test_etown_work_permit_over_spring_festival_2026(kb):
    c = conclusion_date(kb.service("work_permit"), D(2026, 2, 13), D(2026, 2, 1))
    assert (c.earliest, c.latest) == (D(2026, 2, 14), D(2026, 2, 25))


def test_standard_figure_is_used_without_an_etown_one(kb):
    c = conclusion_date(kb.service("residence_permit"), D(2026, 11, 23), TODAY)
    assert (c.earliest, c.latest) == (D(2026, 12, 2), D(2026, 12, 7))
    assert c.rule.text.startswith("standard processing: up to 10 working days")
    assert c.rule.uncertain  # the sources disagree (7 or 10): said, not hidden


def test_asking_about_etown_without_an_etown_figure_says_so(kb):
    c = conclusion_date(kb.service("residence_permit"), D(2026, 11, 23), TODAY, etown_asked=True)
    assert any("no separate Beijing E-Town processing time" in note for note in c.caveats)


def test_acceptance_on_a_closed_day_counts_from_the_next_working_day(kb):
    c = conclusion_date(kb.service("work_permit"), D(2026, 10, 1), D(2026, 9, 1))
    assert c.counted_from == D(2026, 10, 8)
    assert c.latest == D(2026, 10, 12)  # 9, 10 (adjusted Saturday), 12
    assert any("not a working day" in note and "National Day" in note for note in c.caveats)


def test_past_acceptance_is_computed_and_flagged(kb):
    c = conclusion_date(kb.service("work_permit"), D(2026, 9, 30), TODAY)
    assert c.latest == D(2026, 10, 10)
    assert any("already in the past" in note for note in c.caveats)
    assert any("was due by" in note for note in c.caveats)


@needs_2027_uncovered
def test_conclusion_in_an_uncovered_year_reports_the_caveat(kb):
    c = conclusion_date(kb.service("work_permit"), D(2027, 9, 30), TODAY)
    # 1-3 October are fixed; 4-5 October are the provisional days off for 2-3 October on the weekend.
    assert (c.earliest, c.latest) == (D(2027, 10, 6), D(2027, 10, 8))
    assert dict(c.closed)[D(2027, 10, 4)] == "National Day holiday, provisional"
    assert any("2027" in note and "not been published" in note and "provisional" in note
               and "Spring Festival 5–10 February" in note for note in c.caveats)


@needs_2027_uncovered
def test_conclusion_across_spring_festival_2027_skips_the_provisional_holiday(kb):
    c = conclusion_date(kb.service("work_permit"), D(2027, 2, 4), TODAY)
    assert (c.earliest, c.latest) == (D(2027, 2, 11), D(2027, 2, 15))  # 5-10 February closed, then 11, 12, 15
    assert all(reason == "Spring Festival holiday, provisional"
               for day, reason in c.closed if D(2027, 2, 5) <= day <= D(2027, 2, 10))
    assert any("provisional" in note for note in c.caveats)


def test_no_published_processing_time_gives_none(kb):
    assert conclusion_date(kb.service("health_check"), D(2026, 12, 1), TODAY) is None


# -- 2. deadlines counted from an event ---------------------------------------------------

def test_residence_permit_within_30_calendar_days_of_entry(kb):
    [d] = event_deadlines(kb.service("residence_permit"), D(2026, 11, 5), TODAY, "entry")
    assert d.last_day == D(2026, 12, 5)
    assert d.closed_reason == "Saturday" and d.apply_by == D(2026, 12, 4)
    assert not d.passed
    assert d.rule.text == "deadline: 30 calendar days after entry into China"
    assert "calendar days" in d.counting and "every day counts" in d.counting


def test_deadline_on_a_public_holiday_suggests_the_working_day_before(kb):
    [d] = event_deadlines(kb.service("residence_permit"), D(2026, 9, 1), TODAY, "entry")
    assert d.last_day == D(2026, 10, 1)
    assert d.closed_reason == "National Day holiday" and d.apply_by == D(2026, 9, 30)
    assert d.passed


def test_work_permit_change_and_cancellation_within_10_days(kb):
    [change] = event_deadlines(kb.service("work_permit_change"), D(2026, 12, 3), TODAY, "change")
    assert change.last_day == D(2026, 12, 13) and change.apply_by == D(2026, 12, 11)
    [cancel] = event_deadlines(kb.service("work_permit_cancellation"), D(2026, 11, 20), TODAY, "contract_end")
    assert cancel.last_day == D(2026, 11, 30) and cancel.closed_reason is None


def test_arrival_and_entry_are_the_same_event(kb):
    [d] = event_deadlines(kb.service("accommodation_registration"), TODAY, TODAY, "entry")
    assert d.last_day == D(2026, 11, 23)


def test_deadlines_from_another_event_are_left_out(kb):
    assert event_deadlines(kb.service("residence_permit"), TODAY, TODAY, "contract_end") == []
    everything = event_deadlines(kb.service("work_permit"), TODAY, TODAY)
    assert {d.event for d in everything} == {"entry", "contract_end"}


def test_uncertain_deadline_keeps_its_caveat(kb):
    [old] = event_deadlines(kb.service("work_permit"), TODAY, TODAY, "entry")
    assert old.rule.uncertain and "replaced" in old.rule.uncertain


@needs_2027_uncovered
def test_deadline_in_an_uncovered_year(kb):
    [d] = event_deadlines(kb.service("residence_permit"), D(2027, 9, 1), TODAY, "entry")
    assert d.last_day == D(2027, 10, 1) and d.closed_reason == "National Day holiday"
    assert d.apply_by == D(2027, 9, 30)
    assert any("2027" in note for note in d.caveats)


# -- 3. extension / renewal windows -------------------------------------------------------

def test_work_permit_extension_window_30_to_90_days_before_expiry(kb):
    w = extension_window(kb.service("work_permit_extension"), D(2027, 3, 15), TODAY)
    assert w.first_day == D(2026, 12, 15) and w.opens_on == D(2026, 12, 15)
    assert w.last_day == D(2027, 2, 13)
    assert w.last_closed_reason == "Saturday" and w.apply_by == D(2027, 2, 12)
    assert w.status == "not_open_yet"
    assert w.counting == rules.CALENDAR_BEFORE
    if not is_covered(2027):
        assert any("2027" in note for note in w.caveats)


def test_last_day_on_national_day_moves_to_the_working_day_before(kb):
    w = extension_window(kb.service("work_permit_extension"), D(2026, 11, 1), D(2026, 9, 1))
    assert w.first_day == D(2026, 8, 3)
    assert w.last_day == D(2026, 10, 2) and w.last_closed_reason == "National Day holiday"
    assert w.apply_by == D(2026, 9, 30)
    assert w.status == "open"
    assert w.caveats == ()


def test_first_day_on_a_weekend_opens_on_the_next_working_day(kb):
    w = extension_window(kb.service("work_permit_extension"), D(2026, 12, 20), D(2026, 9, 1))
    assert w.first_day == D(2026, 9, 21)  # Monday
    w = extension_window(kb.service("work_permit_extension"), D(2026, 12, 19), D(2026, 9, 1))
    assert w.first_day == D(2026, 9, 20)  # Sunday, but an adjusted working day
    assert w.opens_on == D(2026, 9, 20)
    w = extension_window(kb.service("work_permit_extension"), D(2026, 12, 18), D(2026, 9, 1))
    assert w.first_day == D(2026, 9, 19) and w.opens_on == D(2026, 9, 20)


def test_residence_permit_renewal_at_least_30_days_before_expiry(kb):
    w = extension_window(kb.service("residence_permit_renewal"), D(2027, 3, 1), TODAY)
    assert w.first_day is None and w.last_day == D(2027, 1, 30)
    assert w.apply_by == D(2027, 1, 29)
    assert w.status == "open"


@pytest.mark.parametrize("expiry, status", [
    (D(2026, 11, 1), "expired"),
    (D(2026, 12, 1), "missed"),
    (D(2027, 1, 31), "open"),
    (D(2027, 6, 1), "not_open_yet"),
])
def test_window_status(kb, expiry, status):
    assert extension_window(kb.service("work_permit_extension"), expiry, TODAY).status == status


def test_no_window_without_day_counts(kb):
    assert extension_window(kb.service("residence_permit"), D(2027, 3, 1), TODAY) is None
    assert extension_window(kb.service("permanent_residence"), D(2027, 3, 1), TODAY) is None


# -- properties of the rules --------------------------------------------------------------

days_2025_2026 = st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 12, 31))


@settings(max_examples=80, deadline=None)
@given(days_2025_2026)
def test_conclusion_is_always_on_working_days_after_acceptance(kb, day):
    c = conclusion_date(kb.service("work_permit"), day, TODAY)
    assert day < c.earliest <= c.latest
    assert is_working_day(c.earliest) and is_working_day(c.latest)


@settings(max_examples=80, deadline=None)
@given(days_2025_2026)
def test_apply_by_is_a_working_day_no_later_than_the_last_day(kb, day):
    w = extension_window(kb.service("work_permit_extension"), day, TODAY)
    assert w.apply_by <= w.last_day and is_working_day(w.apply_by)
    assert w.first_day < w.last_day < day


# -- the answers --------------------------------------------------------------------------

def test_answer_to_the_etown_question(kb):
    text = estimate(kb, "if E-Town accepts my application on 30/9 when will it be concluded?", D(2026, 9, 1),
                    None).text
    assert "8 October 2026" in text and "10 October 2026" in text
    assert "Beijing E-Town: conclusion within 3 working days" in text
    assert "day of acceptance is not counted" in text
    assert "National Day holiday" in text and "adjusted working day" in text
    assert "assumed the Foreigner's Work Permit" in text
    assert SOURCE_LINE.match(last_line(text))


@needs_2027_uncovered
def test_answer_reports_the_uncovered_year(kb):
    answer = estimate(kb, "if E-Town accepts my application on 30/9 when will it be concluded?", TODAY, None)
    assert "30 September 2027" in answer.text and "assumed the year" in answer.text
    assert "schedule for 2027 has not been published yet" in answer.text
    assert "provisional holiday dates" in answer.text
    assert answer.service_id == "work_permit" and answer.topic == "processing_time"


def test_question_without_a_date_states_the_rule_and_gives_an_example(kb):
    text = estimate(kb, "when will my work permit be concluded?", TODAY, "work_permit").text
    assert "3 working days" in text and "weekends and public holidays skipped" in text
    assert "Tell me the date the application is (or was) accepted" in text and "e.g." in text
    assert SOURCE_LINE.match(last_line(text))


def test_impossible_date_is_said_politely_with_the_rule(kb):
    text = estimate(kb, "if they accept it on 31 February when will it be done?", TODAY, "work_permit").text
    assert "Sorry" in text and "31 February does not exist" in text
    assert "3 working days" in text and "e.g." in text


def test_past_acceptance_is_answered_and_questioned(kb):
    text = estimate(kb, "my application was accepted on 30 September 2026, when will it be done?", TODAY,
                    "work_permit").text
    assert "10 October 2026" in text and "already in the past" in text


def test_service_without_processing_time_says_so(kb):
    text = estimate(kb, "if accepted tomorrow, when is it ready?", TODAY, "health_check").text
    assert "publish no processing time" in text
    assert SOURCE_LINE.match(last_line(text))


def test_entry_deadline_answer(kb):
    answer = estimate(kb, "I entered China on 5 November, what is my deadline?", TODAY, None)
    text = answer.text
    assert answer.service_id == "residence_permit" and "assumed" in text
    assert "5 November 2026" in text and "5 December 2026" in text
    assert "Saturday" in text and "4 December 2026" in text
    assert "30 calendar days after entry" in text and "every day counts" in text
    assert SOURCE_LINE.match(last_line(text))


def test_entry_deadline_for_a_service_without_one_falls_back(kb):
    answer = estimate(kb, "I arrived on 10 November, what's my deadline?", TODAY, "work_permit_notification")
    assert answer.service_id == "residence_permit"
    assert "no deadline for the" in answer.text and "10 December 2026" in answer.text


def test_passed_deadline_is_said_politely(kb):
    text = estimate(kb, "I entered on 1 September, deadline?", TODAY, "residence_permit").text
    assert "1 October 2026" in text and "30 September 2026" in text
    assert "already passed" in text and "12367" in text


def test_contract_end_uses_the_cancellation_rule(kb):
    answer = estimate(kb, "my contract ended on 20 November, when must the work permit be cancelled?", TODAY, None)
    assert answer.service_id == "work_permit_cancellation"
    assert "30 November 2026" in answer.text


def test_entry_question_without_a_date_asks_for_it_and_states_the_rule(kb):
    text = estimate(kb, "what is my deadline after entering China?", TODAY, None).text
    assert "within 30 days of entering China" in text and "e.g." in text


def test_work_permit_extension_answer(kb):
    answer = estimate(kb, "My work permit expires on 15 March 2027, when should I extend it?", TODAY, None)
    text = answer.text
    assert answer.service_id == "work_permit_extension" and "assumed" not in text
    assert "15 December 2026" in text and "13 February 2027" in text and "12 February 2027" in text
    assert "hall is closed that day" in text and "can't apply yet" in text
    assert SOURCE_LINE.match(last_line(text))


def test_renewal_defaults_to_the_residence_permit(kb):
    answer = estimate(kb, "my permit expires on 1 March 2027, when should I renew?", TODAY, None)
    assert answer.service_id == "residence_permit_renewal" and "assumed" in answer.text
    assert "30 January 2027" in answer.text and "29 January 2027" in answer.text
    assert "no earliest date" in answer.text


def test_named_permit_is_mapped_to_its_extension_service(kb):
    answer = estimate(kb, "it expires on 15 March 2027", TODAY, "work_permit", kind="extension_window")
    assert answer.service_id == "work_permit_extension"


def test_expired_permit_is_questioned_politely(kb):
    text = estimate(kb, "my residence permit expired on 1 March 2026, can I renew?", TODAY, None).text
    assert "already in the past" in text and "12367" in text


def test_a_permit_named_in_the_text_wins_over_a_stale_conversation_service(kb):
    answer = estimate(kb, "my residence permit expires on 1 March 2027, when to renew?", TODAY, "work_permit")
    assert answer.service_id == "residence_permit_renewal" and "assumed" not in answer.text
    answer = estimate(kb, "if accepted on 3 December when is it ready?", TODAY, "joint_application")
    assert answer.service_id == "joint_application"


def test_kind_parameter_wins_over_wording(kb):
    answer = estimate(kb, "15 March 2027", TODAY, "work_permit_extension", kind="extension_window")
    assert "13 February 2027" in answer.text


def test_unclear_question_lists_what_can_be_estimated(kb):
    answer = estimate(kb, "hello there", TODAY, None)
    assert "three kinds of dates" in answer.text and answer.text.count("e.g.") == 3
    assert SOURCE_LINE.match(last_line(answer.text))


def test_unknown_service_id_is_treated_as_none(kb):
    answer = estimate(kb, "if accepted on 3 December when is it ready", TODAY, "no_such_service")
    assert answer.service_id == "work_permit" and "assumed" in answer.text


def test_relative_dates_follow_the_given_today(kb):
    first = estimate(kb, "if E-Town accepts it tomorrow, when will it be done?", D(2026, 9, 29), "work_permit")
    second = estimate(kb, "if E-Town accepts it tomorrow, when will it be done?", D(2026, 11, 23), "work_permit")
    assert "10 October 2026" in first.text
    assert "27 November 2026" in second.text


QUESTIONS = [
    "if E-Town accepts my application on 30/9 when will it be concluded?",
    "when will it be ready if accepted on 2026-12-30?",
    "I entered China on 5 November, what is my deadline?",
    "My permit expires on 15 March 2027, when should I extend it?",
    "my permit expires 2026-13-01",
    "when will it be concluded?",
    "I arrived next week",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_answer_ends_with_source_and_review_date(kb, question):
    for service_id in [None, *kb.services]:
        text = estimate(kb, question, TODAY, service_id).text
        assert SOURCE_LINE.match(last_line(text)), (question, service_id, last_line(text))


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=80), st.sampled_from([None, "conclusion", "entry_deadline", "extension_window", "bogus"]))
def test_any_input_gives_an_answer(kb, text, kind):
    answer = estimate(kb, text, TODAY, None, kind)
    assert answer.text and SOURCE_LINE.match(last_line(answer.text))


def test_closed_summary_groups_runs():
    closed = [(D(2026, 10, d), "National Day holiday") for d in range(1, 8)] + [(D(2026, 10, 11), "Sunday")]
    assert closed_summary(closed) == "1–7 October 2026 (National Day holiday); 11 October 2026 (Sunday)"
    weekend = [(D(2026, 11, 28), "Saturday"), (D(2026, 11, 29), "Sunday")]
    assert closed_summary(weekend) == "28–29 November 2026 (weekend)"
