"""The development SMTP server (`python -m bot mail`, started by `make run`): every message it
receives is kept as one .eml file under var/mail/, where a person can open it.

It accepts mail for any address and delivers nothing further. It binds the configured SMTP host,
loopback by default, and is never started in production mode.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import threading
from pathlib import Path
from typing import Optional

from aiosmtpd.controller import Controller

from bot.config import Settings, client_host

MAX_MESSAGE_BYTES = 10 * 1024 * 1024


class MailDirHandler:
    """aiosmtpd handler: writes each message's bytes, as received, to ``<directory>/<time>-<random>.eml``."""

    def __init__(self, directory: Path):
        self.directory = directory

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        keep(self.directory, envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def keep(directory: Path, content: bytes) -> Path:
    """Write one message atomically (a reader never sees half a file); returns its path."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = directory / f"{stamp}-{secrets.token_hex(4)}.eml"
    partial = target.with_suffix(".part")
    partial.write_bytes(content)
    os.replace(partial, target)
    return target


def start_mail_server(directory: Path, host: str, port: int) -> Controller:
    """Start the server in a background thread; returns once it accepts connections (stop() ends it)."""
    controller = Controller(MailDirHandler(directory), hostname=host, port=port,
                            data_size_limit=MAX_MESSAGE_BYTES, ready_timeout=10.0)
    controller.start()
    return controller


def serve(settings: Settings, stop: Optional[threading.Event] = None) -> None:
    """Run until SIGINT/SIGTERM (or ``stop`` is set)."""
    stop = stop or threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    directory = settings.path(settings.mail_dir)
    controller = start_mail_server(directory, client_host(settings.smtp_host), settings.smtp_port)
    print(f"Development mail server on {settings.smtp_host}:{settings.smtp_port}; messages in {directory}",
          flush=True)
    try:
        stop.wait()
    finally:
        controller.stop()
