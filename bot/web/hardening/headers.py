"""Security headers on every response of the web app, added by one ASGI middleware.

The middleware only fills in what a response lacks: a route that needs its own value (the chat
page's Content-Security-Policy, which lets the widget reach the Rasa server; the staff console's
stricter one) sets it itself and keeps it.
"""
from __future__ import annotations

from typing import Iterable, List, Tuple

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Pages (checklists, the HR page, errors): scripts and styles from this site only, nothing inline.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
               "object-src 'none'")
# Data and downloads (JSON, .ics, CSV, scripts, styles): nothing in them may run or load anything.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# PDFs open in the browser's built-in viewer, which policies with default-src, object-src or sandbox on the
# PDF itself have been known to break: only framing and the like are restricted.
PDF_POLICY = "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
COMMON = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # links in checklists lead to official sites: they learn nothing of the checklist's address
    ("Referrer-Policy", "no-referrer"),
    ("Permissions-Policy", "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
                           "gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def policy_for(content_type: str) -> str:
    """The Content-Security-Policy for a response of this Content-Type."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "text/html":
        return PAGE_POLICY
    if media == "application/pdf":
        return PDF_POLICY
    return DATA_POLICY


def missing_headers(present: Iterable[str], content_type: str, https: bool) -> List[Tuple[str, str]]:
    """The security headers a response with these header names (any case) still needs."""
    have = {name.lower() for name in present}
    wanted = [("Content-Security-Policy", policy_for(content_type)), *COMMON]
    if https:  # only where the public address is https: the header would pin a plain-http site
        wanted.append(HSTS)
    return [(name, value) for name, value in wanted if name.lower() not in have]


class SecurityHeaders:
    """ASGI middleware: every HTTP response leaves with missing_headers() added."""

    def __init__(self, app: ASGIApp, https: bool = False) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                message["headers"] = raw + encoded(raw, self.https)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def encoded(raw: List[Tuple[bytes, bytes]], https: bool) -> List[Tuple[bytes, bytes]]:
    """missing_headers() for raw ASGI headers, encoded the same way."""
    names = [name.decode("latin-1") for name, _ in raw]
    content_type = next((value.decode("latin-1") for name, value in raw if name.lower() == b"content-type"), "")
    return [(name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in missing_headers(names, content_type, https)]
