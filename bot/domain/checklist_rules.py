"""Which material a profile needs, and how its foreign documents are authenticated. Pure."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import List, Optional

from bot.domain.apostille import needs_apostille
from bot.domain.checklist_profile import HK_MACAO_TAIWAN, MAINLAND, Profile
from bot.domain.wording import format_date
from bot.kb.base import KnowledgeBase
from bot.kb.schema import Material

ISSUED_WORDS = {"abroad": "abroad", HK_MACAO_TAIWAN: "in Hong Kong, Macao or Taiwan", MAINLAND: "in mainland China"}
DOCUMENT_WORDS = {"degree": "the degree was obtained", "record": "the record is issued", "civil": "it was issued",
                  None: "the document was issued"}


@dataclass(frozen=True)
class Authentication:
    """How a document is made valid for use in mainland China.

    route: "apostille", "legalisation", "notarisation", "none" (mainland document) or
    "depends" (the issuing country is not known).
    """

    route: str
    text: str
    source: str
    country_note: Optional[str] = None
    from_country_list: bool = False  # decided from apostille.yml's member list


def document_kind(material: Material) -> Optional[str]:
    """Which profile answer says where a document comes from: degree, record or civil (family)."""
    key = material.id
    if "degree" in key or "diploma" in key:
        return "degree"
    if "criminal" in key or "police" in key:
        return "record"
    if "marriage" in key or "birth" in key:
        return "civil"
    return None


def issuing_country(profile: Profile, kind: Optional[str]) -> tuple[Optional[str], bool]:
    """(country or region, assumed): civil-status papers are assumed to come from where the degree does."""
    if kind == "degree":
        return profile.degree_country, False
    if kind == "record":
        return profile.record_country, False
    if kind == "civil":
        for value in (profile.degree_country, profile.record_country):
            if value is not None:
                return value, True
    return None, False


def region_of(value: Optional[str]) -> Optional[str]:
    """"abroad", "mainland", "hk_macao_taiwan", or None when not known."""
    if value is None:
        return None
    return value if value in (MAINLAND, HK_MACAO_TAIWAN) else "abroad"


def open_conditions(material: Material, profile: Profile) -> Optional[List[str]]:
    """None when the material does not apply to ``profile``; otherwise the conditions the
    profile leaves open ("not sure"), worded for the reader (empty: it certainly applies)."""
    c = material.conditions
    left: List[str] = []
    checks = []
    if c.location:
        words = "the applicant is outside China" if c.location == "outside_china" else "the applicant is in China"
        checks.append((profile.location, lambda v: v == c.location, words))
    if c.categories:
        checks.append((profile.category, lambda v: v in c.categories, "talent category " + "/".join(c.categories)))
    if c.family:
        who = "a spouse comes along" if c.family == "spouse" else "children come along"
        checks.append((profile.family, lambda v: c.family in v, who))
    if c.first_application is not None:
        words = "this is a first application" if c.first_application else "this is a renewal"
        checks.append((profile.first_application, lambda v: v == c.first_application, words))
    if c.employer_change is not None:
        words = "the applicant changes employer" if c.employer_change else "the applicant does not change employer"
        checks.append((profile.employer_change, lambda v: v == c.employer_change, words))
    if c.issued:
        kind = document_kind(material)
        country, _ = issuing_country(profile, kind)
        checks.append((region_of(country), lambda v: v == c.issued, f"{DOCUMENT_WORDS[kind]} {ISSUED_WORDS[c.issued]}"))
    for known, holds, words in checks:
        if known is None:
            left.append(words)
        elif not holds(known):
            return None
    return left


def authentication(kb: KnowledgeBase, material: Material, profile: Profile, today: dt.date) -> Optional[Authentication]:
    """Apostille, consular legalisation, notarisation or nothing, for a material that needs it."""
    if not material.needs_authentication:
        return None
    ap = kb.files.apostille
    value, assumed = issuing_country(profile, document_kind(material))
    if value == MAINLAND:
        return Authentication("none", "issued in mainland China: the original is enough, no authentication",
                              ap.mainland.source)
    if value == HK_MACAO_TAIWAN:
        return Authentication("notarisation", "issued in Hong Kong, Macao or Taiwan: have it notarised "
                              "(not apostilled or legalised)", ap.hk_macao_taiwan.source)
    country = kb.countries.get(value) if value else None
    if country is None:
        unknown = f"{value.upper()} is not on my country list, so: " if value else ""
        return Authentication("depends", unknown + "an apostille if the issuing country applies the Apostille "
                              "Convention with China, otherwise consular legalisation by a Chinese embassy or "
                              "consulate", ap.summary.source)
    prefix = f"if it was issued in {country.name}: " if assumed else ""
    since = country.apostille_with_china_since
    if needs_apostille(country) and since <= today:
        text = (f"{prefix}an apostille from {country.name} is enough (the Apostille Convention applies between "
                f"{country.name} and China since {format_date(since)}); no consular legalisation")
        return Authentication("apostille", text, ap.apostille_route.source, country.note, True)
    if needs_apostille(country):
        text = (f"{prefix}consular legalisation until {format_date(since)}; from then on an apostille from "
                f"{country.name} is enough")
        return Authentication("legalisation", text, ap.apostille_route.source, country.note, True)
    text = (f"{prefix}consular legalisation: {country.name} does not apply the Apostille Convention with China, "
            f"so have it authenticated by a Chinese embassy or consulate (or by {country.name}'s embassy in China)")
    return Authentication("legalisation", text, ap.legalisation_route.source, country.note, True)
