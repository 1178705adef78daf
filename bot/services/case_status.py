"""Use case of the chat: an applicant proves who they are and sees their case's live status."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from bot.db.models import Case
from bot.db.uow import UnitOfWork
from bot.domain.cases import CaseStatusView, parse_case_number, status_info
from bot.domain.identity import parse_passport_input
from bot.domain.verification import LOOKBACK, CaseHasher, VerificationFailed, check_lockout
from bot.services import clock

# Compared against when the case number is unknown, so both answers take the same work.
_NO_CASE = "0" * 64


def verify_case(uow: UnitOfWork, hasher: CaseHasher, case_number: str, passport_input: str,
                conversation_id: str, now: Optional[dt.datetime] = None) -> CaseStatusView:
    """The status of a case to the person who gives its passport number (whole, or exactly its last four).

    Raises InvalidCaseNumber or InvalidPassport for input that cannot be right (not counted as an
    attempt); VerificationFailed when case and passport do not match, the same for an unknown case;
    VerificationLocked while the case number or the conversation is locked out (5 failures in 15
    minutes lock for 15 minutes; computed from stored attempts, so a restart does not unlock).
    """
    now = now or clock.now()
    number = parse_case_number(case_number)
    given = parse_passport_input(passport_input)
    conversation = hasher.conversation(conversation_id)
    with uow:
        by_case, by_conversation = uow.attempts.verification_failures(number, conversation, now - LOOKBACK)
        check_lockout(by_case, by_conversation, now)
        case = uow.cases.by_number(number)
        stored = (case.passport_hmac, case.passport_last4_hmac) if case else (_NO_CASE, _NO_CASE)
        matched = hasher.matches(number, *stored, given) and case is not None
        uow.attempts.add_verification(number, conversation, matched, now)
        uow.commit()
        if not matched:
            state = check_lockout(by_case + [now], by_conversation + [now], now)
            raise VerificationFailed(state.attempts_left)
        return _view(uow, case)


def _view(uow: UnitOfWork, case: Case) -> CaseStatusView:
    info = status_info(case.status)
    halls = uow.cases.hall_names() if case.hall_id else {}
    return CaseStatusView(
        case_number=case.case_number,
        service_id=case.service_id,
        service_name=uow.cases.service_names().get(case.service_id, case.service_id.replace("_", " ")),
        status=case.status,
        status_label=info.label,
        explanation=info.explanation,
        next_step=info.next_step,
        submitted_on=case.submitted_on,
        updated_on=case.updated_on,
        note=case.note,
        expected_on=case.expected_on,
        expected_rule=case.expected_rule,
        concluded=info.concluded,
        hall_id=case.hall_id,
        hall_name=halls.get(case.hall_id) if case.hall_id else None,
    )
