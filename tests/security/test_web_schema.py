"""schemathesis against the web app's own OpenAPI schema, in process (ASGI): no input gives a 500.

Every operation of the schema FastAPI builds for the app (the one it would serve as /openapi.json;
the app does not publish it) gets a bounded number of generated requests, valid and invalid, with a
fixed seed. The authenticated endpoints are called without credentials, as an outsider would: the
case push with no token, the staff console with no session and no CSRF token; the case push is then
also fed generated bodies with its token, as a faulty approval system might send them. Every answer also
carries the security headers and names its charset at most once.
"""
from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from bot import wiring
from bot.web.app import create_app

PUSH_TOKEN = "a-push-token-the-generated-requests-never-send"
EXAMPLES = 25  # per operation: about 25 operations, so some hundreds of requests in all
SECURITY_HEADERS = ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy",
                    "permissions-policy")


@pytest.fixture(scope="module")
def web_app(tmp_path_factory):
    from bot.config import Settings
    from bot.ops.setup import prepare

    base = tmp_path_factory.mktemp("web-schema")
    app_settings = Settings(database_url=f"sqlite:///{base / 'etown.db'}",
                            tracker_store_url=f"sqlite:///{base / 'tracker.db'}", spacy_dir=base / "spacy",
                            models_dir=base / "models", kb_refresh_seconds=0,
                            case_push_token=PUSH_TOKEN)
    prepare(app_settings)
    wiring.configure(app_settings)
    app = create_app(app_settings)
    with TestClient(app):  # runs the app's startup (as a server would), then the generated requests
        yield app
    wiring.configure(None)


@pytest.fixture(scope="module")
def web_schema(web_app):
    loaded = schemathesis.openapi.from_dict(web_app.openapi())
    loaded.app = web_app
    return loaded


schema = schemathesis.pytest.from_fixture("web_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_server_error(case):
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
    missing = [name for name in SECURITY_HEADERS if name not in response.headers]  # keys are lower case
    assert not missing, f"{case.method} {case.formatted_path}: no {missing}"
    for content_type in response.headers.get("content-type", []):
        assert content_type.lower().count("charset") <= 1, content_type


@schema.include(path="/api/cases").parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_pushed_cases_never_give_a_server_error(case):
    """The same with the push token: whatever the generated body, the import answers 200 or a 4xx."""
    response = case.call(headers={"Authorization": f"Bearer {PUSH_TOKEN}"})
    assert response.status_code < 500, f"{case.body!r}: {response.status_code}"


def test_the_schema_covers_the_web_app(web_schema):
    """The schema the test walks is the app's own: the public JSON and form endpoints are in it."""
    paths = web_schema.raw_schema["paths"]
    assert {"/checklists", "/checklists/{checklist_id}", "/bookings/{code}.ics", "/api/cases", "/hr/cases",
            "/staff/login"} <= set(paths)
    assert "requestBody" in paths["/checklists"]["post"] and "requestBody" in paths["/api/cases"]["post"]
