"""The rules of a booking hold. Pure: the clock, the secret and the counts come in as arguments.

A booking first holds its place ("held") until the person types the one-time code sent to the
e-mail address; then it is booked. A hold ends after ``HoldPolicy.minutes`` or after
``HoldPolicy.max_failures`` wrong codes, and its place is freed. The code is kept only as a keyed
hash (HMAC-SHA256 under the application's secret, bound to the booking), so a copy of the table
does not give it away, even though six digits alone could be tried offline.

Open bookings (holds that have not expired, and confirmed bookings not yet past) are limited per
client address, per e-mail address and per phone number: at most ``HoldPolicy.max_open`` each.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Literal, Mapping, Optional

HOLD_CODE_LENGTH = 6
LimitKind = Literal["client", "email", "phone"]
_DIGITS = re.compile(r"\d")
_CODE_INFO = b"etown-permits/booking-hold-code/v1"
_CLIENT_INFO = b"etown-permits/booking-client/v1"


@dataclass(frozen=True)
class HoldPolicy:
    """How long a hold lasts, how many wrong codes end it, how many bookings may be open at once."""

    minutes: int = 15
    max_failures: int = 5
    max_open: int = 2

    def expires_at(self, placed_at: dt.datetime) -> dt.datetime:
        return placed_at + dt.timedelta(minutes=self.minutes)


class TooManyOpenBookings(Exception):
    """The client address, e-mail address or phone number (``kind``) already has ``limit`` open bookings."""

    def __init__(self, kind: LimitKind, limit: int):
        self.kind, self.limit = kind, limit
        super().__init__(f"{kind} already has {limit} open bookings or holds")


class NoHold(Exception):
    """The conversation has no hold waiting for a code (never placed, confirmed, or already released)."""


class HoldExpired(Exception):
    """The hold ran out of time before the right code came; its place is free again."""


class HoldAbandoned(Exception):
    """Too many wrong codes: the hold is released and its place is free again."""


class WrongHoldCode(Exception):
    """The code does not match; ``left`` more tries before the hold is released."""

    def __init__(self, left: int):
        self.left = left
        super().__init__(f"wrong code, {left} tries left")


def new_hold_code() -> str:
    """Six random digits from ``secrets`` ("042917")."""
    return f"{secrets.randbelow(10 ** HOLD_CODE_LENGTH):0{HOLD_CODE_LENGTH}d}"


def read_hold_code(text: Optional[str]) -> Optional[str]:
    """The six digits of a typed code ("123 456", "code: 123-456", full-width digits), or None when the
    message holds no six digits or more digits than a code."""
    digits = "".join(_DIGITS.findall(unicodedata.normalize("NFKC", text or "")))
    if len(digits) != HOLD_CODE_LENGTH or not digits.isascii():
        return None
    return digits


def hash_hold_code(secret: bytes, booking_code: str, code: str) -> str:
    """The stored form of a hold code: an HMAC bound to the booking, so one hash fits one hold only."""
    key = hmac.new(secret, _CODE_INFO, hashlib.sha256).digest()
    return hmac.new(key, f"{booking_code}:{code}".encode("ascii"), hashlib.sha256).hexdigest()


def code_matches(secret: bytes, booking_code: str, typed: Optional[str], stored_hash: str) -> bool:
    """Whether ``typed`` is the hold's code (compared in constant time; None never matches)."""
    digest = hash_hold_code(secret, booking_code, typed or "-")
    return hmac.compare_digest(digest, stored_hash) and typed is not None


def is_expired(expires_at: dt.datetime, now: dt.datetime) -> bool:
    """Whether a hold ending at ``expires_at`` is over at ``now`` (both naive UTC)."""
    return now >= expires_at


def tries_left(failures: int, policy: HoldPolicy) -> int:
    """How many more codes may be tried after ``failures`` wrong ones (0: the hold is released)."""
    return max(policy.max_failures - failures, 0)


def check_open_limits(open_counts: Mapping[LimitKind, int], policy: HoldPolicy) -> None:
    """TooManyOpenBookings for the first of client, e-mail, phone that has reached ``policy.max_open``.
    A kind missing from ``open_counts`` is unknown (e.g. no client address) and not limited."""
    for kind in ("client", "email", "phone"):
        if open_counts.get(kind, 0) >= policy.max_open:
            raise TooManyOpenBookings(kind, policy.max_open)


def client_address(value: object) -> Optional[str]:
    """The client's IP address in canonical form, from untrusted metadata; None when absent or not an
    address (an IPv4-mapped IPv6 address counts as its IPv4 address)."""
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def client_key(secret: bytes, address: Optional[str]) -> Optional[str]:
    """What is stored for a client address: an HMAC (the address itself is personal data), or None."""
    if address is None:
        return None
    key = hmac.new(secret, _CLIENT_INFO, hashlib.sha256).digest()
    return hmac.new(key, address.encode("ascii"), hashlib.sha256).hexdigest()
