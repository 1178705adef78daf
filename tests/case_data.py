"""Shared case test data: a CSV builder and a few realistic rows (made-up people and passports)."""
from __future__ import annotations

import datetime as dt
from typing import Dict, List

NOW = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)  # 11:00 in Beijing
CREDIT_CODE = "91110302MA01ABCDEA"  # valid check character
OTHER_CREDIT_CODE = "91110115MA00XYW12X"
HEADER = ["case_number", "service", "applicant_name", "passport_number", "status", "submitted_on", "updated_on",
          "note", "enterprise_name", "enterprise_credit_code", "hall"]
LENA = {"case_number": "EZ2026-0042", "service": "work_permit", "applicant_name": "Lena Hoffmann",
        "passport_number": "C01X00T47", "status": "under_review", "submitted_on": "2026-11-13",
        "updated_on": "2026-11-18", "note": "", "enterprise_name": "Example Robotics (Beijing) Co., Ltd.",
        "enterprise_credit_code": CREDIT_CODE, "hall": "etown_international_talent_service_office"}
WANG = {"case_number": "EZ2026-0043", "service": "Work-type residence permit", "applicant_name": "WANG Xiaoming",
        "passport_number": "E12345634", "status": "materials_required", "submitted_on": "2026-11-16",
        "updated_on": "2026-11-20", "note": "Bring the employment contract with the company seal.",
        "enterprise_name": "Example Robotics (Beijing) Co., Ltd.", "enterprise_credit_code": CREDIT_CODE,
        "hall": ""}
SOLO = {"case_number": "EZ2026-100045", "service": "work permit", "applicant_name": "Madonna",
        "passport_number": "X7654321", "status": "received", "submitted_on": "2026-11-21",
        "updated_on": "2026-11-21", "note": "", "enterprise_name": "", "enterprise_credit_code": "", "hall": ""}


def csv_text(rows: List[Dict[str, str]], header: List[str] = HEADER) -> str:
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value

    lines = [",".join(header)] + [",".join(cell(row.get(h, "")) for h in header) for row in rows]
    return "\n".join(lines) + "\n"


def cases_database(settings, kb):
    """The schema and the knowledge base in the settings' database (no spaCy build: cases do not need it)."""
    from bot.db import migrate
    from bot.db.engine import make_engine, make_session_factory
    from bot.db.uow import UnitOfWork
    from bot.services import knowledge

    migrate.upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        knowledge.load(UnitOfWork(make_session_factory(engine)), kb)
    finally:
        engine.dispose()
    return settings
