"""Use case of the chat: an applicant proves who they are and sees their case's live status."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from bot.db.models import Case
from bot.db.uow import UnitOfWork
from bot.domain.cases import CaseStatusView, parse_case_number, status_info
from bot.domain.personal_data.identity_check import NotAnAnswer, identity_answer, identity_matches
from bot.domain.verification import GUESSING_LOOKBACK, CaseHasher, VerificationFailed, guessing_lockout
from bot.services import clock

# Compared against when the case number is unknown, so both answers take the same work.
_NO_CASE = "0" * 64


def verify_case(uow: UnitOfWork, hasher: CaseHasher, case_number: str, passport_input,
                conversation_id: str, now: Optional[dt.datetime] = None,
                client_address: Optional[str] = None) -> CaseStatusView:
    """The status of a case to the person who gives its whole passport number, or its last four
    characters together with the applicant's family name ("7302 Hoffmann"), in a sentence or alone.

    Raises InvalidCaseNumber, or NotAnAnswer (an InvalidPassport) for a message that is no answer
    ("stop", a question, the last four alone): not counted as an attempt. VerificationFailed when
    case and passport do not match, the same for an unknown case. VerificationLocked while the
    case number, the conversation or the client address is locked out (bot.domain.verification:
    back-off 15 minutes, 1 hour, 24 hours; computed from stored attempts, so a restart does not
    unlock; a staff unlock lifts the case's own lock).
    """
    now = now or clock.now()
    number = parse_case_number(case_number)
    answer = identity_answer(passport_input)
    conversation = hasher.conversation(conversation_id)
    client = hasher.client(client_address) if client_address else None
    with uow:
        history = uow.attempts.guessing_history(number, conversation, client, now - GUESSING_LOOKBACK)
        guessing_lockout(history, now)
        case = uow.cases.by_number(number)
        stored = (case.passport_hmac, case.passport_last4_hmac, case.applicant_name) if case \
            else (_NO_CASE, _NO_CASE, "")
        matched = identity_matches(hasher, number, *stored, answer) and case is not None
        uow.attempts.add_verification(number, conversation, matched, now, client)
        uow.commit()
        if not matched:
            state = guessing_lockout(history.with_failure(now), now)
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
