"""policies_kb/booking.yml loads when valid; each kind of broken file gives its own clear error."""
import datetime as dt

import pytest

from bot.kb.booking import load_booking_config
from bot.kb.errors import PolicyFileInvalid
from bot.services import knowledge
from tests.conftest import KB_DIR

AIRPORTS = {"capital_airport_port_visa", "daxing_airport_port_visa"}


def _error(kb_dir, kb) -> PolicyFileInvalid:
    with pytest.raises(PolicyFileInvalid) as info:
        load_booking_config(kb_dir, kb)
    assert info.value.file == "booking.yml"
    return info.value


def _edit(kb_dir, old, new, count=1):
    path = kb_dir / "booking.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_the_real_booking_file_is_valid_and_the_knowledge_base_still_checks(kb):
    config = load_booking_config(KB_DIR, kb)
    assert knowledge.check(KB_DIR).checksum == kb.checksum  # booking.yml is not a stray file to the KB loader
    hall_ids = {h.id for h in config.halls}
    assert not hall_ids & AIRPORTS and "ithcc_haidian_outpatient" not in hall_ids
    assert set(config.services()) == {"residence_permit", "residence_permit_renewal", "residence_permit_change",
                                      "joint_application"}
    assert {h.id for h in config.halls_for("joint_application")} == {
        h.id for h in kb.halls_for("joint_application")}


def test_hours_follow_what_is_published(kb):
    config = load_booking_config(KB_DIR, kb)
    for hall in config.halls:
        published = kb.halls[hall.id].hours
        assert hall.hours_published == (published is not None), hall.id
        if published is None:  # configured Monday to Friday 9:00-17:00
            assert hall.hours.open_days() == ["monday", "tuesday", "wednesday", "thursday", "friday"]
            assert str(hall.hours.monday) == "09:00-17:00"
        elif "Monday to Saturday" in published:
            assert hall.hours.saturday is not None and hall.hours.sunday is None
    shijingshan = config.hall("shijingshan_branch_exit_entry")
    assert [str(b) for b in shijingshan.breaks] == ["12:00-13:30"]
    assert shijingshan.hours.friday.end == dt.time(17, 30)


def test_missing_file(kb_copy, kb):
    (kb_copy / "booking.yml").unlink()
    assert str(_error(kb_copy, kb)) == "booking.yml: file is missing"


def test_invalid_yaml_names_the_line(kb_copy, kb):
    _edit(kb_copy, "booking_window_days: 60", "booking_window_days: [60")
    assert "line" in _error(kb_copy, kb).problem


def test_unknown_hall(kb_copy, kb):
    _edit(kb_copy, "- id: shunyi_branch_exit_entry", "- id: moonbase_hall")
    err = _error(kb_copy, kb)
    assert (err.entry, err.field) == ("moonbase_hall", "id") and "unknown hall id 'moonbase_hall'" in err.problem


def test_unknown_service(kb_copy, kb):
    _edit(kb_copy, "services: [joint_application]", "services: [joint_aplication]")
    err = _error(kb_copy, kb)
    assert (err.entry, err.field) == ("cbd_international_talent_one_stop_center", "services")
    assert "unknown service id 'joint_aplication'" in err.problem


def test_service_the_hall_does_not_handle(kb_copy, kb):
    _edit(kb_copy, "services: [joint_application]", "services: [joint_application, residence_permit]")
    err = _error(kb_copy, kb)
    assert err.entry == "cbd_international_talent_one_stop_center"
    assert "does not handle 'residence_permit'" in err.problem


def test_published_hours_cannot_be_claimed_where_none_are(kb_copy, kb):
    _edit(kb_copy, "    hours_published: false\n    hours: &mon_fri", "    hours_published: true\n    hours: &mon_fri")
    err = _error(kb_copy, kb)
    assert (err.entry, err.field) == ("tongzhou_branch_foreigners_hall", "hours_published")


