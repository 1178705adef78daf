"""CSV import into a real SQLite database: all or nothing, history on change, the command line."""
import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from bot.__main__ import main
from bot.db.engine import session_factory_for
from bot.db.models import Case, CaseHistory, Enterprise
from bot.db.uow import UnitOfWork
from bot.services.cases import CaseImportError, import_cases
from bot.services.keys import case_hasher
from tests.case_data import CREDIT_CODE, HEADER, LENA, NOW, SOLO, WANG, cases_database, csv_text


@pytest.fixture
def cases_db(settings, kb):
    return cases_database(settings, kb)


@pytest.fixture
def uow(cases_db):
    factory = session_factory_for(cases_db.resolved_database_url)
    return lambda: UnitOfWork(factory)


@pytest.fixture
def run_import(uow, kb, cases_db):
    hasher = case_hasher(cases_db)
    return lambda source, now=NOW: import_cases(uow(), kb, hasher, source, now)


def counts(uow):
    with uow() as u:
        return tuple(u.session.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (Case, CaseHistory, Enterprise))


def case(uow, number):
    """A snapshot of the stored case (plain values: the session is gone afterwards) and its history."""
    with uow() as u:
        found = u.cases.by_number(number)
        snapshot = SimpleNamespace(**{c.name: getattr(found, c.name) for c in Case.__table__.columns},
                                   credit_code=found.enterprise.credit_code if found.enterprise else None)
        return snapshot, [(h.status, h.note, h.source) for h in found.history]


def test_a_good_file_creates_cases_with_masked_passports_and_expected_dates(run_import, uow):
    summary = run_import(csv_text([LENA, WANG, SOLO]))
    assert (summary.created, summary.updated, summary.unchanged) == (3, 0, 0)
    lena, history = case(uow, "EZ2026-0042")
    assert lena.passport_masked == "•••••••47" and "C01X00T47" not in (lena.passport_hmac + lena.passport_last4_hmac)
    assert lena.service_id == "work_permit" and lena.hall_id == "etown_international_talent_service_office"
    assert lena.expected_on == dt.date(2026, 11, 18) and "3 working days" in lena.expected_rule
    assert lena.credit_code == CREDIT_CODE
    assert history == [("under_review", None, "import")]
    wang, _ = case(uow, "EZ2026-0043")
    assert wang.service_id == "residence_permit"  # found by its name
    assert counts(uow) == (3, 3, 1)


def test_reimporting_updates_and_records_history_only_for_status_or_note_changes(run_import, uow):
    run_import(csv_text([LENA, WANG, SOLO]))
    later = NOW + dt.timedelta(days=1)
    summary = run_import(csv_text([
        {**LENA, "status": "approved", "updated_on": "2026-11-22"},
        {**WANG, "applicant_name": "WANG Xiao Ming"},  # changed, but neither status nor note
        SOLO,
    ]), later)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 2, 1)
    lena, history = case(uow, "EZ2026-0042")
    assert lena.status == "approved" and lena.updated_on == dt.date(2026, 11, 22)
    assert history == [("under_review", None, "import"), ("approved", None, "import")]
    assert case(uow, "EZ2026-0043")[1] == [("materials_required", WANG["note"], "import")]
    run_import(csv_text([{**WANG, "note": "Contract received, thank you."}]), later)
    assert [h[1] for h in case(uow, "EZ2026-0043")[1]] == [WANG["note"], "Contract received, thank you."]


def test_older_data_does_not_overwrite_newer(run_import, uow):
    run_import(csv_text([{**LENA, "status": "approved", "updated_on": "2026-11-20"}]))
    summary = run_import(csv_text([LENA]))  # updated_on 2026-11-18
    assert summary.stale == 1 and case(uow, "EZ2026-0042")[0].status == "approved"


def test_a_file_with_a_bom_and_crlf_line_ends_imports(run_import, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text([LENA]).replace("\n", "\r\n").encode("utf-8"))
    assert run_import(path).created == 1


def rejected(run_import, uow, source):
    run_import(csv_text([SOLO]))
    before = counts(uow)
    with pytest.raises(CaseImportError) as raised:
        run_import(source)
    assert counts(uow) == before  # nothing half-imported
    assert case(uow, "EZ2026-100045")[0].status == "received"
    return [str(p) for p in raised.value.problems]


