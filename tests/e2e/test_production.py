"""Production mode end to end: two Rasa replicas (different ports) sharing the PostgreSQL tracker store,
the Redis lock store and the socket.io rooms (Redis pub/sub), the token-checked action server, the web
app, all on the machine's real PostgreSQL and Redis (a database, and a key prefix that also names the
pub/sub channel, of their own).

The tests run in file order; the last one kills a replica.
"""
from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import create_engine, text

from bot.config import Settings
from tests.e2e.booking_days import bookable_day
from tests.e2e.rest_support import code_from_mail
from tests.e2e.production_support import (
    JWT_SECRET, REDIS_URL, SHARED_POSTGRES, TOKEN, create_database, drop_database, free_ports, http, prepared,
    production_settings, running_servers, say, texts, unique, wait_until,
)


@pytest.fixture(scope="module")
def database():
    name = unique("etown_i7_")
    yield create_database(SHARED_POSTGRES, name)
    drop_database(SHARED_POSTGRES, name)


@pytest.fixture(scope="module")
def settings(database):
    return prepared(production_settings(database, REDIS_URL, rasa_port=free_ports(2), rasa_replicas=2))


@pytest.fixture(scope="module")
def servers(settings, tmp_path_factory):
    with running_servers(settings, tmp_path_factory, "production") as running:
        yield running


def user_turns(settings: Settings, sender: str) -> list:
    engine = create_engine(settings.tracker_store_url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                            {"s": sender}).all()
    engine.dispose()
    return rows


def test_messages_alternating_between_replicas_keep_context_and_form_state(servers, settings):
    first, second = settings.rasa_ports
    user = uuid.uuid4().hex
    say(first, user, "what documents do I need for a residence permit?")
    status, replies = say(second, user, "how much does it cost?")
    assert status == 200
    assert "residence permit" in texts(replies).lower() and "1,000" in texts(replies)

    turns = [(first, "make me a personal checklist for the joint application"), (second, "category B"),
             (first, "Germany"), (second, "not sure"), (first, "my wife"), (second, "no")]
    for port, message in turns:
        status, replies = say(port, user, message)
        assert status == 200 and texts(replies), message
    link = re.search(r"(http://\S+/checklists/[0-9a-f]{16})\b", texts(replies))
    assert link, texts(replies)
    status, page = http("GET", link.group(1))
    assert status == 200 and b"Passport" in page
    # every turn, whichever replica took it, is in the one conversation in PostgreSQL
    assert len(user_turns(settings, user)) == 2 + len(turns)


def test_a_question_in_the_middle_of_a_form_on_the_other_replica(servers, settings):
    first, second = settings.rasa_ports
    user = uuid.uuid4().hex
    say(first, user, "make me a personal checklist for the joint application")
    asked = texts(say(first, user, "category B")[1])
    digression = texts(say(second, user, "wait, how much does it cost?")[1])
    assert "CNY" in digression or "fee" in digression.lower(), digression
    assert asked.splitlines()[-1] in digression  # the form goes on with the same question, on the other replica


def test_simultaneous_messages_on_both_replicas_are_taken_one_at_a_time(servers, settings):
    from concurrent.futures import ThreadPoolExecutor

    first, second = settings.rasa_ports
    user = uuid.uuid4().hex
    say(first, user, "hello")
    messages = [(first, user, "how much does a residence permit cost?"),
                (second, user, "how long does a work permit take?")]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda args: say(*args), messages))
    assert all(status == 200 and texts(replies) for status, replies in results)
    # The Redis lock store serialises the two turns: all three are stored, each one complete
    # (without it both replicas would read the same conversation and one turn would be lost).
    engine = create_engine(settings.tracker_store_url, future=True)
    with engine.connect() as conn:
        events = conn.execute(text("SELECT type_name, action_name FROM events WHERE sender_id = :s ORDER BY id"),
                              {"s": user}).all()
    engine.dispose()
    users = [i for i, e in enumerate(events) if e.type_name == "user"]
    assert len(users) == 3
    assert all(events[i - 1].action_name == "action_listen" for i in users[1:])


def test_the_action_server_refuses_calls_without_the_token(servers, settings):
    url = f"http://127.0.0.1:{settings.action_port}"
    body = b'{"next_action": "action_answer_question", "tracker": {}, "domain": {}, "version": "3.6.21"}'
    assert http("GET", url + "/health")[0] == 200
    assert http("POST", url + "/webhook", body, {"Content-Type": "application/json"})[0] == 403
    assert http("POST", url + "/webhook", body, {"Authorization": "Bearer wrong"})[0] == 403
    assert http("GET", url + "/actions")[0] == 403
    assert http("GET", url + "/actions", headers={"Authorization": f"Bearer {TOKEN}"})[0] == 200


