"""The pure rules of booking holds (bot.domain.booking_holds.rules)."""
import datetime as dt

import pytest

from bot.domain.booking_holds.rules import (
    HoldPolicy, TooManyOpenBookings, check_open_limits, client_address, client_key, code_matches, hash_hold_code,
    is_expired, new_hold_code, read_hold_code, tries_left,
)

SECRET = b"k" * 32
PLACED = dt.datetime(2026, 11, 22, 2, 0)


def test_a_hold_lasts_its_minutes_and_no_longer():
    policy = HoldPolicy(minutes=15)
    ends = policy.expires_at(PLACED)
    assert ends == dt.datetime(2026, 11, 22, 2, 15)
    assert not is_expired(ends, ends - dt.timedelta(seconds=1))
    assert is_expired(ends, ends) and is_expired(ends, ends + dt.timedelta(minutes=1))
    assert HoldPolicy(minutes=30).expires_at(PLACED) == dt.datetime(2026, 11, 22, 2, 30)


def test_codes_are_six_random_digits():
    codes = {new_hold_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 190  # drawn, not fixed


@pytest.mark.parametrize("typed, expected", [
    ("123456", "123456"), ("123 456", "123456"), ("code: 123-456", "123456"), ("１２３４５６", "123456"),
    ("12345", None), ("1234567", None), ("13812345678", None), ("", None), (None, None), ("abcdef", None),
])
def test_a_typed_code_is_read_from_its_six_digits(typed, expected):
    assert read_hold_code(typed) == expected


def test_the_stored_hash_fits_one_code_of_one_booking():
    stored = hash_hold_code(SECRET, "ABCD-EFGH", "123456")
    assert "123456" not in stored and len(stored) == 64
    assert code_matches(SECRET, "ABCD-EFGH", "123456", stored)
    assert not code_matches(SECRET, "ABCD-EFGH", "123457", stored)
    assert not code_matches(SECRET, "ABCD-EFGK", "123456", stored)  # another booking's hold
    assert not code_matches(b"x" * 32, "ABCD-EFGH", "123456", stored)  # another secret
    assert not code_matches(SECRET, "ABCD-EFGH", None, stored)


def test_five_wrong_codes_leave_no_try():
    policy = HoldPolicy(max_failures=5)
    assert [tries_left(n, policy) for n in range(7)] == [5, 4, 3, 2, 1, 0, 0]


def test_the_open_limit_names_what_reached_it():
    policy = HoldPolicy(max_open=2)
    check_open_limits({"client": 1, "email": 1, "phone": 1}, policy)
    check_open_limits({"email": 1, "phone": 0}, policy)  # unknown client: not limited
    for kind in ("client", "email", "phone"):
        with pytest.raises(TooManyOpenBookings) as caught:
            check_open_limits({"client": 0, "email": 0, "phone": 0, kind: 2}, policy)
        assert (caught.value.kind, caught.value.limit) == (kind, 2)
    check_open_limits({"email": 2}, HoldPolicy(max_open=3))


@pytest.mark.parametrize("value, expected", [
    ("203.0.113.7", "203.0.113.7"), (" 203.0.113.7 ", "203.0.113.7"), ("::ffff:203.0.113.7", "203.0.113.7"),
    ("2001:DB8::1", "2001:db8::1"), (None, None), ("", None), ("unknown", None), ("203.0.113.7, 10.0.0.1", None),
    (42, None), (["203.0.113.7"], None), ("1" * 100, None),
])
def test_the_client_address_is_read_defensively(value, expected):
    assert client_address(value) == expected


def test_the_client_address_is_kept_only_as_a_keyed_hash():
    key = client_key(SECRET, "203.0.113.7")
    assert key == client_key(SECRET, "203.0.113.7") and "203.0.113" not in key
    assert key != client_key(SECRET, "203.0.113.8") and key != client_key(b"x" * 32, "203.0.113.7")
    assert client_key(SECRET, None) is None
