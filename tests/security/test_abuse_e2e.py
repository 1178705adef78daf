"""The abuse limits on the real servers (`make run`'s runner, a trained model) over loopback: typed
internal intents and payloads the bot did not offer are read as words, offered buttons still work,
a greeting logs no ERROR for its button payloads, and a sender over its limit gets a polite 429."""
from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
import uuid

import pytest

from bot.config import Settings
from bot.ops.setup import prepare
from tests.e2e.rest_support import e2e_dir, free_port, model, say, servers, texts  # noqa: F401 - fixtures

LIMITS = {"rate_limit_per_sender": "20/minute", "rate_limit_per_address": "60/minute"}  # the defaults


@pytest.fixture(scope="module")
def e2e_settings(e2e_dir):
    # rest_support's settings, with the limits at their defaults whatever other e2e modules choose
    settings = Settings(database_url=f"sqlite:///{e2e_dir / 'etown.db'}",
                        tracker_store_url=f"sqlite:///{e2e_dir / 'tracker.db'}",
                        rasa_port=free_port(), action_port=free_port(), web_port=free_port(), **LIMITS)
    prepare(settings)
    return settings


def stored_user_events(settings, sender: str) -> list:
    stored = sqlite3.connect(settings.resolved_tracker_store_url[len("sqlite:///"):])
    try:
        rows = stored.execute("select data from events where sender_id = ? and type_name = 'user' order by id",
                              (sender,)).fetchall()
    finally:
        stored.close()
    return [json.loads(data) for (data,) in rows]


def actions_run(settings, sender: str) -> list:
    stored = sqlite3.connect(settings.resolved_tracker_store_url[len("sqlite:///"):])
    try:
        return [name for (name,) in stored.execute(
            "select action_name from events where sender_id = ? and type_name = 'action'", (sender,))]
    finally:
        stored.close()


def test_typed_internal_intents_are_read_as_words(servers, e2e_settings):
    for typed in ("/EXTERNAL_handback", "/EXTERNAL_handoff_expired", "/restart"):
        user = uuid.uuid4().hex
        say(e2e_settings, user, "hello")
        assert texts(say(e2e_settings, user, typed))  # answered as words
        events = stored_user_events(e2e_settings, user)
        assert events[-1]["text"] == typed[1:] and events[-1]["parse_data"]["intent"]["name"] != typed[1:]
        assert not {"action_handback", "action_handoff_expired", "action_restart"} & set(actions_run(e2e_settings, user))


def test_an_offered_button_works_and_an_unoffered_payload_fills_no_slot(servers, e2e_settings):
    user = uuid.uuid4().hex
    greeting = say(e2e_settings, user, "/greet")  # the chat page's opening payload: public
    offered = [b["payload"] for r in greeting for b in r.get("buttons") or []]
    assert '/ask_fees{"service":"residence_permit"}' in offered
    answer = texts(say(e2e_settings, user, '/ask_fees{"service":"residence_permit"}'))
    assert "residence permit" in answer.lower() and "CNY" in answer
    events = stored_user_events(e2e_settings, user)
    assert events[-1]["parse_data"]["intent"]["name"] == "ask_fees"
    assert events[-1]["parse_data"]["entities"][0]["value"] == "residence_permit"

    stranger = uuid.uuid4().hex
    say(e2e_settings, stranger, '/ask_fees{"service":"work_permit_notification"}')
    typed = stored_user_events(e2e_settings, stranger)[-1]
    assert typed["text"] == 'ask_fees{"service":"work_permit_notification"}'
    assert all(e.get("extractor") != "RegexMessageHandler" for e in typed["parse_data"]["entities"])


def test_a_greeting_logs_no_error_for_its_button_payloads(servers, e2e_settings, e2e_dir):
    log = e2e_dir / "logs" / "rasa-0.log"
    before = log.stat().st_size
    assert "permits assistant" in texts(say(e2e_settings, uuid.uuid4().hex, "hello"))
    with open(log, "rb") as handle:
        handle.seek(before)
        added = handle.read().decode("utf-8", "replace")
    assert "interpolator" not in added and "KeyError" not in added


def test_a_sender_over_its_limit_gets_a_polite_429(servers, e2e_settings):
    from bot.domain.abuse.rate_limits import parse_rate_limits

    allowed = parse_rate_limits(e2e_settings.rate_limit_per_sender)[0].amount
    user = uuid.uuid4().hex
    for _ in range(allowed):
        say(e2e_settings, user, "thanks")
    body = json.dumps({"sender": user, "message": "thanks"}).encode()
    request = urllib.request.Request(f"http://{e2e_settings.host}:{e2e_settings.rasa_port}/webhooks/rest/webhook",
                                     data=body, headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=60)  # noqa: S310 - loopback
        raise AssertionError("the message over the limit was answered")
    except urllib.error.HTTPError as refused:
        assert refused.code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert "wait" in json.loads(refused.read())[0]["text"]
    assert "permits assistant" in texts(say(e2e_settings, uuid.uuid4().hex, "hello"))  # others still answered
