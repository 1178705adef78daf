"""Helpers of the production-mode tests: ports, a database of their own, the servers started the
runner's way, the webhook, a private PostgreSQL and Redis."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

from sqlalchemy import create_engine, text

from bot.config import Settings
from tests.e2e.rest_support import TEST_RATE_LIMITS
from bot.ops import runner
from bot.ops.mail_server import start_mail_server
from bot.ops.setup import prepare
from bot.ops.training import ensure_model

SHARED_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"  # the machine's PostgreSQL (started by .ci/run)
REDIS_URL = "redis://127.0.0.1:6379/0"  # the machine's Redis; each run uses its own lock key prefix
SECRET = "production-test-secret-key-0123456789abcdef"
TOKEN = "production-test-action-token-0123456789abcdef"
JWT_SECRET = "production-test-rasa-jwt-secret-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports (Rasa replicas use rasa_port, rasa_port + 1, ...)."""
    for _ in range(50):
        first = free_port()
        try:
            for port in range(first, first + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError(f"no {count} consecutive free ports")


def unique(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:10]


def create_database(admin_url: str, name: str) -> str:
    """CREATE DATABASE name on the server of ``admin_url``; returns the URL of the new database."""
    engine = create_engine(admin_url, future=True, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, future=True, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def production_settings(database: str, lock_store_url: str, **overrides) -> Settings:
    """Production-mode settings on free ports: the database for both stores, secrets set, the chat
    page's origin as the CORS origin; ``overrides`` e.g. two replicas or a case-push token."""
    web_port = free_port()
    values = dict(env="production", database_url=database, tracker_store_url=database,
                  lock_store_url=lock_store_url, lock_store_key_prefix=unique("etowntest"), secret_key=SECRET,
                  action_token=TOKEN, rasa_jwt_secret=JWT_SECRET, cors_origin=f"http://localhost:{web_port}",
                  rasa_port=free_port(), action_port=free_port(), web_port=web_port, **TEST_RATE_LIMITS,
                  # production starts no mail server: running_servers() starts a stand-in relay here
                  smtp_port=free_port(), mail_dir=Path(tempfile.mkdtemp(prefix="etown-relay-")))
    values.update(overrides)
    return Settings(**values)


def prepared(settings: Settings) -> Settings:
    """``settings`` after the set-up `make run` does (schema, knowledge base, spaCy pipeline)."""
    prepare(settings)
    return settings


@contextmanager
def running_servers(settings: Settings, tmp_path_factory, label: str) -> Iterator[runner.Servers]:
    """The action server, the Rasa replica(s) and the web app started by the runner (as `make run`
    does), logging under a folder of their own; stopped on exit. A local SMTP server stands in for the
    production relay, keeping the e-mails in ``settings.mail_dir``."""
    model = ensure_model(settings)  # trained or restored by `make test`'s set-up
    relay = start_mail_server(settings.mail_dir, "127.0.0.1", settings.smtp_port)
    try:
        running = runner.start(settings, model, log_dir=tmp_path_factory.mktemp(label) / "logs")
        try:
            yield running
        finally:
            running.stop()
    finally:
        relay.stop()


def say(port: int, sender: str, message) -> Tuple[int, List[dict]]:
    """POST to the REST webhook of the Rasa server on ``port``: (HTTP status, bot messages)."""
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=90) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def texts(replies: List[dict]) -> str:
    return "\n".join((r or {}).get("text") or "" for r in replies or [])


def http(method: str, url: str, body: Optional[bytes] = None, headers: Optional[dict] = None) -> Tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _postgres_bin() -> Path:
    """The directory of this machine's PostgreSQL server programs (initdb, pg_ctl)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL server programs (initdb, pg_ctl) not found; install postgresql")
    return versions[-1].parent


class PrivateCluster:
    """A PostgreSQL cluster of its own on a free loopback port, to stop and start during a test.

    The machine's shared PostgreSQL is never restarted (other tests use it). As root the cluster runs
    as the ``postgres`` user (PostgreSQL refuses to run as root).
    """

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="etown-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)

    def init(self) -> "PrivateCluster":
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def running(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def destroy(self) -> None:
        if self.running():
            try:
                self.stop()
            except subprocess.SubprocessError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """A Redis server of its own on a free loopback port (no persistence), to stop and start during a test."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        server = shutil.which("redis-server")
        if not server:
            raise RuntimeError("redis-server not found; install redis")
        self.process = subprocess.Popen([server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_until(self.running, timeout=20, step=0.2):
            raise RuntimeError("the private Redis did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)

    def running(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0


def wait_until(check, timeout: float = 60.0, step: float = 1.0):
    """Poll ``check()`` until it returns something true; return it (or the last value after ``timeout``)."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value and time.monotonic() < deadline:
        time.sleep(step)
        value = check()
    return value
