"""Bad input on the web app's JSON and form endpoints gets a 4xx that says what is wrong, never a 500:
null, wrong types, bodies that are not UTF-8 or hold invalid Unicode, deep nesting, wrong Content-Types
and bodies over the size cap (256 KiB; the authenticated case push allows more)."""
import pytest
from fastapi.testclient import TestClient

from bot.web.app import create_app
from bot.web.cases import MAX_BODY as CASE_PUSH_MAX
from bot.web.hardening.limits import MAX_BODY

TOKEN = "push-token-0123456789"
JSON = {"Content-Type": "application/json"}
PUSH = {**JSON, "Authorization": f"Bearer {TOKEN}"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def client(loaded):
    app = create_app(loaded.copy(update={"case_push_token": TOKEN}))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize("body, status, says", [
    (b"null", 400, "must be a JSON object of fields, not null"),
    (b"[]", 400, "must be a JSON object of fields, not a list"),
    (b'"work_permit"', 400, "not a string"),
    (b"5", 400, "not a number"),
    (b'{"services": "work_permit"}', 422, "not a valid list"),
    (b'{"services": [5]}', 422, "unknown service id '5'"),
    (b'{"services": [null]}', 422, "none is not an allowed value"),
    (b'{"services": ["work_permit"], "employer_change": "perhaps"}', 422, "value could not be parsed to a boolean"),
    (b'{"services": ["work_permit"], "label": {"a": 1}}', 422, "str type expected"),
    (b'{"services": ["work_permit"], "label": "\\ud800"}', 400, "not valid Unicode"),
    (b'{"services": ["\\udfff"]}', 400, "not valid Unicode"),
    (b'{"\\ud800": 1}', 400, "not valid Unicode"),
    (b'{"services": ["work_permit"], "label": "\xff\xfe"}', 400, "not valid UTF-8"),
    (b'{"services": ["work_permit"]', 400, "not JSON"),
    (b"[" * 50_000 + b"]" * 50_000, 400, "nested too deeply"),
])
def test_bad_checklist_profiles_get_a_clear_4xx(client, body, status, says):
    response = client.post("/checklists", content=body, headers=JSON)
    assert response.status_code == status, response.text
    assert says in response.text


def test_a_valid_surrogate_pair_is_text_like_any_other(client):
    response = client.post("/checklists", content=b'{"services": ["work_permit"], "label": "Anna \\ud83d\\ude00"}',
                           headers=JSON)
    assert response.status_code == 201
    assert "Anna \U0001F600" in client.get(f"/checklists/{response.json()['id']}").text


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "", "application/xml"])
def test_a_profile_must_be_sent_as_json(client, content_type):
    response = client.post("/checklists", content=b'{"services": ["work_permit"]}',
                           headers={"Content-Type": content_type} if content_type else {})
    assert response.status_code == 415 and "application/json" in response.json()["detail"]


@pytest.mark.parametrize("body, says", [
    (b"null", "expected a case object or a list of them"),
    (b'[null, 5, "x"]', "expected an object with the case's fields"),
    (b'{"case_number": 5}', "must be text"),
    (b'{"case_number": "\\ud800"}', "not valid Unicode"),
    (b'{"case_number": "\xff"}', "not valid UTF-8"),
    (b"[" * 50_000, "nested too deeply"),
    (b"{", "not JSON"),
])
def test_bad_case_pushes_get_a_clear_422(client, body, says):
    response = client.post("/api/cases", content=body, headers=PUSH)
    assert response.status_code == 422, response.text
    assert says in response.text


def test_a_case_push_must_be_sent_as_json(client):
    response = client.post("/api/cases", content=b'{"case_number": "x"}',
                           headers={"Authorization": PUSH["Authorization"], "Content-Type": "text/plain"})
    assert response.status_code == 415


@pytest.mark.parametrize("body", [b"credit_code=%ED%A0%80&access_code=%FF", b"credit_code=\xff&access_code=\xfe",
                                  b"credit_code=" + b"9" * 5000 + b"&access_code=x", b"%%%&&&=="])
def test_odd_hr_forms_get_the_page_with_a_message(client, body):
    response = client.post("/hr/cases", content=body, headers=FORM)
    assert response.status_code == 422 and "This is not a unified social credit code" in response.text


def test_an_oversized_body_is_refused_unread(client):
    response = client.post("/checklists", content=b"{" + b" " * MAX_BODY + b"}", headers=JSON)
    assert response.status_code == 413
    assert response.json() == {"detail": f"the request body is larger than {MAX_BODY} bytes, the most this "
                                         "address accepts"}


def test_a_body_without_a_length_is_counted(client):
    def chunks():  # sent chunked: no Content-Length to refuse it by
        for _ in range(40):
            yield b" " * 8192

    response = client.post("/checklists", content=chunks(), headers=JSON)
    assert response.status_code == 413 and str(MAX_BODY) in response.json()["detail"]


def test_forms_are_capped_too(client):
    response = client.post("/hr/cases", content=b"credit_code=" + b"9" * MAX_BODY, headers=FORM)
    assert response.status_code == 413


def test_the_case_push_has_its_own_larger_cap(client):
    many = b"[" + b",".join([b'{"case_number": 5}'] * 20_000) + b"]"  # about 400 KiB: over the pages' cap
    assert MAX_BODY < len(many) < CASE_PUSH_MAX
    response = client.post("/api/cases", content=many, headers=PUSH)
    assert response.status_code == 422 and "must be text" in response.text  # read and checked, not refused
    too_big = client.post("/api/cases", content=b" " * (CASE_PUSH_MAX + 1), headers=PUSH)
    assert too_big.status_code == 413
    unauthenticated = client.post("/api/cases", content=b" " * (CASE_PUSH_MAX + 1), headers=JSON)
    assert unauthenticated.status_code == 413  # refused before anything else, by its declared length
