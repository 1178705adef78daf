"""Every response of the web app carries the security headers, through the real app: pages, the chat
page, downloads, JSON, errors (404, 413, 422, 500) and the staff console, which keeps its own policy."""
import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from bot.domain.verification import CaseHasher
from bot.kb.booking import load_booking_config
from bot.services import bookings
from bot.services.bookings import BookingRequest
from bot.web import checklists as checklist_routes
from bot.web.app import create_app
from bot.web.hardening.headers import DATA_POLICY, PAGE_POLICY, PDF_POLICY
from bot.web.staff_session import HEADERS as STAFF_HEADERS
from tests.conftest import KB_DIR

HASHER = CaseHasher(b"test-key-for-bookings-0123456789")
NOW = dt.datetime(2026, 11, 22, 10, 0)  # the booking is made "now" at a fixed time: no test depends on today
MONDAY = dt.date(2026, 11, 23)
PROFILE = {"services": ["work_permit_notification", "residence_permit"], "label": "Anna Li"}
ALWAYS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer",
          "cross-origin-opener-policy": "same-origin"}


@pytest.fixture
def client(loaded):
    with TestClient(create_app(loaded), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def targets(client, loaded, kb):
    """One address of each kind the app serves, with what each must answer."""
    checklist = client.post("/checklists", json=PROFILE).json()["id"]
    request = BookingRequest("residence_permit", "shijingshan_branch_exit_entry", MONDAY, dt.time(13, 30),
                             "Anna Müller", "E12345634", "anna@example.com", "13812345678")
    booking = bookings.book(client.app.state.uow_factory(), load_booking_config(KB_DIR, kb), request, NOW, HASHER)
    return [
        ("GET", f"/checklists/{checklist}", 200, PAGE_POLICY),
        ("GET", f"/checklists/batch?ids={checklist}", 200, PAGE_POLICY),
        ("GET", f"/checklists/{checklist}.pdf", 200, PDF_POLICY),
        ("GET", f"/checklists/batch.pdf?ids={checklist}", 200, PDF_POLICY),
        ("GET", "/checklists/0000000000000000", 404, PAGE_POLICY),
        ("GET", "/hr/cases", 200, PAGE_POLICY),
        ("POST", "/hr/cases", 422, PAGE_POLICY),
        ("GET", f"/bookings/{booking.code}.ics", 200, DATA_POLICY),
        ("GET", "/bookings/XXXXXXXX.ics", 404, PAGE_POLICY),
        ("GET", "/static/pages.css", 200, DATA_POLICY),
        ("GET", "/static/print.js", 200, DATA_POLICY),
        ("GET", "/chat/chat.js", 200, DATA_POLICY),
        ("GET", "/chat/chat.css", 200, DATA_POLICY),
        ("GET", "/health", 200, DATA_POLICY),
        ("GET", "/no/such/address", 404, DATA_POLICY),
        ("POST", "/checklists", 422, DATA_POLICY),
    ]


def assert_secured(response, policy):
    for name, value in ALWAYS.items():
        assert response.headers[name] == value, name
    assert "camera=()" in response.headers["permissions-policy"]
    assert "microphone=()" in response.headers["permissions-policy"]
    assert response.headers["content-security-policy"] == policy
    assert "strict-transport-security" not in response.headers  # the test server's address is http
    assert response.headers["content-type"].lower().count("charset") <= 1, response.headers["content-type"]


def test_every_kind_of_response_carries_the_headers(client, targets):
    for method, path, status, policy in targets:
        response = client.request(method, path, json={} if method == "POST" else None)
        assert response.status_code == status, (path, response.text[:200])
        assert_secured(response, policy)


def test_pages_run_nothing_inline_so_their_policy_breaks_nothing(client, targets):
    """The pages' policy allows scripts and styles from files only: the pages must use nothing else."""
    for method, path, _, policy in targets:
        response = client.request(method, path, json={} if method == "POST" else None)
        if policy != PAGE_POLICY:
            continue
        page = response.text
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path  # every script is a file
        assert not re.search(r"\son[a-z]+\s*=", page), path  # no onclick= and the like
        assert "<style" not in page and "style=" not in page, path
        for url in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page):
            assert url.startswith("/") and not url.startswith("//"), url  # from this site
            assert client.get(url).status_code == 200, url


def test_the_print_button_is_wired_by_a_file(client):
    checklist = client.post("/checklists", json=PROFILE).json()["id"]
    page = client.get(f"/checklists/{checklist}").text
    assert "<button type=\"button\" data-print>Print</button>" in page
    assert '<script src="/static/print.js"></script>' in page
    assert "window.print()" in client.get("/static/print.js").text
    assert "@media print" in client.get("/static/pages.css").text


def test_the_calendar_file_names_its_charset_once(client, targets):
    path = next(path for _, path, status, policy in targets if path.endswith(".ics") and status == 200)
    response = client.get(path)
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"


def test_the_chat_page_keeps_its_own_policy_and_gets_the_rest(client):
    response = client.get("/")
    policy = response.headers["content-security-policy"]
    assert policy.startswith("default-src 'self'; script-src 'self';") and "frame-ancestors 'none'" in policy
    assert re.search(r"connect-src 'self' http://\S+ ws://\S+;", policy)  # the widget's socket.io connection
    for name, value in ALWAYS.items():
        assert response.headers[name] == value, name
    assert "permissions-policy" in response.headers
    for url in re.findall(r'(?:src|href)="([^"]+)"', response.text):  # widget, start script, styles
        assert url.startswith("/") and client.get(url).status_code == 200, url
    assert client.get("/chat/webchat.js").headers["content-security-policy"] == DATA_POLICY


def test_the_staff_console_keeps_its_strict_policy(client):
    response = client.get("/staff/login")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == STAFF_HEADERS["Content-Security-Policy"]
    for name, value in ALWAYS.items():
        assert response.headers[name] == value, name
    assert "permissions-policy" in response.headers
    assert response.headers["content-security-policy"].count("default-src") == 1  # not sent twice
    assert len(response.headers.get_list("content-security-policy")) == 1


def test_a_413_carries_the_headers(client):
    response = client.post("/checklists", content=b"{" + b" " * (300 * 1024) + b"}",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert_secured(response, DATA_POLICY)


def test_a_server_error_is_a_page_with_the_headers(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(checklist_routes, "get_checklist", broken)
    response = client.get("/checklists/0000000000000000")
    assert response.status_code == 500 and "Something went wrong" in response.text
    assert "a bug" not in response.text and "Traceback" not in response.text
    assert_secured(response, PAGE_POLICY)


def test_https_sites_also_pin_https(loaded):
    app = create_app(loaded.copy(update={"public_base_url": "https://permits.example.org"}))
    with TestClient(app) as https_client:
        for path in ("/health", "/hr/cases", "/staff/login"):
            assert https_client.get(path).headers["strict-transport-security"] == "max-age=31536000", path
