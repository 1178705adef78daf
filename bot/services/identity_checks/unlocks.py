"""Use case of the staff console: lift the guessing lock of a case or booking, with an audit trail.

Somebody else can lock a case by guessing (bot.domain.verification). At the hall, staff check the
applicant's passport and lift the lock here: the case's failures before that moment no longer
count. Each unlock is stored (who, which case or booking, when) and listed in the console.
Any staff member may unlock: it is done at the counter, with the person and the passport there.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import List, Optional

from bot.db.uow import UnitOfWork
from bot.domain.booking_details import normalize_code
from bot.domain.cases import InvalidCaseNumber, parse_case_number
from bot.domain.verification import BACKOFF, GUESSING_LOOKBACK, MAX_FAILURES, lockout
from bot.services.booking_changes import ATTEMPT_SCOPE
from bot.services.staff_auth import StaffMember

logger = logging.getLogger(__name__)


class NotACaseOrCode(ValueError):
    """The text is neither a case number nor a booking code."""


@dataclass(frozen=True)
class UnlockResult:
    reference: str  # the case number or booking code as written canonically
    was_locked_until: Optional[dt.datetime]  # None: it was not locked (the unlock is still recorded)


@dataclass(frozen=True)
class UnlockRecord:
    reference: str
    staff: str
    at: dt.datetime  # aware UTC


def scope_of(text: Optional[str]) -> str:
    """The attempts scope of a case number ("EZ2026-0042") or booking code ("B:K7MQ-2XHT"); NotACaseOrCode."""
    try:
        return parse_case_number(text)
    except InvalidCaseNumber:
        code = normalize_code(text)
        if code:
            return ATTEMPT_SCOPE + code
    raise NotACaseOrCode("give a case number (like EZ2026-0042) or a booking code (like K7MQ-2XHT)")


def unlock(uow: UnitOfWork, member: StaffMember, text: str, now: dt.datetime) -> UnlockResult:
    """Lift the case's (or booking's) guessing lock for everyone, record who did it, and say whether it
    was locked. The conversation and client-address limits of the guesser are not touched."""
    scope = scope_of(text)
    with uow:
        history = uow.attempts.guessing_history(scope, "", None, now - GUESSING_LOOKBACK)
        state = lockout(history.by_case, now, MAX_FAILURES, BACKOFF, GUESSING_LOOKBACK, history.case_unlocked_at)
        uow.attempts.add_unlock(scope, member.id, now)
        uow.commit()
    logger.info("staff account %d unlocked the identity checks of %s", member.id, _reference(scope))
    return UnlockResult(_reference(scope), state.until)


def recent_unlocks(uow: UnitOfWork, limit: int = 50) -> List[UnlockRecord]:
    """The latest unlocks, newest first: the audit list the console shows."""
    with uow:
        return [UnlockRecord(_reference(row.case_number), row_staff(uow, row.staff_id),
                             row.unlocked_at.replace(tzinfo=dt.timezone.utc))
                for row in uow.attempts.recent_unlocks(limit)]


def row_staff(uow: UnitOfWork, staff_id: int) -> str:
    account = uow.staff.get(staff_id)
    return account.username if account else f"#{staff_id}"


def _reference(scope: str) -> str:
    return scope[len(ATTEMPT_SCOPE):] if scope.startswith(ATTEMPT_SCOPE) else scope
