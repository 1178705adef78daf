"""Which facts answer a question: search scores combined with what the message and conversation say. Pure.

The similarity of a question to a fact alone is a poor judge (right and wrong hits overlap), so each
unit's best similarity is adjusted by the signals the rest of the assistant already has: the service,
hall, country and document named in the message (entities), the service under discussion
(conversation context), and the topic the intent classifier hints at. The weights and thresholds are
calibrated on the development questions (bench/questions, split "dev"; bench/answers.py), never on
the held-out ones.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from bot.domain.answering.units import FactUnit, UnitSet, words_of

STOPWORDS = frozenset("""
the and for are but not you all any can her was one our out day get has him his how man new now old see two way who
boy did its let put say she too use that with have this will your from they know want been good much some time very
when come here just like long make many more only over such take than them well were what which would there their
about could other into does doing done should shall might must also then these those where while after before
being because need needs needed really please thank thanks hello dear question questions anyone someone somebody
something anything already still yet since even though through during without within between again ever every
""".split())

# intent -> unit topics it hints at (a hint, not a filter: the search may still find another topic)
INTENT_UNIT_TOPICS: Mapping[str, Tuple[str, ...]] = {
    "ask_materials": ("materials", "material"),
    "ask_processing_time": ("processing_time",),
    "ask_fees": ("fees",),
    "ask_validity": ("validity",),
    "ask_deadlines": ("deadlines",),
    "ask_eligibility": ("eligibility", "for_whom", "category"),
    "ask_where": ("halls", "hall", "online_systems", "where_note"),
    "ask_service_overview": ("summary", "steps", "for_whom"),
    "ask_apostille": ("apostille",),
    "ask_hotline": ("contact",),
}
# topic words in the question itself, which beat the intent's hint when they disagree
TOPIC_WORDS: Mapping[str, Tuple[str, ...]] = {
    "fees": ("cost", "fee", "fees", "price", "pay", "charge", "how much", "多少钱", "费用", "收费", "价格"),
    "processing_time": ("how long does", "how long will", "how long to", "how many days", "processing time",
                        "take to process", "多久", "几天", "多长时间", "时限", "办理时间"),
    "validity": ("valid for", "validity", "how long is it valid", "how long is the", "expire", "有效期"),
    "materials": ("document", "documents", "materials", "paperwork", "what do i need", "bring", "材料", "资料",
                  "需要什么"),
    "halls": ("where", "address", "office", "hall", "opening hours", "在哪", "地址", "哪里办", "大厅"),
    "deadlines": ("deadline", "within", "how soon", "how many days after", "before it expires", "late",
                  "截止", "多少天内", "期限"),
}


@dataclass(frozen=True)
class Weights:
    """How much each signal adds to (or takes from) a unit's similarity, and the decision thresholds."""

    named_service: float = 0.12  # the unit belongs to a service the message names
    other_service: float = -0.10  # the message names services, and this unit belongs to another one
    context_service: float = 0.06  # nothing named; the unit belongs to the service under discussion
    intent_topic: float = 0.05  # the unit's topic is the one the intent classifier hints at
    topic_words: float = 0.06  # the question's own words name the unit's topic
    named_item: float = 0.15  # the unit is about the hall, country or document the message names
    answer_at: float = 0.75  # adjusted score from which a unit answers the question (calibrated on dev)
    near_at: float = 0.65  # below answer_at but above this: offered as "the nearest I have"
    also_within: float = 0.04  # a second unit answers too when it is this close to the best
    max_units: int = 2
    uncovered: float = 0.2  # taken off every unit, times the share of the question's words no unit uses
    # A question intent whose facts are not found is answered with its whole topic only when the message
    # is this short (a general question); a longer one gets the honest "not in my sources".
    topic_answer_max_chars: int = 60


@dataclass(frozen=True)
class Signals:
    """What the rest of the assistant knows about the question."""

    services: Tuple[str, ...] = ()  # named in the message, in order
    context_service: Optional[str] = None  # the service discussed before
    intent: Optional[str] = None
    halls: Tuple[str, ...] = ()
    countries: Tuple[str, ...] = ()
    documents: Tuple[str, ...] = ()  # material ids or names resolved by the knowledge base
    text: str = ""  # the question, lower-cased by the caller or not


@dataclass(frozen=True)
class Scored:
    unit: FactUnit
    similarity: float
    score: float


