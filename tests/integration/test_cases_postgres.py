"""Import, verification and the HR lockout on PostgreSQL (a fresh schema per test)."""
import datetime as dt

import pytest


from bot.db import migrate
from bot.db.engine import make_engine, make_session_factory
from bot.db.uow import UnitOfWork
from bot.domain.verification import AccessDenied, AccessLocked, VerificationFailed, VerificationLocked
from bot.services import knowledge
from bot.services.case_status import verify_case
from bot.services.cases import CaseImportError, import_cases
from bot.services.enterprise_cases import issue_access_code, list_enterprise_cases
from bot.services.keys import case_hasher
from tests.case_data import CREDIT_CODE, LENA, NOW, WANG, csv_text

MIN = dt.timedelta(minutes=1)


def test_cases_on_postgresql(postgres_url, kb, settings):
    migrate.upgrade(postgres_url)
    engine = make_engine(postgres_url)
    try:
        uow = lambda: UnitOfWork(make_session_factory(engine))  # noqa: E731
        knowledge.load(uow(), kb)
        hasher = case_hasher(settings)
        assert import_cases(uow(), kb, hasher, csv_text([LENA, WANG]), NOW).created == 2
        with pytest.raises(CaseImportError):
            import_cases(uow(), kb, hasher, csv_text([{**LENA, "status": "approved"}, {**WANG, "status": "?"}]), NOW)
        approved = {**LENA, "status": "approved", "updated_on": "2026-11-21"}
        updated = import_cases(uow(), kb, hasher, csv_text([approved]), NOW)
        assert updated.updated == 1

        view = verify_case(uow(), hasher, "EZ2026-0042", "0T47 Hoffmann", "conv", NOW)
        assert (view.status, view.service_name, view.expected_on) == ("approved", "Foreigner's Work Permit",
                                                                     dt.date(2026, 11, 18))
        for i in range(4):
            with pytest.raises(VerificationFailed):
                verify_case(uow(), hasher, "EZ2026-0043", "0000 Wang", f"c{i}", NOW + i * MIN)
        with pytest.raises(VerificationLocked):
            verify_case(uow(), hasher, "EZ2026-0043", "WRONG9", "c4", NOW + 4 * MIN)
        with pytest.raises(VerificationLocked):
            verify_case(uow(), hasher, "EZ2026-0043", "5634 Wang", "c5", NOW + 5 * MIN)

        code = issue_access_code(uow(), CREDIT_CODE, "Example Robotics", NOW)
        rows = list_enterprise_cases(uow(), CREDIT_CODE, code, NOW).rows
        assert [(r.applicant, r.expected_on) for r in rows] == [("L. Hoffmann", None),  # approved: no date
                                                               ("X. Wang", dt.date(2026, 11, 30))]
        for i in range(5):
            with pytest.raises(AccessDenied):
                list_enterprise_cases(uow(), CREDIT_CODE, "nope", NOW + i * MIN)
        with pytest.raises(AccessLocked):
            list_enterprise_cases(uow(), CREDIT_CODE, code, NOW + 5 * MIN)
    finally:
        engine.dispose()
