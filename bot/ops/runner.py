"""Starts the development mail server, the action server, the Rasa server(s) and the web app, waits until all
answer, stops all on Ctrl-C.

One Rasa process by default; ``rasa_replicas`` processes on rasa_port, rasa_port + 1, ... (each with
``rasa_workers`` Sanic workers) share the SQL tracker store and Rasa's Redis lock store (production
mode, README). The endpoints file is rendered from Settings and holds no secret: passwords and the
action-server token are ``${ETOWN_...}`` references that Rasa expands from its environment.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import unquote, urlsplit

import yaml
from sqlalchemy.engine import make_url

from bot.config import PROJECT_ROOT, Settings, client_host
from bot.integrations.rasa_api import JWT_METHOD, jwt_secret

# Each Rasa process loads the model (~1 GB) on start: replicas starting together on a busy 2-core
# machine need several minutes.
READY_TIMEOUT = 600.0


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
    for index, port in enumerate(settings.rasa_ports):
        ensure_port_free(settings.host, port, "Rasa server, ETOWN_RASA_PORT" + (f" + {index}" if index else ""))
    ensure_port_free(settings.action_host, settings.action_port, "action server, ETOWN_ACTION_PORT")
    ensure_port_free(settings.host, settings.web_port, "web app, ETOWN_WEB_PORT")
    if settings.runs_mail_server:
        ensure_port_free(client_host(settings.smtp_host), settings.smtp_port, "development mail server, ETOWN_SMTP_PORT")


# Environment variables that carry secrets to the Rasa process; the endpoints file names them.
TRACKER_PASSWORD_VAR = "ETOWN_TRACKER_STORE_PASSWORD"
LOCK_PASSWORD_VAR = "ETOWN_LOCK_STORE_PASSWORD"
ACTION_TOKEN_VAR = "ETOWN_ACTION_TOKEN"
JWT_SECRET_VAR = "ETOWN_RASA_JWT_SECRET"


def _env_ref(name: str) -> str:
    return "${" + name + "}"


def tracker_store_config(url: str) -> Dict:
    """Rasa's SQL tracker store settings from a SQLAlchemy URL (a password becomes an environment reference)."""
    parsed = make_url(url)
    # Rasa's SQL tracker store, redacting answers to personal-data questions (bot/domain/privacy.py)
    config = {"type": "bot.rasa_tracker_store.RedactingSQLTrackerStore", "dialect": parsed.drivername,
              "db": parsed.database}
    for key, value in (("url", parsed.host), ("port", parsed.port), ("username", parsed.username)):
        if value is not None:
            config[key] = value
    if parsed.password is not None:
        config["password"] = _env_ref(TRACKER_PASSWORD_VAR)
    if parsed.query:
        config["query"] = dict(parsed.query)  # e.g. options=-csearch_path=... for a schema
    return config


def lock_store_config(settings: Settings) -> Optional[Dict]:
    """Rasa's Redis lock store settings from ETOWN_LOCK_STORE_URL, or None (Rasa's in-memory lock store)."""
    if not settings.lock_store_url:
        return None
    parts = urlsplit(settings.lock_store_url)
    path = parts.path.strip("/")
    # Rasa's RedisLockStore with atomic ticket changes (bot/rasa_lock_store.py)
    config = {"type": "bot.rasa_lock_store.AtomicRedisLockStore", "url": parts.hostname or "127.0.0.1",
              "port": parts.port or 6379,
              "db": int(path) if path else 0, "key_prefix": settings.lock_store_key_prefix}
    if parts.username:
        config["username"] = unquote(parts.username)
    if parts.password:
        config["password"] = _env_ref(LOCK_PASSWORD_VAR)
    if parts.scheme == "rediss":
        config["use_ssl"] = True
    return config


def endpoints_config(settings: Settings) -> Dict:
    """The content of Rasa's endpoints file for these settings."""
    # Rasa 3.6 sends the whole domain with every action call unless this is on; then only the
    # validate_<form> actions, which read the forms' required slots from it, receive it.
    action = {"url": settings.resolved_action_url, "enable_selective_domain": True}
    if settings.action_token:
        action["headers"] = {"Authorization": "Bearer " + _env_ref(ACTION_TOKEN_VAR)}
    endpoints = {"action_endpoint": action, "tracker_store": tracker_store_config(settings.resolved_tracker_store_url)}
    lock_store = lock_store_config(settings)
    if lock_store:
        endpoints["lock_store"] = lock_store
    return endpoints


