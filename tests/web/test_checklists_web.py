"""The checklist pages and PDFs through the real app, against a fresh SQLite database."""
import datetime as dt
import html

import pytest
from fastapi.testclient import TestClient

from bot.domain.checklist import Profile, build_checklist
from bot.web.app import create_app
from tests.web.pdf_text import pdf_text, squeeze

ANNA = {"services": ["work_permit_notification", "residence_permit"], "degree_country": "Germany", "record_country": "in",
        "family": ["spouse", "child"], "label": "Anna Li"}
BO = {"services": ["work_permit_notification"], "location": "outside_china", "category": "B",
      "degree_country": "hk_macao_taiwan", "label": "Bo Chen"}
XSS = "<script>alert(1)</script>"


@pytest.fixture
def client(loaded):
    with TestClient(create_app(loaded)) as test_client:
        yield test_client


def create(client, body) -> dict:
    response = client.post("/checklists", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def expected_items(kb, body):
    fields = {**body, "family": set(body["family"]) if "family" in body else None,
              "degree_country": {"Germany": "de"}.get(body.get("degree_country"), body.get("degree_country"))}
    return build_checklist(kb, Profile(**fields), dt.date(2026, 11, 22)).items


def page_text(response) -> str:
    return html.unescape(response.text)


def test_health(client):
    assert client.get("/health").json() == {"status": "ok"}


def test_post_returns_stable_links(client, loaded):
    created = create(client, ANNA)
    base = loaded.resolved_public_base_url
    assert created == {"id": created["id"], "url": f"{base}/checklists/{created['id']}",
                       "pdf_url": f"{base}/checklists/{created['id']}.pdf"}
    assert create(client, {**ANNA, "degree_country": "de"})["id"] == created["id"]  # "Germany" is "de"


def test_page_lists_every_item_with_its_rules_and_sources(client, kb):
    created = create(client, ANNA)
    response = client.get(f"/checklists/{created['id']}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    text = page_text(response)
    items = expected_items(kb, ANNA)
    for item in items:
        assert f"{item.number}.</span> <span class=\"name\">{item.name}</span>" in text, item.name
        for detail in item.details:
            assert detail in text
        for url in item.sources:
            assert f'href="{url}"' in text
    assert "From the applicant" in text and "From the employer" in text
    assert "Not confirmed:</strong> the 6-month validity" in text  # uncertainty visibly marked
    assert "consular legalisation: India" in text and "an apostille from Germany is enough" in text
    assert "Last reviewed 22 November 2026" in text and '<link rel="stylesheet" href="/static/pages.css">' in text
    assert "@media print" in client.get("/static/pages.css").text  # printable: the styles are a file (CSP)
    assert text.count('type="checkbox"') == len(items)
    assert f'href="{created["id"]}.pdf"' in text


def test_page_marks_items_that_depend_on_an_open_answer(client):
    created = create(client, {"services": ["work_permit"]})
    text = page_text(client.get(f"/checklists/{created['id']}"))
    assert "If it applies to you</span> only if the applicant changes employer" in text


def test_pdf_is_a_real_pdf_with_every_item(client, kb):
    created = create(client, ANNA)
    response = client.get(f"/checklists/{created['id']}.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="checklist-{created["id"]}.pdf"'
    assert response.content.startswith(b"%PDF") and response.content.rstrip().endswith(b"%%EOF")
    text = squeeze(pdf_text(response.content))
    for item in expected_items(kb, ANNA):
        assert squeeze(f"{item.number}. {item.name}") in text, item.name
    assert squeeze("Not confirmed:") in text and squeeze("Anna Li") in text


def test_batch_page_and_pdf_hold_every_employee(client, kb):
    ids = [create(client, body)["id"] for body in (ANNA, BO)]
    page = client.get(f"/checklists/batch?ids={','.join(ids)}")
    assert page.status_code == 200
    text = page_text(page)
    assert text.count('<section class="checklist">') == 2
    for body in (ANNA, BO):
        assert body["label"] in text
        for item in expected_items(kb, body):
            assert item.name in text
    assert f'href="batch.pdf?ids={",".join(ids)}"' in text

    pdf = client.get(f"/checklists/batch.pdf?ids={','.join(ids)}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "inline;" in pdf.headers["content-disposition"]
    text = squeeze(pdf_text(pdf.content))
    for body in (ANNA, BO):
        assert squeeze(body["label"]) in text
        for item in expected_items(kb, body):
            assert squeeze(item.name) in text, item.name
    single = client.get(f"/checklists/{ids[0]}.pdf").content
    assert pdf.content.count(b"/Type /Page\n") > single.count(b"/Type /Page\n")  # a page break per employee


@pytest.mark.parametrize("path", ["/checklists/0123456789abcdef", "/checklists/0123456789abcdef.pdf",
                                  "/checklists/not-an-id", "/checklists/%3Cscript%3E.pdf"])
def test_unknown_or_malformed_id_is_a_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404 and "Checklist not found" in response.text
    assert "Traceback" not in response.text and "<script>" not in response.text


def test_batch_with_an_unknown_id_names_it(client):
    known = create(client, BO)["id"]
    response = client.get(f"/checklists/batch?ids={known},fedcba9876543210")
    assert response.status_code == 404 and "fedcba9876543210" in response.text and known not in response.text
    assert client.get(f"/checklists/batch.pdf?ids={known},nope").status_code == 404


def test_batch_size_is_limited(client):
    too_many = ",".join(f"{n:016x}" for n in range(51))
    response = client.get(f"/checklists/batch?ids={too_many}")
    assert response.status_code == 422 and "At most 50" in response.text
    assert client.get("/checklists/batch?ids=,").status_code == 422
    assert client.get("/checklists/batch").status_code == 422


@pytest.mark.parametrize("body, field, words", [
    ({"services": ["work_permitt"]}, "services", "unknown service id 'work_permitt'"),
    ({"services": []}, "services", "at least 1"),
    ({"services": ["work_permit"], "label": "x" * 81}, "label", "at most 80"),
    ({"services": ["work_permit"], "family": ["cousin"]}, "family", "permitted"),
    ({"services": ["work_permit"], "category": "D"}, "category", "permitted"),
    ({"services": ["work_permit"], "degree_country": "Atlantis"}, "degree_country", "unknown country"),
    ({"services": ["work_permit"], "salary": 1}, "salary", "extra fields"),
])
def test_post_validation_is_a_422_with_a_clear_message(client, body, field, words):
    response = client.post("/checklists", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(d["loc"][-1] == field or d["loc"][1] == field for d in detail), detail
    assert any(words in d["msg"] for d in detail), detail


def test_labels_are_escaped_on_every_page(client):
    created = create(client, {"services": ["residence_permit"], "label": XSS})
    for path in (f"/checklists/{created['id']}", f"/checklists/batch?ids={created['id']}"):
        response = client.get(path)
        assert response.status_code == 200
        assert XSS not in response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    pdf = client.get(f"/checklists/{created['id']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")  # reportlab markup escaped too
