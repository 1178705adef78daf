"""Use case: point a person to people who can help, with the staffed lines from the knowledge base."""
from __future__ import annotations

from bot.domain.wording import Answer, AnswerBuilder
from bot.kb.base import KnowledgeBase

CHINESE_NOT_SUPPORTED = (
    "Thank you for your message. Chinese support is coming soon; for now I can only answer in English. "
    "(中文服务即将推出，目前请使用英文提问。) For help in Chinese today, these lines answer in Chinese:"
)
CANNOT_UNDERSTAND = (
    "Sorry, I couldn't understand your question. Type \"help\" to see what I can answer, or ask one of "
    "these lines, answered by people:"
)
CLOSING = "I can still answer questions about documents, fees, processing times and where to apply."


def people_to_call(kb: KnowledgeBase, lead: str, language: str = "english") -> Answer:
    """``lead``, then the hotlines that answer in ``language`` (all hotlines if none is marked)."""
    contacts = kb.files.contacts
    lines = [h for h in contacts.hotlines if any(language in lang.lower() for lang in h.languages)]
    b = AnswerBuilder(lead)
    for line in lines or contacts.hotlines:
        b.add(f"• {line.name}: {line.number} ({line.hours})", line.source, line.uncertain)
    b.add(CLOSING)
    return Answer(b.reviewed(contacts.last_reviewed).text())
