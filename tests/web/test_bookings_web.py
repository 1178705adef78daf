"""GET /bookings/{code}.ics through the real app: a valid calendar file in Beijing time, 404 otherwise."""
import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from fastapi.testclient import TestClient

from bot.db.engine import session_factory_for
from bot.db.repositories.bookings import BookingRepository
from bot.db.uow import UnitOfWork
from bot.domain.verification import CaseHasher
from bot.kb.booking import load_booking_config
from bot.services import booking_changes, bookings
from bot.services.bookings import BookingRequest
from bot.web.app import create_app
from tests.conftest import KB_DIR

HASHER = CaseHasher(b"test-key-for-bookings-0123456789")
NOW = dt.datetime(2026, 11, 22, 10, 0)
MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def client(loaded):
    with TestClient(create_app(loaded)) as test_client:
        yield test_client


@pytest.fixture
def config(kb):
    return load_booking_config(KB_DIR, kb)


@pytest.fixture
def uow_factory(loaded):
    factory = session_factory_for(loaded.resolved_database_url)
    return lambda: UnitOfWork(factory)


@pytest.fixture
def book(uow_factory, config):
    def _book(hall_id="shijingshan_branch_exit_entry", time=dt.time(13, 30)):
        request = BookingRequest("residence_permit", hall_id, MONDAY, time, "Anna Müller", "E12345634",
                                 "anna@example.com", "13812345678")
        return bookings.book(uow_factory(), config, request, NOW, HASHER)
    return _book


def event_of(response) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    return events[0]


def test_calendar_file_of_a_booking(client, book, kb):
    booking = book()
    response = client.get(f"/bookings/{booking.code}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    assert booking.code in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    event = event_of(response)
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    beijing = ZoneInfo("Asia/Shanghai")
    assert start == dt.datetime(2026, 11, 23, 13, 30, tzinfo=beijing) and end - start == dt.timedelta(minutes=30)
    assert str(start.tzinfo) == "Asia/Shanghai" and event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert start.astimezone(dt.timezone.utc).hour == 5
    assert str(event["UID"]).startswith(booking.code)
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 0
    hall = kb.halls["shijingshan_branch_exit_entry"]
    assert str(event["LOCATION"]) == f"{hall.name}, address not published"
    assert kb.service("residence_permit").names.en in str(event["SUMMARY"])
    description = str(event["DESCRIPTION"])
    assert f"Confirmation code: {booking.code}" in description and "- Passport" in description
    assert "Anna" not in response.text and "12345634" not in response.text  # no personal data in the file


def test_location_has_the_address_where_published(client, book, kb):
    booking = book(hall_id="psb_exit_entry_reception_hall", time=dt.time(9, 0))
    event = event_of(client.get(f"/bookings/{booking.code}.ics"))
    hall = kb.halls["psb_exit_entry_reception_hall"]
    assert str(event["LOCATION"]) == f"{hall.name}, {hall.address}"


def test_rescheduled_and_cancelled_bookings_update_the_same_event(client, book, uow_factory, config):
    booking = book()
    moved = booking_changes.reschedule(uow_factory(), config, booking.code, "5634 Müller", MONDAY, dt.time(14, 0),
                                       NOW, HASHER)
    event = event_of(client.get(f"/bookings/{moved.code}.ics"))
    assert event.decoded("DTSTART").time() == dt.time(14, 0) and int(event["SEQUENCE"]) == 1
    booking_changes.cancel(uow_factory(), booking.code, "5634 Müller", NOW, HASHER)
    event = event_of(client.get(f"/bookings/{booking.code}.ics"))
    assert str(event["STATUS"]) == "CANCELLED" and str(event["UID"]).startswith(booking.code)


def test_codes_are_read_in_any_case(client, book):
    booking = book()
    assert client.get(f"/bookings/{booking.code.lower()}.ics").status_code == 200


def test_unknown_code_is_404(client):
    response = client.get("/bookings/ZZZZ-ZZZZ.ics")
    assert response.status_code == 404 and "Booking not found" in response.text


@pytest.mark.parametrize("code", ["OOOO-0000", "x" * 300, "<script>alert(1)<%2Fscript>", "ABCD-EFGH-JKMN"])
def test_malformed_codes_are_404_without_a_query(client, monkeypatch, code):
    def no_query(*args, **kwargs):
        raise AssertionError("queried the database for a malformed code")

    monkeypatch.setattr(BookingRepository, "by_code", no_query)
    response = client.get(f"/bookings/{code}.ics")
    assert response.status_code == 404 and "<script>" not in response.text
