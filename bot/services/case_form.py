"""Use case: the case-status and HR conversations, turn by turn.

The passport number and the access code are used in the turn they are typed and never kept:
the slots only say "verified" or "locked" (and the tracker store redacts the typed answer).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional
from zoneinfo import ZoneInfo

from bot.db.uow import UnitOfWorkFactory
from bot.domain.cases import CASE_NUMBER_EXAMPLE, InvalidCaseNumber, case_status_text, parse_case_number
from bot.domain.forms import DIGRESSION_INTENTS
from bot.domain.identity import InvalidCreditCode, InvalidPassport, parse_credit_code
from bot.domain.personal_data.extraction import (
    HELP, LAST_FOUR_ONLY, QUESTION, STOP, WRONG_SHAPE, IdentityAnswer, case_number_in, read_identity_answer,
)
from bot.domain.verification import (
    CASE, CLIENT, CONVERSATION, AccessDenied, AccessLocked, CaseHasher, VerificationFailed, VerificationLocked,
)
from bot.domain.wording import format_date
from bot.services.enterprise_cases import list_enterprise_cases
from bot.services.answers import QuestionContext
from bot.services.case_status import verify_case

VERIFIED, LOCKED, STOPPED = "verified", "locked", "stopped"
BEIJING = ZoneInfo("Asia/Shanghai")
# The chat never repeats what was typed (it may be markup); import errors may, for operators.
NOT_A_CASE_NUMBER = (f"That is not a case number. A case number looks like {CASE_NUMBER_EXAMPLE}: two letters, "
                     "the four-digit year, a dash and 4 to 6 digits.")


def _chat_message(exc: InvalidCaseNumber) -> str:
    return NOT_A_CASE_NUMBER if exc.message.startswith('"') else exc.message
_CASE_IN_TEXT = re.compile(r"\b[A-Za-z]{2}\s?\d{4}\s?[-\u2010-\u2015 ]\s?\d{1,8}\b")


@dataclass
class Turn:
    """What the form should set, and what to say (text built here, or a response name)."""

    slots: Dict[str, object] = field(default_factory=dict)
    texts: List[str] = field(default_factory=list)
    responses: List[str] = field(default_factory=list)


def _case_number_from(ctx: QuestionContext) -> Optional[str]:
    for entity in ctx.entities:
        if entity.get("entity") == "case_number" and entity.get("value"):
            return str(entity["value"])
    found = case_number_in(ctx.text)
    if found:
        return found
    loose = _CASE_IN_TEXT.search(ctx.text or "")  # shaped like one but invalid: the answer says why
    return loose.group(0) if loose else None


def case_turn(uow_factory: UnitOfWorkFactory, hasher: CaseHasher, ctx: QuestionContext, requested: Optional[str],
              case_number: Optional[str], conversation_id: str, now: dt.datetime, today: dt.date) -> Turn:
    """One message of the case-status form. At the passport question, "stop", "help", a question or a
    message in the wrong shape is answered and never counted as a failed attempt."""
    if requested is None:  # the opening message: a case number in it is taken (if valid)
        given = _case_number_from(ctx)
        try:
            return Turn({"case_number": parse_case_number(given)}) if given else Turn()
        except InvalidCaseNumber as exc:
            return Turn(texts=[_chat_message(exc)])
    if requested == "case_number":
        given = _case_number_from(ctx) or ctx.text
        try:
            return Turn({"case_number": parse_case_number(given)})
        except InvalidCaseNumber as exc:
            if ctx.intent in DIGRESSION_INTENTS:
                return Turn()
            return Turn({"case_number": None}, texts=[_chat_message(exc)])
    if requested == "case_passport":
        answer = read_identity_answer(ctx.text, ctx.intent)
        if not answer.is_answer:
            return not_an_answer_turn(answer, ctx.intent, "case_passport", STOPPED)
        try:
            view = verify_case(uow_factory(), hasher, case_number or "", answer, conversation_id, now,
                               ctx.client_address)
        except InvalidPassport as exc:
            return Turn({"case_passport": None}, texts=[_sentence(str(exc))])
        except VerificationLocked as exc:
            return Turn({"case_passport": LOCKED}, texts=[locked_text(exc.until, exc.scope)])
        except VerificationFailed:
            return Turn({"case_passport": None, "case_number": None}, responses=["utter_case_not_verified"])
        return Turn({"case_passport": VERIFIED}, texts=[case_status_text(view, today)])
    return Turn()


def hr_turn(uow_factory: UnitOfWorkFactory, ctx: QuestionContext, requested: Optional[str],
            credit_code: Optional[str], now: dt.datetime, base_url: str) -> Turn:
    """One message of the HR form: the credit code, then the access code, then the list."""
    if requested == "credit_code":
        try:
            return Turn({"credit_code": parse_credit_code(ctx.text)})
        except InvalidCreditCode as exc:
            if ctx.intent in DIGRESSION_INTENTS:
                return Turn()
            return Turn({"credit_code": None}, texts=[f"That credit code doesn't look right: {exc}."])
    if requested == "hr_access_code":
        if ctx.intent in DIGRESSION_INTENTS and len((ctx.text or "").split()) > 2:
            return Turn()
        try:
            result = list_enterprise_cases(uow_factory(), credit_code or "", ctx.text, now)
        except AccessLocked as exc:
            return Turn({"hr_access_code": LOCKED}, texts=[locked_text(exc.until, "access")])
        except AccessDenied:
            return Turn({"hr_access_code": None, "credit_code": None}, responses=["utter_hr_not_verified"])
        return Turn({"hr_access_code": VERIFIED}, texts=[hr_cases_text(result, base_url)])
    return Turn()


def hr_cases_text(result, base_url: str) -> str:
    rows = result.rows
    if not rows:
        return f"No cases are on record for {result.name} yet."
    lines = [f"Cases of {result.name} ({len(rows)}):"]
    for row in rows:
        expected = f"; expected by {format_date(row.expected_on)}" if row.expected_on else ""
        lines.append(f"• {row.case_number} — {row.applicant} (passport {row.passport}), {row.service_name}: "
                     f"{row.status_label}, updated {format_date(row.updated_on)}{expected}")
    lines.append(f"The same list on the web: {base_url}/hr/cases")
    return "\n".join(lines)


def _sentence(text: str) -> str:
    return text if text[:1].isupper() else f"That doesn't look like a passport number: {text}."


def locked_text(until: dt.datetime, scope: str = CASE) -> str:
    """Why checks are blocked and until when; for a case or booking, how the block is lifted at the hall."""
    local = until.astimezone(BEIJING) if until.tzinfo else until.replace(tzinfo=dt.timezone.utc).astimezone(BEIJING)
    when = f"{local.strftime('%H:%M')} Beijing time on {format_date(local.date())}"
    if scope == CASE:
        return (f"For your protection, checks on this case are blocked until {when}, after too many failed "
                "attempts. If that was not you, staff at the service hall can lift the block at once: bring the "
                "applicant's passport and the acceptance receipt (or the booking code) to the counter. "
                "Otherwise, please try again after that time.")
    where = {CLIENT: " from your network", CONVERSATION: " in this conversation"}.get(scope, "")
    return (f"For your protection, further checks{where} are blocked until {when}, after too many failed "
            "attempts. Please try again after that time, or ask at the service hall with your passport.")


# -- answers at the passport question that are not a passport ----------------------------------

PASSPORT_FORMAT = ("Please give the applicant's whole passport number (for example E12345678), or its last four "
                   "characters together with the family name as in the passport (for example \"5678 Garcia\").")
NOT_COUNTED = "That did not count as a failed attempt."
NON_ANSWER_TEXTS = {
    LAST_FOUR_ONLY: ("With the last four characters I also need the applicant's family name, as in the passport: "
                     "please type both in one message, for example \"5678 Garcia\". Or give the whole passport "
                     "number."),
    HELP: ("I need this so that only the applicant, or someone they trust, sees this. " + PASSPORT_FORMAT
           + " What you type here is checked once and not kept. Say \"stop\" to leave this."),
    QUESTION: ("I'll gladly answer questions once this check is done, or say \"stop\" to leave it. "
               + PASSPORT_FORMAT),
    WRONG_SHAPE: "That doesn't look like a passport number. " + PASSPORT_FORMAT + " " + NOT_COUNTED,
}


def not_an_answer_turn(answer: IdentityAnswer, intent: str, slot: str, stopped: str) -> Turn:
    """The reply to a message at the passport question that is not a passport: "stop" ends the form
    (``slot`` set to ``stopped``); a question the rules answer (a digression intent) is left to them;
    anything else gets its explanation and the question again. Nothing is checked or counted."""
    if answer.kind == STOP:
        return Turn({slot: stopped}, responses=["utter_form_abandoned"])
    if answer.kind in (QUESTION, WRONG_SHAPE) and intent in DIGRESSION_INTENTS:
        return Turn()
    return Turn({slot: None}, texts=[NON_ANSWER_TEXTS[answer.kind]])
