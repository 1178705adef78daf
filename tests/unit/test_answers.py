"""Answers are specific, sourced, dated, and say what is uncertain."""
import re

import pytest

from bot.domain.answers import answer, describe_material, hotlines
from bot.domain.topics import Topic
from bot.domain.wording import format_date

SOURCE_LINE = re.compile(r"^Sources?: https?://\S+.*\(last reviewed \d{1,2} \w+ \d{4}\)$")


def _last_line(text):
    return text.strip().splitlines()[-1]


@pytest.mark.parametrize("topic", [t for t in Topic if t not in (Topic.APOSTILLE,)])
def test_every_topic_ends_with_source_and_review_date(kb, topic):
    for service_id in kb.services:
        text = answer(kb, topic, service_id).text
        assert SOURCE_LINE.match(_last_line(text)), (topic, service_id, _last_line(text))


def test_residence_permit_fees_are_stated_exactly(kb):
    text = answer(kb, Topic.FEES, "residence_permit").text
    for amount in ("400", "800", "1,000"):
        assert amount in text
    assert "https://german.beijing.gov.cn" in text or "https://korean.beijing.gov.cn" in text


def test_unconfirmed_fee_is_not_invented(kb):
    text = answer(kb, Topic.FEES, "work_permit").text.lower()
    assert "not confirmed" in text or "confirm" in text
    assert "cny" not in text.split("sources")[0] or "not confirmed" in text


def test_etown_processing_time_is_three_working_days(kb):
    text = answer(kb, Topic.PROCESSING_TIME, "work_permit").text
    assert "E-Town" in text and re.search(r"\b(3|three) working days", text)


def test_joint_application_time_is_marked_uncertain(kb):
    text = answer(kb, Topic.PROCESSING_TIME, "joint_application").text
    assert "not confirmed" in text
    assert "7" in text


def test_assumed_service_is_said_and_alternatives_offered(kb):
    result = answer(kb, Topic.FEES, "residence_permit", assumed=True)
    assert "You didn't say which permit" in result.text
    assert result.buttons and all(b.payload.startswith("/inform") for b in result.buttons)
    assert "residence_permit" not in " ".join(b.payload for b in result.buttons)


def test_known_service_offers_other_topics(kb):
    result = answer(kb, Topic.FEES, "residence_permit")
    assert [b.payload for b in result.buttons] == ["/ask_materials", "/ask_processing_time", "/ask_where"]


def test_materials_list_is_numbered_with_format_rules(kb):
    text = answer(kb, Topic.MATERIALS, "work_permit_notification").text
    assert re.search(r"^1\. ", text, re.M) and re.search(r"^5\. ", text, re.M)
    assert "apostille" in text.lower()
    assert "40" in text and "120 KB" in text.replace("–", "-").replace("kb", "KB")  # the photo specification


def test_material_conditions_are_explained(kb):
    service = kb.service("work_permit_notification")
    abroad = next(m for m in service.materials if m.conditions.issued == "abroad")
    assert "only if: document issued abroad" in describe_material(abroad, 1)


def test_where_lists_halls_with_unpublished_fields_said_so(kb):
    text = answer(kb, Topic.WHERE, "joint_application").text
    assert "Tongzhou" in text and "address not published" in text
    assert "joint-application window" in text


def test_hall_answer(kb):
    hall = next(h for h in kb.halls.values() if "andingmen" in (h.address or "").lower())
    text = answer(kb, Topic.WHERE, None, hall_id=hall.id).text
    assert "Andingmen" in text and "9:00" in text


def test_eligibility_for_work_permit_explains_categories(kb):
    text = answer(kb, Topic.ELIGIBILITY, "work_permit").text
    for word in ("Category A", "Category B", "Category C", "85"):
        assert word in text


def test_beijing_work_residence_permit_says_what_is_uncertain(kb):
    text = answer(kb, Topic.OVERVIEW, "beijing_work_residence_permit").text
    assert "not confirmed" in text or "Note:" in text


def test_hotlines(kb):
    text = hotlines(kb).text
    assert "12367" in text and "12345" in text and SOURCE_LINE.match(_last_line(text))


def test_format_date():
    import datetime as dt

    assert format_date(dt.date(2026, 11, 2)) == "2 November 2026"
