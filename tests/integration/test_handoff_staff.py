"""Staff accounts and console sessions on a real database (SQLite and PostgreSQL), and the CLI."""
import datetime as dt
import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.config import PROJECT_ROOT
from bot.db.engine import make_engine, make_session_factory
from bot.db.models import StaffAccount, StaffSession
from bot.db.uow import UnitOfWork
from bot.domain.staff import SESSION_IDLE, SESSION_MAX, InvalidStaffAccount
from bot.services import staff_auth as auth

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)
MIN = dt.timedelta(minutes=1)
SECOND = dt.timedelta(seconds=1)
PASSWORD = "correct horse battery staple"


def test_passwords_are_stored_as_argon2_hashes_and_usernames_are_unique(uow_factory):
    account = auth.add_staff(uow_factory(), "Lena", PASSWORD, "supervisor", NOW)
    assert (account.username, account.role, account.active) == ("lena", "supervisor", True)
    with uow_factory() as uow:
        stored = uow.session.execute(select(StaffAccount.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    with pytest.raises(auth.StaffExists):
        auth.add_staff(uow_factory(), "LENA", PASSWORD, "staff", NOW)
    for bad in (("x", PASSWORD, "staff"), ("wang", "short", "staff"), ("wang", PASSWORD, "admin")):
        with pytest.raises(InvalidStaffAccount):
            auth.add_staff(uow_factory(), *bad, now=NOW)
    assert [a.username for a in auth.list_staff(uow_factory())] == ["lena"]


def test_a_session_token_is_stored_only_as_a_hash_and_opens_the_session(uow_factory):
    auth.add_staff(uow_factory(), "lena", PASSWORD, "staff", NOW)
    session = auth.log_in(uow_factory(), " Lena ", PASSWORD, NOW)
    with uow_factory() as uow:
        stored = uow.session.execute(select(StaffSession.token_hash)).scalar_one()
    assert stored == auth.token_hash(session.token) and session.token not in stored
    member = auth.member_for(uow_factory(), session.token, NOW + MIN)
    assert (member.username, member.role, member.csrf_token) == ("lena", "staff", session.member.csrf_token)
    assert auth.member_for(uow_factory(), "not a token", NOW) is None
    assert auth.member_for(uow_factory(), "x" * 1000, NOW) is None
    auth.log_out(uow_factory(), session.token)
    assert auth.member_for(uow_factory(), session.token, NOW + MIN) is None


def test_sessions_end_when_idle_or_too_old(uow_factory):
    auth.add_staff(uow_factory(), "lena", PASSWORD, "staff", NOW)
    idle = auth.log_in(uow_factory(), "lena", PASSWORD, NOW).token
    assert auth.member_for(uow_factory(), idle, NOW + SESSION_IDLE) is None
    busy = auth.log_in(uow_factory(), "lena", PASSWORD, NOW).token
    moment = NOW
    while moment + SESSION_IDLE / 2 < NOW + SESSION_MAX:
        moment += SESSION_IDLE / 2
        assert auth.member_for(uow_factory(), busy, moment) is not None
    assert auth.member_for(uow_factory(), busy, NOW + SESSION_MAX) is None


def test_five_failures_lock_a_username_for_fifteen_minutes(uow_factory):
    auth.add_staff(uow_factory(), "lena", PASSWORD, "staff", NOW)
    for i in range(4):
        with pytest.raises(auth.LoginFailed) as failed:
            auth.log_in(uow_factory(), "lena", "wrong password!", NOW + i * MIN)
        assert failed.value.attempts_left == 4 - i
    with pytest.raises(auth.LoginLocked) as locked:
        auth.log_in(uow_factory(), "lena", "wrong password!", NOW + 4 * MIN)
    assert locked.value.until == NOW + 19 * MIN
    with pytest.raises(auth.LoginLocked):
        auth.log_in(uow_factory(), "lena", PASSWORD, NOW + 18 * MIN)  # right password, still locked
    assert auth.log_in(uow_factory(), "lena", PASSWORD, NOW + 19 * MIN).member.username == "lena"


def test_unknown_and_disabled_accounts_read_like_wrong_passwords(uow_factory):
    auth.add_staff(uow_factory(), "lena", PASSWORD, "staff", NOW)
    with pytest.raises(auth.LoginFailed):
        auth.log_in(uow_factory(), "ghost", PASSWORD, NOW)
    with pytest.raises(auth.LoginFailed):
        auth.log_in(uow_factory(), "", "", NOW)
    session = auth.log_in(uow_factory(), "lena", PASSWORD, NOW).token
    auth.set_active(uow_factory(), "lena", False)
    assert auth.member_for(uow_factory(), session, NOW) is None  # disabling ends its sessions
    with pytest.raises(auth.LoginFailed):
        auth.log_in(uow_factory(), "lena", PASSWORD, NOW + MIN)
    auth.set_active(uow_factory(), "lena", True)
    assert auth.log_in(uow_factory(), "lena", PASSWORD, NOW + 2 * MIN)
    with pytest.raises(auth.StaffNotFound):
        auth.set_active(uow_factory(), "ghost", False)


def test_a_new_password_ends_the_old_sessions(uow_factory):
    auth.add_staff(uow_factory(), "lena", PASSWORD, "staff", NOW)
    old = auth.log_in(uow_factory(), "lena", PASSWORD, NOW).token
    auth.set_password(uow_factory(), "lena", "a brand new passphrase")
    assert auth.member_for(uow_factory(), old, NOW + MIN) is None
    with pytest.raises(auth.LoginFailed):
        auth.log_in(uow_factory(), "lena", PASSWORD, NOW + MIN)
    assert auth.log_in(uow_factory(), "lena", "a brand new passphrase", NOW + MIN)


def run_cli(settings, *args, password=None):
    env = {**os.environ, "ETOWN_DATABASE_URL": settings.resolved_database_url, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("ETOWN_STAFF_PASSWORD", None)
    if password is not None:
        env["ETOWN_STAFF_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "bot", "staff", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)


def test_the_command_line_creates_accounts_without_a_password_on_the_command_line(settings):
    made = run_cli(settings, "add", "Supervisor.Li", "--role", "supervisor", password=PASSWORD)
    assert made.returncode == 0, made.stderr
    assert "'supervisor.li' (supervisor) created" in made.stdout and PASSWORD not in made.stdout
    factory = make_session_factory(make_engine(settings.resolved_database_url))
    assert auth.log_in(UnitOfWork(factory), "supervisor.li", PASSWORD, NOW).member.supervisor
    again = run_cli(settings, "add", "supervisor.li", password=PASSWORD)
    assert again.returncode == 1 and "already" in again.stderr
    no_password = run_cli(settings, "add", "wang")
    assert no_password.returncode == 1 and "ETOWN_STAFF_PASSWORD" in no_password.stderr
    weak = run_cli(settings, "add", "wang", password="123")
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr
    listing = run_cli(settings, "list")
    assert listing.returncode == 0 and "supervisor.li" in listing.stdout and "wang" not in listing.stdout
    assert run_cli(settings, "disable", "supervisor.li").returncode == 0
    assert "disabled" in run_cli(settings, "list").stdout


def test_twenty_failures_from_one_address_lock_it_for_any_username(uow_factory):
    auth.add_staff(uow_factory(), "lena", PASSWORD, "staff", NOW)
    auth.add_staff(uow_factory(), "wang", PASSWORD, "staff", NOW)
    for i in range(19):  # many usernames, never five for one of them
        with pytest.raises(auth.LoginFailed):
            auth.log_in(uow_factory(), f"guess{i % 5}-{i // 5}", "wrong password!", NOW + i * 10 * SECOND,
                        "203.0.113.7")
    with pytest.raises(auth.LoginLocked) as locked:
        auth.log_in(uow_factory(), "ghost", "wrong password!", NOW + 200 * SECOND, "203.0.113.7")
    assert locked.value.by_address and locked.value.until == NOW + 200 * SECOND + 15 * MIN
    with pytest.raises(auth.LoginLocked) as refused:  # the right password of a real account, same address
        auth.log_in(uow_factory(), "lena", PASSWORD, NOW + 5 * MIN, "203.0.113.7")
    assert refused.value.by_address
    # another address is not affected, and the lock ends after 15 minutes
    assert auth.log_in(uow_factory(), "wang", PASSWORD, NOW + 5 * MIN, "198.51.100.1").member.username == "wang"
    assert auth.log_in(uow_factory(), "lena", PASSWORD, NOW + 200 * SECOND + 15 * MIN,
                       "203.0.113.7").member.username == "lena"


def test_the_address_lock_is_stored_so_it_survives_a_restart(uow_factory):
    for i in range(20):
        with pytest.raises((auth.LoginFailed, auth.LoginLocked)):
            auth.log_in(uow_factory(), f"user{i}", "wrong password!", NOW + i * SECOND, "2001:db8::7")
    with uow_factory() as uow:  # what a restarted process reads
        assert len(uow.staff.login_failures_from("2001:db8::7", (NOW - MIN).replace(tzinfo=None))) == 20
    with pytest.raises(auth.LoginLocked):
        auth.log_in(uow_factory(), "someone", "wrong password!", NOW + MIN, "2001:db8::7")
