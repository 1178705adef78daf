"""A cap on the size of request bodies, checked before a route reads them.

A body that declares a larger Content-Length is refused at once, unread; one sent without a length
(chunked) is counted as it arrives and refused as soon as it passes the cap.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Optional, Tuple

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 256 * 1024  # every form and JSON body of the web app fits many times over


class BodyTooLarge(HTTPException):
    """A request body over the cap (413). An HTTPException, so that FastAPI's body parsing passes it on."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes, the most this address accepts")
        self.limit = limit


def declared_length(headers: Iterable[Tuple[bytes, bytes]]) -> Optional[int]:
    """The Content-Length a request declares; None when it declares none or one that is not a number."""
    for name, value in headers:
        if name.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


class BodyLimit:
    """ASGI middleware: bodies over ``default`` bytes (or the path's own limit in ``per_path``) get a 413."""

    def __init__(self, app: ASGIApp, default: int = MAX_BODY, per_path: Optional[Mapping[str, int]] = None) -> None:
        self.app = app
        self.default = default
        self.per_path = dict(per_path or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope["path"], self.default)
        declared = declared_length(scope.get("headers", []))
        if declared is not None and declared > limit:
            refusal = BodyTooLarge(limit)
            await JSONResponse({"detail": refusal.detail}, status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)