def test_the_rasa_http_api_answers_only_with_a_valid_jwt_its_secret_on_no_command_line(servers, settings):
    import psutil

    from bot.integrations.rasa_api import RasaConversations, RasaRequestRejected

    for index, port in enumerate(settings.rasa_ports):
        # started the runner's way: bot.rasa_server takes the secret from its environment, so neither
        # the process nor any child (Sanic workers) shows it in /proc/<pid>/cmdline (what ps prints)
        process = psutil.Process(servers.named[f"rasa-{index}"].pid)
        assert process.cmdline()[1:4] == ["-m", "bot.rasa_server", "run"]
        for each in (process, *process.children(recursive=True)):
            assert JWT_SECRET not in " ".join(each.cmdline())
        # ...and Rasa checks that very secret
        status, _ = http("GET", f"http://127.0.0.1:{port}/conversations/x/tracker")
        assert status == 401
        # the staff console's client, with the configured secret, is let in on every replica
        assert isinstance(RasaConversations(f"http://127.0.0.1:{port}", JWT_SECRET).events(uuid.uuid4().hex), list)
        forged = RasaConversations(f"http://127.0.0.1:{port}", "another-secret-" + "x" * 32)
        with pytest.raises(RasaRequestRejected) as rejected:
            forged.events(uuid.uuid4().hex)
        assert rejected.value.status == 401


async def test_a_staff_reply_through_one_replica_reaches_a_widget_held_by_the_other(servers, settings):
    import asyncio

    import socketio

    from bot.integrations.rasa_api import STAFF_LABEL, RasaConversations

    first, second = settings.rasa_ports
    session = uuid.uuid4().hex
    received, confirmed = asyncio.Queue(), asyncio.Queue()
    client = socketio.AsyncClient()
    client.on("session_confirm", confirmed.put)
    client.on("bot_uttered", received.put)
    # the widget's socket is on replica A only; long-polling (the installed aiohttp is too old for
    # the engine.io client's websocket upgrade)
    await client.connect(f"http://127.0.0.1:{first}", transports=["polling"])
    try:
        await client.emit("session_request", {"session_id": session})
        assert await asyncio.wait_for(confirmed.get(), 60) == session
        # the person's own question, answered by replica A: every part of the answer arrives once
        await client.emit("user_uttered", {"message": "how much does a residence permit cost?", "session_id": session})
        expected = await asyncio.to_thread(_answer_parts_when_done, first, session)
        got = [await asyncio.wait_for(received.get(), 120) for _ in expected]
        assert [m.get("text") for m in got] == expected and "CNY" in "\n".join(expected)

        # a staff reply through replica B's HTTP API, as the staff console sends it
        console = RasaConversations(f"http://127.0.0.1:{second}", JWT_SECRET)
        await asyncio.to_thread(console.send_staff_message, session, "Please bring your passport.")
        staff = await asyncio.wait_for(received.get(), 60)
        # Published after the answer above, so a duplicate of it would have come first.
        assert staff == {"text": STAFF_LABEL + "Please bring your passport."}
        assert received.empty()
    finally:
        await client.disconnect()


def _answer_parts_when_done(port: int, session: str) -> list:
    """The socket.io messages (the parts of each bot text, as Rasa's channel splits them) of the
    conversation's last turn, once the turn is stored (it ends with action_listen)."""
    from bot.integrations.rasa_api import RasaConversations

    api = RasaConversations(f"http://127.0.0.1:{port}", JWT_SECRET)

    def finished():
        events = api.events(session)
        users = [i for i, e in enumerate(events) if e.get("event") == "user"]
        if users and events[-1].get("event") == "action" and events[-1].get("name") == "action_listen" \
                and len(events) > users[-1] + 1:
            return events[users[-1]:]
        return None

    turn = wait_until(finished, timeout=120, step=0.5)
    assert turn, "the turn was not stored"
    return [part for e in turn if e.get("event") == "bot" for part in (e.get("text") or "").strip().split("\n\n")]


def test_action_server_down_gives_an_apology_and_a_suggestion(servers, settings):
    first, second = settings.rasa_ports
    user = uuid.uuid4().hex
    say(first, user, "what documents do I need for a residence permit?")
    servers.stop_one("actions", kill=True)
    try:
        status, replies = say(second, user, "how much does it cost?")
        answer = texts(replies)
        assert status == 200 and replies, "an empty reply"
        assert "sorry" in answer.lower() and "try again" in answer.lower() and "hotline" in answer.lower()
    finally:
        servers.restart("actions")
    answer = texts(say(first, user, "how much does it cost?")[1])
    assert "residence permit" in answer.lower() and "1,000" in answer  # the context survived the outage


def test_killing_a_replica_mid_conversation_loses_nothing(servers, settings):
    first, second = settings.rasa_ports
    user = uuid.uuid4().hex
    day = bookable_day(settings, "10:30")
    say(second, user, "book me an appointment at the E-Town hall for the residence permit")
    for answer in (day, "10:30", "Mara Lindqvist"):
        assert say(second, user, answer)[0] == 200
    servers.stop_one("rasa-1", kill=True)  # a crash, between two messages of the same conversation
    for answer in ("C01X00T48", "mara@example.com"):
        status, replies = say(first, user, answer)
        assert status == 200 and texts(replies)
    summary = texts(say(first, user, "+86 139 1234 5679")[1])
    assert day in summary and "10:30" in summary, summary
    held = texts(say(first, user, "yes")[1])
    assert "I'm holding 10:30" in held, held
    done = texts(say(first, user, code_from_mail(settings.mail_dir, "mara@example.com"))[1])
    assert re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", done), done
    engine = create_engine(settings.database_url, future=True)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT applicant_name, email, start_time FROM bookings WHERE email = :e"),
                            {"e": "mara@example.com"}).all()
    engine.dispose()
    assert len(rows) == 1 and rows[0].applicant_name == "Mara Lindqvist"  # the name was given to the killed replica
