"""Staff accounts and console sessions: argon2 passwords, a lockout after failed logins, session tokens.

A session token is 256 random bits given to the browser once (in a cookie); the database keeps
only its SHA-256, so a copy of the database opens no session. Each session has its own CSRF token.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import List, Optional


from bot.db.models import StaffAccount, StaffSession
from bot.db.repositories.cases import from_db_time, to_db_time
from bot.db.uow import UnitOfWork
from bot.domain import staff as rules
from bot.domain.verification import LOOKBACK, lockout
from bot.services import clock, passwords


TOUCH_EVERY = dt.timedelta(seconds=30)  # how often a used session's last_seen_at is written


class StaffExists(Exception):
    """There already is an account with this username."""


class StaffNotFound(Exception):
    """No account with this username."""


class LoginFailed(Exception):
    """Wrong username or password (deliberately the same answer for both)."""

    def __init__(self, attempts_left: int):
        self.attempts_left = attempts_left
        super().__init__(f"wrong username or password ({attempts_left} attempts left)")


class LoginLocked(Exception):
    """Too many failed logins for this username, or (``by_address``) from this client address:
    refused until ``until`` (aware UTC)."""

    def __init__(self, until: dt.datetime, by_address: bool = False):
        self.until = until
        self.by_address = by_address
        super().__init__(f"too many failed logins{' from this address' if by_address else ''}; "
                         f"try again after {until.isoformat()}")


@dataclass(frozen=True)
class StaffMember:
    """The logged-in staff member as routes see them."""

    id: int
    username: str
    role: str
    csrf_token: str

    @property
    def supervisor(self) -> bool:
        return self.role == rules.SUPERVISOR


@dataclass(frozen=True)
class NewSession:
    token: str  # for the cookie; never stored
    member: StaffMember


@dataclass(frozen=True)
class StaffSummary:
    username: str
    role: str
    active: bool
    last_login_at: Optional[dt.datetime]



def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def add_staff(uow: UnitOfWork, username: str, password: str, role: str,
              now: Optional[dt.datetime] = None) -> StaffSummary:
    """A new active account. Raises InvalidStaffAccount (bad username, password or role) or StaffExists."""
    now = now or clock.now()
    name = rules.check_username(username)
    rules.check_password(password, name)
    role = rules.check_role(role)
    with uow:
        if uow.staff.by_username(name) is not None:
            raise StaffExists(f"there already is a staff account '{name}'")
        uow.staff.add(StaffAccount(username=name, password_hash=passwords.hash_secret(password), role=role, active=True,
                                   created_at=to_db_time(now)))
        uow.commit()
    return StaffSummary(name, role, True, None)


def set_password(uow: UnitOfWork, username: str, password: str) -> None:
    """A new password; every open session of the account ends. Raises StaffNotFound, InvalidStaffAccount."""
    name = rules.check_username(username)
    rules.check_password(password, name)
    with uow:
        account = _account(uow, name)
        account.password_hash = passwords.hash_secret(password)
        uow.staff.remove_sessions_of(account.id)
        uow.commit()


def set_active(uow: UnitOfWork, username: str, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions. Raises StaffNotFound."""
    with uow:
        account = _account(uow, rules.check_username(username))
        account.active = active
        if not active:
            uow.staff.remove_sessions_of(account.id)
        uow.commit()


def list_staff(uow: UnitOfWork) -> List[StaffSummary]:
    with uow:
        return [StaffSummary(a.username, a.role, a.active, a.last_login_at and from_db_time(a.last_login_at))
                for a in uow.staff.all()]


