"""How fact-level answers are said: the fact first, its source and review date on one line, then an
offer of more; or, when the sources are silent, that plainly, the nearest sourced fact and who knows."""
from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

from bot.domain.answering.select import Scored
from bot.domain.answering.units import FactUnit
from bot.domain.outage import english_hotline
from bot.domain.wording import Answer, Button, caveat, format_date
from bot.kb.base import KnowledgeBase

if TYPE_CHECKING:  # the use case imports this module
    from bot.services.answering.answer import Found

# The full topic offered after a fact: (unit topic family, button title, payload)
MORE = {
    "materials": ("All documents", "/ask_materials"),
    "processing_time": ("Processing time", "/ask_processing_time"),
    "fees": ("Fees", "/ask_fees"),
    "where": ("Where to apply", "/ask_where"),
    "deadlines": ("Deadlines", "/ask_deadlines"),
    "eligibility": ("Who can apply", "/ask_eligibility"),
    "overview": ("How it works, step by step", "/ask_service_overview"),
}
CHECKLIST = Button("A checklist for my case", "/request_checklist")
PERSON = Button("Talk to a person", "/request_human")
QUOTE_CHARS = 90


def fact_lines(unit: FactUnit) -> List[str]:
    """The fact, then "Source: <link> (last reviewed <date>)"."""
    return [unit.text + caveat(unit.uncertain),
            f"Source: {unit.source} (last reviewed {format_date(unit.reviewed)})"]


def declined_lines(kb: KnowledgeBase, nearest: Optional[Scored]) -> List[str]:
    """Not in the sources: say so, give the nearest sourced fact if there is one, name who can answer."""
    lines = ["My sources don't cover that, so I won't guess."]
    if nearest is not None:
        lines += ["The closest fact I have, in case it helps:", *fact_lines(nearest.unit)]
    hotline = english_hotline(kb.files.contacts.hotlines)
    who = (f"the {hotline.name} ({hotline.number}, {hotline.hours})" if hotline else "the 12367 hotline")
    lines.append(f"For a reliable answer, ask {who}, or ask me to put you through to a person at the service hall.")
    return lines


def found_answer(kb: KnowledgeBase, found: "Found") -> Answer:
    """One reply for all the questions of a message, each answered in turn, then what else to ask."""
    several = len(found.parts) > 1
    paragraphs: List[str] = []
    for question, choice in found.parts:
        lines: List[str] = []
        if several:
            lines.append(f"On \u201c{_short(question)}\u201d:")
        if choice.answered:
            for scored in choice.answers:
                lines += fact_lines(scored.unit)
        else:
            lines += declined_lines(kb, choice.nearest)
        paragraphs.append("\n".join(lines))
    first = next((s.unit for _, c in found.parts for s in c.answers), None)
    buttons = _more_buttons(first) if first else [PERSON]
    return Answer("\n\n".join(paragraphs), buttons, found.service_id(), first.related_topic if first else None,
                  fact_ids=found.unit_ids())


def _more_buttons(unit: FactUnit) -> List[Button]:
    related = unit.related_topic or "overview"
    order = [related, *(t for t in ("materials", "fees", "where", "processing_time") if t != related)]
    buttons = [Button(*MORE[t]) for t in order if t in MORE][:2]
    return [*buttons, CHECKLIST]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "\u2026"
