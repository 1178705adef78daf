"""Pulling case updates from a fake approval system on 127.0.0.1 (a real HTTP server in a thread)."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from bot.__main__ import main
from bot.db.engine import session_factory_for
from bot.db.models import Case, CaseHistory
from bot.db.uow import UnitOfWork
from bot.integrations.approval_system import (
    CaseSourceInvalid, CaseSourceUnavailable, HttpCaseSource, LocalCaseSource, make_case_source,
)
from bot.services.cases import CaseImportError, import_cases, pull_cases
from bot.services.keys import case_hasher
from tests.case_data import LENA, NOW, WANG, cases_database, csv_text

TOKEN = "pull-token-for-tests"


class FakeApprovalSystem:
    """Answers GET /cases with whatever the test sets: a status, a body, and an optional delay."""

    def __init__(self):
        self.status, self.body, self.delay = 200, b"[]", 0.0
        self.seen_auth = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                fake.seen_auth.append(self.headers.get("Authorization"))
                time.sleep(fake.delay)
                status = fake.status if self.headers.get("Authorization") == f"Bearer {TOKEN}" else 401
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(fake.body)))
                self.end_headers()
                try:
                    self.wfile.write(fake.body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

            def log_message(self, *args):  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # port 0: a free port
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cases"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, body, status=200, delay=0.0):
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.status, self.delay = status, delay


@pytest.fixture
def fake():
    server = FakeApprovalSystem()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def cases_db(settings, kb):
    return cases_database(settings, kb)


@pytest.fixture
def pull(cases_db, kb):
    factory = session_factory_for(cases_db.resolved_database_url)
    hasher = case_hasher(cases_db)
    return lambda source: pull_cases(UnitOfWork(factory), kb, hasher, source, NOW)


@pytest.fixture
def stored(cases_db):
    factory = session_factory_for(cases_db.resolved_database_url)

    def read():
        with UnitOfWork(factory) as uow:
            cases = {c.case_number: c.status for c in uow.session.execute(select(Case)).scalars()}
            return cases, uow.session.execute(select(func.count()).select_from(CaseHistory)).scalar_one()
    return read


def test_good_data_is_saved_with_pull_as_its_source(fake, pull, stored, cases_db):
    fake.answer([LENA, WANG])
    summary = pull(HttpCaseSource(fake.url, TOKEN, timeout=5))
    assert (summary.created, summary.updated) == (2, 0)
    assert fake.seen_auth == [f"Bearer {TOKEN}"]
    fake.answer({"cases": [{**LENA, "status": "approved", "updated_on": "2026-11-21"}]})
    assert pull(HttpCaseSource(fake.url, TOKEN, timeout=5)).updated == 1
    assert stored() == ({"EZ2026-0042": "approved", "EZ2026-0043": "materials_required"}, 3)
    with UnitOfWork(session_factory_for(cases_db.resolved_database_url)) as uow:
        assert {h.source for h in uow.session.execute(select(CaseHistory)).scalars()} == {"pull"}


def test_an_empty_answer_changes_nothing(fake, pull, stored):
    fake.answer([])
    assert pull(HttpCaseSource(fake.url, TOKEN, timeout=5)).total == 0
    assert stored() == ({}, 0)


@pytest.fixture
def before(cases_db, kb, stored):
    """One case already stored, to show that failed pulls leave it alone."""
    import_cases(UnitOfWork(session_factory_for(cases_db.resolved_database_url)), kb, case_hasher(cases_db),
                 csv_text([LENA]), NOW)
    return stored()


def test_a_server_error_is_a_named_error_and_nothing_changes(fake, pull, stored, before):
    fake.answer({"message": "internal error"}, status=500)
    with pytest.raises(CaseSourceUnavailable, match=r"answered HTTP 500 \(a problem on its side"):
        pull(HttpCaseSource(fake.url, TOKEN, timeout=5))
    assert stored() == before


def test_a_refused_token(fake, pull, stored, before):
    fake.answer([WANG])
    with pytest.raises(CaseSourceUnavailable, match="HTTP 401 .*ETOWN_APPROVAL_SYSTEM_TOKEN"):
        pull(HttpCaseSource(fake.url, "wrong", timeout=5))
    assert stored() == before


def test_a_timeout(fake, pull, stored, before):
    fake.answer([WANG], delay=1.0)
    started = time.monotonic()
    with pytest.raises(CaseSourceUnavailable, match="did not answer within 0.2 seconds"):
        pull(HttpCaseSource(fake.url, TOKEN, timeout=0.2))
    assert time.monotonic() - started < 0.9
    assert stored() == before


@pytest.mark.parametrize("body, words", [
    (b"<html>maintenance</html>", "did not answer with JSON"),
    (b'{"cases": "soon"}', "not a list of cases"),
    (b"\xff\xfe", "did not answer with JSON"),
])
def test_bad_json(fake, pull, stored, before, body, words):
    fake.answer(body)
    with pytest.raises(CaseSourceInvalid, match=words):
        pull(HttpCaseSource(fake.url, TOKEN, timeout=5))
    assert stored() == before


def test_bad_records_reject_the_whole_answer(fake, pull, stored, before):
    fake.answer([WANG, {**LENA, "status": "approved", "updated_on": "2026-11-21"}, {**WANG, "case_number": "x"}])
    with pytest.raises(CaseImportError) as raised:
        pull(HttpCaseSource(fake.url, TOKEN, timeout=5))
    assert [str(p) for p in raised.value.problems] == [
        'item 2, case_number: "x" is not a case number. A case number looks like EZ2026-0042: two letters, the '
        "four-digit year, a dash and 4 to 6 digits."]
    assert stored() == before


def test_an_unreachable_server(pull):
    with pytest.raises(CaseSourceUnavailable, match="cannot reach the approval system at 127.0.0.1:9"):
        pull(HttpCaseSource("http://127.0.0.1:9/cases?token=secret", TOKEN, timeout=2))


def test_the_source_is_chosen_once_from_the_settings(settings, tmp_path):
    assert isinstance(make_case_source(settings.copy(update={"approval_system_url": "http://127.0.0.1:1/x"})),
                      HttpCaseSource)
    local = make_case_source(settings.copy(update={"approval_system_file": tmp_path / "cases.json"}))
    assert isinstance(local, LocalCaseSource)
    with pytest.raises(CaseSourceUnavailable, match="no local file"):
        local.fetch()
    (tmp_path / "cases.json").write_text(json.dumps([LENA]))
    assert local.fetch() == [LENA]


def test_command_line_pull(fake, cases_db, monkeypatch, capsys):
    configured = cases_db.copy(update={"approval_system_url": fake.url, "approval_system_token": TOKEN})
    monkeypatch.setattr("bot.cli_cases.get_settings", lambda: configured)
    fake.answer([LENA, WANG])
    assert main(["cases", "pull"]) == 0
    assert "2 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    fake.answer({"oops": 1}, status=500)
    assert main(["cases", "pull"]) == 1
    assert "HTTP 500" in capsys.readouterr().err
