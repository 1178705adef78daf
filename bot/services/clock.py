"""The one place that reads the clock: 'today' in the configured time zone (Beijing by default)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.config import Settings


def today(settings: Settings) -> dt.date:
    return dt.datetime.now(ZoneInfo(settings.timezone)).date()
