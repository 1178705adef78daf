"""Use cases of HR staff: an enterprise's access code, and the list of its employees' cases."""
from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import List, Optional


from bot.db.models import Enterprise
from bot.db.repositories.cases import to_db_time
from bot.db.uow import UnitOfWork
from bot.domain.cases import status_info
from bot.domain.identity import abbreviate_name, parse_credit_code
from bot.domain.verification import LOOKBACK, AccessDenied, AccessLocked, lockout
from bot.services import clock, passwords

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and retyped
CODE_GROUPS, GROUP_SIZE = 4, 4  # 16 characters of 32 symbols: 80 bits
ENTERPRISE_NAME_MAX = 200


@dataclass(frozen=True)
class EnterpriseCaseRow:
    case_number: str
    applicant: str  # "L. Hoffmann"
    passport: str  # "•••••••34"
    service_name: str
    status: str
    status_label: str
    updated_on: dt.date
    expected_on: Optional[dt.date]  # None when concluded or no processing time is published


@dataclass(frozen=True)
class EnterpriseCases:
    credit_code: str
    name: str
    rows: List[EnterpriseCaseRow]



def normalise_access_code(text: Optional[str]) -> str:
    """Upper case without spaces or dashes: "k7q2-m9xp ..." and "K7Q2M9XP..." are the same code."""
    return re.sub(r"[\s\-]+", "", text or "").upper()


def issue_access_code(uow: UnitOfWork, credit_code: str, name: str, now: Optional[dt.datetime] = None) -> str:
    """A new access code for the enterprise (created if new); only its argon2 hash is kept.

    The code is returned once; a new code replaces the old one. Raises InvalidCreditCode.
    """
    now = now or clock.now()
    code = parse_credit_code(credit_code)
    name = " ".join((name or "").split())
    if not name or len(name) > ENTERPRISE_NAME_MAX:
        raise ValueError(f"the enterprise name must have 1 to {ENTERPRISE_NAME_MAX} characters")
    plain = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * GROUP_SIZE))
    with uow:
        enterprise = uow.enterprises.by_credit_code(code)
        if enterprise is None:
            enterprise = Enterprise(credit_code=code, name=name, created_at=to_db_time(now))
            uow.enterprises.add(enterprise)
        enterprise.name = name
        enterprise.access_code_hash = passwords.hash_secret(plain)
        uow.commit()
    return "-".join(plain[i:i + GROUP_SIZE] for i in range(0, len(plain), GROUP_SIZE))


def list_enterprise_cases(uow: UnitOfWork, credit_code: str, access_code: str,
                          now: Optional[dt.datetime] = None) -> EnterpriseCases:
    """The enterprise's cases with names shortened and passports masked.

    Raises InvalidCreditCode for a malformed credit code (not counted); AccessDenied for an unknown
    enterprise or a wrong code (the same); AccessLocked after 5 wrong codes for a credit code within
    15 minutes, for 15 minutes.
    """
    now = now or clock.now()
    code = parse_credit_code(credit_code)
    given = normalise_access_code(access_code)
    with uow:
        state = lockout(uow.attempts.access_failures(code, now - LOOKBACK), now)
        if state.locked:
            raise AccessLocked(state.until)
        enterprise = uow.enterprises.by_credit_code(code)
        stored = enterprise.access_code_hash if enterprise is not None else None
        granted = passwords.verify(stored or passwords.decoy_hash(), given) and stored is not None
        uow.attempts.add_access(code, granted, now)
        if granted and passwords.needs_rehash(stored):
            enterprise.access_code_hash = passwords.hash_secret(given)
        uow.commit()
        if not granted:
            failures = uow.attempts.access_failures(code, now - LOOKBACK)
            after = lockout(failures, now)
            if after.locked:
                raise AccessLocked(after.until)
            raise AccessDenied("the credit code and access code do not match")
        services = uow.cases.service_names()
        rows = []
        for case in uow.cases.of_enterprise(enterprise.id):
            info = status_info(case.status)
            rows.append(EnterpriseCaseRow(
                case.case_number, abbreviate_name(case.applicant_name), case.passport_masked,
                services.get(case.service_id, case.service_id.replace("_", " ")), case.status, info.label,
                case.updated_on, None if info.concluded else case.expected_on))
        return EnterpriseCases(enterprise.credit_code, enterprise.name, rows)
