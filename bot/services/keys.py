"""The secret key of the passport HMACs, and the hasher built from it.

Production must set ETOWN_SECRET_KEY (and keep it: with a new key no stored case verifies
until it is imported again). In development an unset key is read from, or created once in,
``secret.key`` next to the SQLite database (mode 0600), so a restart keeps verifying.
"""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings
from bot.domain.verification import CaseHasher

KEY_FILE = "secret.key"
MIN_KEY_LENGTH = 32


class SecretKeyMissing(Exception):
    """Production runs without ETOWN_SECRET_KEY, or the configured key is too short."""


def secret_key(settings: Settings) -> bytes:
    """The HMAC key: ETOWN_SECRET_KEY when set, else (development only) the key file, created on first use."""
    if settings.secret_key:
        if len(settings.secret_key) < MIN_KEY_LENGTH:
            raise SecretKeyMissing(f"ETOWN_SECRET_KEY must have at least {MIN_KEY_LENGTH} characters")
        return settings.secret_key.encode("utf-8")
    if settings.env == "production":
        raise SecretKeyMissing("set ETOWN_SECRET_KEY in production (see .env.example)")
    return _key_file(key_file_path(settings))


def case_hasher(settings: Settings) -> CaseHasher:
    """The hasher that imports and verifications must share."""
    return CaseHasher(secret_key(settings))


def key_file_path(settings: Settings) -> Path:
    """secret.key in the SQLite database's directory (var/ for other databases)."""
    return local_secret_path(settings, KEY_FILE)


def _key_file(path: Path) -> bytes:
    key = local_secret(path)
    if len(key) < MIN_KEY_LENGTH:
        raise SecretKeyMissing(f"{path} holds no usable key; delete it to have a new one made")
    return key.encode("ascii")


def local_secret_path(settings: Settings, name: str) -> Path:
    """A development secret's file: in the SQLite database's directory (var/ for other databases)."""
    url = settings.resolved_database_url
    prefix = "sqlite:///"
    if url.startswith(prefix) and len(url) > len(prefix):
        return Path(url[len(prefix):]).parent / name
    return PROJECT_ROOT / "var" / name


def local_secret(path: Path) -> str:
    """The random secret kept in ``path``, created on first use (mode 0600)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole to a private temporary file, then linked into place: a concurrent
        # process either wins the link or reads the winner's complete secret, never half of one.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mkstemp creates it 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    return path.read_text(encoding="ascii").strip()
