"""Strict reading of JSON request bodies: valid UTF-8, valid Unicode, bounded nesting, or a named error.

Python's json module accepts what no client should send and the app could not store or show: lone
surrogate escapes ("\\ud800", text that exists in no encoding) and nesting deep enough to exhaust
the recursion limit. parse_json refuses both, with a message that says what is wrong.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Coroutine

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException


class InvalidJson(HTTPException):
    """A body that is not usable JSON (400). An HTTPException, so that FastAPI's body parsing passes it on."""

    def __init__(self, reason: str) -> None:
        super().__init__(400, reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


def parse_json(body: bytes) -> Any:
    """The JSON value of ``body``; InvalidJson saying why when it is not UTF-8, not JSON, too deeply
    nested or holds text that is not valid Unicode."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidJson("the body is not valid UTF-8") from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise InvalidJson("the body is not JSON the service accepts: it is nested too deeply") from None
    except ValueError as exc:
        raise InvalidJson(f"the body is not JSON ({exc})") from None
    if not _valid_text(value):
        raise InvalidJson("the body holds text that is not valid Unicode (an unpaired surrogate escape such as \\ud800)")
    return value


def _valid_text(value: Any) -> bool:
    # Iterative: the decoder's own nesting limit is deeper than Python's recursion limit allows here.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


class NotJson(HTTPException):
    """A body sent with another Content-Type than JSON to a JSON endpoint (415)."""

    def __init__(self) -> None:
        super().__init__(415, "send the body as JSON, with the Content-Type application/json")


def is_json_type(content_type: str) -> bool:
    """Whether a Content-Type header names JSON (application/json or application/<something>+json)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class StrictJsonRequest(Request):
    """A request whose .json() is parse_json() and must be a JSON object."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            value = parse_json(await self.body())
            if not isinstance(value, dict):
                raise InvalidJson(f"the body must be a JSON object of fields, not {_json_kind(value)}")
            self._json = value
        return self._json


class StrictJsonRoute(APIRoute):
    """A route whose JSON body must say it is JSON and is read by StrictJsonRequest (a custom route
    class is FastAPI's documented way to change how bodies are read)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        takes_json = self.body_field is not None

        async def strict_handler(request: Request) -> Response:
            # text/plain and forms are what a foreign web page can post without asking: refused unread
            if takes_json and not is_json_type(request.headers.get("content-type", "")):
                raise NotJson()
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict_handler


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list"
