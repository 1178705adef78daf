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

    def run(number="EZ2026-0042", passport="C01X00T47", conversation="conv-1", now=NOW, factory=None, client=None):
        return verify_case((factory or uow)(), hasher, number, passport, conversation, now, client)
    return run


def test_whole_number_or_last_four_shows_the_status_without_name_or_passport(verify):
    view = verify(passport="c01x 00t47")
    assert (view.case_number, view.service_name, view.status) == ("EZ2026-0042", "Foreigner's Work Permit",
                                                                  "under_review")
    assert view.expected_on == dt.date(2026, 11, 18) and "3 working days" in view.expected_rule
    assert view.hall_name.startswith("E-Town International Talent Service Office")
    assert view.next_step and view.explanation and view.updated_on == dt.date(2026, 11, 18)
    assert verify(number="ez 2026 0042", passport="0t47 Hoffmann") == view
    shown = " ".join(str(v) for v in dataclasses.asdict(view).values())
    assert "Hoffmann" not in shown and "C01X00T47" not in shown and "0T47" not in shown
    wang = verify(number="EZ2026-0043", passport="5634 Wang")
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
        verify(number="EZ2026-0042", passport="5634 Hoffmann")  # Wang's last four


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
    assert verify(number="EZ2026-0043", passport="5634 Wang", conversation="owner", now=NOW + 10 * MIN)
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
    verify(passport="0T47 Hoffmann", conversation="sender-123", client="198.51.100.7")
    with uow() as u:
        rows = u.session.execute(select(VerificationAttempt)).scalars().all()
        assert [(r.case_number, r.succeeded) for r in rows] == [("EZ2026-0042", False), ("EZ2026-0042", True)]
        stored = " ".join(f"{r.case_number} {r.conversation_hash} {r.client_hash} {r.attempted_at}" for r in rows)
        assert len(rows[0].conversation_hash) == 64 and len(rows[1].client_hash) == 64
    for value in ("sender-123", "C01X00T48", "0T47", "Hoffmann", "198.51.100.7"):
        assert value not in stored


def test_the_last_four_need_the_family_name_and_words_are_not_counted(verify, uow):
    for text in ("0T47", "stop", "help", "what do you need that for?", "hello there", "0T47 Schmidt"):
        with pytest.raises((InvalidPassport, VerificationFailed)):
            verify(passport=text)
    with uow() as u:
        outcomes = u.session.execute(select(VerificationAttempt.succeeded)).scalars().all()
    assert outcomes == [False]  # only the last four with a wrong family name was a check
    assert verify(passport="my passport number is C01X00T47").case_number == "EZ2026-0042"
    assert verify(passport="last four 0t47, family name hoffmann").case_number == "EZ2026-0042"


def test_one_client_address_is_limited_across_cases_and_conversations(verify):
    for i in range(3):
        with pytest.raises((VerificationFailed, VerificationLocked)):
            verify(number=f"EZ2026-000{i + 1}", passport="WRONG1", conversation=f"c-{i}", client="203.0.113.5",
                   now=NOW + i * MIN)
    with pytest.raises(VerificationLocked) as locked:  # a new conversation, the right passport: same client
        verify(conversation="fresh", client="203.0.113.5", now=NOW + 3 * MIN)
    assert locked.value.scope == "client"
    assert verify(conversation="fresh", client="198.51.100.1", now=NOW + 3 * MIN).case_number == "EZ2026-0042"


def test_repeated_lockouts_back_off_and_survive_a_restart(verify, cases_db):
    start = NOW
    for until in (15 * MIN, 60 * MIN, 24 * 60 * MIN):  # 15 minutes, 1 hour, 24 hours
        for i in range(5):
            with pytest.raises((VerificationFailed, VerificationLocked)):
                verify(passport="WRONG1", conversation=f"attacker-{start}-{i}", now=start + i * MIN)
        last = start + 4 * MIN
        engine = make_engine(cases_db.resolved_database_url)  # as after a restart
        try:
            fresh = lambda: UnitOfWork(make_session_factory(engine))  # noqa: E731
            with pytest.raises(VerificationLocked) as locked:
                verify(conversation="owner", now=last + until - MIN, factory=fresh)
        finally:
            engine.dispose()
        assert locked.value.until == last + until and locked.value.scope == "case"
        start = last + until
    assert verify(conversation="owner", now=start).case_number == "EZ2026-0042"


def test_staff_unlock_lets_the_rightful_person_in_at_once_and_is_audited(verify, uow):
    from bot.services.identity_checks.unlocks import NotACaseOrCode, recent_unlocks, unlock
    from tests.handoff_fakes import member

    for i in range(5):
        with pytest.raises((VerificationFailed, VerificationLocked)):
            verify(passport="WRONG1", conversation=f"attacker-{i}", now=NOW + i * MIN)
    with pytest.raises(VerificationLocked):
        verify(conversation="owner", now=NOW + 5 * MIN)
    clerk = member(uow, "counter1")
    result = unlock(uow(), clerk, "ez2026-0042", NOW + 6 * MIN)
    assert result.reference == "EZ2026-0042" and result.was_locked_until == NOW + 19 * MIN
    assert verify(conversation="owner", now=NOW + 7 * MIN).case_number == "EZ2026-0042"
    assert [(r.reference, r.staff, r.at) for r in recent_unlocks(uow())] == [("EZ2026-0042", "counter1", NOW + 6 * MIN)]
    with pytest.raises(NotACaseOrCode):
        unlock(uow(), clerk, "not a case", NOW)


# -- HR view -------------------------------------------------------------------------

@pytest.fixture
def access_code(uow):
    return issue_access_code(uow(), CREDIT_CODE, "Example Robotics (Beijing) Co., Ltd.", NOW)


def test_hr_sees_shortened_names_masked_passports_and_expected_dates(uow, access_code):
    result = list_enterprise_cases(uow(), CREDIT_CODE.lower(), access_code.lower().replace("-", " "), NOW)
    assert result.name == "Example Robotics (Beijing) Co., Ltd." and result.credit_code == CREDIT_CODE
    assert [(r.case_number, r.applicant, r.passport, r.status, r.expected_on) for r in result.rows] == [
        ("EZ2026-0043", "X. Wang", "•••••••34", "materials_required", dt.date(2026, 11, 30)),
        ("EZ2026-0042", "L. Hoffmann", "•••••••47", "under_review", dt.date(2026, 11, 18)),
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
