"""Use cases that bring cases in from the approval system: CSV import, pushed JSON, pulled JSON.

Every way in checks the whole batch first and writes it in one transaction: a single bad
record rejects the batch (CaseImportError lists every problem) and nothing is written.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Literal, Mapping, Optional, Sequence, Tuple, Union

from bot.db.models import Case, CaseHistory, Enterprise
from bot.db.repositories.cases import to_db_time
from bot.db.uow import UnitOfWork
from bot.domain.case_records import ALL_FIELDS, FIELDS, CaseRecord, RecordInvalid, expected_conclusion, parse_record
from bot.domain.cases import InvalidCaseNumber, parse_case_number
from bot.domain.identity import mask_passport
from bot.domain.verification import CaseHasher
from bot.integrations.approval_system import CaseSource
from bot.kb.base import KnowledgeBase
from bot.services import clock

Source = Literal["import", "push", "pull"]
MAX_RECORDS = 20_000  # per file or request: larger batches are split by the sender
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a batch: where (a CSV line or a JSON item, when known), which field, what."""

    message: str
    field: Optional[str] = None
    line: Optional[int] = None  # 1 is the CSV header
    item: Optional[int] = None  # 0-based index in a JSON list

    def __str__(self) -> str:
        where = [f"line {self.line}" if self.line is not None else None,
                 f"item {self.item}" if self.item is not None else None, self.field]
        prefix = ", ".join(w for w in where if w)
        return f"{prefix}: {self.message}" if prefix else self.message


