"""The knowledge base in memory: validated files plus look-up indices."""
from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from bot.kb.apostille_schema import Country
from bot.kb.contacts_schema import Hall
from bot.kb.errors import PolicyFileInvalid
from bot.kb.schema import KbFiles, Material, Service
from bot.kb.text import normalize

FUZZY_CUTOFF = 0.86  # difflib ratio; catches "recidence permit" but not "permit" -> "permits"


@dataclass(frozen=True)
class DocumentRef:
    service_id: str
    material: Material


class KnowledgeBase:
    """Read-only view of policies_kb/ with indices for services, halls, countries, documents."""

    def __init__(self, files: KbFiles):
        self.files = files
        self.services: Dict[str, Service] = dict(files.services)
        self.halls: Dict[str, Hall] = {h.id: h for h in files.halls.halls}
        self.countries: Dict[str, Country] = {c.id: c for c in files.apostille.countries}
        self._check_references()
        self.service_aliases = _index(
            "service", ((s.id, _service_terms(s), f"services/{s.id}.yml") for s in self.services.values())
        )
        self.hall_aliases = _index("hall", ((h.id, [h.name, *h.aliases], "halls.yml") for h in self.halls.values()))
        self.country_aliases = _index(
            "country", ((c.id, [c.name, *c.aliases], "apostille.yml") for c in self.countries.values())
        )
        self.document_aliases: Dict[str, List[DocumentRef]] = {}
        for service in self.services.values():
            for material in service.materials:
                for term in {normalize(t) for t in [material.name, *material.aliases]}:
                    self.document_aliases.setdefault(term, []).append(DocumentRef(service.id, material))
        self.checksum = hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    # -- serialisation -------------------------------------------------------------
    def to_json(self) -> str:
        """Canonical JSON of all files: the same content always gives the same text."""
        return json.dumps(json.loads(self.files.json()), sort_keys=True, ensure_ascii=False)

    # -- look-ups ------------------------------------------------------------------
    def service(self, service_id: str) -> Service:
        return self.services[service_id]

    def resolve_service(self, text: Optional[str]) -> Optional[Service]:
        """A service from an id, name or alias, tolerating small typos."""
        found = _resolve(self.service_aliases, text)
        return self.services[found] if found else None

    def resolve_hall(self, text: Optional[str]) -> Optional[Hall]:
        found = _resolve(self.hall_aliases, text)
        return self.halls[found] if found else None

    def resolve_country(self, text: Optional[str]) -> Optional[Country]:
        found = _resolve(self.country_aliases, text)
        return self.countries[found] if found else None

    def resolve_documents(self, text: Optional[str]) -> List[DocumentRef]:
        if not text:
            return []
        key = _strip_article(normalize(text))
        if key in self.document_aliases:
            return self.document_aliases[key]
        close = difflib.get_close_matches(key, list(self.document_aliases), n=1, cutoff=FUZZY_CUTOFF)
        return self.document_aliases[close[0]] if close else []

    def halls_for(self, service_id: str) -> List[Hall]:
        """Halls that handle a service, in file order."""
        return [h for h in self.halls.values() if service_id in h.services]

    def hall_name(self, hall_id: str) -> str:
        return self.halls[hall_id].name

    # -- integrity -----------------------------------------------------------------
    def _check_references(self) -> None:
        systems = {s.id for s in self.files.contacts.online_systems}
        for service in self.services.values():
            label = f"services/{service.id}.yml"
            for field, ids, known in (
                ("halls", service.halls, self.halls),
                ("online_systems", service.online_systems, systems),
                ("related", service.related, self.services),
            ):
                for ref in ids:
                    if ref not in known:
                        raise PolicyFileInvalid(label, f"unknown id '{ref}'", entry=service.id, field=field)
        for hall in self.halls.values():
            for ref in hall.services:
                if ref not in self.services:
                    raise PolicyFileInvalid("halls.yml", f"unknown service id '{ref}'",
                                            entry=hall.id, field="services")
        for kind, items in (("halls.yml", self.halls), ("apostille.yml", self.countries)):
            expected = len(self.files.halls.halls) if kind == "halls.yml" else len(self.files.apostille.countries)
            if len(items) != expected:
                raise PolicyFileInvalid(kind, "two entries share an id")


def _service_terms(service: Service) -> List[str]:
    terms = [service.names.en, *service.aliases, service.id, service.id.replace("_", " ")]
    if service.names.zh:
        terms.append(service.names.zh)
    return terms


def _index(kind: str, entries: Iterable[Tuple[str, List[str], str]]) -> Dict[str, str]:
    """alias -> id; an alias naming two different entries is an error in the files."""
    index: Dict[str, str] = {}
    for entry_id, terms, label in entries:
        for term in terms:
            key = normalize(term)
            if not key:
                continue
            if index.get(key, entry_id) != entry_id:
                raise PolicyFileInvalid(label, f"alias '{term}' also names {kind} '{index[key]}'",
                                        entry=entry_id, field="aliases")
            index[key] = entry_id
    return index


def _resolve(index: Dict[str, str], text: Optional[str]) -> Optional[str]:
    if not text:
        return None
    key = _strip_article(normalize(text))
    if key in index:
        return index[key]
    close = difflib.get_close_matches(key, list(index), n=1, cutoff=FUZZY_CUTOFF)
    return index[close[0]] if close else None


def _strip_article(key: str) -> str:
    """'the UK' -> 'uk', 'my passport' -> 'passport' (articles and possessives are not part of names)."""
    for article in ("the ", "a ", "an ", "my ", "our ", "his ", "her ", "their "):
        if key.startswith(article):
            return key[len(article):]
    return key
