"""Identity checks on cases: keyed hashes of passport numbers and the lockout rules. Pure.

Lockout: a failure starts a lock when, counting it, there have been MAX_FAILURES failures
within WINDOW in one scope. The lock lasts LOCK from that failure. Attempts refused during a
lock are not stored, so they neither extend it nor count later. The same rule (one scope)
guards the HR access codes and the staff logins.

Identity checks on a case or a booking (guessing_lockout) watch three scopes at once: the case
number (from anywhere), the conversation, and the client address (across all cases, with a lower
limit, CLIENT_MAX_FAILURES). Their locks back off: a lock that starts within BACKOFF_MEMORY of the
end of the scope's previous lock lasts the next step of BACKOFF (15 minutes, 1 hour, 24 hours).
So one scope sees at most 3 x its limit failures in any 24 hours, then its limit a day. A staff
unlock (at the hall, after seeing the passport) forgets a case's failures before it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)
# Failures older than this cannot matter any more: a lock starting at a failure lasts LOCK,
# and the failures that start it all fall within WINDOW before it.
LOOKBACK = WINDOW + LOCK
BACKOFF = (dt.timedelta(minutes=15), dt.timedelta(hours=1), dt.timedelta(hours=24))
BACKOFF_MEMORY = dt.timedelta(hours=24)
# How far back identity checks read failures: long enough to see a back-off chain's latest steps.
GUESSING_LOOKBACK = dt.timedelta(days=7)
CLIENT_MAX_FAILURES = 3
CASE, CONVERSATION, CLIENT = "case", "conversation", "client"


class VerificationError(Exception):
    """Base of the ways an identity check can end without showing a case."""


class VerificationFailed(VerificationError):
    """The case number and passport do not match. Deliberately the same for an unknown case number."""

    def __init__(self, attempts_left: int):
        self.attempts_left = attempts_left
        super().__init__(f"case number and passport do not match ({attempts_left} attempts left)")


class VerificationLocked(VerificationError):
    """Too many failed attempts: no check until ``until`` (an aware UTC datetime). ``scope`` says
    whose failures locked it: CASE (the case number or booking code: staff can unlock it),
    CONVERSATION or CLIENT (the client address)."""

    def __init__(self, until: dt.datetime, scope: str = CASE):
        self.until = until
        self.scope = scope
        super().__init__(f"too many failed attempts; try again after {until.isoformat()}")


@dataclass(frozen=True)
class Lockout:
    until: Optional[dt.datetime]  # None: not locked
    attempts_left: int  # failures still allowed before a lock starts

    @property
    def locked(self) -> bool:
        return self.until is not None


def lockout(failures: Iterable[dt.datetime], now: dt.datetime, max_failures: int = MAX_FAILURES,
            steps: Sequence[dt.timedelta] = (LOCK,), lookback: dt.timedelta = LOOKBACK,
            reset_at: Optional[dt.datetime] = None) -> Lockout:
    """The lock state of one scope (a case number, a conversation, an enterprise) from its failure
    times: ``max_failures`` within WINDOW lock it for the first of ``steps``; a lock that starts
    within BACKOFF_MEMORY of the previous one's end lasts the next step (the last one repeats).
    Failures older than ``lookback`` or not after ``reset_at`` (a staff unlock) are not counted."""
    times = sorted(t for t in failures if now - lookback < t <= now and (reset_at is None or t > reset_at))
    until: Optional[dt.datetime] = None
    level = -1
    counted: list = []  # failures since the last lock ended, within WINDOW of each other
    for t in times:
        if until is not None and t < until:
            continue  # stored during a lock (a race): it neither counts nor extends the lock
        counted = [c for c in counted if c > t - WINDOW] + [t]
        if len(counted) >= max_failures:
            chained = until is not None and t - until < BACKOFF_MEMORY
            level = min(level + 1, len(steps) - 1) if chained else 0
            until, counted = t + steps[level], []
    if until is not None and until > now:
        return Lockout(until, 0)
    recent = [c for c in counted if c > now - WINDOW]
    return Lockout(None, max_failures - len(recent))


def combined_lockout(*scopes: Lockout) -> Lockout:
    """Several scopes at once: locked while any is locked (until the last lock ends)."""
    locks = [s.until for s in scopes if s.until is not None]
    return Lockout(max(locks) if locks else None, min(s.attempts_left for s in scopes))


@dataclass(frozen=True)
class GuessingHistory:
    """The failure times an identity check is judged by (see guessing_lockout). ``by_client`` is None
    when the channel did not pass the client address."""

    by_case: Sequence[dt.datetime]
    by_conversation: Sequence[dt.datetime]
    by_client: Optional[Sequence[dt.datetime]] = None
    case_unlocked_at: Optional[dt.datetime] = None

    def with_failure(self, at: dt.datetime) -> "GuessingHistory":
        return GuessingHistory([*self.by_case, at], [*self.by_conversation, at],
                               None if self.by_client is None else [*self.by_client, at], self.case_unlocked_at)


def guessing_lockout(history: GuessingHistory, now: dt.datetime) -> Lockout:
    """The lock state of an identity check on a case or booking; raises VerificationLocked (with the
    scope whose lock ends last) while the case, the conversation or the client address is locked."""
    scopes = {
        CASE: lockout(history.by_case, now, MAX_FAILURES, BACKOFF, GUESSING_LOOKBACK, history.case_unlocked_at),
        CONVERSATION: lockout(history.by_conversation, now, MAX_FAILURES, BACKOFF, GUESSING_LOOKBACK),
    }
    if history.by_client is not None:
        scopes[CLIENT] = lockout(history.by_client, now, CLIENT_MAX_FAILURES, BACKOFF, GUESSING_LOOKBACK)
    state = combined_lockout(*scopes.values())
    if state.locked:
        # The case's own lock is named first: only it can be lifted at the hall.
        scope = next(name for name, s in scopes.items() if s.until == state.until)
        raise VerificationLocked(state.until, scope)
    return state


def check_lockout(by_key: Iterable[dt.datetime], by_conversation: Iterable[dt.datetime], now: dt.datetime) -> Lockout:
    """The lock state of a key (a case number, a booking code) and a conversation together, from their
    failure times; raises VerificationLocked while either is locked."""
    state = combined_lockout(lockout(by_key, now), lockout(by_conversation, now))
    if state.locked:
        raise VerificationLocked(state.until)
    return state


class CaseHasher:
    """Keyed hashes (HMAC-SHA256) so passports can be checked without being stored.

    The whole number is hashed alone; the last four characters are hashed with the case
    number, so the same four characters give different hashes on different cases.
    """

    def __init__(self, key: bytes):
        if len(key) < 16:
            raise ValueError("the secret key must be at least 16 bytes")
        self._key = key

    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}\x00{value}".encode("utf-8"), hashlib.sha256).hexdigest()

    def passport(self, normalised_number: str) -> str:
        return self._mac("passport", normalised_number)

    def last_four(self, case_number: str, last_four: str) -> str:
        return self._mac("last4", f"{case_number}\x00{last_four}")

    def conversation(self, conversation_id: str) -> str:
        return self._mac("conversation", conversation_id)

    def client(self, address: str) -> str:
        """The client address as stored for the guessing limits: a keyed hash, never the address."""
        return self._mac("client", address)

    def matches(self, case_number: str, stored_whole: str, stored_last_four: str, given: str) -> bool:
        """True when ``given`` (normalised) is the whole passport number or exactly its last four characters.
        (The last four prove identity only with the family name: see bot.services.case_status.)"""
        if len(given) == 4:
            return hmac.compare_digest(self.last_four(case_number, given), stored_last_four)
        return hmac.compare_digest(self.passport(given), stored_whole)


class AccessDenied(Exception):
    """The credit code and access code do not open an enterprise's case list (unknown code or wrong code)."""


class AccessLocked(AccessDenied):
    """Too many wrong access codes for this credit code: refused until ``until`` (aware UTC)."""

    def __init__(self, until: dt.datetime):
        self.until = until
        super().__init__(f"too many wrong access codes; try again after {until.isoformat()}")
