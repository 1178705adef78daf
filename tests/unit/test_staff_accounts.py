"""Staff account rules: usernames, passwords, roles, session lifetime; and reading the CLI password."""
import datetime as dt

import pytest

from bot.cli_staff import PASSWORD_ENV, PasswordUnavailable, read_password
from bot.domain import staff as rules

NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)


def test_usernames_are_lower_case_and_plain():
    assert rules.check_username("  Li.Wei ") == "li.wei"
    for bad in ("", "a", "x" * 33, "-dash", "li wei", "<script>", "admin'--", "名字"):
        with pytest.raises(rules.InvalidStaffAccount):
            rules.check_username(bad)


def test_passwords_need_length_and_not_the_username():
    assert rules.check_password("correct horse battery") == "correct horse battery"
    for bad in ("", "short", "x" * 257):
        with pytest.raises(rules.InvalidStaffAccount):
            rules.check_password(bad)
    with pytest.raises(rules.InvalidStaffAccount, match="username"):
        rules.check_password("supervisor1", "SUPERVISOR1")


def test_roles():
    assert rules.check_role(" Supervisor ") == "supervisor"
    with pytest.raises(rules.InvalidStaffAccount, match="staff, supervisor"):
        rules.check_role("admin")


def test_sessions_end_when_idle_or_old():
    assert rules.session_alive(NOW, NOW, NOW + dt.timedelta(minutes=30))
    assert not rules.session_alive(NOW, NOW, NOW + rules.SESSION_IDLE)
    busy = NOW + rules.SESSION_MAX
    assert not rules.session_alive(NOW, busy - dt.timedelta(minutes=1), busy)


def test_cli_password_comes_from_the_environment_or_a_confirmed_prompt():
    assert read_password({PASSWORD_ENV: "from the environment"}) == "from the environment"
    answers = iter(["typed twice here", "typed twice here"])
    assert read_password({}, lambda _prompt: next(answers), interactive=True) == "typed twice here"
    answers = iter(["first one here", "second one here"])
    with pytest.raises(PasswordUnavailable, match="differ"):
        read_password({}, lambda _prompt: next(answers), interactive=True)
    with pytest.raises(PasswordUnavailable, match=PASSWORD_ENV):
        read_password({}, interactive=False)


def test_the_login_client_is_the_peer_unless_a_trusted_proxy_forwards_it():
    proxies = rules.parse_trusted_proxies("10.0.0.5, 192.168.0.0/24, ::1")
    assert rules.client_address("203.0.113.7", None, proxies) == "203.0.113.7"
    # anyone may send the header: an untrusted peer is counted as itself
    assert rules.client_address("203.0.113.7", "198.51.100.1", proxies) == "203.0.113.7"
    assert rules.client_address("203.0.113.7", "198.51.100.1", ()) == "203.0.113.7"
    # through a trusted proxy: the right-most address that is not a trusted proxy
    assert rules.client_address("10.0.0.5", "198.51.100.1", proxies) == "198.51.100.1"
    assert rules.client_address("10.0.0.5", "1.2.3.4, 198.51.100.1, 192.168.0.9", proxies) == "198.51.100.1"
    assert rules.client_address("::1", " 2001:db8::1 ", proxies) == "2001:db8::1"
    # a forged or broken chain, or one of proxies only, counts against the proxy itself
    assert rules.client_address("10.0.0.5", "not-an-address", proxies) == "10.0.0.5"
    assert rules.client_address("10.0.0.5", "192.168.0.3", proxies) == "10.0.0.5"
    assert rules.client_address(None, None, proxies) == "unknown"
    assert rules.client_address("testclient", "198.51.100.1", proxies) == "testclient"


def test_trusted_proxies_are_addresses_or_networks():
    assert rules.parse_trusted_proxies("") == ()
    assert len(rules.parse_trusted_proxies("10.0.0.0/8,  fd00::/8")) == 2
    with pytest.raises(rules.InvalidTrustedProxies, match="proxy.example"):
        rules.parse_trusted_proxies("10.0.0.1, proxy.example")
    from bot.config import Settings

    with pytest.raises(ValueError):
        Settings(trusted_proxies="10.0.0.300")
