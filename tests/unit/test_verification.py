"""Lockout rules and keyed passport hashes (pure)."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.verification import (
    LOCK, MAX_FAILURES, WINDOW, CaseHasher, Lockout, VerificationLocked, check_lockout, combined_lockout, lockout,
)

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)
MIN = dt.timedelta(minutes=1)


def test_no_failures_leaves_five_attempts():
    assert lockout([], NOW) == Lockout(None, 5)


def test_four_failures_leave_one_attempt():
    assert lockout([NOW - i * MIN for i in range(4)], NOW) == Lockout(None, 1)


def test_the_fifth_failure_within_fifteen_minutes_locks_for_fifteen_minutes_from_it():
    failures = [NOW - 14 * MIN, NOW - 10 * MIN, NOW - 5 * MIN, NOW - 2 * MIN, NOW - 1 * MIN]
    assert lockout(failures, NOW) == Lockout(NOW - MIN + LOCK, 0)
    assert lockout(failures, NOW - MIN + LOCK - dt.timedelta(seconds=1)).locked
    assert not lockout(failures, NOW - MIN + LOCK).locked


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock():
    failures = [NOW - 16 * MIN, NOW - 12 * MIN, NOW - 8 * MIN, NOW - 4 * MIN, NOW - 1 * MIN]
    state = lockout(failures, NOW)
    assert not state.locked and state.attempts_left == 1


def test_after_a_lock_ends_there_are_five_fresh_attempts():
    failures = [NOW - 40 * MIN + i * MIN for i in range(5)]  # locked from -36 to -21 minutes
    assert lockout(failures, NOW) == Lockout(None, 5)
    later = failures + [NOW - 10 * MIN + i * MIN for i in range(4)]
    assert lockout(later, NOW) == Lockout(None, 1)


def test_failures_stored_during_a_lock_do_not_extend_it():
    failures = [NOW - 10 * MIN + i * dt.timedelta(seconds=10) for i in range(5)] + [NOW - 2 * MIN]
    assert lockout(failures, NOW).until == failures[4] + LOCK


def test_failures_in_the_future_or_long_ago_are_ignored():
    assert lockout([NOW + MIN] * 5 + [NOW - 3 * WINDOW] * 5, NOW) == Lockout(None, 5)


def test_combined_scopes_lock_until_the_last_lock_ends():
    a, b = Lockout(NOW + MIN, 0), Lockout(NOW + 5 * MIN, 0)
    assert combined_lockout(a, b) == Lockout(NOW + 5 * MIN, 0)
    assert combined_lockout(Lockout(None, 3), Lockout(None, 1)) == Lockout(None, 1)
    assert combined_lockout(Lockout(None, 3), a) == Lockout(NOW + MIN, 0)


def test_check_lockout_counts_a_key_and_a_conversation_together():
    assert check_lockout([NOW - MIN], [NOW - MIN, NOW - 2 * MIN], NOW) == Lockout(None, MAX_FAILURES - 2)
    five = [NOW - i * MIN for i in range(MAX_FAILURES)]
    for by_key, by_conversation in ((five, []), ([], five)):
        with pytest.raises(VerificationLocked) as locked:
            check_lockout(by_key, by_conversation, NOW)
        assert locked.value.until == five[0] + LOCK


@given(st.lists(st.integers(min_value=0, max_value=60 * 60), max_size=30))
def test_lock_rule_properties(seconds_ago):
    failures = [NOW - dt.timedelta(seconds=s) for s in seconds_ago]
    state = lockout(failures, NOW)
    assert 0 <= state.attempts_left <= MAX_FAILURES
    if state.locked:
        assert NOW < state.until <= NOW + LOCK and state.attempts_left == 0
    recent = [f for f in failures if f > NOW - WINDOW]
    if len(recent) < MAX_FAILURES and not state.locked:
        assert state.attempts_left >= MAX_FAILURES - len(recent)
    # Five failures in the last seconds always mean a lock, unless a lock was still running
    # then (failures during a lock are refused, never stored; the rule ignores such strays).
    if not state.locked and not lockout(failures, NOW - dt.timedelta(seconds=5)).locked:
        assert lockout(failures + [NOW - dt.timedelta(seconds=i) for i in range(5)], NOW).locked


@given(st.lists(st.integers(min_value=0, max_value=3 * 60 * 60), max_size=40))
def test_simulated_attacker_gets_at_most_five_tries_per_window_and_locks_last_fifteen_minutes(offsets):
    """Every attempt fails; attempts refused during a lock are not stored (as the service does)."""
    stored = []
    for t in sorted(NOW + dt.timedelta(seconds=s) for s in offsets):
        state = lockout(stored, t)
        if state.locked:
            # refused only because of a fifth failure less than LOCK ago
            assert any(t < f + LOCK and len([g for g in stored if f - WINDOW < g <= f]) >= MAX_FAILURES
                       for f in stored)
            continue
        stored.append(t)
        after = lockout(stored, t)
        in_window = [g for g in stored if g > t - WINDOW]
        if after.locked:
            assert after.until == t + LOCK
        else:
            assert after.attempts_left == MAX_FAILURES - len(in_window) > 0
    for f in stored:  # never more than five stored failures within any window
        assert len([g for g in stored if f - WINDOW < g <= f]) <= MAX_FAILURES


KEY = b"k" * 32


def test_hashes_are_keyed_and_separate_by_purpose():
    hasher, other = CaseHasher(KEY), CaseHasher(b"x" * 32)
    assert hasher.passport("E12345634") != other.passport("E12345634")
    assert hasher.passport("E12345634") != hasher.conversation("E12345634")
    assert len(hasher.passport("E12345634")) == 64
    assert hasher.last_four("EZ2026-0042", "5634") != hasher.last_four("EZ2026-0043", "5634")


def test_matching_accepts_the_whole_number_or_its_last_four():
    hasher = CaseHasher(KEY)
    whole, four = hasher.passport("E12345634"), hasher.last_four("EZ2026-0042", "5634")
    assert hasher.matches("EZ2026-0042", whole, four, "E12345634")
    assert hasher.matches("EZ2026-0042", whole, four, "5634")
    assert not hasher.matches("EZ2026-0042", whole, four, "634")
    assert not hasher.matches("EZ2026-0042", whole, four, "45634")
    assert not hasher.matches("EZ2026-0043", whole, four, "5634")
    assert not hasher.matches("EZ2026-0042", whole, four, "E12345635")


def test_short_keys_are_refused():
    with pytest.raises(ValueError):
        CaseHasher(b"short")


# -- guessing limits: back-off, the client address, staff unlocks --------------------------

def test_repeated_lockouts_back_off_15_minutes_1_hour_24_hours():
    from bot.domain.verification import BACKOFF

    failures, start = [], NOW
    for step in BACKOFF + (BACKOFF[-1],):  # the last step repeats
        burst = [start + i * MIN for i in range(5)]
        failures += burst
        state = lockout(failures, burst[-1], steps=BACKOFF, lookback=dt.timedelta(days=7))
        assert state.until == burst[-1] + step
        start = state.until
    assert sum(1 for t in failures if t < NOW + dt.timedelta(hours=24)) == 15


def test_the_back_off_is_forgotten_after_a_quiet_day():
    from bot.domain.verification import BACKOFF

    first = [NOW + i * MIN for i in range(5)]
    later = [NOW + dt.timedelta(hours=30) + i * MIN for i in range(5)]  # a day after the first lock ended
    state = lockout(first + later, later[-1], steps=BACKOFF, lookback=dt.timedelta(days=7))
    assert state.until == later[-1] + BACKOFF[0]


def test_a_staff_unlock_forgets_the_failures_before_it():
    failures = [NOW + i * MIN for i in range(5)]
    assert lockout(failures, NOW + 5 * MIN).locked
    assert lockout(failures, NOW + 5 * MIN, reset_at=NOW + 5 * MIN) == Lockout(None, 5)


def test_guessing_lockout_names_the_scope_and_limits_a_client_to_three():
    from bot.domain.verification import CLIENT, GuessingHistory, guessing_lockout

    three = [NOW + i * MIN for i in range(3)]
    assert guessing_lockout(GuessingHistory([], three), NOW + 3 * MIN).attempts_left == 2
    with pytest.raises(VerificationLocked) as locked:
        guessing_lockout(GuessingHistory([], three, three), NOW + 3 * MIN)
    assert locked.value.scope == CLIENT and locked.value.until == three[-1] + LOCK
    assert guessing_lockout(GuessingHistory([], [], None), NOW).attempts_left == 5  # no address: no client limit
