"""End to end: the real action server and Rasa server, talked to over the REST webhook."""
from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from bot.ops import runner
from tests.e2e.booking_days import bookable_day
from tests.e2e.rest_support import (  # noqa: F401 - fixtures
    code_from_mail, e2e_dir, e2e_settings, model, say, servers, texts,
)


def test_greeting_and_a_sourced_answer(servers, e2e_settings):
    user = uuid.uuid4().hex
    assert "permits assistant" in texts(say(e2e_settings, user, "hello"))
    answer = texts(say(e2e_settings, user, "how much does a residence permit cost?"))
    assert "CNY 400" in answer or "400" in answer
    assert "last reviewed" in answer and "https://" in answer


def test_follow_up_keeps_context(servers, e2e_settings):
    user = uuid.uuid4().hex
    say(e2e_settings, user, "what documents do I need for a residence permit?")
    answer = texts(say(e2e_settings, user, "how much does it cost?"))
    assert "residence permit" in answer.lower() and "1,000" in answer


def test_buttons_are_delivered(servers, e2e_settings):
    replies = say(e2e_settings, uuid.uuid4().hex, "how long does it take?")
    assert any(r.get("buttons") for r in replies)


@pytest.mark.parametrize("message", [
    "", "   ", "x" * 10000, "🙂🙂🙂", "<script>alert('hi')</script>", "'; DROP TABLE kb_entries; --",
    "\x00\x01\x02\x03\x04", "工作许可需要什么材料？", "<img src=x onerror=alert(1)> fees?",
])
def test_bad_input_gets_a_polite_answer_and_nothing_raw_is_echoed(servers, e2e_settings, message):
    replies = say(e2e_settings, uuid.uuid4().hex, message)
    assert replies and all(r.get("text") for r in replies)
    everything = texts(replies)
    for raw in ("<script", "<img", "onerror", "DROP TABLE", "xxxxxxxx", "\x00"):
        assert raw not in everything


def test_server_still_answers_after_bad_input(servers, e2e_settings):
    assert "permits assistant" in texts(say(e2e_settings, uuid.uuid4().hex, "hi"))


def test_socketio_channel_is_enabled(servers, e2e_settings):
    url = f"http://{e2e_settings.host}:{e2e_settings.rasa_port}/socket.io/?EIO=4&transport=polling"
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
        assert response.status == 200


def test_socketio_answers_the_chat_page_origin_with_one_cors_header(servers, e2e_settings):
    # Two Access-Control-Allow-Origin headers (Sanic-CORS and engine.io both adding one) make browsers
    # refuse every polling response: the widget would never connect.
    url = f"http://{e2e_settings.host}:{e2e_settings.rasa_port}/socket.io/?EIO=4&transport=polling"
    request = urllib.request.Request(url, headers={"Origin": e2e_settings.resolved_cors_origins[0]})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        assert response.headers.get_all("Access-Control-Allow-Origin") == [e2e_settings.resolved_cors_origins[0]]


def test_port_taken_is_a_clear_error(servers, e2e_settings):
    with pytest.raises(runner.PortTaken, match=f"Port {e2e_settings.rasa_port} .* already in use"):
        runner.ensure_port_free(e2e_settings.host, e2e_settings.rasa_port, "Rasa server")


def test_conversation_survives_a_restart(servers, e2e_settings, model, e2e_dir):
    user = uuid.uuid4().hex
    say(e2e_settings, user, "tell me about the joint application")
    servers.stop()
    restarted = runner.start(e2e_settings, model, log_dir=e2e_dir / "logs")
    servers.processes[:] = restarted.processes  # the module fixture stops whatever runs now
    answer = texts(say(e2e_settings, user, "how long does it take?"))
    assert "joint application" in answer.lower()


def get(url: str) -> tuple:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        return response.status, response.headers.get("Content-Type", ""), response.read()


