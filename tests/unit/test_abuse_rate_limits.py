"""Rate limits of the chat channels: the pure answers (bot/domain/abuse) and the gate
(bot/rasa/rate_limits.py) on the memory storage and on a real Redis shared by two gates."""
import logging

import pytest

from bot.config import Settings
from bot.domain.abuse.client import CLIENT_IP_KEY, with_client_ip
from bot.domain.abuse.rate_limits import InvalidRateLimit, parse_rate_limits, retry_after_seconds, too_fast_reply
from bot.rasa.rate_limits import ChatGate


def test_the_wait_is_whole_seconds_and_never_zero():
    assert retry_after_seconds(100.2, 40.0) == 61 and retry_after_seconds(100.0, 100.0) == 1
    assert retry_after_seconds(99.0, 100.0) == 1


def test_the_answer_is_polite_and_in_the_language_of_the_message():
    assert "wait 12 seconds" in too_fast_reply("how much is it?", 12)
    assert "12 秒" in too_fast_reply("居留许可多少钱？", 12)
    assert "wait 3 seconds" in too_fast_reply(None, 3)


def test_limits_are_read_from_the_settings_notation():
    assert [(i.amount, i.GRANULARITY.name) for i in parse_rate_limits("20/minute; 300/hour")] == \
        [(20, "minute"), (300, "hour")]
    assert parse_rate_limits("") == [] and parse_rate_limits(None) == []
    with pytest.raises(InvalidRateLimit):
        parse_rate_limits("twenty a minute")
    with pytest.raises(ValueError):
        Settings(rate_limit_per_address="lots")
    assert Settings().rate_limit_per_sender == "20/minute" and Settings().rate_limit_per_address == "60/minute"


def test_the_client_ip_in_metadata_is_always_the_channels_own():
    sent = {"client_ip": "10.9.9.9", "page": "/chat"}
    assert with_client_ip(sent, "203.0.113.7") == {CLIENT_IP_KEY: "203.0.113.7", "page": "/chat"}
    assert sent["client_ip"] == "10.9.9.9"  # the client's dict is not changed
    assert with_client_ip("not an object", "203.0.113.7") == {CLIENT_IP_KEY: "203.0.113.7"}
    assert with_client_ip(None, "::1") == {CLIENT_IP_KEY: "::1"}


def memory_gate(per_address="5/minute", per_sender="3/minute", proxies=""):
    settings = Settings(rate_limit_per_address=per_address, rate_limit_per_sender=per_sender, trusted_proxies=proxies)
    return ChatGate.from_settings(settings)


def test_a_sender_over_its_limit_waits_until_the_window_frees():
    gate = memory_gate()
    assert [gate.wait_seconds("198.51.100.1", "s1") for _ in range(3)] == [None, None, None]
    wait = gate.wait_seconds("198.51.100.1", "s1")
    assert wait is not None and 1 <= wait <= 60
    assert gate.wait_seconds("198.51.100.1", "s2") is None  # another sender of the same address


def test_an_address_over_its_limit_is_refused_whatever_sender_it_claims():
    gate = memory_gate()
    assert all(gate.wait_seconds("198.51.100.2", f"fresh-{i}") is None for i in range(5))
    assert gate.wait_seconds("198.51.100.2", "fresh-5") is not None
    assert gate.wait_seconds("198.51.100.3", "fresh-5") is None  # another address


def test_empty_limits_mean_no_limit():
    gate = memory_gate(per_address="", per_sender="")
    assert all(gate.wait_seconds("198.51.100.4", "s") is None for _ in range(100))


def test_the_client_address_follows_the_console_logins_rule():
    gate = memory_gate(proxies="10.0.0.0/8")
    assert gate.address("10.0.0.5", "203.0.113.9, 10.0.0.7") == "203.0.113.9"  # from a trusted proxy
    assert gate.address("198.51.100.5", "203.0.113.9") == "198.51.100.5"  # anyone else: the peer
    assert gate.address("10.0.0.5", None) == "10.0.0.5"


@pytest.fixture(scope="module")
def redis_url():
    from tests.e2e.production_support import PrivateRedis

    redis = PrivateRedis()
    redis.start()
    yield redis.url
    redis.stop()


def test_replicas_share_the_counts_in_redis_under_the_deployments_prefix(redis_url):
    import redis

    settings = Settings(lock_store_url=redis_url, lock_store_key_prefix="etownA", rate_limit_per_sender="3/minute",
                        rate_limit_per_address="100/minute")
    first, second = ChatGate.from_settings(settings), ChatGate.from_settings(settings)
    assert first.wait_seconds("198.51.100.6", "shared") is None
    assert second.wait_seconds("198.51.100.6", "shared") is None
    assert first.wait_seconds("198.51.100.6", "shared") is None
    assert second.wait_seconds("198.51.100.6", "shared") is not None  # the 4th message, on the other replica
    other = ChatGate.from_settings(Settings(lock_store_url=redis_url, lock_store_key_prefix="etownB",
                                            rate_limit_per_sender="3/minute"))
    assert other.wait_seconds("198.51.100.6", "shared") is None  # another deployment on the same Redis
    keys = [k.decode() for k in redis.from_url(redis_url).keys("*")]
    assert keys and all(k.startswith(("etownA-ratelimit/", "etownB-ratelimit/")) for k in keys)


def test_an_unreachable_redis_lets_messages_through_with_a_warning(caplog):
    from tests.e2e.production_support import free_port

    gate = ChatGate.from_settings(Settings(lock_store_url=f"redis://127.0.0.1:{free_port()}/0"))
    with caplog.at_level(logging.WARNING):
        assert gate.wait_seconds("198.51.100.7", "s") is None
    assert "not checked" in caplog.text
