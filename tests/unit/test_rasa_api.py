"""The Rasa HTTP API client: tokens Rasa accepts, named errors, the development secret."""
import datetime as dt
import os

import jwt
import pytest

from bot.config import Settings
from bot.integrations.rasa_api import (InvalidStaffMessage, JwtSecretMissing, RasaConversations, RasaRequestRejected,
                                       RasaUnavailable, jwt_secret, rasa_conversations)

SECRET = "s" * 40


def test_token_has_the_payload_rasa_requires_and_expires():
    now = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.timezone.utc)
    payload = jwt.decode(RasaConversations("http://127.0.0.1:1", SECRET).token(now), SECRET, algorithms=["HS256"],
                         options={"verify_exp": False})
    assert payload["user"] == {"username": "etown-staff-console", "role": "admin"}
    assert payload["exp"] - payload["iat"] == 300


def test_a_server_that_does_not_answer_is_rasa_unavailable():
    client = RasaConversations("http://127.0.0.1:1", SECRET, timeout=2)  # nothing listens on port 1
    for call in (lambda: client.events("web-1"), lambda: client.pause("web-1"), lambda: client.hand_back("web-1"),
                 lambda: client.send_staff_message("web-1", "Hello")):
        with pytest.raises(RasaUnavailable):
            call()


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
def test_an_empty_or_huge_staff_message_is_refused_before_sending(text):
    with pytest.raises(InvalidStaffMessage):
        RasaConversations("http://127.0.0.1:1", SECRET).send_staff_message("web-1", text)


@pytest.mark.parametrize("conversation_id", ["", "x" * 256])
def test_a_bad_conversation_id_is_refused(conversation_id):
    with pytest.raises(RasaRequestRejected):
        RasaConversations("http://127.0.0.1:1", SECRET).pause(conversation_id)


def test_development_secret_is_created_once_and_private(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'etown.db'}")
    first = jwt_secret(settings)
    assert len(first) == 64 and jwt_secret(settings) == first
    assert oct(os.stat(tmp_path / "rasa_jwt.secret").st_mode & 0o777) == "0o600"
    assert rasa_conversations(settings).base_url == "http://127.0.0.1:5005"


def test_production_needs_a_long_secret(tmp_path):
    with pytest.raises(JwtSecretMissing):
        jwt_secret(Settings(env="production", database_url=f"sqlite:///{tmp_path / 'etown.db'}"))
    with pytest.raises(JwtSecretMissing):
        jwt_secret(Settings(rasa_jwt_secret="short"))
    assert jwt_secret(Settings(env="production", rasa_jwt_secret=SECRET)) == SECRET


class _Recorder:
    """A loopback HTTP server answering 200 {} and recording each request (method, path, query, body)."""

    def __init__(self):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlsplit

        self.requests = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                url = urlsplit(self.path)
                recorder.requests.append(("POST", url.path, parse_qs(url.query), json.loads(body or b"null"),
                                          self.headers.get("Authorization", "")))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder():
    server = _Recorder()
    yield server
    server.close()


@pytest.mark.parametrize("call, intent", [("hand_back", "EXTERNAL_handback"),
                                          ("expire_handoff", "EXTERNAL_handoff_expired")])
def test_the_bot_is_resumed_first_then_given_an_external_intent_on_the_persons_channel(recorder, call, intent):
    getattr(RasaConversations(recorder.url, SECRET), call)("web 1")
    [(m1, path1, query1, body1, auth), (m2, path2, query2, body2, _)] = recorder.requests
    assert (path1, query1) == ("/conversations/web%201/tracker/events", {})
    assert body1 == [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    assert path2 == "/conversations/web%201/trigger_intent"
    assert body2 == {"name": intent, "entities": {}} and query2 == {"output_channel": ["socketio"]}
    assert auth.startswith("Bearer ") and jwt.decode(auth[7:], SECRET, algorithms=["HS256"])["user"]["role"] == "admin"
