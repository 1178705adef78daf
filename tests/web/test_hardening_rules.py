"""The pure parts of bot/web/hardening: which headers a response needs, the declared body length,
strict JSON reading; and the two middlewares on a bare ASGI app."""
import asyncio

import pytest

from bot.web.hardening.headers import DATA_POLICY, PAGE_POLICY, PDF_POLICY, SecurityHeaders, missing_headers, policy_for
from bot.web.hardening.json_body import InvalidJson, is_json_type, parse_json
from bot.web.hardening.limits import BodyLimit, declared_length


@pytest.mark.parametrize("content_type, policy", [
    ("text/html; charset=utf-8", PAGE_POLICY), ("TEXT/HTML", PAGE_POLICY), ("application/pdf", PDF_POLICY),
    ("application/json", DATA_POLICY), ("text/calendar; charset=utf-8", DATA_POLICY), ("", DATA_POLICY),
])
def test_policy_follows_the_content_type(content_type, policy):
    assert policy_for(content_type) == policy


def test_pages_allow_nothing_inline_and_no_framing():
    for directive in ("script-src 'self';", "style-src 'self';", "frame-ancestors 'none'", "object-src 'none'"):
        assert directive in PAGE_POLICY
    assert "unsafe" not in PAGE_POLICY
    assert DATA_POLICY.startswith("default-src 'none'")


def test_a_route_keeps_its_own_values():
    added = dict(missing_headers(["Content-Type", "content-security-policy", "Referrer-Policy"], "text/html", False))
    assert "Content-Security-Policy" not in added and "Referrer-Policy" not in added
    assert added["X-Content-Type-Options"] == "nosniff" and added["X-Frame-Options"] == "DENY"
    assert "camera=()" in added["Permissions-Policy"]


def test_hsts_only_for_https():
    assert "Strict-Transport-Security" not in dict(missing_headers([], "text/html", False))
    assert dict(missing_headers([], "text/html", True))["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("headers, length", [
    ([(b"content-length", b"42")], 42), ([(b"Content-Length", b" 7 ")], 7), ([], None),
    ([(b"content-length", b"-1")], None), ([(b"content-length", b"1e9")], None), ([(b"host", b"x")], None),
])
def test_declared_length(headers, length):
    assert declared_length(headers) == length


@pytest.mark.parametrize("body, value", [
    (b'{"a": [1, "b", null]}', {"a": [1, "b", None]}), (b'"\\ud83d\\ude00"', "\U0001F600"), (b"null", None),
    ("\"Müller 李\"".encode(), "Müller 李"),
])
def test_parse_json_accepts_valid_json(body, value):
    assert parse_json(body) == value


@pytest.mark.parametrize("body, reason", [
    (b"\xff", "not valid UTF-8"), (b"{", "not JSON"), (b"", "not JSON"), (b'"\\ud800"', "not valid Unicode"),
    (b'{"k": {"\\udc00": 1}}', "not valid Unicode"), (b'[["x", ["\\udbff"]]]', "not valid Unicode"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
])
def test_parse_json_names_what_is_wrong(body, reason):
    with pytest.raises(InvalidJson) as caught:
        parse_json(body)
    assert reason in caught.value.reason and caught.value.status_code == 400


def test_deep_but_acceptable_nesting_is_read_without_recursion():
    body = b"[" * 900 + b'"\\ud800"' + b"]" * 900
    with pytest.raises(InvalidJson, match="not valid Unicode"):
        parse_json(body)


@pytest.mark.parametrize("content_type, is_json", [
    ("application/json", True), ("application/json; charset=utf-8", True), ("Application/JSON", True),
    ("application/problem+json", True), ("text/plain", False), ("text/json", False), ("", False),
    ("multipart/form-data; boundary=x", False), ("application/jsonp", False),
])
def test_json_types(content_type, is_json):
    assert is_json_type(content_type) is is_json


def run(app, body_parts, headers=()):
    """Drives an ASGI app with one POST; returns the start message's status and headers, and the body sent."""
    messages = [{"type": "http.request", "body": part, "more_body": i < len(body_parts) - 1}
                for i, part in enumerate(body_parts)]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": list(headers), "query_string": b""}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], start["headers"], body


async def echo_length(scope, receive, send):
    """A bare app that reads the whole body and answers with its length."""
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": str(size).encode()})


def test_a_declared_length_over_the_cap_never_reaches_the_app():
    def must_not_run(scope, receive, send):
        raise AssertionError("the app was called")

    status, _, body = run(BodyLimit(must_not_run, default=10), [b""], [(b"content-length", b"11")])
    assert status == 413 and b"larger than 10 bytes" in body


def test_a_body_within_the_cap_passes_whole():
    assert run(BodyLimit(echo_length, default=10), [b"12345", b"67890"])[2] == b"10"


def test_the_cap_counts_chunks():
    from starlette.exceptions import HTTPException

    with pytest.raises(HTTPException) as caught:  # inside the app, FastAPI turns this into its 413
        run(BodyLimit(echo_length, default=10), [b"123456", b"789012"])
    assert caught.value.status_code == 413


def test_a_path_can_have_its_own_cap():
    assert run(BodyLimit(echo_length, default=4, per_path={"/x": 12}), [b"12345678"])[2] == b"8"


def test_security_headers_go_on_a_bare_response_and_keep_its_own():
    async def own_policy(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html"), (b"content-security-policy", b"default-src 'none'")]})
        await send({"type": "http.response.body", "body": b"<p>hi</p>"})

    _, raw, _ = run(SecurityHeaders(own_policy), [b""])
    headers = dict(raw)
    assert headers[b"content-security-policy"] == b"default-src 'none'"
    assert [name for name, _ in raw].count(b"content-security-policy") == 1  # kept, not sent twice
    assert headers[b"x-frame-options"] == b"DENY" and headers[b"x-content-type-options"] == b"nosniff"
    assert b"strict-transport-security" not in headers