def test_missing_column(run_import, uow):
    header = [h for h in HEADER if h != "status"]
    assert rejected(run_import, uow, csv_text([LENA, WANG], header)) == [
        "line 1, status: missing column (the header needs: case_number,service,applicant_name,passport_number,"
        "status,submitted_on,updated_on,note)"]


def test_bad_date_after_good_rows(run_import, uow):
    problems = rejected(run_import, uow, csv_text([LENA, {**SOLO, "status": "approved"},
                                                   {**WANG, "updated_on": "20.11.2026"}]))
    assert problems == ["line 4, updated_on: '20.11.2026' is not a date: use YYYY-MM-DD, e.g. 2026-11-02"]


def test_unknown_service(run_import, uow):
    assert rejected(run_import, uow, csv_text([LENA, {**WANG, "service": "moon visa"}])) == [
        "line 3, service: unknown service 'moon visa': use its id or name from the knowledge base"]


def test_bad_status(run_import, uow):
    problems = rejected(run_import, uow, csv_text([{**LENA, "status": "pending"}]))
    assert problems[0].startswith("line 2, status: unknown status 'pending'; expected one of: received,")


def test_bad_case_number(run_import, uow):
    problems = rejected(run_import, uow, csv_text([LENA, {**WANG, "case_number": "EZ2026-42"}]))
    assert problems[0].startswith("line 3, case_number: The part after the dash has 2 digits")


def test_duplicate_case_number_in_the_file(run_import, uow):
    problems = rejected(run_import, uow, csv_text([LENA, WANG, {**SOLO, "case_number": "ez2026-0042"}]))
    assert problems == ["line 4, case_number: EZ2026-0042 appears twice (first at line 2)"]


@pytest.mark.parametrize("content, message", [
    ("", "the file is empty"),
    ("\n  \n", "the file is empty"),
    (",".join(HEADER) + "\n", "the file has a header but no cases"),
])
def test_empty_files(run_import, uow, content, message):
    assert rejected(run_import, uow, content) == [message]


def test_non_utf8_file(run_import, uow, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_text([LENA, {**WANG, "applicant_name": "Jürgen Müller"}]).encode("latin-1"))
    assert rejected(run_import, uow, path) == [
        'line 3: the file is not UTF-8 text: save it as "CSV UTF-8" and try again']


def test_every_problem_of_the_file_is_listed(run_import, uow):
    problems = rejected(run_import, uow, csv_text([
        {**LENA, "submitted_on": "yesterday"}, WANG, {**SOLO, "passport_number": "", "hall": "moon"}]))
    assert [p.split(":")[0] for p in problems] == ["line 2, submitted_on", "line 4, passport_number", "line 4, hall"]


def test_row_with_too_many_fields_and_unknown_columns(run_import, uow):
    assert rejected(run_import, uow, csv_text([LENA]) + "a,b,c\n") == ["line 3: has 3 fields, the header has 11"]
    assert rejected(run_import, uow, csv_text([LENA], HEADER + ["salary"]))[0].startswith(
        "line 1, salary: unknown column")


def test_command_line_import(cases_db, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr("bot.cli_cases.get_settings", lambda: cases_db)
    path = tmp_path / "cases.csv"
    path.write_text(csv_text([LENA, WANG]))
    assert main(["cases", "import", str(path)]) == 0
    assert capsys.readouterr().out.strip().endswith(": 2 created, 0 updated, 0 unchanged.")
    path.write_text(csv_text([LENA, {**WANG, "status": "bogus"}, {**SOLO, "submitted_on": "x"}]))
    assert main(["cases", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "2 problems" in err
    assert "  line 3, status: unknown status 'bogus'" in err and "  line 4, submitted_on:" in err


def test_command_line_issue_access(cases_db, monkeypatch, capsys):
    monkeypatch.setattr("bot.cli_cases.get_settings", lambda: cases_db)
    assert main(["cases", "issue-access", CREDIT_CODE, "Example Robotics"]) == 0
    out = capsys.readouterr().out
    assert "Access code for Example Robotics:" in out and "shown only this once" in out
    assert main(["cases", "issue-access", "123", "Example"]) == 1
    assert "18 characters" in capsys.readouterr().err
