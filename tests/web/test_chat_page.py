"""The public chat page and the widget bundle, through the real app."""
import pytest
from fastapi.testclient import TestClient

from bot.web import chat
from bot.web.app import create_app


@pytest.fixture
def client(settings):
    page_settings = settings.copy(update={"public_base_url": "https://chat.example.org", "rasa_port": 5105})
    with TestClient(create_app(page_settings)) as test_client:
        yield test_client


def test_page_carries_the_widget_settings_and_a_strict_policy(client):
    response = client.get("/")
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    assert 'data-socket-url="https://chat.example.org:5105"' in response.text
    assert '<script src="/chat/webchat.js"></script>' in response.text
    assert "<script>" not in response.text  # no inline script: the policy forbids it
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "connect-src 'self' https://chat.example.org:5105 wss://chat.example.org:5105" in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def test_widget_bundle_and_start_script_are_served(client):
    bundle = client.get("/chat/webchat.js")
    assert bundle.status_code == 200 and "javascript" in bundle.headers["content-type"]
    assert b"WebChat" in bundle.content[:2000]
    start = client.get("/chat/chat.js")
    assert start.status_code == 200 and b'storage: "local"' in start.content and b"initPayload" in start.content


@pytest.mark.parametrize("name", ["..%2F..%2Fapp.py", "chat.html", "%2Fetc%2Fpasswd", "webchat.css"])
def test_only_the_known_files_are_served(client, name):
    assert client.get(f"/chat/{name}").status_code == 404


def test_a_missing_widget_is_explained(client, monkeypatch, tmp_path):
    monkeypatch.setattr(chat, "WIDGET_FILE", tmp_path / "missing.js")
    page = client.get("/")
    assert page.status_code == 200 and "not available right now" in page.text and "webchat.js" not in page.text
    bundle = client.get("/chat/webchat.js")
    assert bundle.status_code == 503 and "npm ci" in bundle.text