@dataclass(frozen=True)
class Choice:
    """The facts that answer (best first), or none with the nearest one when the sources are silent."""

    answers: Tuple[Scored, ...]
    nearest: Optional[Scored] = None
    ranked: Tuple[Scored, ...] = field(default=(), repr=False)  # the top of the ranking, for audits and the bench

    @property
    def answered(self) -> bool:
        return bool(self.answers)


def topics_in(text: str) -> Tuple[str, ...]:
    """The unit topics the question's own words name ("how much" -> fees)."""
    lowered = f" {text.lower()} "
    return tuple(t for t, words in TOPIC_WORDS.items()
                 if any((f" {w} " in lowered or f" {w}?" in lowered or f" {w}," in lowered) if w.isascii() else w in lowered
                        for w in words))


def adjust(unit: FactUnit, similarity: float, signals: Signals, weights: Weights,
           asked_topics: Sequence[str] = ()) -> float:
    """The unit's similarity, adjusted by every signal that concerns it."""
    score = similarity
    if unit.service_id:
        if signals.services:
            score += weights.named_service if unit.service_id in signals.services else weights.other_service
        elif signals.context_service and unit.service_id == signals.context_service:
            score += weights.context_service
    if signals.intent and unit.topic in INTENT_UNIT_TOPICS.get(signals.intent, ()):
        score += weights.intent_topic
    if asked_topics and _topic_family(unit.topic) in asked_topics:
        score += weights.topic_words
    if _names_item(unit, signals):
        score += weights.named_item
    return score


def uncovered_share(text: str, vocabulary: FrozenSet[str]) -> float:
    """The share of the question's content words that no fact unit uses ("income tax", "Shanghai", "browser"):
    a question about something the sources never mention is likely not answered by them."""
    content = [w for w in words_of(text) if w not in STOPWORDS and len(w) > 2]
    if not content or not vocabulary:
        return 0.0
    return sum(1 for w in content if w not in vocabulary) / len(content)


def choose(units: UnitSet, similarities: Mapping[str, float], signals: Signals,
           weights: Weights = Weights()) -> Choice:
    """The units that answer, best first (at most ``weights.max_units``), or the nearest one."""
    asked = topics_in(signals.text)
    penalty = weights.uncovered * uncovered_share(signals.text, units.vocabulary) if weights.uncovered else 0.0
    ranked = sorted((Scored(units.by_id[i], s, adjust(units.by_id[i], s, signals, weights, asked) - penalty)
                     for i, s in similarities.items() if i in units.by_id), key=lambda x: -x.score)
    top = tuple(ranked[:10])
    if not ranked or ranked[0].score < weights.answer_at:
        nearest = ranked[0] if ranked and ranked[0].score >= weights.near_at else None
        return Choice((), nearest, top)
    best = ranked[0]
    chosen = [best]
    for other in ranked[1:]:
        if len(chosen) >= weights.max_units or other.score < best.score - weights.also_within:
            break
        if not _overlaps(other.unit, chosen):
            chosen.append(other)
    return Choice(tuple(chosen), None, top)


def _topic_family(topic: str) -> str:
    return {"material": "materials", "hall": "halls", "online_systems": "halls", "where_note": "halls"}.get(topic, topic)


def _names_item(unit: FactUnit, signals: Signals) -> bool:
    if unit.id.startswith("hall."):
        return unit.id[5:] in signals.halls
    if unit.id.startswith("apostille.") and signals.countries:
        return unit.id[10:] in signals.countries
    if unit.topic == "material" and signals.documents:
        return unit.id.rsplit(".", 1)[-1] in signals.documents
    return False


def _overlaps(unit: FactUnit, chosen: List[Scored]) -> bool:
    """A second unit that only restates the first (same service and topic family) adds nothing."""
    return any(c.unit.service_id == unit.service_id and _topic_family(c.unit.topic) == _topic_family(unit.topic)
               and unit.topic not in ("material", "deadlines") for c in chosen)


def best_per_unit(text_units: Sequence[str], similarities: Sequence[float]) -> Dict[str, float]:
    """The best similarity of each unit over its search texts (``text_units[i]`` is text i's unit id)."""
    best: Dict[str, float] = {}
    for unit_id, similarity in zip(text_units, similarities):
        if similarity > best.get(unit_id, -1.0):
            best[unit_id] = float(similarity)
    return best
