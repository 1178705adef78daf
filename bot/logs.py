"""Logging helpers. PiiMaskingFilter keeps passport numbers and other personal values out of log lines.

Code should not log personal data in the first place; the filter is the safety net for
what slips through (an exception message quoting a value, a URL, a library's debug line).
"""
from __future__ import annotations

import logging
import re
from typing import Iterable, List, Sequence

PASSPORT_MASK = "[passport]"
VALUE_MASK = "[redacted]"
# A run of 6-20 letters and digits with at least 5 digits: passport-like ("E12345634", "C01X00T47",
# "123456789"). Case numbers ("EZ2026-0042"), dates and times, counts and ports stay readable.
PASSPORT_LIKE = re.compile(r"(?<![A-Za-z0-9])(?=(?:[A-Za-z]*\d){5})[A-Za-z0-9]{6,20}(?![A-Za-z0-9])")
# A logger's filters see only records logged on that very logger (not its children's), so the
# loggers are named one by one: those of the web app, of the services it calls, and uvicorn's.
WEB_LOGGERS = ("bot.web.app", "bot.web.cases", "bot.web.checklists", "bot.services.cases",
               "bot.services.case_status", "bot.services.enterprise_cases", "bot.integrations.approval_system",
               "uvicorn.access", "uvicorn.error", "fastapi")


class PiiMaskingFilter(logging.Filter):
    """Rewrites each record's message (and traceback text) with personal data masked.

    Masks passport-like tokens, the ``values`` given here, and the values a call passes in
    ``extra={"pii": [...]}``. Never drops a record.
    """

    def __init__(self, values: Iterable[str] = (), name: str = ""):
        super().__init__(name)
        self._values: List[str] = [v for v in values if v]

    def add_values(self, values: Iterable[str]) -> None:
        """Mask these values too from now on (e.g. the names of configured test accounts)."""
        self._values.extend(v for v in values if v and v not in self._values)

    def mask(self, text: str, extra_values: Sequence[str] = ()) -> str:
        # Longest first, so "Lena Hoffmann" is masked whole before "Lena" could be.
        for value in sorted({*self._values, *(v for v in extra_values if v)}, key=len, reverse=True):
            text = re.sub(re.escape(value), VALUE_MASK, text, flags=re.IGNORECASE)
        return PASSPORT_LIKE.sub(PASSPORT_MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        extra = [str(v) for v in (getattr(record, "pii", None) or ()) if v]
        if isinstance(record.args, tuple) and record.args:
            # Keep the arguments' shape: some formatters (uvicorn's access log) unpack them.
            record.args = tuple(self.mask(a, extra) if isinstance(a, str) else a for a in record.args)
            if isinstance(record.msg, str):
                record.msg = self.mask(record.msg, extra)
        else:
            try:
                message = record.getMessage()
            except Exception:  # a broken format string: mask what there is rather than lose the record
                message = f"{record.msg} {record.args}"
            record.msg, record.args = self.mask(message, extra), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text, extra)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info, extra)
        return True


def install_pii_filter(logger_names: Iterable[str] = WEB_LOGGERS) -> PiiMaskingFilter:
    """Attach a PiiMaskingFilter to each named logger that has none yet (calling it again adds nothing)."""
    pii_filter = PiiMaskingFilter()
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, PiiMaskingFilter) for f in logger.filters):
            logger.addFilter(pii_filter)
    return pii_filter
