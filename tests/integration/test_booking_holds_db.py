"""Booking holds in real databases (SQLite and PostgreSQL): the place is taken until the code confirms
it or the hold ends, the code is stored only as a hash, and open bookings are limited."""
import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.models import Booking as BookingRow
from bot.db.models import BookingHold, SlotCounter
from bot.domain.booking_holds.rules import (
    HoldAbandoned, HoldExpired, HoldPolicy, NoHold, TooManyOpenBookings, WrongHoldCode,
)
from bot.domain.verification import CaseHasher
from bot.kb.booking import load_booking_config
from bot.services import booking_changes, bookings
from bot.services.booking_holds import holds
from bot.services.bookings import BookingNotFound, BookingRequest, DuplicateBooking, SlotFull
from tests.conftest import KB_DIR

SECRET = b"test-key-for-booking-holds-01234"
HASHER = CaseHasher(SECRET)
POLICY = HoldPolicy(minutes=15, max_failures=5, max_open=2)
NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.timezone.utc)  # 10:00 in Beijing, Sunday
MONDAY = dt.date(2026, 11, 23)
HALL = "shijingshan_branch_exit_entry"
T9, T930, T10 = dt.time(9, 0), dt.time(9, 30), dt.time(10, 0)
ANNA = BookingRequest("residence_permit", HALL, MONDAY, T9, "Anna Müller", "E12345634", "anna@example.com",
                      "138 1234 5678")


@pytest.fixture(scope="module")
def config(kb):
    return load_booking_config(KB_DIR, kb)


def hold(uow_factory, config, request=ANNA, conversation="conv-anna", now=NOW, client="203.0.113.7", policy=POLICY):
    return holds.place_hold(uow_factory(), config, request, now, HASHER, SECRET, policy, conversation, client)


def confirm(uow_factory, code, conversation="conv-anna", now=NOW):
    return holds.confirm_hold(uow_factory(), SECRET, POLICY, conversation, code, now)


def taken(uow_factory, time=T9) -> int:
    with uow_factory() as uow:
        row = uow.session.get(SlotCounter, (HALL, MONDAY, time))
        return row.booked if row else 0


def rows(uow_factory, model):
    """Every stored row of ``model`` as a dict of its columns."""
    with uow_factory() as uow:
        return [{c.name: getattr(row, c.name) for c in model.__table__.columns}
                for row in uow.session.execute(select(model)).scalars()]


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_hold_takes_the_place_and_the_right_code_books_it(uow_factory, config):
    placed = hold(uow_factory, config)
    assert placed.booking.status == "held" and placed.expires_at == dt.datetime(2026, 11, 22, 2, 15)
    assert taken(uow_factory) == 1
    with pytest.raises(BookingNotFound):  # not a booking yet: no calendar link, no changes
        bookings.get_booking(uow_factory(), placed.booking.code)
    with pytest.raises(BookingNotFound):
        booking_changes.find_for_change(uow_factory(), placed.booking.code, ANNA.passport, NOW, HASHER, "conv-anna")
    booking = confirm(uow_factory, placed.code, now=NOW + dt.timedelta(minutes=14))
    assert booking.status == "booked" and booking.code == placed.booking.code
    assert bookings.get_booking(uow_factory(), booking.code).status == "booked"
    assert taken(uow_factory) == 1 and rows(uow_factory, BookingHold) == []
    with pytest.raises(NoHold):  # a code works once
        confirm(uow_factory, placed.code)


def test_the_code_is_stored_only_as_a_hash(uow_factory, config):
    placed = hold(uow_factory, config)
    [stored] = rows(uow_factory, BookingHold)
    assert placed.code not in stored["code_hash"] and len(stored["code_hash"]) == 64
    [booking] = rows(uow_factory, BookingRow)
    values = " ".join(str(v) for v in (*stored.values(), *booking.values()))
    assert placed.code not in values and "203.0.113.7" not in values and "conv-anna" not in values


def test_an_expired_hold_frees_the_place_for_others(uow_factory, config):
    capacity = config.hall(HALL).capacity
    for i in range(capacity):
        hold(uow_factory, config, dataclasses.replace(ANNA, passport=f"P{i:07d}", email=f"p{i}@example.com",
                                                      phone=f"+86 139 0000 000{i}"), f"conv-{i}", client=None)
    with pytest.raises(SlotFull):
        hold(uow_factory, config)
    later = NOW + dt.timedelta(minutes=15)
    assert T9 in bookings.availability(uow_factory(), config, "residence_permit", HALL, MONDAY, later).free_times
    assert taken(uow_factory) == 0 and rows(uow_factory, BookingRow) == []  # nothing of a hold is kept
    placed = hold(uow_factory, config, now=later)
    with pytest.raises(HoldExpired):  # the code is no good after its hold
        confirm(uow_factory, placed.code, now=later + dt.timedelta(minutes=15))
    assert taken(uow_factory) == 0


def test_five_wrong_codes_release_the_hold(uow_factory, config):
    placed = hold(uow_factory, config)
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongHoldCode) as caught:
            confirm(uow_factory, wrong(placed.code))
        assert caught.value.left == left
    assert taken(uow_factory) == 1
    with pytest.raises(HoldAbandoned):
        confirm(uow_factory, wrong(placed.code))
    assert taken(uow_factory) == 0 and rows(uow_factory, BookingRow) == []
    with pytest.raises(NoHold):  # the right code comes too late
        confirm(uow_factory, placed.code)


