"""Reading times and codes from messages, and masking personal details (bot.domain.booking_chat)."""
import datetime as dt

import pytest

from bot.domain import booking_chat as chat


@pytest.mark.parametrize("text, expected", [
    ("10:30", "10:30"), ("at 10.30 please", "10:30"), ("2pm", "14:00"), ("2:30 p.m.", "14:30"),
    ("12am", "00:00"), ("14h", "14:00"), ("14h30", "14:30"), ("10 o'clock", "10:00"), ("around noon", "12:00"),
    ("tomorrow afternoon", "afternoon"), ("Monday morning", "morning"), ("the earliest you have", "earliest"),
    ("as soon as possible", "earliest"), ("25:00", None), ("13pm", None), ("I am free on Monday", None),
    ("3 December", None), ("at 9", None),
])
def test_read_time(text, expected):
    assert chat.read_time(text) == expected


@pytest.mark.parametrize("text, expected", [("9", "09:00"), ("at 10", "10:00"), ("2", "14:00"), ("16", "16:00"),
                                            ("30", None)])
def test_a_bare_hour_is_read_only_as_an_answer_to_the_time_question(text, expected):
    assert chat.read_time(text, bare_hour=True) == expected
    assert chat.read_time(text) is None


def test_pick_time_by_part_of_the_day():
    free = [dt.time(9, 0), dt.time(11, 30), dt.time(13, 30), dt.time(16, 0)]
    assert chat.pick_time("morning", free) == dt.time(9, 0)
    assert chat.pick_time("afternoon", free) == dt.time(13, 30)
    assert chat.pick_time("earliest", free[1:]) == dt.time(11, 30)
    assert chat.pick_time("afternoon", free[:2]) is None


@pytest.mark.parametrize("text, expected", [
    ("move my appointment K7MQ-2XHT to Friday", "K7MQ-2XHT"), ("cancel k7mq2xht", "K7MQ-2XHT"),
    ("code K7MQ 2XHT", "K7MQ-2XHT"), ("ABCD-EFGH", "ABCD-EFGH"), ("on 3 December", None), ("next week", None),
    ("K0MQ-2XHT", None), ("K7MQ-2XHTX", None),
])
def test_find_code(text, expected):
    assert chat.find_code(text) == expected


def test_codes_hold_no_time():
    assert chat.read_time(chat.without_codes("move K2H3-4ABC to the morning")) == "morning"
    assert chat.without_codes("3 December") == "3 December"


def test_masks_show_only_enough_to_recognise():
    assert chat.mask_name("Lena Hoffmann") == "L. H."
    assert chat.mask_name("anna-lena  van der Berg") == "A. L. V. D. B."
    assert chat.mask_name("王小明") == "王••"
    assert chat.mask_email("lena.hoffmann@example.com") == "l•••@example.com"
    assert chat.mask_phone("+8613800138000") == "+86•••••8000"
    assert chat.mask_phone("+49301234567") == "+49•••••4567"


@pytest.mark.parametrize("kind, text, expected", [
    ("name", "my name is Lena Hoffmann", "Lena Hoffmann"), ("name", "I'm Lena Hoffmann", "Lena Hoffmann"),
    ("name", "Lena Hoffmann", "Lena Hoffmann"), ("passport", "my passport number is E1234 5634", "E1234 5634"),
    ("passport", "Passport: E12345634.", "E12345634"), ("email", "it is <lena@example.com>.", "lena@example.com"),
    ("email", "lena@example.com", "lena@example.com"), ("phone", "my mobile is 138 0013 8000", "138 0013 8000"),
])
def test_answer_part_drops_the_lead_in(kind, text, expected):
    assert chat.answer_part(kind, text) == expected


def test_looks_like_name():
    assert chat.looks_like_name("Lena Hoffmann") and chat.looks_like_name("王小明")
    assert not chat.looks_like_name("help") and not chat.looks_like_name("What Is The Fee?")
    assert not chat.looks_like_name("how long does it take")


def test_why_a_time_is_not_offered():
    hours, lunch = (dt.time(9), dt.time(17, 30)), [(dt.time(12), dt.time(13, 30))]
    assert "lunch break (12:00-13:30)" in chat.why_not_offered(dt.time(12, 30), hours, lunch, 30, False)
    assert "outside the opening hours (09:00-17:30)" in chat.why_not_offered(dt.time(8), hours, lunch, 30, False)
    assert "every 30 minutes" in chat.why_not_offered(dt.time(10, 15), hours, lunch, 30, False)
    assert "already passed today" in chat.why_not_offered(dt.time(9), hours, lunch, 30, True)


def test_closed_day_wording():
    day = dt.date(2026, 10, 1)
    assert chat.closed_text("holiday", "National Day holiday", day, "The hall") == (
        "The hall is closed on Thursday 1 October 2026: it is a public holiday (National Day holiday).")
    assert chat.nearest_days_text(None, dt.date(2026, 10, 8)) == (
        "The nearest days you can book there: Thursday 8 October 2026.")
