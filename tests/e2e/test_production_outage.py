"""PostgreSQL (and Redis) restarted during a run (production mode): requests during the outage get a
clear "temporarily unavailable" answer, the servers recover by themselves, and no booking or case
update is lost or duplicated.

PostgreSQL and Redis here are a private cluster and a private server started for this module, so
the machine's shared ones (used by other tests) are never restarted.
"""
from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import create_engine, text

from bot.config import Settings
from tests.case_data import LENA
from tests.e2e.booking_days import bookable_day
from tests.e2e.rest_support import code_from_mail
from tests.e2e.production_support import (
    PrivateCluster, PrivateRedis, create_database, http, prepared, production_settings, running_servers, say,
    texts, wait_until,
)

PUSH_TOKEN = "production-test-case-push-token-0123456789"


@pytest.fixture(scope="module")
def cluster():
    cluster = PrivateCluster().init()
    cluster.start()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="module")
def redis_server():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def settings(cluster, redis_server):
    database = create_database(cluster.admin_url, "etown")
    return prepared(production_settings(database, redis_server.url, case_push_token=PUSH_TOKEN))


@pytest.fixture(scope="module")
def servers(settings, tmp_path_factory):
    with running_servers(settings, tmp_path_factory, "outage") as running:
        yield running


def push(settings: Settings, case: dict):
    status, body = http("POST", f"http://127.0.0.1:{settings.web_port}/api/cases", json.dumps(case).encode(),
                        {"Authorization": f"Bearer {PUSH_TOKEN}", "Content-Type": "application/json"})
    return status, json.loads(body)


def query(settings: Settings, sql: str, **params) -> list:
    engine = create_engine(settings.database_url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(text(sql), params).all()
    engine.dispose()
    return rows


def test_postgresql_restart_during_a_booking_and_a_case_update(servers, settings, cluster):
    port = settings.rasa_port
    assert push(settings, LENA) == (200, {"created": 1, "updated": 0, "unchanged": 0, "stale": 0})
    user = uuid.uuid4().hex
    day = bookable_day(settings, "14:00")
    say(port, user, "book me an appointment at the E-Town hall for the residence permit")
    for answer in (day, "14:00", "Tomas Berg", "P7788990", "tomas@example.com"):
        assert say(port, user, answer)[0] == 200
    summary = texts(say(port, user, "+86 139 5555 0101")[1])
    assert day in summary and "14:00" in summary, summary

    approved = dict(LENA, status="approved", updated_on="2026-11-21", note="Collect the permit at the hall.")
    cluster.stop()
    try:
        for message in ("yes", "yes", "hello?"):
            status, replies = say(port, user, message)
            assert status == 503, (status, replies)
            assert "temporarily unavailable" in texts(replies) and "send it again" in texts(replies)
            assert message not in texts(replies).split()  # never echoed back
        assert push(settings, approved)[0] == 503
        assert http("GET", f"http://127.0.0.1:{settings.web_port}/health")[0] == 200  # the app itself is up
    finally:
        cluster.start()

    # the same servers, not restarted: the first message after the restart is handled
    status, replies = say(port, user, "yes")
    assert status == 200 and "I'm holding 14:00" in texts(replies), texts(replies)
    status, replies = say(port, user, code_from_mail(settings.mail_dir, "tomas@example.com"))
    done = texts(replies)
    assert status == 200 and re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", done), done
    assert all(p.poll() is None for p in servers.processes)
    # the pusher retries its update: applied once; a duplicate delivery changes nothing
    assert push(settings, approved) == (200, {"created": 0, "updated": 1, "unchanged": 0, "stale": 0})
    assert push(settings, approved) == (200, {"created": 0, "updated": 0, "unchanged": 1, "stale": 0})

    bookings = query(settings, "SELECT applicant_name, status FROM bookings WHERE email = :e", e="tomas@example.com")
    assert [tuple(b) for b in bookings] == [("Tomas Berg", "booked")]
    history = query(settings, "SELECT h.status FROM case_history h JOIN cases c ON c.id = h.case_id "
                              "WHERE c.case_number = :n ORDER BY h.id", n=LENA["case_number"])
    assert [h.status for h in history].count("approved") == 1
    assert query(settings, "SELECT status FROM cases WHERE case_number = :n", n=LENA["case_number"])[0].status == \
        "approved"
    # and the conversation goes on
    answer = texts(say(port, user, "how much does a residence permit cost?")[1])
    assert "residence permit" in answer.lower() and "CNY" in answer


def test_redis_restart_during_a_conversation(servers, settings, redis_server):
    import redis

    port = settings.rasa_port
    user = uuid.uuid4().hex
    say(port, user, "what documents do I need for a residence permit?")
    redis_server.stop()
    try:
        status, replies = say(port, user, "how much does it cost?")
        assert status == 503 and "temporarily unavailable" in texts(replies)
    finally:
        redis_server.start()
    status, replies = say(port, user, "how much does it cost?")
    assert status == 200 and "residence permit" in texts(replies).lower() and "1,000" in texts(replies)
    # no lock is left behind for the conversation
    client = redis.Redis.from_url(redis_server.url)
    assert wait_until(lambda: not client.keys(f"{settings.lock_store_key_prefix}:lock:*"), timeout=10)
