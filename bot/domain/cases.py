"""Case numbers and case statuses in plain English. Pure: no I/O, no clock."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from bot.domain.wording import format_date

CASE_NUMBER_EXAMPLE = "EZ2026-0042"
CASE_NUMBER_MAX = 16  # "EZ2026-004200" is 13; the column leaves room
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212\uff0d_"  # typed or pasted dashes that mean "-"
_CASE_NUMBER = re.compile(r"([A-Z]{2})(\d{4})-(\d+)")


class InvalidCaseNumber(ValueError):
    """The text is not a case number; ``message`` says what is wrong, in words for the user."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def parse_case_number(text: Optional[str]) -> str:
    """The case number in its canonical form ("EZ2026-0042"); InvalidCaseNumber otherwise.

    Forgiven: lower case, spaces anywhere ("ez 2026 - 0042"), a space or another dash
    instead of "-". Not guessed: missing leading zeros ("EZ2026-42" could be -0042 or -00042).
    """
    raw = (text or "").strip()
    if not raw:
        raise InvalidCaseNumber("Please give the case number from your acceptance receipt, "
                                f"e.g. {CASE_NUMBER_EXAMPLE}.")
    compact = raw.upper()
    for dash in DASHES:
        compact = compact.replace(dash, "-")
    # "EZ2026 0042": the space stands for the dash; other spaces are just spacing
    compact = re.sub(r"^([A-Z]{2})\s*(\d{4})\s+(\d+)$", r"\1\2-\3", compact.strip())
    compact = re.sub(r"\s+", "", compact)
    match = _CASE_NUMBER.fullmatch(compact)
    if match is None:
        raise InvalidCaseNumber(
            f"\"{_shorten(raw)}\" is not a case number. A case number looks like {CASE_NUMBER_EXAMPLE}: "
            "two letters, the four-digit year, a dash and 4 to 6 digits.")
    digits = match.group(3)
    if not 4 <= len(digits) <= 6:
        raise InvalidCaseNumber(
            f"The part after the dash has {len(digits)} digit{'s' if len(digits) != 1 else ''}; it should have "
            f"4 to 6. Please copy the number exactly as printed, leading zeros included (like {CASE_NUMBER_EXAMPLE}).")
    return compact


def case_number_problem(text: Optional[str]) -> Optional[str]:
    """None when ``text`` is a valid case number, else the message for the user (for form validation)."""
    try:
        parse_case_number(text)
    except InvalidCaseNumber as exc:
        return exc.message
    return None


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- statuses ------------------------------------------------------------------------

@dataclass(frozen=True)
class StatusInfo:
    code: str
    label: str  # "Under review"
    explanation: str  # what the status means
    next_step: str  # what the applicant should do now
    concluded: bool  # the decision is made: an expected conclusion date no longer applies


STATUSES: Dict[str, StatusInfo] = {s.code: s for s in (
    StatusInfo("received", "Received",
               "Your application has been received and registered. It is waiting for an officer to start "
               "the review.",
               "Nothing to do for now. Keep your acceptance receipt and keep your phone reachable.",
               False),
    StatusInfo("under_review", "Under review",
               "An officer is reviewing your application and the materials you submitted.",
               "Nothing to do for now. If the officer needs anything, the status changes to "
               "\"materials required\" and the note says what is missing.",
               False),
    StatusInfo("materials_required", "Materials required",
               "The officer needs additional or corrected materials before the review can continue.",
               "Read the note for what is missing and hand it in as soon as you can (online or at the hall, "
               "as the note says). The review does not continue until you do; your employer's HR can help.",
               False),
    StatusInfo("approved", "Approved",
               "Your application has been approved. The permit or document is being prepared.",
               "Wait until the status says \"ready for collection\"; you do not need to do anything else yet.",
               True),
    StatusInfo("rejected", "Not approved",
               "Your application was not approved.",
               "Read the note for the reason. Ask the hall or your employer's HR what your options are, for "
               "example applying again once the missing conditions are met.",
               True),
    StatusInfo("ready_for_collection", "Ready for collection",
               "Your permit or document is ready to be collected.",
               "Collect it at the hall shown below during its opening hours. Bring your passport and the "
               "acceptance receipt.",
               True),
)}
STATUS_CODES: Tuple[str, ...] = tuple(STATUSES)


class UnknownStatus(ValueError):
    def __init__(self, text: str):
        self.text = text
        super().__init__(f"unknown status {text!r}; expected one of: {', '.join(STATUS_CODES)}")


def parse_status(text: Optional[str]) -> str:
    """A status code from its code or label, any case ("Under review", "under-review"); UnknownStatus otherwise."""
    key = re.sub(r"[\s\-]+", "_", (text or "").strip().lower())
    if key in STATUSES:
        return key
    for info in STATUSES.values():
        if key == re.sub(r"\s+", "_", info.label.lower()):
            return info.code
    raise UnknownStatus(text or "")


def status_info(code: str) -> StatusInfo:
    """The wording of a status code (KeyError for codes not in STATUSES)."""
    return STATUSES[code]


# -- the view the applicant sees -------------------------------------------------------

@dataclass(frozen=True)
class CaseStatusView:
    """What a verified applicant may see. Deliberately without the applicant's name or passport."""

    case_number: str
    service_id: str
    service_name: str
    status: str
    status_label: str
    explanation: str
    next_step: str
    submitted_on: dt.date
    updated_on: dt.date
    note: Optional[str]
    expected_on: Optional[dt.date]  # None when no processing time is published
    expected_rule: Optional[str]  # the rule the date was counted with
    concluded: bool
    hall_id: Optional[str]
    hall_name: Optional[str]


def case_status_text(view: CaseStatusView, today: Optional[dt.date] = None) -> str:
    """The view as a chat answer: status, meaning, next step, note, dates, hall.

    With ``today`` (Beijing's), an expected date that has passed is said to have passed.
    """
    lines = [f"Case {view.case_number} ({view.service_name}): {view.status_label}.",
             view.explanation,
             f"What to do next: {view.next_step}"]
    if view.note:
        lines.append(f"Note from the office: {view.note}")
    lines.append(f"Submitted: {format_date(view.submitted_on)}. Last update: {format_date(view.updated_on)}.")
    if view.expected_on and not view.concluded:
        if today is not None and view.expected_on < today:
            lines.append(f"By the published processing time it was expected by {format_date(view.expected_on)} "
                         f"(rule: {view.expected_rule}). That date has passed: if you have not heard, please ask "
                         "the hall or your employer's HR.")
        else:
            lines.append(f"Expected conclusion: by {format_date(view.expected_on)} (rule: {view.expected_rule}; "
                         "counted in working days from submission). An estimate, not a promise.")
    if view.hall_name:
        lines.append(f"Hall: {view.hall_name}.")
    return "\n".join(lines)
