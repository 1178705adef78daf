"""POST /api/cases (pushed by the approval system) and the HR page, through the real app."""
import html
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from bot.db.engine import session_factory_for
from bot.db.models import Case
from bot.db.uow import UnitOfWork
from bot.logs import PiiMaskingFilter
from bot.services.enterprise_cases import issue_access_code
from bot.web.app import create_app
from tests.case_data import CREDIT_CODE, LENA, SOLO, WANG, cases_database

TOKEN = "push-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def cases_db(settings, kb):
    return cases_database(settings, kb).copy(update={"case_push_token": TOKEN})


@pytest.fixture
def client(cases_db):
    with TestClient(create_app(cases_db)) as test_client:
        yield test_client


def stored_cases(settings) -> int:
    with UnitOfWork(session_factory_for(settings.resolved_database_url)) as uow:
        return uow.session.execute(select(func.count()).select_from(Case)).scalar_one()


def test_push_without_a_token_is_refused(client, cases_db):
    response = client.post("/api/cases", json=LENA)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    assert client.post("/api/cases", content=b"not json").status_code == 401  # auth comes before parsing
    assert stored_cases(cases_db) == 0


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer ", "Bearer ключ"])
def test_push_with_a_wrong_token_is_refused(client, cases_db, header):
    response = client.post("/api/cases", json=LENA, headers={"Authorization": header.encode("utf-8")})
    assert response.status_code == 401
    assert stored_cases(cases_db) == 0


def test_push_with_the_token_saves_one_case_or_a_list(client, cases_db):
    response = client.post("/api/cases", json=LENA, headers=AUTH)
    assert response.status_code == 200
    assert response.json() == {"created": 1, "updated": 0, "unchanged": 0, "stale": 0}
    response = client.post("/api/cases", json=[{**LENA, "status": "approved", "updated_on": "2026-11-21"}, WANG],
                           headers={"Authorization": f"bearer {TOKEN}"})
    assert response.json() == {"created": 1, "updated": 1, "unchanged": 0, "stale": 0}
    assert stored_cases(cases_db) == 2


def test_bad_data_is_422_with_every_problem_and_nothing_saved(client, cases_db):
    response = client.post("/api/cases", headers=AUTH, json=[
        LENA, {**WANG, "status": "pending", "submitted_on": "16.11.2026"}, {**SOLO, "case_number": "EZ2026-0042"},
        {"case_number": "EZ2026-0050", "colour": "red"}])
    assert response.status_code == 422
    detail = response.json()["detail"]
    locs = [tuple(d["loc"]) for d in detail]
    assert ("body", 1, "status") in locs and ("body", 1, "submitted_on") in locs
    assert ("body", 2, "case_number") in locs and ("body", 3, "colour") in locs and ("body", 3, "service") in locs
    assert all(set(d) == {"loc", "msg", "type"} for d in detail)
    assert stored_cases(cases_db) == 0


@pytest.mark.parametrize("body, loc", [(b"{oops", ["body"]), (b"42", ["body"]), (b"[]", ["body"]),
                                       (b"[1, 2]", ["body", 0])])
def test_bodies_that_are_not_cases(client, cases_db, body, loc):
    response = client.post("/api/cases", content=body, headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == loc
    assert stored_cases(cases_db) == 0


def test_push_is_disabled_without_a_configured_token(cases_db):
    with TestClient(create_app(cases_db.copy(update={"case_push_token": None}))) as client:
        assert client.post("/api/cases", json=LENA, headers=AUTH).status_code == 503
        assert client.post("/api/cases", json=LENA).status_code == 503


# -- HR page -------------------------------------------------------------------------

@pytest.fixture
def access_code(client, cases_db):
    client.post("/api/cases", json=[LENA, {**WANG, "applicant_name": "<b>WANG</b> Xiaoming"}, SOLO], headers=AUTH)
    return issue_access_code(UnitOfWork(session_factory_for(cases_db.resolved_database_url)), CREDIT_CODE,
                             "Example <Robotics> Co., Ltd.")


def test_the_form_asks_for_both_codes_by_post(client):
    page = client.get("/hr/cases")
    assert page.status_code == 200 and 'method="post"' in page.text and 'name="access_code"' in page.text
    assert page.headers["Cache-Control"] == "no-store"


def test_the_right_codes_show_the_cases_masked_and_escaped(client, access_code):
    page = client.post("/hr/cases", data={"credit_code": CREDIT_CODE, "access_code": access_code})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Example &lt;Robotics&gt; Co., Ltd." in page.text and "<Robotics>" not in page.text
    text = html.unescape(page.text)
    assert "L. Hoffmann" in text and "•••••••47" in text and "EZ2026-0042" in text
    assert "Hoffmann" not in text.replace("L. Hoffmann", "") and "Lena" not in text and "C01X00T47" not in text
    assert "EZ2026-100045" not in text  # no enterprise: not this HR's case
    assert "<b>" not in page.text  # the name's markup is escaped (and shortened)


def test_a_wrong_code_is_403_and_the_sixth_try_is_locked(client, access_code):
    for _ in range(4):
        page = client.post("/hr/cases", data={"credit_code": CREDIT_CODE, "access_code": "WRONG"})
        assert page.status_code == 403 and "do not match" in page.text and "L. Hoffmann" not in page.text
    page = client.post("/hr/cases", data={"credit_code": CREDIT_CODE, "access_code": "WRONG"})
    assert page.status_code == 429 and "Beijing time" in page.text
    page = client.post("/hr/cases", data={"credit_code": CREDIT_CODE, "access_code": access_code})
    assert page.status_code == 429 and "L. Hoffmann" not in page.text


def test_a_malformed_credit_code_is_explained(client):
    page = client.post("/hr/cases", data={"credit_code": "<script>", "access_code": "x"})
    assert page.status_code == 422 and "18 characters" in page.text and "<script>" not in page.text


def test_the_app_masks_passport_numbers_in_its_logs(client, caplog):
    logger = logging.getLogger("bot.web.cases")
    assert any(isinstance(f, PiiMaskingFilter) for f in logger.filters)
    with caplog.at_level(logging.INFO, logger="bot.web.cases"):
        logger.info("pushed a case with passport %s", "C01X00T47")
    assert "C01X00T47" not in caplog.text and "[passport]" in caplog.text