class CaseImportError(Exception):
    """A batch of cases was rejected as a whole; ``problems`` says why (nothing was written)."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems[:5])
                         + (f" (and {len(self.problems) - 5} more)" if len(self.problems) > 5 else ""))


@dataclass(frozen=True)
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # older than what is stored (updated_on before the stored one): ignored

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.stale


def import_cases(uow: UnitOfWork, kb: KnowledgeBase, hasher: CaseHasher, csv_source: Union[str, bytes, Path],
                 now: Optional[dt.datetime] = None) -> ImportSummary:
    """Create or update the cases of a CSV file (a path, its bytes, or its text); all or nothing.

    Header: case_number,service,applicant_name,passport_number,status,submitted_on,updated_on,note
    (+ optional enterprise_name, enterprise_credit_code, hall). Raises CaseImportError.
    """
    now = now or clock.now()
    rows = _csv_rows(_csv_text(csv_source))
    records = _parse_all(kb, [(values, {"line": line}) for line, values in rows], now)
    return _save(uow, kb, hasher, records, now, "import")


def push_cases(uow: UnitOfWork, kb: KnowledgeBase, hasher: CaseHasher, items: Any,
               now: Optional[dt.datetime] = None, source: Source = "push") -> ImportSummary:
    """Create or update cases from JSON (one object or a list, the CSV's fields as keys); all or nothing."""
    now = now or clock.now()
    if isinstance(items, Mapping):
        items = [items]
    if not isinstance(items, list):
        raise CaseImportError([Problem("expected a case object or a list of them")])
    if not items:
        raise CaseImportError([Problem("the list of cases is empty")])
    if len(items) > MAX_RECORDS:
        raise CaseImportError([Problem(f"at most {MAX_RECORDS} cases at a time, not {len(items)}")])
    bad = [Problem("expected an object with the case's fields", item=i)
           for i, item in enumerate(items) if not isinstance(item, Mapping)]
    if bad:
        raise CaseImportError(bad)
    records = _parse_all(kb, [(item, {"item": i}) for i, item in enumerate(items)], now)
    return _save(uow, kb, hasher, records, now, source)


# -- reading CSV --------------------------------------------------------------------

def _csv_text(source: Union[str, bytes, Path]) -> str:
    if isinstance(source, Path):
        try:
            source = source.read_bytes()
        except OSError as exc:
            raise CaseImportError([Problem(f"cannot read {source}: {exc.strerror}")]) from None
    if isinstance(source, bytes):
        try:
            return source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = source[:exc.start].count(b"\n") + 1
            raise CaseImportError([Problem("the file is not UTF-8 text: save it as \"CSV UTF-8\" and try again",
                                           line=line)]) from None
    return source[1:] if source.startswith("\ufeff") else source


def _csv_rows(text: str) -> List[Tuple[int, Dict[str, str]]]:
    """(line number, fields) per data row; CaseImportError for header problems or an empty file."""
    if not text.strip():
        raise CaseImportError([Problem("the file is empty")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
        problems = [Problem(f"missing column (the header needs: {','.join(FIELDS)})", field=f, line=1)
                    for f in FIELDS if f not in header]
        problems += [Problem(f"unknown column (known: {', '.join(ALL_FIELDS)})", field=h or "(blank)", line=1)
                     for h in header if h not in ALL_FIELDS]
        problems += [Problem("column appears twice", field=h, line=1)
                     for h in sorted({h for h in header if header.count(h) > 1})]
        if problems:
            raise CaseImportError(problems)
        rows, problems = [], []
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue  # blank lines (often at the end) are not cases
            if len(fields) != len(header):
                problems.append(Problem(f"has {len(fields)} fields, the header has {len(header)}", line=line))
                continue
            rows.append((line, dict(zip(header, fields))))
            if len(rows) > MAX_RECORDS:
                raise CaseImportError([Problem(f"at most {MAX_RECORDS} cases per file")])
    except csv.Error as exc:
        raise CaseImportError([Problem(f"not readable as CSV: {exc}", line=reader.line_num)]) from None
    if problems:
        raise CaseImportError(problems)
    if not rows:
        raise CaseImportError([Problem("the file has a header but no cases")])
    return rows


# -- checking and saving ------------------------------------------------------------

def _parse_all(kb: KnowledgeBase, items: List[Tuple[Mapping[str, Any], Dict[str, int]]],
               now: dt.datetime) -> List[CaseRecord]:
    latest_day = (now + dt.timedelta(days=1)).date()  # a day's slack for time zones
    resolve_service = lambda text: (s.id if (s := kb.resolve_service(text)) else None)  # noqa: E731
    # the hall index holds names and aliases only, so ids are looked up first
    resolve_hall = lambda text: (text if text in kb.halls  # noqa: E731
                                 else h.id if (h := kb.resolve_hall(text)) else None)
    records, problems, seen = [], [], {}
    for values, where in items:
        number = _case_number_or_none(values.get("case_number"))
        if number in seen:
            first = seen[number]
            problems.append(Problem(f"{number} appears twice (first at "
                                    f"{' '.join(f'{k} {v}' for k, v in first.items())})", "case_number", **where))
        elif number is not None:
            seen[number] = where
        try:
            records.append(parse_record(values, resolve_service, resolve_hall, latest_day))
        except RecordInvalid as exc:
            problems += [Problem(message, field, **where) for field, message in exc.problems]
    if problems:
        raise CaseImportError(problems)
    return records


def _case_number_or_none(value: Any) -> Optional[str]:
    try:
        return parse_case_number(value) if isinstance(value, str) else None
    except InvalidCaseNumber:
        return None


def _save(uow: UnitOfWork, kb: KnowledgeBase, hasher: CaseHasher, records: List[CaseRecord], now: dt.datetime,
          source: Source) -> ImportSummary:
    stamp = to_db_time(now)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "stale": 0}
    with uow:
        existing = uow.cases.by_numbers(r.case_number for r in records)
        enterprises: Dict[str, Enterprise] = {}
        for record in records:
            enterprise = _enterprise(uow, enterprises, record)
            case = existing.get(record.case_number)
            if case is None:
                case = Case(case_number=record.case_number, created_at=stamp, changed_at=stamp)
                _apply(case, record, kb, hasher, enterprise)
                case.history.append(CaseHistory(status=record.status, note=record.note, changed_at=stamp,
                                                source=source))
                uow.cases.add(case)
                counts["created"] += 1
            elif record.updated_on < case.updated_on:
                counts["stale"] += 1
            else:
                old_status, old_note = case.status, case.note
                changed = _apply(case, record, kb, hasher, enterprise)
                if (case.status, case.note) != (old_status, old_note):
                    case.history.append(CaseHistory(status=case.status, note=case.note, changed_at=stamp,
                                                    source=source))
                if changed:
                    case.changed_at = stamp
                counts["updated" if changed else "unchanged"] += 1
        uow.commit()
    summary = ImportSummary(**counts)
    logger.info("cases %s: %d created, %d updated, %d unchanged, %d stale", source, summary.created,
                summary.updated, summary.unchanged, summary.stale)
    return summary


def _enterprise(uow: UnitOfWork, cache: Dict[str, Enterprise], record: CaseRecord) -> Optional[Enterprise]:
    code = record.enterprise_credit_code
    if code is None:
        return None
    if code not in cache:
        found = uow.enterprises.by_credit_code(code)
        if found is None:
            found = Enterprise(credit_code=code, name=record.enterprise_name)
            uow.enterprises.add(found)
        cache[code] = found
    if cache[code].name != record.enterprise_name:
        cache[code].name = record.enterprise_name
    return cache[code]


def _apply(case: Case, record: CaseRecord, kb: KnowledgeBase, hasher: CaseHasher,
           enterprise: Optional[Enterprise]) -> bool:
    """Copy ``record`` onto ``case``; True when anything changed.

    A record without an enterprise leaves the case's enterprise as it is: an export that
    lacks those columns must not take cases out of their employer's HR view.
    """
    expected_on, expected_rule = expected_conclusion(kb.service(record.service_id), record.submitted_on) \
        or (None, None)
    values = {
        "service_id": record.service_id,
        "applicant_name": record.applicant_name,
        "passport_hmac": hasher.passport(record.passport_number),
        "passport_last4_hmac": hasher.last_four(record.case_number, record.passport_number[-4:]),
        "passport_masked": mask_passport(record.passport_number),
        "status": record.status,
        "submitted_on": record.submitted_on,
        "updated_on": record.updated_on,
        "note": record.note,
        "hall_id": record.hall_id,
        "expected_on": expected_on,
        "expected_rule": expected_rule,
    }
    changed = False
    for name, value in values.items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed = True
    if enterprise is not None and case.enterprise is not enterprise:
        case.enterprise = enterprise
        changed = True
    return changed



def pull_cases(uow: UnitOfWork, kb: KnowledgeBase, hasher: CaseHasher, source: CaseSource,
               now: Optional[dt.datetime] = None) -> ImportSummary:
    """Fetch case updates from the approval system and save them; all or nothing.

    Raises CaseSourceError (unreachable, error status, timeout, not JSON) before anything is
    written, or CaseImportError for bad records.
    """
    items = source.fetch()
    if isinstance(items, list) and not items:
        return ImportSummary()  # nothing new since the last pull
    return push_cases(uow, kb, hasher, items, now, source="pull")
