"""Identity checks and lockouts against a real database, and the HR view of an enterprise's cases."""
import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from bot.db.engine import make_engine, make_session_factory, session_factory_for
from bot.db.models import AccessAttempt, Enterprise, VerificationAttempt
from bot.db.uow import UnitOfWork
from bot.domain.cases import InvalidCaseNumber
from bot.domain.identity import InvalidCreditCode, InvalidPassport
from bot.domain.verification import AccessDenied, AccessLocked, VerificationFailed, VerificationLocked
from bot.services.case_status import verify_case
from bot.services.cases import import_cases
from bot.services.enterprise_cases import issue_access_code, list_enterprise_cases
from bot.services.keys import case_hasher
from tests.case_data import CREDIT_CODE, LENA, NOW, OTHER_CREDIT_CODE, SOLO, WANG, cases_database, csv_text

MIN = dt.timedelta(minutes=1)


@pytest.fixture
def cases_db(settings, kb):
    cases_database(settings, kb)
    factory = session_factory_for(settings.resolved_database_url)
    import_cases(UnitOfWork(factory), kb, case_hasher(settings), csv_text([LENA, WANG, SOLO]), NOW)
    return settings


@pytest.fixture
def uow(cases_db):
    factory = session_factory_for(cases_db.resolved_database_url)
    return lambda: UnitOfWork(factory)


@pytest.fixture
def verify(uow, cases_db):
    hasher = case_hasher(cases_db)

    def run(number="EZ2026-0042", passport="C01X00T47", conversation="conv-1", now=NOW, factory=None):
        return verify_case((factory or uow)(), hasher, number, passport, conversation, now)
    return run


def test_whole_number_or_last_four_shows_the_status_without_name_or_passport(verify):
    view = verify(passport="c01x 00t47")
    assert (view.case_number, view.service_name, view.status) == ("EZ2026-0042", "Foreigner's Work Permit",
                                                                  "under_review")
    assert view.expected_on == dt.date(2026, 11, 18) and "3 working days" in view.expected_rule
    assert view.hall_name.startswith("E-Town International Talent Service Office")
    assert view.next_step and view.explanation and view.updated_on == dt.date(2026, 11, 18)
    assert verify(number="ez 2026 0042", passport=" 0t47") == view
    shown = " ".join(str(v) for v in dataclasses.asdict(view).values())
    assert "Hoffmann" not in shown and "C01X00T47" not in shown and "0T47" not in shown
    wang = verify(number="EZ2026-0043", passport="5634")
    assert wang.note.startswith("Bring the employment contract") and wang.hall_name is None


def test_unknown_case_and_wrong_passport_are_the_same_answer(verify):
    with pytest.raises(VerificationFailed) as wrong:
        verify(passport="C01X00T48")
    with pytest.raises(VerificationFailed) as unknown:
        verify(number="EZ2026-9999", passport="C01X00T47", conversation="conv-2")
    assert type(wrong.value) is type(unknown.value) and wrong.value.attempts_left == unknown.value.attempts_left == 4
    assert str(wrong.value) == str(unknown.value)


def test_last_four_of_another_case_does_not_open_this_one(verify):
    with pytest.raises(VerificationFailed):
        verify(number="EZ2026-0042", passport="5634")  # Wang's last four


def test_malformed_input_is_refused_without_counting(verify, uow):
    with pytest.raises(InvalidCaseNumber):
        verify(number="EZ2026-42")
    with pytest.raises(InvalidPassport):
        verify(passport="T47")
    with uow() as u:
        assert u.session.execute(select(VerificationAttempt)).first() is None


def fail(verify, times, **kwargs):
    for i in range(times):
        with pytest.raises((VerificationFailed, VerificationLocked)):
            verify(passport="WRONG1", now=kwargs.pop("now", NOW) + i * MIN, **kwargs)


def test_five_failures_on_a_case_lock_it_for_every_conversation(verify):
    for i in range(4):
        with pytest.raises(VerificationFailed) as raised:
            verify(passport="WRONG1", conversation=f"attacker-{i}", now=NOW + i * MIN)
        assert raised.value.attempts_left == 4 - i
    with pytest.raises(VerificationLocked) as locked:  # the fifth failure starts the lock
        verify(passport="WRONG1", conversation="attacker-4", now=NOW + 4 * MIN)
    assert locked.value.until == NOW + 4 * MIN + 15 * MIN
    with pytest.raises(VerificationLocked):  # even the right passport, from a fresh conversation
        verify(conversation="owner", now=NOW + 10 * MIN)
    assert verify(number="EZ2026-0043", passport="5634", conversation="owner", now=NOW + 10 * MIN)
    assert verify(conversation="owner", now=NOW + 19 * MIN).status == "under_review"


def test_five_failures_in_a_conversation_lock_it_for_every_case(verify):
    for i, number in enumerate(["EZ2026-0001", "EZ2026-0002", "EZ2026-0003", "EZ2026-0004", "EZ2026-0005"]):
        with pytest.raises((VerificationFailed, VerificationLocked)):
            verify(number=number, passport="WRONG1", conversation="guesser", now=NOW + i * MIN)
    with pytest.raises(VerificationLocked):
        verify(conversation="guesser", now=NOW + 5 * MIN)
    assert verify(conversation="someone-else", now=NOW + 5 * MIN).case_number == "EZ2026-0042"