def write_endpoints(settings: Settings, target: Optional[Path] = None) -> Path:
    """var/endpoints-<rasa port>.yml (or ``target``), rendered from Settings (the one configuration
    source). One file per Rasa port: servers started at the same time from one checkout (tests, a
    second `make run`) never read each other's action server or tracker store."""
    target = target or PROJECT_ROOT / "var" / f"endpoints-{settings.rasa_port}.yml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("# Rendered from the ETOWN_* settings by bot/ops/runner.py; do not edit.\n" +
                      yaml.safe_dump(endpoints_config(settings), sort_keys=False))
    return target


def secret_env(settings: Settings) -> Dict[str, str]:
    """The secrets the endpoints file refers to, for the Rasa process's environment."""
    env = {}
    password = make_url(settings.resolved_tracker_store_url).password
    if password is not None:
        env[TRACKER_PASSWORD_VAR] = str(password)
    if settings.lock_store_url and urlsplit(settings.lock_store_url).password:
        env[LOCK_PASSWORD_VAR] = unquote(urlsplit(settings.lock_store_url).password)
    if settings.action_token:
        env[ACTION_TOKEN_VAR] = settings.action_token
    return env


def child_env(settings: Settings) -> Dict[str, str]:
    """The environment of the servers: every setting as ETOWN_*, so a child reads the very same Settings,
    and the Rasa JWT secret resolved once here (in development the secret file), for bot/rasa_server.py
    and the web app."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETOWN_")}
    for name, value in settings.dict().items():
        if value is not None:
            env["ETOWN_" + name.upper()] = str(value)
    env.update({
        "ETOWN_DATABASE_URL": settings.resolved_database_url,
        "ETOWN_TRACKER_STORE_URL": settings.resolved_tracker_store_url,
        "ETOWN_PUBLIC_BASE_URL": settings.resolved_public_base_url,
        "ETOWN_KB_DIR": str(settings.path(settings.kb_dir)),
        "ETOWN_SPACY_DIR": str(settings.path(settings.spacy_dir)),
        "ETOWN_RASA_API_URL": settings.resolved_rasa_api_url,
        "PYTHONPATH": str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        "LOG_LEVEL": settings.log_level.upper(),  # Rasa's own log level
        # One BLAS thread a process: on 2 shared cores a second OpenBLAS thread only spins (the action
        # server's sentence encoder used 19 ms of CPU a message with two, 3 ms with one; bench/latency.py).
        "OPENBLAS_NUM_THREADS": env.get("OPENBLAS_NUM_THREADS", "1"),
        "SANIC_WORKERS": str(settings.rasa_workers),
        "ACTION_SERVER_SANIC_WORKERS": str(settings.action_workers),
    })
    env.update(secret_env(settings))
    env[JWT_SECRET_VAR] = jwt_secret(settings)
    return env


def commands(settings: Settings, model: Path, endpoints: Path) -> Dict[str, List[str]]:
    """The command of each server by name: (mail, in development,) actions, rasa-0, rasa-1, ..., web.
    No command holds a secret (``ps`` shows commands to every user): they come from child_env()."""
    found = {"mail": [sys.executable, "-m", "bot", "mail"]} if settings.runs_mail_server else {}
    found["actions"] = [sys.executable, "-m", "bot", "actions"]
    for index, port in enumerate(settings.rasa_ports):
        # `rasa run` through bot/rasa_server.py, which adds --jwt-secret from ETOWN_RASA_JWT_SECRET in-process.
        found[f"rasa-{index}"] = [sys.executable, "-m", "bot.rasa_server", "run", "--model", str(model),
                                  "--endpoints", str(endpoints),
                                  "--credentials", "credentials.yml", "--interface", settings.host,
                                  "--port", str(port), "--cors", *settings.resolved_cors_origins,
                                  # The HTTP API is on only with a JWT secret: the staff console pauses,
                                  # writes into and hands back conversations through it (bot/integrations/rasa_api.py).
                                  "--enable-api", "--jwt-method", JWT_METHOD]
    found["web"] = [sys.executable, "-m", "bot", "web"]
    return found


def health_urls(settings: Settings) -> Dict[str, str]:
    """The URL that answers 200 once each server is ready (Rasa answers only once its model is loaded);
    the mail server's smtp:// address answers with its 220 greeting."""
    urls = {"mail": f"smtp://{client_host(settings.smtp_host)}:{settings.smtp_port}"} if settings.runs_mail_server else {}
    urls["actions"] = f"http://{client_host(settings.action_host)}:{settings.action_port}/health"
    for index, port in enumerate(settings.rasa_ports):
        urls[f"rasa-{index}"] = f"http://{client_host(settings.host)}:{port}/"
    urls["web"] = f"http://{client_host(settings.host)}:{settings.web_port}/health"
    return urls