def log_in(uow: UnitOfWork, username: str, password: str, now: Optional[dt.datetime] = None,
           client_address: Optional[str] = None) -> NewSession:
    """A new session for the right username and password of an active account.

    Raises LoginFailed (unknown user, wrong password, disabled account: the same) and LoginLocked
    after 5 failures for a username within 15 minutes, or 20 from ``client_address`` for any
    usernames (``by_address``), for 15 minutes. Refused attempts are not stored.
    """
    now = now or clock.now()
    name = (username or "").strip().lower()[:64]
    address = (client_address or "")[:rules.ADDRESS_MAX] or None
    with uow:
        _check_locks(uow, name, address, now)
        account = uow.staff.by_username(name) if name else None
        stored = account.password_hash if account is not None else None
        granted = _verify(stored or passwords.decoy_hash(), password) and account is not None and account.active
        uow.staff.add_attempt(name, granted, to_db_time(now), address)
        if not granted:
            uow.commit()
            after = _check_locks(uow, name, address, now)
            raise LoginFailed(after.attempts_left)
        if passwords.needs_rehash(stored):
            account.password_hash = passwords.hash_secret(password)
        account.last_login_at = to_db_time(now)
        uow.staff.remove_stale_sessions(to_db_time(now - rules.SESSION_IDLE), to_db_time(now - rules.SESSION_MAX))
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        uow.staff.add_session(StaffSession(token_hash=token_hash(token), staff_id=account.id, csrf_token=csrf,
                                           created_at=to_db_time(now), last_seen_at=to_db_time(now)))
        uow.commit()
        return NewSession(token, StaffMember(account.id, account.username, account.role, csrf))


def _check_locks(uow: UnitOfWork, name: str, address: Optional[str], now: dt.datetime):
    """The username's lock state; raises LoginLocked while the address or the username is locked."""
    since = to_db_time(now - LOOKBACK)
    if address is not None:
        failures = [from_db_time(t) for t in uow.staff.login_failures_from(address, since)]
        by_address = lockout(failures, now, rules.ADDRESS_MAX_FAILURES)
        if by_address.locked:
            raise LoginLocked(by_address.until, by_address=True)
    state = lockout(_failures(uow, name, now), now)
    if state.locked:
        raise LoginLocked(state.until)
    return state


def member_for(uow: UnitOfWork, token: Optional[str], now: Optional[dt.datetime] = None) -> Optional[StaffMember]:
    """The staff member of a live session token (and the session marked as used), or None."""
    if not token or len(token) > 200:
        return None
    now = now or clock.now()
    with uow:
        row = uow.staff.session_by_token_hash(token_hash(token))
        if row is None:
            return None
        if not rules.session_alive(from_db_time(row.created_at), from_db_time(row.last_seen_at), now) \
                or not row.staff.active:
            uow.staff.remove_session(row)
            uow.commit()
            return None
        member = StaffMember(row.staff.id, row.staff.username, row.staff.role, row.csrf_token)
        if now - from_db_time(row.last_seen_at) >= TOUCH_EVERY:  # the live view polls every 2 s: few writes
            row.last_seen_at = to_db_time(now)
            uow.commit()
        return member


def log_out(uow: UnitOfWork, token: Optional[str]) -> None:
    if not token or len(token) > 200:
        return
    with uow:
        row = uow.staff.session_by_token_hash(token_hash(token))
        if row is not None:
            uow.staff.remove_session(row)
            uow.commit()


def csrf_matches(expected: str, given: Optional[str]) -> bool:
    """Constant-time comparison of a form's CSRF token with the session's."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode("utf-8", "surrogatepass"))


def _failures(uow: UnitOfWork, name: str, now: dt.datetime) -> List[dt.datetime]:
    return [from_db_time(t) for t in uow.staff.login_failures(name, to_db_time(now - LOOKBACK))]


def _account(uow: UnitOfWork, name: str) -> StaffAccount:
    account = uow.staff.by_username(name)
    if account is None:
        raise StaffNotFound(f"there is no staff account '{name}'")
    return account


def _verify(stored_hash: str, password: Optional[str]) -> bool:
    if not password or len(password) > rules.PASSWORD_MAX:
        return False
    return passwords.verify(stored_hash, password)