def test_failures_spread_out_do_not_lock(verify):
    for i in range(6):
        with pytest.raises(VerificationFailed):
            verify(passport="WRONG1", now=NOW + i * 4 * MIN)
    assert verify(now=NOW + 24 * MIN).case_number == "EZ2026-0042"


def test_the_lockout_survives_a_restart(verify, cases_db):
    fail(verify, 5)
    engine = make_engine(cases_db.resolved_database_url)  # a new process: new engine, new sessions
    try:
        fresh = lambda: UnitOfWork(make_session_factory(engine))  # noqa: E731
        with pytest.raises(VerificationLocked):
            verify(now=NOW + 10 * MIN, factory=fresh)
        assert verify(now=NOW + 20 * MIN, factory=fresh).case_number == "EZ2026-0042"
    finally:
        engine.dispose()


def test_attempts_store_no_passport_input_and_no_plain_conversation_id(verify, uow):
    with pytest.raises(VerificationFailed):
        verify(passport="C01X00T48", conversation="sender-123")
    verify(passport="0T47", conversation="sender-123")
    with uow() as u:
        rows = u.session.execute(select(VerificationAttempt)).scalars().all()
        assert [(r.case_number, r.succeeded) for r in rows] == [("EZ2026-0042", False), ("EZ2026-0042", True)]
        stored = " ".join(f"{r.case_number} {r.conversation_hash} {r.attempted_at}" for r in rows)
        assert len(rows[0].conversation_hash) == 64
    assert "sender-123" not in stored and "C01X00T48" not in stored and "0T47" not in stored


# -- HR view -------------------------------------------------------------------------

@pytest.fixture
def access_code(uow):
    return issue_access_code(uow(), CREDIT_CODE, "Example Robotics (Beijing) Co., Ltd.", NOW)


def test_hr_sees_shortened_names_masked_passports_and_expected_dates(uow, access_code):
    result = list_enterprise_cases(uow(), CREDIT_CODE.lower(), access_code.lower().replace("-", " "), NOW)
    assert result.name == "Example Robotics (Beijing) Co., Ltd." and result.credit_code == CREDIT_CODE
    assert [(r.case_number, r.applicant, r.passport, r.status, r.expected_on) for r in result.rows] == [
        ("EZ2026-0043", "X. Wang", "E••••••34", "materials_required", dt.date(2026, 11, 30)),
        ("EZ2026-0042", "L. Hoffmann", "C••••••47", "under_review", dt.date(2026, 11, 18)),
    ]  # Madonna's case has no enterprise: not listed


def test_access_codes_are_stored_only_as_argon2_hashes(uow, access_code):
    with uow() as u:
        stored = u.session.execute(select(Enterprise.access_code_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and access_code.replace("-", "") not in stored
    assert len(access_code) == 19 and access_code.count("-") == 3


def test_wrong_codes_and_unknown_enterprises_are_denied_alike(uow, access_code):
    with pytest.raises(AccessDenied) as wrong:
        list_enterprise_cases(uow(), CREDIT_CODE, "AAAA-BBBB-CCCC-DDDD", NOW)
    with pytest.raises(AccessDenied) as unknown:
        list_enterprise_cases(uow(), OTHER_CREDIT_CODE, access_code, NOW)
    assert str(wrong.value) == str(unknown.value) and not isinstance(wrong.value, AccessLocked)
    with pytest.raises(InvalidCreditCode):
        list_enterprise_cases(uow(), "123", access_code, NOW)


def test_five_wrong_codes_lock_the_enterprise_for_fifteen_minutes(uow, access_code, cases_db):
    for i in range(4):
        with pytest.raises(AccessDenied):
            list_enterprise_cases(uow(), CREDIT_CODE, f"WRONG-{i}", NOW + i * MIN)
    with pytest.raises(AccessLocked) as locked:
        list_enterprise_cases(uow(), CREDIT_CODE, "WRONG-4", NOW + 4 * MIN)
    assert locked.value.until == NOW + 19 * MIN
    with pytest.raises(AccessLocked):
        list_enterprise_cases(uow(), CREDIT_CODE, access_code, NOW + 18 * MIN)
    engine = make_engine(cases_db.resolved_database_url)
    try:
        with pytest.raises(AccessLocked):  # after a restart too
            list_enterprise_cases(UnitOfWork(make_session_factory(engine)), CREDIT_CODE, access_code, NOW + 18 * MIN)
    finally:
        engine.dispose()
    assert len(list_enterprise_cases(uow(), CREDIT_CODE, access_code, NOW + 19 * MIN).rows) == 2
    with uow() as u:
        assert [a.succeeded for a in u.session.execute(select(AccessAttempt)).scalars()] == [False] * 5 + [True]


def test_a_new_code_replaces_the_old_one(uow, access_code):
    newer = issue_access_code(uow(), CREDIT_CODE, "Example Robotics (Beijing) Co., Ltd.", NOW)
    assert newer != access_code
    with pytest.raises(AccessDenied):
        list_enterprise_cases(uow(), CREDIT_CODE, access_code, NOW)
    assert list_enterprise_cases(uow(), CREDIT_CODE, newer, NOW).rows
