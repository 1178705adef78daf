"""One case as the approval system reports it (a CSV row or a JSON object), checked field by field. Pure.

Messages never repeat a passport number or a name: problem reports end up in terminals and logs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, List, Mapping, Optional, Tuple

from bot.domain import workdays
from bot.domain.cases import parse_case_number, parse_status
from bot.domain.estimates import processing_rule
from bot.domain.identity import parse_credit_code, parse_passport
from bot.kb.schema import Service

FIELDS: Tuple[str, ...] = ("case_number", "service", "applicant_name", "passport_number", "status",
                           "submitted_on", "updated_on", "note")
OPTIONAL_FIELDS: Tuple[str, ...] = ("enterprise_name", "enterprise_credit_code", "hall")
ALL_FIELDS = FIELDS + OPTIONAL_FIELDS
BLANK_ALLOWED = {"note", *OPTIONAL_FIELDS}
NAME_MAX, NOTE_MAX, ENTERPRISE_MAX, TEXT_MAX, RULE_MAX = 200, 2000, 200, 200, 200

Resolver = Callable[[str], Optional[str]]  # a name or alias -> a KB id, None when unknown


@dataclass(frozen=True)
class CaseRecord:
    case_number: str
    service_id: str
    applicant_name: str
    passport_number: str  # normalised; hashed and masked before it is stored
    status: str
    submitted_on: dt.date
    updated_on: dt.date
    note: Optional[str]
    enterprise_name: Optional[str]
    enterprise_credit_code: Optional[str]
    hall_id: Optional[str]


class RecordInvalid(ValueError):
    """One record with one or more bad fields: ``problems`` is a list of (field, message)."""

    def __init__(self, problems: List[Tuple[Optional[str], str]]):
        self.problems = problems
        super().__init__("; ".join(f"{f}: {m}" if f else m for f, m in problems))


def parse_record(values: Mapping[str, object], resolve_service: Resolver, resolve_hall: Resolver,
                 latest_day: dt.date) -> CaseRecord:
    """A CaseRecord from text fields; RecordInvalid listing every bad field.

    ``latest_day``: dates after it are refused (a date in the future is a data error).
    """
    problems: List[Tuple[Optional[str], str]] = []
    unknown = sorted(k for k in values if k not in ALL_FIELDS)
    for key in unknown:
        problems.append((str(key)[:64], f"unknown field (expected: {', '.join(ALL_FIELDS)})"))
    text = {}
    for field in ALL_FIELDS:
        raw = values.get(field)
        if raw is not None and not isinstance(raw, str):
            problems.append((field, "must be text"))
            text[field] = ""
            continue
        value = " ".join((raw or "").split()) if field != "note" else (raw or "").strip()
        if not value and field not in BLANK_ALLOWED:
            problems.append((field, "is missing" if raw is None else "is empty"))
        text[field] = value

    def check(field, parse):
        if not text[field]:
            return None
        try:
            return parse(text[field])
        except ValueError as exc:  # the Invalid* errors of cases and identity are ValueErrors
            problems.append((field, getattr(exc, "message", None) or str(exc)))
            return None

    case_number = check("case_number", parse_case_number)
    service_id = check("service", lambda v: _resolved(resolve_service, v, "service"))
    passport = check("passport_number", parse_passport)
    status = check("status", parse_status)
    submitted = check("submitted_on", lambda v: _date(v, latest_day))
    updated = check("updated_on", lambda v: _date(v, latest_day))
    hall_id = check("hall", lambda v: _resolved(resolve_hall, v, "hall"))
    credit_code = check("enterprise_credit_code", parse_credit_code)
    for field, limit in (("applicant_name", NAME_MAX), ("note", NOTE_MAX), ("enterprise_name", ENTERPRISE_MAX)):
        if len(text[field]) > limit:
            problems.append((field, f"is longer than {limit} characters"))
    if submitted and updated and updated < submitted:
        problems.append(("updated_on", "is before submitted_on"))
    if bool(text["enterprise_name"]) != bool(text["enterprise_credit_code"]):
        problems.append(("enterprise_credit_code" if text["enterprise_name"] else "enterprise_name",
                         "give the enterprise's name and credit code together, or neither"))
    if problems:
        raise RecordInvalid(problems)
    return CaseRecord(case_number, service_id, text["applicant_name"], passport, status, submitted, updated,
                      text["note"] or None, text["enterprise_name"] or None, credit_code, hall_id)


def _resolved(resolve: Resolver, value: str, kind: str) -> str:
    found = resolve(value)
    if found is None:
        raise ValueError(f"unknown {kind} {value[:TEXT_MAX]!r}: use its id or name from the knowledge base")
    return found


def _date(value: str, latest_day: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value[:40]!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-02") from None
    if day > latest_day:
        raise ValueError(f"{value} is in the future")
    return day


def expected_conclusion(service: Service, submitted_on: dt.date) -> Optional[Tuple[dt.date, str]]:
    """When a case submitted on ``submitted_on`` should conclude, and the rule used; None when no time is published.

    The published maximum (E-Town figure first, else the standard one) is counted in working
    days from the submission day; a submission on a closed day counts from the next working day.
    """
    figure = processing_rule(service)
    if figure is None:
        return None
    start = submitted_on if workdays.is_working_day(submitted_on) else workdays.next_working_day(submitted_on)
    return workdays.add_working_days(start, figure.max_days), figure.rule.text[:RULE_MAX]

