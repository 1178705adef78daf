"""The pieces every file of the knowledge base is built from: strict models, ids, source links, facts.

Every fact a user can be told carries its own source link and, where the source is
single, secondary, dated or conflicting, an ``uncertain`` note that the bot reads out.
"""
from __future__ import annotations

import re
from typing import List, Optional, TypeVar

from pydantic import BaseModel, Extra, Field, validator

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
WithId = TypeVar("WithId")


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


def check_id(value: str) -> str:
    """A validator: ids are lower_snake_case."""
    if not ID_PATTERN.match(value):
        raise ValueError("must be lower_snake_case, starting with a letter")
    return value


def check_url(value: str) -> str:
    """A validator: sources are full http(s) URLs."""
    if not value.startswith(("https://", "http://")):
        raise ValueError("must be a full http(s) URL")
    return value


class Fact(Strict):
    """One statement the bot may make, with where it comes from."""

    text: str = Field(..., min_length=3)
    source: str
    uncertain: Optional[str] = None  # why it is not certain; the bot says so

    _url = validator("source", allow_reuse=True)(check_url)


class Names(Strict):
    en: str
    zh: Optional[str] = None


def check_unique_ids(items: List[WithId], what: str) -> List[WithId]:
    """A validator: no two ``items`` share an id ("material id 'photo' appears twice")."""
    seen = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"{what} '{item.id}' appears twice")
        seen.add(item.id)
    return items
