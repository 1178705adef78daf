"""Finding the question, or questions, inside a long message with a story around it. Pure.

"I arrived in Beijing last week on a Z visa and my company is slow. My passport expires next
year. How long is the residence permit valid? And what does it cost?" holds two questions and
three sentences of background. The answer should address the two questions, each on its own.
"""
from __future__ import annotations

import re
from typing import List

MAX_QUESTIONS = 3
SHORT_MESSAGE = 160  # characters: a message this short is one question, whatever its shape

_SENTENCE = re.compile(r"[^.!?？！。\n]+[.!?？！。]*", re.UNICODE)
_QUESTION_START = re.compile(
    r"^\s*(and\s+|also\s+|but\s+|so\s+|then\s+|plus\s+)?(what|which|who|whom|whose|where|when|why|how|is|are|am|was|"
    r"were|do|does|did|can|could|should|shall|will|would|may|might|must|have|has|need|any|if)\b", re.I)
_ASKING = re.compile(r"\b(i\s+(would\s+like|want|need|wish)\s+to\s+(know|ask|understand|find\s+out)|"
                     r"please\s+(tell|advise|let\s+me\s+know|explain|confirm)|i\s+wonder|wondering|"
                     r"could\s+you|can\s+you|i'?d\s+like\s+to\s+(know|ask))\b", re.I)
_CHINESE_ASKING = re.compile(r"(吗|呢|么|多少|多久|几天|哪里|哪儿|哪个|哪些|怎么|怎样|如何|是否|能否|可否|可以|需要|请问|什么)")


def is_question(sentence: str) -> bool:
    """True when the sentence asks something (a question mark, a question word, "I'd like to know")."""
    s = sentence.strip()
    if not s:
        return False
    return (s.endswith(("?", "？")) or bool(_QUESTION_START.match(s)) or bool(_ASKING.search(s))
            or bool(_CHINESE_ASKING.search(s)))


def sentences(text: str) -> List[str]:
    return [s.strip() for s in _SENTENCE.findall(text or "") if s.strip()]


def split_questions(text: str) -> List[str]:
    """The questions of ``text``, at most MAX_QUESTIONS, in order. A short message is one question; a
    long one with no recognisable question is kept whole (the search still gets its words)."""
    text = (text or "").strip()
    if len(text) <= SHORT_MESSAGE:
        return [text] if text else []
    parts = sentences(text)
    asked = [s for s in parts if is_question(s)]
    if not asked:
        return [text]
    return asked[:MAX_QUESTIONS]


def background(text: str, questions: List[str]) -> str:
    """The sentences around the questions (what the person told about their situation)."""
    return " ".join(s for s in sentences(text) if s not in questions)