def test_badly_written_hours_name_the_hall_and_the_day(kb_copy, kb):
    _edit(kb_copy, 'monday: "09:00-17:30"', 'monday: "9am to 5.30pm"')
    err = _error(kb_copy, kb)
    assert (err.entry, err.field) == ("shijingshan_branch_exit_entry", "halls[6].hours.monday")
    assert 'must look like "09:00-17:00"' in err.problem


def test_hours_that_end_before_they_start(kb_copy, kb):
    _edit(kb_copy, 'tuesday: "09:00-17:30"', 'tuesday: "17:30-09:00"')
    err = _error(kb_copy, kb)
    assert err.field == "halls[6].hours.tuesday" and "end must be after the start" in err.problem


def test_impossible_time(kb_copy, kb):
    _edit(kb_copy, 'tuesday: "09:00-17:30"', 'tuesday: "09:00-25:00"')
    assert "not a time of day" in _error(kb_copy, kb).problem


def test_break_outside_the_opening_hours(kb_copy, kb):
    _edit(kb_copy, 'breaks: ["12:00-13:30"]', 'breaks: ["18:00-19:00"]')
    err = _error(kb_copy, kb)
    assert err.entry == "shijingshan_branch_exit_entry" and "outside the opening hours" in err.problem


def test_overlapping_breaks(kb_copy, kb):
    _edit(kb_copy, 'breaks: ["12:00-13:30"]', 'breaks: ["12:00-13:30", "13:00-14:00"]')
    err = _error(kb_copy, kb)
    assert err.field == "halls[6].breaks" and "overlap" in err.problem


def test_slot_longer_than_the_opening_hours(kb_copy, kb):
    _edit(kb_copy, "slot_minutes: 30\n    capacity: 2", "slot_minutes: 240\n    capacity: 2")
    _edit(kb_copy, "hours: *mon_fri\n    opens_on_adjusted_working_days: true\n",
          'hours: {monday: "09:00-11:00"}\n    opens_on_adjusted_working_days: true\n', count=-1)
    err = _error(kb_copy, kb)
    assert "leaves no slot of 240 minutes" in err.problem


def test_capacity_must_be_positive(kb_copy, kb):
    _edit(kb_copy, "capacity: 2", "capacity: 0")
    err = _error(kb_copy, kb)
    assert (err.entry, err.field) == ("cbd_international_talent_one_stop_center", "halls[9].capacity")


def test_hall_listed_twice(kb_copy, kb):
    _edit(kb_copy, "- id: shunyi_branch_exit_entry", "- id: chaoyang_branch_exit_entry")
    assert "hall 'chaoyang_branch_exit_entry' appears twice" in _error(kb_copy, kb).problem


def test_misspelt_field(kb_copy, kb):
    _edit(kb_copy, "capacity: 2", "capacty: 2")
    err = _error(kb_copy, kb)
    assert (err.entry, err.field) == ("cbd_international_talent_one_stop_center", "halls[9].capacity")
    assert "field required (and 1 more problem(s) in this file)" in err.problem  # the other: capacty


def test_unknown_weekday(kb_copy, kb):
    _edit(kb_copy, 'saturday: "09:00-17:30"', 'saturdy: "09:00-17:30"')
    err = _error(kb_copy, kb)
    assert err.field == "halls[6].hours.saturdy"


def test_a_hall_that_never_opens(kb_copy, kb):
    _edit(kb_copy, "    hours: *mon_fri\n    opens_on_adjusted_working_days: true\n",
          "    hours: {}\n    opens_on_adjusted_working_days: false\n", count=-1)
    assert "at least one weekday" in _error(kb_copy, kb).problem


def test_duplicate_key(kb_copy, kb):
    _edit(kb_copy, "capacity: 2", "capacity: 2\n    capacity: 3")
    assert "duplicate key 'capacity'" in _error(kb_copy, kb).problem
