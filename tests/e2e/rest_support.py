"""Shared by the tests that talk to one development-mode assistant (SQLite) over the REST webhook:
module-scoped fixtures that prepare a database in a temporary folder and start the real servers."""
from __future__ import annotations

import json
import socket
import urllib.request

import pytest

from bot.config import Settings
from bot.ops import runner
from bot.ops.setup import prepare
from bot.ops.training import ensure_model


# Every test message comes from 127.0.0.1, faster than a person types: the chat rate limits stay on
# (the production code path) but far above what a test sends. tests/security/test_abuse_e2e.py tests them.
TEST_RATE_LIMITS = {"rate_limit_per_sender": "600/minute", "rate_limit_per_address": "6000/minute"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def e2e_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def e2e_settings(e2e_dir):
    tmp = e2e_dir
    settings = Settings(database_url=f"sqlite:///{tmp / 'etown.db'}", tracker_store_url=f"sqlite:///{tmp / 'tracker.db'}",
                        rasa_port=free_port(), action_port=free_port(), web_port=free_port(), **TEST_RATE_LIMITS,
                        smtp_port=free_port(), mail_dir=tmp / "mail")  # the development mail server's .eml files
    prepare(settings)
    return settings


@pytest.fixture(scope="module")
def model(e2e_settings):
    # The model was trained (or restored from the cache) by `make test`'s set-up; this only finds it.
    return ensure_model(e2e_settings)


@pytest.fixture(scope="module")
def servers(e2e_settings, model, e2e_dir):
    running = runner.start(e2e_settings, model, log_dir=e2e_dir / "logs")
    yield running
    running.stop()


def say(settings: Settings, sender: str, message) -> list:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(f"http://{settings.host}:{settings.rasa_port}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


def code_from_mail(directory, to: str) -> str:
    """The one-time code of the latest .eml kept in ``directory`` for ``to`` (by the development mail
    server, or the stand-in relay of the production tests), read as a person would read it."""
    import email
    import re
    from email import policy

    for path in sorted(directory.glob("*.eml"), reverse=True):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        found = re.search(r"one-time code is: (\d{6})", message.get_body(("plain",)).get_content())
        if message["To"] == to and found:
            return found.group(1)
    raise AssertionError(f"no code e-mail for {to} in {directory}")


def texts(replies: list) -> str:
    return "\n".join(r.get("text") or "" for r in replies)