def test_a_missing_code_counts_as_wrong(uow_factory, config):
    hold(uow_factory, config)
    with pytest.raises(WrongHoldCode):
        confirm(uow_factory, None)


def test_a_new_hold_in_the_conversation_releases_the_earlier_one(uow_factory, config):
    first = hold(uow_factory, config)
    second = hold(uow_factory, config, dataclasses.replace(ANNA, time=T930))  # same person, same day: allowed
    assert (taken(uow_factory, T9), taken(uow_factory, T930)) == (0, 1)
    with pytest.raises(WrongHoldCode):
        confirm(uow_factory, first.code if first.code != second.code else wrong(second.code))
    assert confirm(uow_factory, second.code).time == T930


def test_a_hold_counts_as_the_persons_booking_that_day(uow_factory, config):
    hold(uow_factory, config)
    with pytest.raises(DuplicateBooking):
        hold(uow_factory, config, dataclasses.replace(ANNA, time=T930, email="other@example.com"), "conv-other",
             client=None)


@pytest.mark.parametrize("kind", ["client", "email", "phone"])
def test_open_bookings_are_limited_per_client_email_and_phone(uow_factory, config, kind):
    def request(i):
        shared = {"email": {"email": "same@example.com"}, "phone": {"phone": "+86 139 5555 5555"}}.get(kind, {})
        return dataclasses.replace(ANNA, **{"passport": f"P{i:07d}", "time": [T9, T930, T10][i],
                                            "email": f"p{i}@example.com", "phone": f"+86 139 0000 000{i}", **shared})

    client = (lambda i: "198.51.100.1") if kind == "client" else (lambda i: f"198.51.100.{10 + i}")
    placed = hold(uow_factory, config, request(0), "conv-0", client=client(0))
    confirm(uow_factory, placed.code, "conv-0")  # a confirmed booking stays open until its day
    hold(uow_factory, config, request(1), "conv-1", client=client(1))
    with pytest.raises(TooManyOpenBookings) as caught:
        hold(uow_factory, config, request(2), "conv-2", client=client(2))
    assert (caught.value.kind, caught.value.limit) == (kind, 2)
    assert taken(uow_factory, T10) == 0
    # a hold that runs out no longer counts
    later = NOW + dt.timedelta(minutes=16)
    assert hold(uow_factory, config, request(2), "conv-2", now=later, client=client(2)).booking.status == "held"


def test_an_unknown_client_is_limited_by_its_contacts_only(uow_factory, config):
    for i, time in enumerate((T9, T930)):
        hold(uow_factory, config, dataclasses.replace(ANNA, passport=f"P{i:07d}", time=time,
                                                      email=f"p{i}@example.com", phone=f"+86 139 0000 000{i}"),
             f"conv-{i}", client=None)
    placed = hold(uow_factory, config, dataclasses.replace(ANNA, time=T10), "conv-2", client=None)
    assert placed.booking.status == "held"


def test_release_frees_the_place_at_once(uow_factory, config):
    hold(uow_factory, config)
    assert holds.release_hold(uow_factory(), SECRET, "conv-anna") is True
    assert taken(uow_factory) == 0 and holds.release_hold(uow_factory(), SECRET, "conv-anna") is False


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0010_keeps_bookings_and_drops_holds_on_the_way_down(request, settings, config, backend):
    from alembic import command

    from bot.db import migrate
    from bot.db.engine import make_engine, make_session_factory
    from bot.db.uow import UnitOfWork

    url = settings.resolved_database_url if backend == "sqlite" else request.getfixturevalue("postgres_url")
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = (lambda sessions: lambda: UnitOfWork(sessions))(make_session_factory(engine))
    try:
        booked = bookings.book(factory(), config, dataclasses.replace(ANNA, passport="P0000009", time=T930), NOW,
                               HASHER)
        hold(factory, config)
        assert taken(factory) == 1
        engine.dispose()
        command.downgrade(migrate.alembic_config(url), "0009")
        assert migrate.current(url) == "0009"
        with make_engine(url).connect() as conn:
            codes = [r[0] for r in conn.exec_driver_sql("SELECT code FROM bookings")]
            counters = dict(conn.exec_driver_sql("SELECT start_time, booked FROM slot_counters").all())
        assert codes == [booked.code]  # the confirmed booking stays, the hold goes with its place
        assert sorted(counters.values()) == [0, 1]
        migrate.upgrade(url)
        assert migrate.current(url) == "0010"
        assert hold(factory, config).booking.status == "held"
    finally:
        engine.dispose()


def test_concurrent_holds_for_one_e_mail_address_stop_at_the_limit(uow_factory, config):
    import threading

    times = [T9, T930, T10, dt.time(10, 30), dt.time(11, 0), dt.time(11, 30), dt.time(14, 0), dt.time(14, 30)]
    requests = [dataclasses.replace(ANNA, passport=f"P{i:07d}", time=t, phone=f"+86 139 0000 00{i:02d}")
                for i, t in enumerate(times)]  # one e-mail address, everything else different
    barrier = threading.Barrier(len(requests))
    outcomes, lock = [], threading.Lock()

    def run(i, request):
        barrier.wait()
        try:
            hold(uow_factory, config, request, f"conv-{i}", client=None)
            result = "held"
        except TooManyOpenBookings:
            result = "refused"
        except Exception as exc:  # noqa: BLE001 - any other failure is the test's finding
            result = repr(exc)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["held"] * POLICY.max_open + ["refused"] * (len(requests) - POLICY.max_open)
    assert len(rows(uow_factory, BookingRow)) == POLICY.max_open
