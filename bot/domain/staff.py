"""Staff accounts of the console: usernames, password rules, roles and sessions. Pure.

Failed logins lock a username with the project's one lockout rule (bot.domain.verification:
5 failures within 15 minutes lock for 15 minutes), counted for unknown usernames too, so the
answer never tells whether an account exists. Failures from one client address, whatever the
usernames, lock that address after ADDRESS_MAX_FAILURES within the same window.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import re
from typing import Optional, Sequence, Tuple, Union

STAFF = "staff"
SUPERVISOR = "supervisor"
ROLES = (STAFF, SUPERVISOR)

PASSWORD_MIN = 10
PASSWORD_MAX = 256  # argon2 takes any length; this keeps a pasted file out of the hasher
SESSION_IDLE = dt.timedelta(hours=2)  # a session unused this long ends
SESSION_MAX = dt.timedelta(hours=12)  # and every session ends after one working day
ADDRESS_MAX_FAILURES = 20  # failed logins from one client address within 15 minutes (any usernames)
ADDRESS_MAX = 64  # characters of a stored client address
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")


class InvalidStaffAccount(ValueError):
    """A username, password or role that cannot be used; the message says why."""


def check_username(text: Optional[str]) -> str:
    """The username in lower case: 2 to 32 letters, digits, dots, dashes or underscores."""
    name = (text or "").strip().lower()
    if not _USERNAME.match(name):
        raise InvalidStaffAccount("a username has 2 to 32 characters: letters, digits, '.', '-' or '_', "
                                  "starting with a letter or digit")
    return name


def check_password(password: Optional[str], username: str = "") -> str:
    """The password unchanged, or InvalidStaffAccount when it is too short, too long or the username."""
    password = password or ""
    if len(password) < PASSWORD_MIN:
        raise InvalidStaffAccount(f"the password needs at least {PASSWORD_MIN} characters")
    if len(password) > PASSWORD_MAX:
        raise InvalidStaffAccount(f"the password may have at most {PASSWORD_MAX} characters")
    if username and password.strip().lower() == username.lower():
        raise InvalidStaffAccount("the password must not be the username")
    return password


def check_role(text: Optional[str]) -> str:
    role = (text or "").strip().lower()
    if role not in ROLES:
        raise InvalidStaffAccount(f"the role is one of: {', '.join(ROLES)}")
    return role


def session_alive(created_at: dt.datetime, last_seen_at: dt.datetime, now: dt.datetime) -> bool:
    """A session is valid until it is idle for SESSION_IDLE or older than SESSION_MAX."""
    return now - last_seen_at < SESSION_IDLE and now - created_at < SESSION_MAX


Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


class InvalidTrustedProxies(ValueError):
    """The trusted-proxy setting cannot be read; the message says which entry."""


def parse_trusted_proxies(text: Optional[str]) -> Tuple[Network, ...]:
    """Addresses or networks ("10.0.0.5, 192.168.0.0/24, ::1") of the proxies whose X-Forwarded-For is believed."""
    networks = []
    for part in (p.strip() for p in (text or "").split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise InvalidTrustedProxies(f'"{part}" is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)') \
                from None
    return tuple(networks)


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, proxies: Sequence[Network]) -> bool:
    return address is not None and any(address in network for network in proxies)


def client_address(peer: Optional[str], forwarded_for: Optional[str], proxies: Sequence[Network]) -> str:
    """The address a login counts against: the peer, unless the peer is a trusted proxy; then the
    right-most X-Forwarded-For entry that is not itself a trusted proxy (entries further left were
    written by the client and could be anything)."""
    peer = (peer or "").strip()[:ADDRESS_MAX] or "unknown"
    if not forwarded_for or not _trusted(_ip(peer), proxies):
        return peer
    for entry in reversed(forwarded_for.split(",")):
        address = _ip(entry)
        if address is None:
            return peer  # a malformed chain: count it against the proxy's own address
        if not _trusted(address, proxies):
            return str(address)
    return peer
