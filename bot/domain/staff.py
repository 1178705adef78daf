"""Staff accounts of the console: usernames, password rules, roles and sessions. Pure.

Failed logins lock a username with the project's one lockout rule (bot.domain.verification:
5 failures within 15 minutes lock for 15 minutes), counted for unknown usernames too, so the
answer never tells whether an account exists.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Optional

STAFF = "staff"
SUPERVISOR = "supervisor"
ROLES = (STAFF, SUPERVISOR)

PASSWORD_MIN = 10
PASSWORD_MAX = 256  # argon2 takes any length; this keeps a pasted file out of the hasher
SESSION_IDLE = dt.timedelta(hours=2)  # a session unused this long ends
SESSION_MAX = dt.timedelta(hours=12)  # and every session ends after one working day
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
