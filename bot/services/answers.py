"""Use case: answer a permit question from the live knowledge base, keeping conversation context."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

from bot.domain.answers import answer
from bot.domain.apostille import apostille_answer
from bot.domain.topics import QUESTION_INTENTS, Topic, detect_issuing_region, detect_location, resolve_question
from bot.domain.wording import Answer
from bot.nlp.pipeline import Mentions
from bot.services.knowledge import LiveKnowledge


class UnknownQuestion(Exception):
    """The intent is not a knowledge-base question."""


@dataclass
class QuestionContext:
    """What the conversation knows: this message, its entities, and the remembered slots."""

    intent: str
    text: str = ""
    entities: List[Dict] = field(default_factory=list)  # Rasa entities: {"entity": ..., "value": ...}
    service: Optional[str] = None
    topic: Optional[str] = None
    country: Optional[str] = None
    location: Optional[str] = None
    # The client's network address, when the channel passes it (message metadata "client_ip"): the
    # identity checks' per-client guessing limit. Used in the turn only, never stored.
    client_address: Optional[str] = None


@dataclass
class Reply:
    answer: Answer
    remember: Dict[str, Optional[str]]  # slot name -> value to keep for follow-ups


def mentions(live: LiveKnowledge, ctx: QuestionContext) -> Mentions:
    """Knowledge-base ids named in the message: Rasa's entities first, then the live matcher."""
    kb = live.kb
    resolvers = {
        "service": ("services", lambda v: getattr(kb.resolve_service(v), "id", None)),
        "hall": ("halls", lambda v: getattr(kb.resolve_hall(v), "id", None)),
        "country": ("countries", lambda v: getattr(kb.resolve_country(v), "id", None)),
        "document": ("documents", lambda v: v if kb.resolve_documents(v) else None),
    }
    found = Mentions()
    for entity in ctx.entities:
        if entity.get("entity") not in resolvers:
            continue
        bucket_name, resolve = resolvers[entity["entity"]]
        resolved = resolve(str(entity.get("value") or ""))
        bucket = getattr(found, bucket_name)
        if resolved and resolved not in bucket:
            bucket.append(resolved)
    extra = live.matcher.find(ctx.text[:2000]) if ctx.text else Mentions()
    for name in ("services", "halls", "countries", "documents"):
        bucket = getattr(found, name)
        bucket += [v for v in getattr(extra, name) if v not in bucket]
    return found


def answer_question(live: LiveKnowledge, ctx: QuestionContext) -> Reply:
    """The answer to a question intent, and what to remember for the next question."""
    if ctx.intent not in QUESTION_INTENTS:
        raise UnknownQuestion(ctx.intent)
    kb = live.kb
    found = mentions(live, ctx)
    location = detect_location(ctx.text) or ctx.location
    if ctx.intent == "ask_apostille" or (ctx.intent == "inform" and ctx.topic == Topic.APOSTILLE.value
                                          and (found.countries or detect_issuing_region(ctx.text))):
        country_id = found.countries[0] if found.countries else ctx.country
        country = kb.countries.get(country_id) if country_id else None
        document = found.documents[0] if found.documents else None
        result = apostille_answer(kb, country, detect_issuing_region(ctx.text), document)
        return Reply(result, {"topic": result.topic, "country": result.country_id or ctx.country,
                              "location": location})
    question = resolve_question(ctx.intent, found.services, ctx.service, ctx.topic, location, kb.services)
    hall = found.halls[0] if found.halls else None
    result = answer(kb, question.topic, question.service_id, question.assumed, hall)
    return Reply(result, {"service": question.service_id or ctx.service, "topic": question.topic.value,
                          "location": location})
