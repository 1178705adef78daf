"""Starts the action server, the Rasa server and the web app, waits until all answer, stops all on Ctrl-C."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import yaml
from sqlalchemy.engine import make_url

from bot.config import PROJECT_ROOT, Settings
from bot.integrations.rasa_api import JWT_METHOD, jwt_secret

READY_TIMEOUT = 240.0


class PortTaken(Exception):
    """A port the assistant needs is already in use."""


class StartupFailed(Exception):
    """A server exited or did not answer in time."""


def ensure_port_free(host: str, port: int, what: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            raise PortTaken(
                f"Port {port} ({what}) is already in use on {host}. Stop whatever is using it "
                f"(`lsof -i :{port}`), or choose another port with the environment variable shown in README.md."
            ) from None


def check_ports(settings: Settings) -> None:
    """Fail early, before any set-up work, when a port the assistant needs is taken."""
    ensure_port_free(settings.host, settings.rasa_port, "Rasa server, ETOWN_RASA_PORT")
    ensure_port_free("0.0.0.0", settings.action_port, "action server, ETOWN_ACTION_PORT")
    ensure_port_free(settings.host, settings.web_port, "web app, ETOWN_WEB_PORT")


def tracker_store_config(url: str) -> Dict:
    """Rasa's SQL tracker store settings from a SQLAlchemy URL."""
    parsed = make_url(url)
    # Rasa's SQL tracker store, redacting answers to personal-data questions (bot/domain/privacy.py)
    config = {"type": "bot.rasa_tracker_store.RedactingSQLTrackerStore", "dialect": parsed.drivername,
              "db": parsed.database}
    for key, value in (("url", parsed.host), ("port", parsed.port), ("username", parsed.username),
                       ("password", parsed.password)):
        if value is not None:
            config[key] = value
    return config


def write_endpoints(settings: Settings) -> Path:
    """var/endpoints-<rasa port>.yml, rendered from Settings (the one configuration source). One file
    per Rasa port: servers started at the same time from one checkout (tests, a second `make run`)
    never read each other's action server or tracker store."""
    endpoints = {
        "action_endpoint": {"url": settings.resolved_action_url},
        "tracker_store": tracker_store_config(settings.resolved_tracker_store_url),
    }
    target = PROJECT_ROOT / "var" / f"endpoints-{settings.rasa_port}.yml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return target


def child_env(settings: Settings) -> Dict[str, str]:
    env = dict(os.environ)
    env.update({
        "ETOWN_DATABASE_URL": settings.resolved_database_url,
        "ETOWN_TRACKER_STORE_URL": settings.resolved_tracker_store_url,
        "ETOWN_HOST": settings.host,
        "ETOWN_RASA_PORT": str(settings.rasa_port),
        "ETOWN_ACTION_PORT": str(settings.action_port),
        "ETOWN_WEB_PORT": str(settings.web_port),
        "ETOWN_PUBLIC_BASE_URL": settings.resolved_public_base_url,
        "ETOWN_KB_DIR": str(settings.path(settings.kb_dir)),
        "ETOWN_TIMEZONE": settings.timezone,
        # the handoff's staff hours decide in the action server whether a person waits for staff
        "ETOWN_STAFF_HOURS": settings.staff_hours,
        "ETOWN_STAFF_EVERY_DAY": "true" if settings.staff_every_day else "false",
        "ETOWN_RASA_API_URL": settings.resolved_rasa_api_url,
        "PYTHONPATH": str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "SANIC_WORKERS": env.get("SANIC_WORKERS", "1"),
    })
    return env


@dataclass
class Servers:
    """The running processes; stop() ends them all."""

    processes: List[subprocess.Popen]

    def stop(self, timeout: float = 20.0) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + timeout
        for proc in self.processes:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback URL from settings
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start(settings: Settings, model: Path, log_dir: Optional[Path] = None) -> Servers:
    """Start both servers and return when both answer; raise PortTaken or StartupFailed."""
    check_ports(settings)
    endpoints = write_endpoints(settings)
    rasa = str(Path(sys.executable).with_name("rasa"))
    env = child_env(settings)
    out = None
    if log_dir:
        log_dir.mkdir(parents=True, exist_ok=True)
    commands = {
        "actions": [rasa, "run", "actions", "--actions", "actions", "--port", str(settings.action_port)],
        # The HTTP API is on only with a JWT secret: the staff console pauses, writes into and
        # hands back conversations through it (bot/integrations/rasa_api.py).
        "rasa": [rasa, "run", "--model", str(model), "--endpoints", str(endpoints),
                 "--credentials", "credentials.yml", "--interface", settings.host,
                 "--port", str(settings.rasa_port), "--cors", *settings.resolved_cors_origins,
                 "--enable-api", "--jwt-secret", jwt_secret(settings), "--jwt-method", JWT_METHOD],
        "web": [sys.executable, "-m", "bot", "web"],
    }
    servers = Servers([])
    for name, command in commands.items():
        out = open(log_dir / f"{name}.log", "ab") if log_dir else None  # noqa: SIM115 - child owns it
        servers.processes.append(subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out,
                                                  stderr=subprocess.STDOUT if out else None))
    checks = [f"http://127.0.0.1:{settings.action_port}/health", f"http://{settings.host}:{settings.rasa_port}/",
              f"http://{settings.host}:{settings.web_port}/health"]
    deadline = time.monotonic() + READY_TIMEOUT
    while not all(_answers(url) for url in checks):
        dead = [p for p in servers.processes if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            servers.stop()
            reason = "exited" if dead else f"did not answer within {READY_TIMEOUT:.0f} s"
            raise StartupFailed(f"A server {reason}; see the output above" +
                                (f" or the logs in {log_dir}" if log_dir else ""))
        time.sleep(1.0)
    return servers
