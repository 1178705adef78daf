"""The special ledger for enterprise service demands: every handed-over demand with its milestones,
and the figures supervisors watch (response rate, completion rate, time to first response)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Dict, List, Optional
from zoneinfo import ZoneInfo

from bot.db.repositories.cases import from_db_time, to_db_time
from bot.db.uow import UnitOfWork
from bot.domain import handoff as rules

PERIODS = {"today": 0, "7d": 7, "30d": 30}  # days before today (Beijing) that a period starts


@dataclass(frozen=True)
class LedgerRow:
    ticket_id: int
    requester: str
    reason_label: str
    received_at: dt.datetime
    claimed_at: Optional[dt.datetime]
    first_response_at: Optional[dt.datetime]
    resolved_at: Optional[dt.datetime]
    outcome: Optional[str]

    @property
    def time_to_first_response(self) -> Optional[dt.timedelta]:
        return self.first_response_at - self.received_at if self.first_response_at else None


@dataclass(frozen=True)
class LedgerReport:
    period: str
    start: dt.datetime  # aware UTC, inclusive
    end: dt.datetime  # aware UTC, exclusive
    figures: rules.LedgerFigures
    by_reason: Dict[str, rules.LedgerFigures]
    rows: List[LedgerRow]


class UnknownPeriod(ValueError):
    """Not one of the ledger's periods (today, 7d, 30d)."""


def period_bounds(period: str, now: dt.datetime, timezone: str) -> tuple:
    """[start, end) in aware UTC: from local midnight ``PERIODS[period]`` days ago to ``now``."""
    if period not in PERIODS:
        raise UnknownPeriod(f"the period is one of: {', '.join(PERIODS)}")
    zone = ZoneInfo(timezone)
    local_day = now.astimezone(zone).date() - dt.timedelta(days=PERIODS[period])
    start = dt.datetime.combine(local_day, dt.time(0), tzinfo=zone).astimezone(dt.timezone.utc)
    return start, now + dt.timedelta(microseconds=1)


def ledger_report(uow: UnitOfWork, period: str, now: dt.datetime, timezone: str) -> LedgerReport:
    """The demands received in ``period`` (today, 7d, 30d; Beijing days) and their figures."""
    start, end = period_bounds(period, now, timezone)
    with uow:
        entries = uow.ledger.received_between(to_db_time(start), to_db_time(end))
        rows = [LedgerRow(e.ticket_id, e.requester, rules.REASON_LABELS.get(e.reason, e.reason),
                          from_db_time(e.received_at), _aware(e.claimed_at), _aware(e.first_response_at),
                          _aware(e.resolved_at), e.outcome) for e in entries]
        reasons = {e.ticket_id: e.reason for e in entries}
    times = {row.ticket_id: _times(row) for row in rows}
    by_reason = {
        rules.REASON_LABELS[reason]: rules.ledger_figures([t for tid, t in times.items() if reasons[tid] == reason])
        for reason in rules.REASONS if reason in reasons.values()
    }
    return LedgerReport(period, start, end, rules.ledger_figures(list(times.values())), by_reason,
                        list(reversed(rows)))


def _times(row: LedgerRow) -> rules.LedgerTimes:
    return rules.LedgerTimes(row.received_at, row.claimed_at, row.first_response_at, row.resolved_at, row.outcome)


def _aware(value: Optional[dt.datetime]) -> Optional[dt.datetime]:
    return from_db_time(value) if value is not None else None
