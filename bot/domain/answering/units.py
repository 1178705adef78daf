"""The knowledge base cut into facts: one statement each, the unit the assistant searches and says. Pure.

Every unit keeps what it needs to be said on its own: the statement in plain words, its source
link, the date the entry was last reviewed and its ``uncertain`` note. For the search it also
carries its context (which service, which topic) and questions people ask that it answers: the
statement alone ("CNY 400") matches a question badly; "Residence permit, fees: how much does it
cost? ... CNY 400" matches it well.

Unit ids are stable and readable: ``<service>.<topic>[.<item>]`` for a service's facts
(``residence_permit.fees``, ``residence_permit.materials.photo``), ``hall.<id>``,
``contacts.<id>``, ``apostille.<country or rule>``, ``categories.<A|B|C|points>``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterator, List, Mapping, Optional, Sequence, Tuple

from bot.domain.answers import FORM, PROVIDED_BY, hall_line, material_details
from bot.domain.wording import format_date
from bot.kb.base import KnowledgeBase
from bot.kb.schema import Material, Service

# Topic words written into each unit's context, and the general questions that every service's
# unit of that topic answers ({name} is the service's name).
TOPICS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "summary": ("what it is", ("What is the {name}?", "Tell me about the {name}", "How does the {name} work?")),
    "for_whom": ("who it is for", ("Who needs the {name}?", "Who can get the {name}?")),
    "steps": ("the steps, how to apply", ("How do I apply for the {name}?", "What are the steps for the {name}?",
                                          "What is the procedure for the {name}?")),
    "materials": ("the documents (materials) needed", ("What documents do I need for the {name}?",
                                                       "Which materials are required for the {name}?",
                                                       "What should I prepare for the {name}?")),
    "material": ("one document", ()),
    "processing_time": ("processing time, how long it takes", (
        "How long does the {name} take?", "How many working days to process the {name}?",
        "When will I get the {name}?")),
    "fees": ("the fees, what it costs", ("How much does the {name} cost?", "What is the fee for the {name}?",
                                         "Do I have to pay for the {name}?")),
    "validity": ("validity, how long it is valid", ("How long is the {name} valid?",
                                                    "What is the validity period of the {name}?")),
    "deadlines": ("a deadline", ("What is the deadline for the {name}?", "When must I apply for the {name}?")),
    "eligibility": ("who is eligible", ("Who is eligible for the {name}?", "Can I apply for the {name}?")),
    "halls": ("where to apply, the halls", ("Where do I apply for the {name}?", "Which office handles the {name}?")),
    "online_systems": ("applying online", ("Can I apply for the {name} online?", "Which website is used for the {name}?")),
    "where_note": ("where to apply", ()),
}


@dataclass(frozen=True)
class FactUnit:
    """One statement the assistant can answer with."""

    id: str
    topic: str  # a key of TOPICS, or hall / contact / apostille / category
    text: str  # the statement as said to the person
    source: str
    reviewed: dt.date
    service_id: Optional[str] = None
    uncertain: Optional[str] = None
    context: str = ""  # "Work-type residence permit — the fees, what it costs"
    questions: Tuple[str, ...] = ()  # questions it answers, as people ask them
    related_topic: Optional[str] = None  # the full topic to offer as "more" (a Topic value)

    def search_texts(self) -> List[str]:
        """What is embedded for this unit: its statement in context, then each question in context."""
        return [f"{self.context}: {self.text}", *(f"{self.context}: {q}" for q in self.questions)]


@dataclass(frozen=True)
class UnitSet:
    """All units of one knowledge-base revision, by id."""

    units: Tuple[FactUnit, ...]
    checksum: str
    by_id: Mapping[str, FactUnit] = field(default_factory=dict)
    vocabulary: FrozenSet[str] = frozenset()  # every word the units use: a question's other words are not covered

    @classmethod
    def of(cls, units: Sequence[FactUnit], checksum: str, extra_words: Sequence[str] = ()) -> "UnitSet":
        words = {w for u in units for t in u.search_texts() for w in words_of(t)}
        words |= {w for t in extra_words for w in words_of(t)}
        return cls(tuple(units), checksum, {u.id: u for u in units}, frozenset(words))


_WORD = re.compile(r"[a-z][a-z0-9'-]+")


def words_of(text: str) -> List[str]:
    """Lower-case words of at least two letters, a plural's final s dropped (so "permits" is "permit")."""
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in _WORD.findall(text.lower())]


def build_units(kb: KnowledgeBase, examples: Mapping[str, Sequence[str]] = {}) -> UnitSet:  # noqa: B006 - read only
    """Every fact of ``kb`` as a unit; ``examples`` adds questions by unit id (policies_kb/questions.yml)."""
    units = [*_service_units(kb), *_hall_units(kb), *_contact_units(kb), *_apostille_units(kb),
             *_category_units(kb)]
    with_examples = [_with_examples(u, examples.get(u.id, ())) for u in units]
    names = [a for s in kb.services.values() for a in s.aliases] + [a for h in kb.halls.values() for a in h.aliases]
    return UnitSet.of(with_examples, kb.checksum, names)


