"""Use case: answer a knowledge question with the one to three facts that answer it, or say honestly
that the sources do not cover it (with the nearest sourced fact, the hotline and a person)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np

from bot.domain.answering.questions import split_questions
from bot.domain.answering.select import Choice, Signals, Weights, choose
from bot.domain.topics import adjust_for_location, detect_location
from bot.services.answering.index import FactIndex
from bot.services.answering.wording import found_answer
from bot.domain.answers import answer as topic_answer
from bot.domain.topics import QUESTION_INTENTS, Topic
from bot.services.answers import QuestionContext, Reply, answer_question, mentions
from bot.services.knowledge import LiveKnowledge


@dataclass(frozen=True)
class Found:
    """The facts found for each question of one message."""

    parts: Tuple[Tuple[str, Choice], ...]  # (the question, what answers it)

    @property
    def answered(self) -> bool:
        return any(choice.answered for _, choice in self.parts)

    def unit_ids(self) -> List[str]:
        return [s.unit.id for _, c in self.parts for s in c.answers]

    def service_id(self) -> Optional[str]:
        """The service the answer was about (for follow-ups such as "how much is it?")."""
        return next((s.unit.service_id for _, c in self.parts for s in c.answers if s.unit.service_id), None)


def signals_for(live: LiveKnowledge, ctx: QuestionContext, question: str) -> Signals:
    """What the message names (entities, the knowledge-base matcher) and what the conversation knows."""
    named = mentions(live, QuestionContext(ctx.intent, question, ctx.entities))
    location = detect_location(ctx.text) or ctx.location  # the work permit before entry is the Notification Letter
    services = tuple(dict.fromkeys(adjust_for_location(s, location) for s in named.services))
    documents = tuple(dict.fromkeys(ref.material.id for term in named.documents
                                    for ref in live.kb.resolve_documents(term)))
    return Signals(services=services, context_service=adjust_for_location(ctx.service, location), intent=ctx.intent,
                   halls=tuple(named.halls), countries=tuple(named.countries) or ((ctx.country,) if ctx.country else ()),
                   documents=documents, text=question)


# A question picked out of a longer message is searched together with the whole message ("Where is
# it exactly?" needs the sentence before it); measured on the development questions (bench/answers.py).
MESSAGE_SHARE = 0.4


def find_facts(live: LiveKnowledge, index: FactIndex, encode, ctx: QuestionContext,
               weights: Weights = Weights()) -> Found:
    """Each question in the message (a long one may hold several) with the facts that answer it."""
    questions = split_questions(ctx.text) or [ctx.text]
    *vectors, whole = encode([*questions, ctx.text])
    parts = []
    for question, vector in zip(questions, vectors):
        query = vector if question == ctx.text else (1 - MESSAGE_SHARE) * vector + MESSAGE_SHARE * whole
        query = query / (np.linalg.norm(query) or 1.0)
        parts.append((question, choose(index.units, index.similarities(query), signals_for(live, ctx, question),
                                       weights)))
    return Found(tuple(parts))


# Unit topics that stand for a whole topic: when one of them answers, the whole topic was asked
# ("what documents do I need?"), and the full, grouped topic answer is the right one.
WHOLE_TOPIC = {"materials": Topic.MATERIALS, "steps": Topic.OVERVIEW, "summary": Topic.OVERVIEW}


def answer_message(live: LiveKnowledge, index: FactIndex, encode, ctx: QuestionContext,
                   weights: Weights = Weights()) -> Optional[Reply]:
    """The reply to a knowledge question: the facts that answer it when they are found with confidence;
    the whole topic when the whole topic was asked; the topic answer of a short question intent when no
    fact is sure enough ("how long does it take?"); for a longer question that the facts do not answer,
    that plainly, with the nearest fact and who knows; else None (the caller clarifies or hands over)."""
    found = find_facts(live, index, encode, ctx, weights)
    location = detect_location(ctx.text) or ctx.location
    if found.answered:
        top = next(s.unit for _, c in found.parts for s in c.answers)
        if top.topic in WHOLE_TOPIC and len(found.parts) == 1 and top.service_id:
            result = topic_answer(live.kb, WHOLE_TOPIC[top.topic], top.service_id)
        else:
            result = found_answer(live.kb, found)
        return Reply(result, {"service": found.service_id() or ctx.service, "topic": result.topic,
                              "location": location})
    if ctx.intent in QUESTION_INTENTS and len(ctx.text) <= weights.topic_answer_max_chars:
        return answer_question(live, ctx)  # a short, general question ("how long does it take?")
    if ctx.intent in QUESTION_INTENTS:  # a long or specific question whose facts were not found: say so
        return Reply(found_answer(live.kb, found), {"service": ctx.service, "location": location})
    return None
