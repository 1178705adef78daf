"""Fault isolation under `make run` (python -m bot run): a Rasa server killed as the kernel would kill
it is started again by the supervisor, the other servers keep running, and no conversation is lost."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import uuid
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings
from tests.e2e.rest_support import TEST_RATE_LIMITS, free_port, say, texts


def children_running(parent: int, pattern: list) -> list:
    """Pids of ``parent``'s children whose command line holds every string of ``pattern``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == parent and all(p.encode() in args for p in pattern):
                found.append(int(entry.name))
    return found


def answer_when_up(settings: Settings, sender: str, message: str, timeout: float = 600.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return texts(say(settings, sender, message))
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


def test_a_killed_rasa_server_is_restarted_and_the_conversation_goes_on(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'etown.db'}",
                        tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}",
                        rasa_port=free_port(), action_port=free_port(), web_port=free_port())
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETOWN_")}
    env.update({"ETOWN_DATABASE_URL": settings.database_url, "ETOWN_TRACKER_STORE_URL": settings.tracker_store_url,
                "ETOWN_RASA_PORT": str(settings.rasa_port), "ETOWN_ACTION_PORT": str(settings.action_port),
                "ETOWN_WEB_PORT": str(settings.web_port), "ETOWN_SMTP_PORT": str(free_port()),
                "ETOWN_MAIL_DIR": str(tmp_path / "mail"),
                **{f"ETOWN_{k.upper()}": v for k, v in TEST_RATE_LIMITS.items()}})
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        run = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=PROJECT_ROOT, env=env, stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        user = uuid.uuid4().hex
        first = answer_when_up(settings, user, "what documents do I need for a residence permit?")
        assert "passport" in first.lower()
        [rasa] = children_running(run.pid, ["bot.rasa_server", str(settings.rasa_port)])
        others = children_running(run.pid, ["actions"]) + children_running(run.pid, ["web"])
        assert len(others) == 2
        os.kill(rasa, signal.SIGKILL)
        answer = answer_when_up(settings, user, "how much does it cost?")
        assert "residence permit" in answer.lower() and "1,000" in answer  # the context survived the crash
        assert run.poll() is None, log.read_text()[-3000:]
        assert all(Path(f"/proc/{pid}").exists() for pid in others)  # never stopped
        assert children_running(run.pid, ["bot.rasa_server", str(settings.rasa_port)]) != [rasa]
        assert "rasa-0 server was started again" in log.read_text()
    finally:
        run.send_signal(signal.SIGINT)
        try:
            run.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