def unknown_example_ids(units: UnitSet, examples: Mapping[str, Sequence[str]]) -> List[str]:
    """Ids in ``examples`` that name no unit (a typo, or a fact that was removed)."""
    return sorted(set(examples) - set(units.by_id))


def _with_examples(unit: FactUnit, questions: Sequence[str]) -> FactUnit:
    if not questions:
        return unit
    return FactUnit(**{**unit.__dict__, "questions": unit.questions + tuple(questions)})


def _service_units(kb: KnowledgeBase) -> Iterator[FactUnit]:
    for s in kb.services.values():
        name = s.names.en
        yield from (
            _unit(s, "summary", "summary", s.summary, s.source_url, related="overview"),
            _unit(s, "for_whom", "for_whom", s.for_whom, s.source_url, related="eligibility"),
        )
        if s.steps:
            steps = " ".join(f"({n}) {step}" for n, step in enumerate(s.steps, 1))
            yield _unit(s, "steps", "steps", f"The steps for the {name}: {steps}", s.source_url, related="overview")
        if s.materials:
            names = "; ".join(m.name for m in s.materials)
            yield _unit(s, "materials", "materials", f"For the {name} you need {len(s.materials)} documents: {names}.",
                        s.source_url, related="materials")
        for m in s.materials:
            yield _unit(s, f"materials.{m.id}", "material", material_text(m), m.source, m.uncertain,
                        questions=tuple(f"{alias}?" for alias in [m.name, *m.aliases[:3]]), related="materials")
        pt = s.processing_time
        if pt.standard:
            yield _unit(s, "processing_time.standard", "processing_time", pt.standard.text, pt.standard.source,
                        pt.standard.uncertain, related="processing_time")
        if pt.etown:
            yield _unit(s, "processing_time.etown", "processing_time", "In Beijing E-Town: " + pt.etown.text,
                        pt.etown.source, pt.etown.uncertain, related="processing_time")
        if s.fees:
            yield _unit(s, "fees", "fees", " ".join(f.text for f in s.fees), s.fees[0].source,
                        next((f.uncertain for f in s.fees if f.uncertain), None), related="fees")
        if s.validity:
            yield _unit(s, "validity", "validity", s.validity.text, s.validity.source, s.validity.uncertain,
                        related="validity")
        for d in s.deadlines:
            yield _unit(s, f"deadlines.{d.id}", "deadlines", d.text, d.source, d.uncertain, related="deadlines")
        for n, fact in enumerate(s.eligibility, 1):
            yield _unit(s, f"eligibility.{n}", "eligibility", fact.text, fact.source, fact.uncertain,
                        related="eligibility")
        halls = kb.halls_for(s.id)
        if halls:
            listed = "; ".join(f"{h.name} ({h.district})" for h in halls)
            yield _unit(s, "halls", "halls", f"The {name} is handled at: {listed}.", s.source_url, related="where")
        systems = {o.id: o for o in kb.files.contacts.online_systems}
        online = [systems[i] for i in s.online_systems if i in systems]
        if online:
            text = " ".join(f"{o.name}" + (f" ({o.url})" if o.url else "") + f": {o.text}" for o in online)
            yield _unit(s, "online_systems", "online_systems", text, online[0].source, online[0].uncertain,
                        related="where")
        if s.where_note:
            yield _unit(s, "where_note", "where_note", s.where_note.text, s.where_note.source, s.where_note.uncertain,
                        related="where")


def material_text(m: Material) -> str:
    """One document in a sentence or two: who provides it, in which form, its rules and note."""
    details = [f"{PROVIDED_BY[m.provided_by]}, {FORM[m.form]}", *material_details(m)]
    return f"{m.name}: " + "; ".join(details) + "." + (f" {m.note.rstrip('.')}." if m.note else "")


def _unit(s: Service, suffix: str, topic: str, text: str, source: str, uncertain: Optional[str] = None,
          questions: Tuple[str, ...] = (), related: Optional[str] = None) -> FactUnit:
    label, general = TOPICS[topic]
    names = f"{s.names.en}" + (f" ({s.names.zh})" if s.names.zh else "")
    asked = tuple(q.format(name=s.names.en) for q in general) + questions
    return FactUnit(id=f"{s.id}.{suffix}", topic=topic, text=text, source=source, reviewed=s.last_reviewed,
                    service_id=s.id, uncertain=uncertain, context=f"{names} — {label}", questions=asked,
                    related_topic=related)


