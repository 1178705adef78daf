"""The one place that reads the clock: 'today' in the configured time zone (Beijing by default), 'now' in UTC."""
from __future__ import annotations

import datetime as dt
from typing import Optional
from zoneinfo import ZoneInfo

from bot.config import Settings


def today(settings: Settings) -> dt.date:
    return dt.datetime.now(ZoneInfo(settings.timezone)).date()


def now(settings: Optional[Settings] = None) -> dt.datetime:
    """The current moment as an aware UTC datetime (``settings`` only for symmetry with today())."""
    return dt.datetime.now(dt.timezone.utc)
