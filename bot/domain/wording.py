"""Small pieces of answer wording shared by every answer: facts, sources, dates, buttons."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Dict, List, Optional


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass
class Answer:
    """A reply: text (answer first, source last), optional buttons, and what it was about."""

    text: str
    buttons: List[Button] = field(default_factory=list)
    service_id: Optional[str] = None
    topic: Optional[str] = None
    country_id: Optional[str] = None
    fact_ids: List[str] = field(default_factory=list)  # the fact units said (fact-level answers only)


def format_date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def format_day(day: dt.date) -> str:
    """The date with its weekday: "Monday 30 November 2026"."""
    return f"{day:%A} {format_date(day)}"


def caveat(uncertain: Optional[str]) -> str:
    """The words that mark a fact as not certain; empty when it is certain."""
    if not uncertain:
        return ""
    reason = uncertain.rstrip(". ")
    advice = "" if any(w in reason.lower() for w in ("confirm", "check")) else "; please confirm with the hall"
    return f" (not confirmed: {reason}{advice}.)"


class AnswerBuilder:
    """Collects lines and the sources behind them; ends every answer with sources and review date."""

    MAX_SOURCES = 4

    def __init__(self, heading: str):
        self.lines: List[str] = [heading]
        self._sources: Dict[str, None] = {}
        self._reviewed: Optional[dt.date] = None

    def add(self, line: str, source: Optional[str] = None, uncertain: Optional[str] = None) -> "AnswerBuilder":
        self.lines.append(line + caveat(uncertain))
        if source:
            self._sources.setdefault(source, None)
        return self

    def fact(self, fact, prefix: str = "• ") -> "AnswerBuilder":
        """Add a schema Fact (text, source, uncertain) as one line."""
        return self.add(prefix + fact.text, fact.source, fact.uncertain)

    def source(self, url: Optional[str]) -> "AnswerBuilder":
        if url:
            self._sources.setdefault(url, None)
        return self

    def reviewed(self, day: dt.date) -> "AnswerBuilder":
        self._reviewed = day if self._reviewed is None else min(self._reviewed, day)
        return self

    def text(self) -> str:
        lines = list(self.lines)
        sources = list(self._sources)[: self.MAX_SOURCES]
        if sources:
            label = "Source" if len(sources) == 1 else "Sources"
            footer = f"{label}: " + " ; ".join(sources)
            if self._reviewed:
                footer += f" (last reviewed {format_date(self._reviewed)})"
            lines.append(footer)
        return "\n".join(lines)
