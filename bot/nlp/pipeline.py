"""Builds the project's spaCy pipeline from the knowledge base.

A blank English pipeline with an EntityRuler whose phrase patterns are the knowledge
base's service names and aliases, hall names, document names and countries. Rasa loads
the saved copy (SpacyNLP + SpacyEntityExtractor); the action server builds its own copy
from the current knowledge base, so a knowledge-base edit is recognised without retraining.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

import spacy
from spacy.language import Language

from bot.kb.base import KnowledgeBase

LABELS = ("service", "hall", "document", "country")
# "in China" is in almost every question; as an issuing country it is handled by
# bot.domain.topics.detect_issuing_region, so China itself is not a country pattern.
HOST_COUNTRY = "cn"
PIPELINE_NAME = "etown_kb_ner"


def patterns(kb: KnowledgeBase) -> List[Dict[str, str]]:
    """EntityRuler phrase patterns; the id of a match is the knowledge-base id."""
    out: List[Dict[str, str]] = []
    for service in kb.services.values():
        names = [service.names.en, *service.aliases] + ([service.names.zh] if service.names.zh else [])
        out += [{"label": "service", "pattern": n, "id": service.id} for n in names]
    for hall in kb.halls.values():
        out += [{"label": "hall", "pattern": n, "id": hall.id} for n in [hall.name, *hall.aliases]]
    for country in kb.countries.values():
        if country.id == HOST_COUNTRY:
            continue
        out += [{"label": "country", "pattern": n, "id": country.id} for n in [country.name, *country.aliases]]
    seen = set()
    for service in kb.services.values():
        for material in service.materials:
            for name in [material.name, *material.aliases]:
                if name.lower() not in seen:
                    seen.add(name.lower())
                    out.append({"label": "document", "pattern": name, "id": material.id})
    return out


def build(kb: KnowledgeBase) -> Language:
    """A blank English pipeline with the knowledge-base EntityRuler."""
    nlp = spacy.blank("en")
    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["description"] = "Knowledge-base entity ruler of the E-Town permits assistant"
    nlp.meta["kb_checksum"] = kb.checksum
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "validate": True})
    ruler.add_patterns(patterns(kb))
    return nlp


def save(kb: KnowledgeBase, target: Path) -> Path:
    """Write the pipeline to ``target`` atomically (a reader never sees half a pipeline)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".kb_ner.", dir=target.parent))
    try:
        build(kb).to_disk(staging)
        old = target.with_name(target.name + ".old")
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def saved_checksum(target: Path) -> str | None:
    """The knowledge-base checksum the saved pipeline was built from, if any."""
    try:
        return spacy.util.load_meta(target / "meta.json").get("kb_checksum")
    except (OSError, ValueError):
        return None


@dataclass
class Mentions:
    """What a message is about, as knowledge-base ids (documents: matched names)."""

    services: List[str] = field(default_factory=list)
    halls: List[str] = field(default_factory=list)
    countries: List[str] = field(default_factory=list)
    documents: List[str] = field(default_factory=list)


class KbMatcher:
    """Finds knowledge-base mentions in free text with the spaCy pipeline."""

    def __init__(self, kb: KnowledgeBase):
        self.nlp = build(kb)

    def find(self, text: str) -> Mentions:
        found = Mentions()
        for ent in self.nlp(text).ents:
            bucket = {"service": found.services, "hall": found.halls,
                      "country": found.countries, "document": found.documents}[ent.label_]
            value = ent.text if ent.label_ == "document" else ent.ent_id_
            if value not in bucket:
                bucket.append(value)
        return found