def test_checklist_conversation_gives_a_printable_page_and_a_pdf(servers, e2e_settings):
    import re

    user = uuid.uuid4().hex
    texts(say(e2e_settings, user, "make me a personal checklist for the joint application"))
    for answer in ("category B", "Germany", "not sure", "my wife", "no"):
        last = texts(say(e2e_settings, user, answer))
    link = re.search(r"(http://\S+/checklists/[0-9a-f]{16})\b", last)
    assert link, last
    status, kind, body = get(link.group(1))
    assert status == 200 and "text/html" in kind and b"Passport" in body
    status, kind, body = get(link.group(1) + ".pdf")
    assert status == 200 and kind == "application/pdf" and body.startswith(b"%PDF")


def test_date_estimate_over_the_webhook(servers, e2e_settings):
    answer = texts(say(e2e_settings, uuid.uuid4().hex,
                       "if E-Town accepts my work permit application on 2026-12-01, when will it be concluded?"))
    assert "by Friday 4 December 2026" in answer  # a fixed date's answer: it does not depend on today


def test_case_status_after_verification_and_nothing_personal_is_stored(servers, e2e_settings):
    import sqlite3

    from bot.db.engine import make_engine, make_session_factory
    from bot.db.uow import UnitOfWork
    from bot.services import knowledge
    from bot.services.cases import import_cases
    from bot.services.keys import case_hasher
    from tests.case_data import LENA, csv_text

    engine = make_engine(e2e_settings.resolved_database_url)
    uow = lambda: UnitOfWork(make_session_factory(engine))  # noqa: E731
    import_cases(uow(), knowledge.read(uow()), case_hasher(e2e_settings), csv_text([LENA]))
    engine.dispose()

    user = uuid.uuid4().hex
    asked = texts(say(e2e_settings, user, "where is my application EZ2026-0042?"))
    assert "passport" in asked.lower()
    answer = texts(say(e2e_settings, user, "0T47 Hoffmann"))
    assert "Case EZ2026-0042" in answer and "Hoffmann" not in answer

    other = uuid.uuid4().hex
    say(e2e_settings, other, "status of my case EZ2026-0042")
    assert "could not verify" in texts(say(e2e_settings, other, "9999 Hoffmann")).lower()

    stored = sqlite3.connect(e2e_settings.resolved_tracker_store_url[len("sqlite:///"):])
    rows = stored.execute("select data from events where sender_id in (?, ?)", (user, other)).fetchall()
    # only the stored strings: a confidence or a timestamp may well contain the digits 9999
    stored_text = [s for (data,) in rows for s in strings_in(json.loads(data))]
    assert stored_text and not any("0T47" in s or "9999" in s or "Hoffmann" in s for s in stored_text)


def strings_in(value) -> list:
    """Every string inside a decoded JSON value (keys included)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings_in(v)]]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def test_booking_conversation_gives_a_code_and_a_calendar_file(servers, e2e_settings):
    import re
    import sqlite3

    user = uuid.uuid4().hex
    day = bookable_day(e2e_settings, "10:30")
    say(e2e_settings, user, "book me an appointment at the E-Town hall for the residence permit")
    for answer in (day, "10:30", "Lena Hoffmann", "C01X00T47", "lena@example.com",
                   "+86 139 1234 5678"):
        last = texts(say(e2e_settings, user, answer))
    assert day in last and "10:30" in last  # the summary to confirm
    held = texts(say(e2e_settings, user, "yes"))
    assert "I'm holding 10:30" in held and "6-digit code" in held and ".ics" not in held
    code = code_from_mail(e2e_settings.mail_dir, "lena@example.com")
    done = texts(say(e2e_settings, user, code))
    link = re.search(r"(http://\S+/bookings/[A-Z0-9]{4}-[A-Z0-9]{4}\.ics)", done)
    assert link, done
    status, kind, body = get(link.group(1))
    assert status == 200 and "text/calendar" in kind and b"BEGIN:VEVENT" in body

    stored = sqlite3.connect(e2e_settings.resolved_tracker_store_url[len("sqlite:///"):])
    rows = " ".join(r[0] for r in stored.execute("select data from events where sender_id = ?", (user,)))
    for personal in ("C01X00T47", "lena@example.com", "Lena Hoffmann", "139 1234 5678", "13912345678"):
        assert personal not in rows
