"""Where `cases pull` gets case updates: the approval system over HTTP, or a local JSON file.

Both answer the same JSON: a list of case objects (the CSV's fields as keys), or
{"cases": [...]}. make_case_source() picks one, once, from Settings.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, List, Optional, Protocol
from urllib.parse import urlsplit

import httpx

from bot.config import Settings

MAX_BYTES = 50 * 1024 * 1024  # a runaway answer is refused, not read into memory


class CaseSourceError(Exception):
    """Case updates could not be fetched; nothing was saved."""


class CaseSourceUnavailable(CaseSourceError):
    """The source did not answer, answered too late, or answered with an error status."""


class CaseSourceInvalid(CaseSourceError):
    """The source answered, but not with a JSON list of cases."""


class CaseSource(Protocol):
    def fetch(self) -> List[Any]:
        """The case objects the source has now; CaseSourceError when it cannot say."""


class HttpCaseSource:
    """GET ``url`` with ``Authorization: Bearer <token>``; a JSON answer within ``timeout`` seconds."""

    def __init__(self, url: str, token: Optional[str] = None, timeout: float = 10.0):
        self.url = url
        self.token = token
        self.timeout = timeout
        self._where = urlsplit(url).netloc or url  # for messages: never the path or query, which may hold secrets

    def fetch(self) -> List[Any]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            with httpx.stream("GET", self.url, headers=headers, timeout=self.timeout) as response:
                if response.status_code != 200:
                    raise CaseSourceUnavailable(f"the approval system at {self._where} answered HTTP "
                                                f"{response.status_code}{_hint(response.status_code)}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES:
                        raise CaseSourceInvalid(f"the answer from {self._where} is larger than {MAX_BYTES} bytes")
        except httpx.TimeoutException:
            raise CaseSourceUnavailable(f"the approval system at {self._where} did not answer within "
                                        f"{self.timeout:g} seconds") from None
        except httpx.HTTPError as exc:
            raise CaseSourceUnavailable(f"cannot reach the approval system at {self._where}: "
                                        f"{type(exc).__name__}") from None
        return _cases(bytes(body), f"the approval system at {self._where}")


class LocalCaseSource:
    """The same JSON from a file: a stand-in for the approval system in development and demos."""

    def __init__(self, path: Path):
        self.path = path

    def fetch(self) -> List[Any]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise CaseSourceUnavailable(f"no approval-system URL is set (ETOWN_APPROVAL_SYSTEM_URL) and there is "
                                        f"no local file {self.path}") from None
        except OSError as exc:
            raise CaseSourceUnavailable(f"cannot read {self.path}: {exc.strerror}") from None
        return _cases(data, str(self.path))


def make_case_source(settings: Settings) -> CaseSource:
    """The approval system when its URL is configured, otherwise the local file."""
    if settings.approval_system_url:
        return HttpCaseSource(settings.approval_system_url, settings.approval_system_token or None,
                              settings.approval_system_timeout)
    return LocalCaseSource(settings.path(settings.approval_system_file))


def _cases(data: bytes, where: str) -> List[Any]:
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise CaseSourceInvalid(f"{where} did not answer with JSON") from None
    if isinstance(parsed, dict) and isinstance(parsed.get("cases"), list):
        parsed = parsed["cases"]
    if not isinstance(parsed, list):
        raise CaseSourceInvalid(f"{where} answered JSON that is not a list of cases (nor {{\"cases\": [...]}})")
    return parsed


def _hint(status: int) -> str:
    if status in (401, 403):
        return " (the token was refused: check ETOWN_APPROVAL_SYSTEM_TOKEN)"
    if status >= 500:
        return " (a problem on its side: try again later)"
    return ""