def _hall_units(kb: KnowledgeBase) -> Iterator[FactUnit]:
    for h in kb.halls.values():
        window = {True: " It has a two-permit joint-application window.", False: "", None: ""}[h.joint_window]
        phone = f" Phone: {h.phone}." if h.phone else ""
        yield FactUnit(id=f"hall.{h.id}", topic="hall", text=hall_line(h) + "." + window + phone, source=h.source,
                       reviewed=h.last_reviewed, uncertain=h.uncertain,
                       context=f"{h.name} ({h.district}) — address and opening hours",
                       questions=(f"Where is the {h.name}?", f"What are the opening hours of the {h.name}?",
                                  *(f"Where is {a}?" for a in h.aliases[:3])), related_topic="where")


def _contact_units(kb: KnowledgeBase) -> Iterator[FactUnit]:
    contacts = kb.files.contacts
    for line in contacts.hotlines:
        langs = f"; {', '.join(line.languages)}" if line.languages else ""
        yield FactUnit(id=f"contacts.{line.id}", topic="contact",
                       text=f"{line.name}: {line.number} ({line.hours}{langs}). {line.text}", source=line.source,
                       reviewed=contacts.last_reviewed, uncertain=line.uncertain,
                       context=f"{line.name} — hotline, phone number",
                       questions=("Which number can I call?", "Is there a hotline?", f"What is the {line.name}?"),
                       related_topic="hotlines")
    for system in contacts.online_systems:
        url = f" ({system.url})" if system.url else ""
        yield FactUnit(id=f"contacts.{system.id}", topic="contact", text=f"{system.name}{url}: {system.text}",
                       source=system.source, reviewed=contacts.last_reviewed, uncertain=system.uncertain,
                       context=f"{system.name} — online system, website", questions=(f"What is {system.name}?",),
                       related_topic="hotlines")


def _apostille_units(kb: KnowledgeBase) -> Iterator[FactUnit]:
    a = kb.files.apostille
    common = dict(reviewed=a.last_reviewed, related_topic="apostille")
    rule = " ".join([a.summary.text, a.apostille_route.text, a.legalisation_route.text])
    yield FactUnit(id="apostille.rule", topic="apostille", text=rule, source=a.summary.source,
                   uncertain=a.summary.uncertain, context="Foreign documents (degree, criminal record) — apostille "
                   "or consular legalisation", questions=("Do I need an apostille?", "How do I legalise my degree?",
                                                          "Does my criminal record need to be authenticated?"),
                   **common)
    yield FactUnit(id="apostille.hk_macao_taiwan", topic="apostille", text=a.hk_macao_taiwan.text,
                   source=a.hk_macao_taiwan.source, uncertain=a.hk_macao_taiwan.uncertain,
                   context="Documents from Hong Kong, Macao or Taiwan — authentication",
                   questions=("My degree is from Hong Kong, does it need an apostille?",), **common)
    yield FactUnit(id="apostille.mainland", topic="apostille", text=a.mainland.text, source=a.mainland.source,
                   uncertain=a.mainland.uncertain, context="Documents issued in mainland China — authentication",
                   questions=("My degree is from a Chinese university, do I need to legalise it?",), **common)
    for c in a.countries:
        if c.apostille_with_china_since:
            text = (f"Documents issued in {c.name} need an apostille from {c.name}'s competent authority; the "
                    f"Apostille Convention applies between {c.name} and China since "
                    f"{format_date(c.apostille_with_china_since)}. No consular legalisation is needed.")
        else:
            text = (f"{c.name} does not apply the Apostille Convention with China, so documents issued there need "
                    "consular legalisation: by the country's own authorities, then by the Chinese embassy or "
                    "consulate there.")
        yield FactUnit(id=f"apostille.{c.id}", topic="apostille", text=text + (f" {c.note}" if c.note else ""),
                       source=a.source_url, context=f"Documents issued in {c.name} — apostille or legalisation",
                       questions=(f"Do documents from {c.name} need an apostille?",
                                  f"How do I authenticate my degree from {c.name}?"), **common)


def _category_units(kb: KnowledgeBase) -> Iterator[FactUnit]:
    cats = kb.files.categories
    common = dict(reviewed=cats.last_reviewed, related_topic="eligibility")
    for cat in cats.categories:
        criteria = " ".join(f.text for f in cat.criteria)
        yield FactUnit(id=f"categories.{cat.id}", topic="category",
                       text=f"Category {cat.id} ({cat.name}): {cat.summary.text} {criteria}".strip(),
                       source=cat.summary.source, uncertain=cat.summary.uncertain,
                       context=f"Work permit talent category {cat.id} ({cat.name})",
                       questions=(f"What is category {cat.id}?", f"Am I category {cat.id}?"), **common)
    if cats.points:
        yield FactUnit(id="categories.points", topic="category", text=" ".join(f.text for f in cats.points),
                       source=cats.points[0].source, uncertain=cats.points[0].uncertain,
                       context="Work permit points system (talent categories)",
                       questions=("How many points do I need?", "How are points calculated for the work permit?"),
                       **common)