@dataclass
class Servers:
    """The running processes; stop() ends them all, restart(name) one of them."""

    processes: List[subprocess.Popen]
    named: Dict[str, subprocess.Popen] = field(default_factory=dict)
    commands: Dict[str, List[str]] = field(default_factory=dict)
    health: Dict[str, str] = field(default_factory=dict)
    env: Dict[str, str] = field(default_factory=dict)
    log_dir: Optional[Path] = None

    def launch(self, name: str) -> subprocess.Popen:
        out = open(self.log_dir / f"{name}.log", "ab") if self.log_dir else None  # noqa: SIM115 - child owns it
        proc = subprocess.Popen(self.commands[name], cwd=PROJECT_ROOT, env=self.env, stdout=out,
                                stderr=subprocess.STDOUT if out else None)
        if out:
            out.close()  # the child has its own copy
        old = self.named.get(name)
        if old in self.processes:
            self.processes[self.processes.index(old)] = proc
        else:
            self.processes.append(proc)
        self.named[name] = proc
        return proc

    def stop_one(self, name: str, timeout: float = 20.0, kill: bool = False) -> None:
        """End one server: SIGINT (or SIGKILL, a crash) and wait."""
        proc = self.named[name]
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL if kill else signal.SIGINT)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def restart(self, name: str) -> None:
        """Stop ``name`` if it runs, start it again and wait until it answers."""
        self.stop_one(name)
        self.launch(name)
        self.wait_ready([name])

    def wait_ready(self, names: List[str]) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while not all(_answers(self.health[n]) for n in names):
            dead = [n for n in names if self.named[n].poll() is not None]
            if dead or time.monotonic() > deadline:
                self.stop()
                reason = f"{', '.join(dead)} exited" if dead else f"did not answer within {READY_TIMEOUT:.0f} s"
                raise StartupFailed(f"A server {reason}; see the output above" +
                                    (f" or the logs in {self.log_dir}" if self.log_dir else ""))
            time.sleep(1.0)

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
    if url.startswith("smtp://"):
        return _greets(url)
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback URL from settings
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _greets(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=2) as sock:
            return sock.recv(64).startswith(b"220")
    except OSError:
        return False


def start(settings: Settings, model: Path, log_dir: Optional[Path] = None) -> Servers:
    """Start the development mail server, the action server, the Rasa replica(s) and the web app; return
    when all answer.

    Raises ConfigurationError (settings that cannot run, e.g. production mode on SQLite), PortTaken
    or StartupFailed. ``servers.named`` maps "mail" (development), "actions", "rasa-0", "rasa-1", ..., "web" to processes.
    """
    settings.check()
    check_ports(settings)
    if log_dir:
        log_dir.mkdir(parents=True, exist_ok=True)
    # Each run has its own endpoints file when it has a log directory (tests run several at once).
    endpoints = write_endpoints(settings, log_dir / "endpoints.yml" if log_dir else None)
    servers = Servers([], commands=commands(settings, model, endpoints), health=health_urls(settings),
                      env=child_env(settings), log_dir=log_dir)
    for name in servers.commands:
        servers.launch(name)
    servers.wait_ready(list(servers.commands))
    return servers
