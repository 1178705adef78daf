"""The web app on a real uvicorn server over loopback, as an outsider sends to it: oversized bodies are
refused with 413 without being read (a 10 MB upload that never arrives is answered at once), chunked
ones as soon as they pass the cap, and every answer carries the security headers."""
from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from bot.web.hardening.limits import MAX_BODY

ANSWER_WITHIN = 10.0  # seconds: far more than a refusal takes, far less than reading 10 MB would on a slow link


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from bot.config import Settings
    from bot.ops.setup import prepare
    from bot.web.app import create_app

    base = tmp_path_factory.mktemp("web-limits")
    port = free_port()
    settings = Settings(database_url=f"sqlite:///{base / 'etown.db'}", tracker_store_url=f"sqlite:///{base / 'tracker.db'}",
                        spacy_dir=base / "spacy", models_dir=base / "models", kb_refresh_seconds=0, web_port=port,
                        case_push_token="push-token-0123456789")
    prepare(settings)
    running = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning",
                                            ws="none"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        assert time.monotonic() < deadline, "the web app did not start"
        time.sleep(0.05)
    yield ("127.0.0.1", port)
    running.should_exit = True
    thread.join(timeout=10)


def exchange(address, head: bytes, body_parts=(), read_timeout: float = ANSWER_WITHIN):
    """Sends a raw request (head, then body parts as far as the server lets it) and returns the status,
    headers and body of the answer."""
    with socket.create_connection(address, timeout=read_timeout) as sock:
        sock.sendall(head)
        for part in body_parts:
            try:
                sock.sendall(part)
            except (BrokenPipeError, ConnectionResetError):  # the server answered and closed: as intended
                break
        data = b""
        while b"\r\n\r\n" not in data or len(data) < header_end(data) + content_length(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head_text, _, body = data.partition(b"\r\n\r\n")
    lines = head_text.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


def header_end(data: bytes) -> int:
    return data.index(b"\r\n\r\n") + 4


def content_length(data: bytes) -> int:
    for line in data[:header_end(data)].decode("latin-1").split("\r\n"):
        if line.lower().startswith("content-length:"):
            return int(line.split(":", 1)[1])
    return 0


def post_head(path: str, extra: str) -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{extra}\r\n").encode()


def assert_secured(headers):
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer" and "camera=()" in headers["permissions-policy"]


def test_a_declared_10_mb_body_is_refused_before_it_is_sent(server):
    started = time.monotonic()
    status, headers, body = exchange(server, post_head("/checklists", "Content-Length: 10000000\r\n"))
    assert status == 413 and time.monotonic() - started < ANSWER_WITHIN  # no byte of the body was sent
    assert json.loads(body) == {"detail": f"the request body is larger than {MAX_BODY} bytes, the most this "
                                          "address accepts"}
    assert_secured(headers)


def test_a_chunked_body_is_refused_once_past_the_cap(server):
    chunk = b" " * 16384
    parts = [b"%x\r\n%s\r\n" % (len(chunk), chunk)] * 64 + [b"0\r\n\r\n"]  # 1 MiB
    status, headers, body = exchange(server, post_head("/checklists", "Transfer-Encoding: chunked\r\n"), parts)
    assert status == 413 and str(MAX_BODY).encode() in body
    assert_secured(headers)


def test_forms_and_the_case_push_are_capped_too(server):
    status, _, _ = exchange(server, post_head("/hr/cases", f"Content-Length: {MAX_BODY + 1}\r\n"))
    assert status == 413
    status, _, _ = exchange(server, post_head("/api/cases", "Content-Length: 20000000\r\n"))  # over its 10 MiB
    assert status == 413


def test_a_small_bad_body_gets_a_clear_400_with_the_headers(server):
    body = b'{"services": ["work_permit"], "label": "\\ud800"}'
    status, headers, answer = exchange(server, post_head("/checklists", f"Content-Length: {len(body)}\r\n"), [body])
    assert status == 400 and b"not valid Unicode" in answer
    assert_secured(headers)
