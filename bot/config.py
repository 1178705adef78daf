"""The one configuration source: a typed Settings object read from the environment.

Every variable is prefixed ``ETOWN_`` (see .env.example). Tests build Settings explicitly.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import List, Optional
from urllib.parse import urlsplit

from pydantic import BaseSettings, Field, validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32


class ConfigurationError(Exception):
    """The settings cannot run the assistant as asked (e.g. production mode on SQLite); the message says why."""


class Settings(BaseSettings):
    """Runtime configuration. Relative paths are taken from the project root."""

    env: str = Field("development", description="development or production")
    database_url: str = "sqlite:///var/etown.db"
    tracker_store_url: str = "sqlite:///var/tracker.db"
    kb_dir: Path = Path("policies_kb")
    spacy_dir: Path = Path("var/spacy/kb_ner")
    models_dir: Path = Path("models")
    model_cache_dir: Path = Path.home() / ".cache" / "etown-assistant" / "models"
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8000
    action_url: Optional[str] = None  # default: http://{action_host}:{action_port}/webhook (via a balancer in containers)
    public_base_url: Optional[str] = None  # links in chat answers; default: http://localhost:{web_port}
    # web origins allowed to call the Rasa server (comma-separated); the public base URL's origin,
    # where the chat page is served, is always added
    cors_origin: str = "http://localhost:8000"
    log_level: str = "INFO"
    timezone: str = "Asia/Shanghai"  # "today" for date estimates and bookings is Beijing's today
    kb_refresh_seconds: float = 5.0  # how often the action server checks for a new KB revision
    # the fact units' sentence vectors, kept by the hash of what was embedded (bot/services/answering/index.py)
    vector_cache_dir: Path = Path("var/cache")
    # Key of the HMACs that let passports be checked without storing them. Production must set it
    # (and keep it: changing it makes every stored case unverifiable until re-imported); when unset,
    # development uses a random key kept in secret.key next to the SQLite database.
    secret_key: Optional[str] = None
    case_push_token: Optional[str] = None  # bearer token of POST /api/cases; unset: the endpoint answers 503
    approval_system_url: Optional[str] = None  # `cases pull` fetches JSON case updates here (GET)
    approval_system_token: Optional[str] = None  # bearer token sent to approval_system_url
    approval_system_timeout: float = 10.0  # seconds
    approval_system_file: Path = Path("var/approval_system/cases.json")  # `cases pull` reads this when no URL is set
    # Production mode (README "Production mode"): Rasa's Redis lock store keeps one message per
    # conversation at a time across processes; empty means Rasa's in-memory lock store, which is only
    # correct for one Rasa process with one Sanic worker.
    # The same Redis shares the socket.io rooms across Rasa processes (bot/rasa_socketio.py).
    lock_store_url: Optional[str] = None  # e.g. redis://127.0.0.1:6379/0
    # letters and digits; Rasa prepends it to its lock keys, and it names the socket.io pub/sub channel
    lock_store_key_prefix: str = "etown"
    rasa_replicas: int = Field(1, ge=1, le=16)  # Rasa processes on rasa_port, rasa_port+1, ...
    rasa_workers: int = Field(1, ge=1, le=16)  # Sanic workers per Rasa process (SANIC_WORKERS)
    action_workers: int = Field(1, ge=1, le=16)  # Sanic workers of the action server (ACTION_SERVER_SANIC_WORKERS)
    action_host: str = "127.0.0.1"  # interface the action server binds; 0.0.0.0 only with action_token set
    # Shared secret Rasa sends to the action server on every call (Authorization: Bearer ...);
    # the action server refuses calls without it. Required in production.
    action_token: Optional[str] = None
    # Human handoff: when staff answer in the console (local time of ``timezone``; several ranges
    # separated by commas, "24:00" ends at midnight), on working days of the calendar or every day;
    # the wait estimate's minutes per ticket until enough tickets were handled, and desks when no
    # staff member is logged in. The project's configuration, not a published fact.
    staff_hours: str = "09:00-17:00"
    staff_every_day: bool = False
    handoff_minutes_per_ticket: float = Field(10.0, gt=0, le=240)
    handoff_desks: int = Field(2, ge=1, le=50)
    # A live (in-hours) ticket nobody claims within this many minutes expires: the bot takes the
    # conversation back and offers the call-back form. Finished tickets lose their transcript,
    # question, contact and slots after handoff_retention_days. The web app sweeps every
    # handoff_sweep_seconds (0: never; then run `python -m bot handoff sweep` from a scheduler).
    handoff_queue_timeout_minutes: int = Field(20, ge=1, le=24 * 60)
    handoff_retention_days: int = Field(90, ge=1, le=3650)
    handoff_sweep_seconds: float = Field(60.0, ge=0, le=3600)
    # Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For header names the
    # client of a console login or a chat message; empty: the peer address is the client (the login
    # limit and the chat rate limit per address).
    trusted_proxies: str = ""
    # Chat messages (REST webhook and socket.io) one sender and one client address may send, in the
    # notation of the `limits` library: "20/minute", several separated by ";" ("20/minute;300/hour");
    # empty: no limit. Counted in the lock store's Redis (lock_store_url, keys under the deployment's
    # prefix) so that all replicas share the count, else in the process's memory. The client address
    # is the peer's, or the X-Forwarded-For client when the peer is one of trusted_proxies (the same
    # rule as the console login), and it reaches Rasa as the message metadata's "client_ip".
    rate_limit_per_sender: str = "20/minute"
    rate_limit_per_address: str = "60/minute"
    # Rasa's HTTP API, through which the staff console reads, pauses, writes into and hands back
    # conversations: enabled only with this JWT secret (HS256). Production must set it; when unset,
    # development uses a random secret kept in rasa_jwt.secret next to the SQLite database.
    rasa_jwt_secret: Optional[str] = None
    rasa_api_url: Optional[str] = None  # default: http://{host}:{rasa_port}
    rasa_api_timeout: float = Field(5.0, gt=0, le=60)  # seconds
    # where the chat page's widget opens its socket.io connection to Rasa;
    # default: the public base URL's scheme and host, on rasa_port
    chat_socket_url: Optional[str] = None
    # Outbound e-mail (booking codes and calendar files). In development `make run` starts a local SMTP
    # server on smtp_host:smtp_port that keeps each message as an .eml file in mail_dir (mail_server;
    # never in production, where smtp_* name the real relay).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(8025, ge=1, le=65535)
    smtp_user: Optional[str] = None
    smtp_password: Optional[str] = None
    smtp_from: str = "Beijing E-Town permits assistant <no-reply@etown-permits.localhost>"
    smtp_starttls: bool = False
    smtp_timeout: float = Field(10.0, gt=0, le=120)  # seconds
    mail_server: bool = True
    mail_dir: Path = Path("var/mail")
    # Bookings: an unconfirmed hold keeps its place this long; open bookings and holds per client
    # address, per e-mail address and per phone number. The project's configuration.
    booking_hold_minutes: int = Field(15, ge=1, le=24 * 60)
    booking_max_open: int = Field(2, ge=1, le=100)

    class Config:
        env_prefix = "ETOWN_"

    @validator("kb_dir", "spacy_dir", "models_dir", "model_cache_dir", "vector_cache_dir", "mail_dir")
    def _expand_home(cls, value: Path) -> Path:  # noqa: N805 - pydantic signature
        return value.expanduser()

    @validator("trusted_proxies")
    def _trusted_proxies_readable(cls, value: str) -> str:  # noqa: N805 - pydantic signature
        from bot.domain.staff import parse_trusted_proxies

        parse_trusted_proxies(value)  # InvalidTrustedProxies (a ValueError) names the entry
        return value

    @validator("rate_limit_per_sender", "rate_limit_per_address")
    def _rate_limit_readable(cls, value: str) -> str:  # noqa: N805 - pydantic signature
        from bot.domain.abuse.rate_limits import parse_rate_limits

        parse_rate_limits(value)  # InvalidRateLimit (a ValueError) says how to write it
        return value

    @validator("staff_hours")
    def _staff_hours_readable(cls, value: str) -> str:  # noqa: N805 - pydantic signature
        from bot.domain.handoff import parse_staff_hours

        parse_staff_hours(value)  # InvalidStaffHours (a ValueError) says how to write it
        return value

    def path(self, value: Path) -> Path:
        """An absolute path for a setting that may be relative to the project root."""
        return value if value.is_absolute() else PROJECT_ROOT / value

    @property
    def resolved_database_url(self) -> str:
        return _absolute_sqlite(self.database_url)

    @property
    def resolved_tracker_store_url(self) -> str:
        return _absolute_sqlite(self.tracker_store_url)

    @property
    def resolved_public_base_url(self) -> str:
        return (self.public_base_url or f"http://localhost:{self.web_port}").rstrip("/")

    @property
    def resolved_rasa_api_url(self) -> str:
        return (self.rasa_api_url or f"http://{self.host}:{self.rasa_port}").rstrip("/")

    @property
    def resolved_chat_socket_url(self) -> str:
        if self.chat_socket_url:
            return self.chat_socket_url.rstrip("/")
        page = urlsplit(self.resolved_public_base_url)
        return f"{page.scheme}://{page.hostname}:{self.rasa_port}"

    @property
    def resolved_cors_origins(self) -> List[str]:
        """The origins the Rasa server lets call it: cors_origin, plus the chat page's origin."""
        origins = [o.strip().rstrip("/") for o in self.cors_origin.split(",") if o.strip()]
        page = urlsplit(self.resolved_public_base_url)
        page_origin = f"{page.scheme}://{page.netloc}"
        return origins if page_origin in origins else origins + [page_origin]

    @property
    def resolved_action_url(self) -> str:
        return self.action_url or f"http://{client_host(self.action_host)}:{self.action_port}/webhook"

    @property
    def production(self) -> bool:
        return self.env.strip().lower() == "production"

    @property
    def runs_mail_server(self) -> bool:
        """Whether `make run` starts the local SMTP server (development only)."""
        return self.mail_server and not self.production

    @property
    def rasa_ports(self) -> List[int]:
        """The ports of the Rasa replicas: rasa_port, rasa_port + 1, ..."""
        return [self.rasa_port + i for i in range(self.rasa_replicas)]

    def problems(self) -> List[str]:
        """Why these settings cannot run the servers (empty when they can). Production mode is strict."""
        found = []
        if (self.rasa_replicas > 1 or self.rasa_workers > 1) and not self.lock_store_url:
            found.append("several Rasa replicas or workers need a shared lock store: set ETOWN_LOCK_STORE_URL "
                         "(redis://HOST:6379/DB)")
        if self.lock_store_url and not self.lock_store_url.startswith(("redis://", "rediss://")):
            found.append("ETOWN_LOCK_STORE_URL must be a redis:// or rediss:// URL")
        if not self.lock_store_key_prefix.isalnum():
            found.append("ETOWN_LOCK_STORE_KEY_PREFIX must be letters and digits only")
        if self.action_host not in ("127.0.0.1", "localhost", "::1") and not self.action_token:
            found.append(f"the action server may listen on {self.action_host} only with ETOWN_ACTION_TOKEN set")
        if self.env.strip().lower() not in ("development", "production"):
            found.append("ETOWN_ENV must be development or production")
        if self.production:
            found.extend(self._production_problems())
        return found

    def _production_problems(self) -> List[str]:
        found = []
        for name, url in (("ETOWN_DATABASE_URL", self.database_url),
                          ("ETOWN_TRACKER_STORE_URL", self.tracker_store_url)):
            if not url.startswith(("postgresql://", "postgresql+psycopg2://")):
                found.append(f"{name} must be a PostgreSQL URL (postgresql://...) in production, not SQLite")
        if not self.lock_store_url:
            found.append("ETOWN_LOCK_STORE_URL (Redis) is required in production")
        for name, secret in (("ETOWN_SECRET_KEY", self.secret_key), ("ETOWN_ACTION_TOKEN", self.action_token),
                             ("ETOWN_RASA_JWT_SECRET", self.rasa_jwt_secret)):
            if not secret or len(secret) < MIN_SECRET_LENGTH:
                found.append(f"{name} must be set to a random secret of at least {MIN_SECRET_LENGTH} characters")
        if not self.cors_origin.startswith(("https://", "http://")) or "*" in self.cors_origin:
            found.append("ETOWN_CORS_ORIGIN must be the site's origin (https://...), not a wildcard")
        if self.log_level.strip().upper() == "DEBUG":
            found.append("ETOWN_LOG_LEVEL=DEBUG would log message text; use INFO or above in production")
        return found

    def check(self) -> None:
        """Raise ConfigurationError naming every problem (see problems())."""
        found = self.problems()
        if found:
            mode = "production" if self.production else "this"
            raise ConfigurationError(f"The assistant cannot start in {mode} mode:\n  - " + "\n  - ".join(found))


def client_host(bind_host: str) -> str:
    """The address to call a server on that binds ``bind_host`` (all interfaces: loopback)."""
    return "127.0.0.1" if bind_host in ("0.0.0.0", "::", "") else bind_host


def _absolute_sqlite(url: str) -> str:
    """sqlite:///var/x.db is taken relative to the project root, not the working directory."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        return prefix + str(PROJECT_ROOT / url[len(prefix):])
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, read once per process."""
    return Settings()
