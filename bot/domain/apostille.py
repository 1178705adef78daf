"""Apostille or consular legalisation: decided from the knowledge base's member list."""
from __future__ import annotations

from typing import Optional

from bot.domain.topics import Topic
from bot.domain.wording import Answer, AnswerBuilder, Button, format_date
from bot.kb.apostille_schema import Country
from bot.kb.base import KnowledgeBase


def needs_apostille(country: Country) -> bool:
    """True when the Apostille Convention applies between ``country`` and China."""
    return country.apostille_with_china_since is not None


def apostille_answer(kb: KnowledgeBase, country: Optional[Country], region: Optional[str] = None,
                     document: Optional[str] = None) -> Answer:
    """Which authentication a foreign public document needs to be used in mainland China."""
    ap = kb.files.apostille
    if country is not None and country.id == "cn":  # a mainland document needs no authentication at all
        country, region = None, "mainland"
    what = f"your {document.lower()}" if document else "a foreign public document (degree, criminal record, "\
        "marriage or birth certificate)"
    if region == "hk_macao_taiwan":
        b = AnswerBuilder(f"Documents from Hong Kong, Macao or Taiwan ({what}):").fact(ap.hk_macao_taiwan)
    elif region == "mainland":
        b = AnswerBuilder(f"Documents issued in mainland China ({what}):").fact(ap.mainland)
    elif country is None:
        b = AnswerBuilder(f"How to get {what} accepted in China:").fact(ap.summary)
        b.fact(ap.apostille_route, "• Apostille countries: ")
        b.fact(ap.legalisation_route, "• Other countries: ")
        b.add("Tell me the country that issued the document and I'll say which route applies.")
    elif needs_apostille(country):
        since = format_date(country.apostille_with_china_since)
        b = AnswerBuilder(f"{country.name}: an apostille is enough for {what}.")
        b.add(f"The Apostille Convention applies between {country.name} and China since {since}, so no "
              "consular legalisation is needed.", ap.summary.source)
        b.fact(ap.apostille_route)
    else:
        b = AnswerBuilder(f"{country.name}: {what} needs consular legalisation, not an apostille.")
        b.add(f"{country.name} is not on my list of countries where the Apostille Convention applies with China.")
        b.fact(ap.legalisation_route)
    if country is not None and country.note:
        b.add("Note: " + country.note)
    for note in ap.uncertain:
        b.add("Note: " + note)
    b.source(ap.source_url).reviewed(ap.last_reviewed)
    buttons = [Button("Documents needed", "/ask_materials"), Button("Processing time", "/ask_processing_time")]
    return Answer(b.text(), buttons, None, Topic.APOSTILLE.value, country.id if country else None)
