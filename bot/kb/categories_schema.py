"""The shape of policies_kb/categories.yml: talent categories A/B/C and the points system."""
from __future__ import annotations

import datetime as dt
from typing import List, Literal

from pydantic import validator

from bot.kb.facts import Fact, Strict, check_url

CategoryCode = Literal["A", "B", "C"]


class TalentCategory(Strict):
    id: CategoryCode
    name: str
    summary: Fact
    criteria: List[Fact]


class CategoriesFile(Strict):
    """policies_kb/categories.yml: talent categories A/B/C and the points system."""

    categories: List[TalentCategory]
    points: List[Fact]
    source_url: str
    last_reviewed: dt.date

    _url = validator("source_url", allow_reuse=True)(check_url)
