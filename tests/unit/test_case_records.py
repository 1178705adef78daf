"""Checking one case record field by field, and its expected conclusion date (pure)."""
import datetime as dt

import pytest

from bot.domain.case_records import RecordInvalid, expected_conclusion, parse_record
from bot.domain.workdays import add_working_days
from tests.case_data import LENA

LATEST = dt.date(2026, 11, 23)
SERVICES = {"work_permit": "work_permit", "work permit": "work_permit"}
HALLS = {"etown_international_talent_service_office": "etown_international_talent_service_office"}


def parse(**changes):
    return parse_record({**LENA, **changes}, SERVICES.get, HALLS.get, LATEST)


def problems(**changes):
    with pytest.raises(RecordInvalid) as raised:
        parse(**changes)
    return dict(raised.value.problems)


def test_a_good_record_is_normalised():
    record = parse(case_number="ez 2026-0042", passport_number="c01x 00t47", status="Under review",
                   service="work permit", note="  ")
    assert record.case_number == "EZ2026-0042" and record.passport_number == "C01X00T47"
    assert record.status == "under_review" and record.service_id == "work_permit" and record.note is None
    assert record.submitted_on == dt.date(2026, 11, 13) and record.enterprise_credit_code == "91110302MA01ABCDEA"


def test_every_bad_field_is_reported_at_once():
    found = problems(case_number="42", service="moon visa", status="pending", submitted_on="13/11/2026",
                     updated_on="2026-02-30", passport_number="E1", hall="nowhere")
    assert set(found) == {"case_number", "service", "status", "submitted_on", "updated_on", "passport_number", "hall"}
    assert "YYYY-MM-DD" in found["submitted_on"] and "unknown service 'moon visa'" in found["service"]


def test_passports_and_names_are_never_repeated_in_messages():
    found = problems(passport_number="E1-secret", applicant_name="x" * 201)
    assert "E1-secret" not in " ".join(found.values()) and "xxxx" not in " ".join(found.values())


@pytest.mark.parametrize("changes, field, words", [
    ({"case_number": ""}, "case_number", "is empty"),
    ({"updated_on": "2026-11-01"}, "updated_on", "before submitted_on"),
    ({"submitted_on": "2026-12-01", "updated_on": "2026-12-01"}, "submitted_on", "in the future"),
    ({"enterprise_credit_code": ""}, "enterprise_credit_code", "together, or neither"),
    ({"enterprise_credit_code": "91110302MA01ABCDEB"}, "enterprise_credit_code", "check character"),
    ({"note": "n" * 2001}, "note", "longer than 2000"),
    ({"status": 3}, "status", "must be text"),
    ({"colour": "red"}, "colour", "unknown field"),
])
def test_single_problems(changes, field, words):
    assert words in problems(**changes)[field]


def test_missing_fields_are_named():
    with pytest.raises(RecordInvalid) as raised:
        parse_record({"case_number": "EZ2026-0042"}, SERVICES.get, HALLS.get, LATEST)
    assert dict(raised.value.problems)["applicant_name"] == "is missing"


def test_expected_conclusion_uses_the_etown_maximum_in_working_days(kb):
    day, rule = expected_conclusion(kb.service("work_permit"), dt.date(2026, 11, 13))
    assert day == add_working_days(dt.date(2026, 11, 13), 3) == dt.date(2026, 11, 18)
    assert rule.startswith("Beijing E-Town: conclusion within 3 working days")


def test_expected_conclusion_falls_back_to_the_standard_figure(kb):
    day, rule = expected_conclusion(kb.service("residence_permit"), dt.date(2026, 11, 16))
    assert day == add_working_days(dt.date(2026, 11, 16), 10) and rule.startswith("standard processing: up to 10")


def test_a_submission_on_a_closed_day_counts_from_the_next_working_day(kb):
    saturday = dt.date(2026, 11, 21)
    day, _ = expected_conclusion(kb.service("work_permit"), saturday)
    assert day == add_working_days(dt.date(2026, 11, 23), 3) == dt.date(2026, 11, 26)


def test_no_date_without_a_published_time(kb):
    without = [s for s in kb.services.values()
               if not s.processing_time.etown_working_days and not s.processing_time.standard_working_days]
    assert without, "the knowledge base has a service without processing time"
    assert expected_conclusion(without[0], dt.date(2026, 11, 16)) is None
