"""The shape of policies_kb/halls.yml and contacts.yml: where to apply and whom to ask."""
from __future__ import annotations

import datetime as dt
from typing import List, Optional

from pydantic import validator

from bot.kb.facts import Fact, Strict, check_id, check_url


class Hall(Strict):
    id: str
    name: str
    aliases: List[str] = []
    district: str
    address: Optional[str] = None  # None: not published
    hours: Optional[str] = None  # None: not published
    services: List[str] = []  # service ids
    joint_window: Optional[bool] = None  # None: not published
    phone: Optional[str] = None
    source: str
    uncertain: Optional[str] = None
    last_reviewed: dt.date

    _id = validator("id", allow_reuse=True)(check_id)
    _url = validator("source", allow_reuse=True)(check_url)


class Hotline(Strict):
    id: str
    name: str
    number: str
    hours: str
    languages: List[str] = []
    text: str
    source: str
    uncertain: Optional[str] = None

    _id = validator("id", allow_reuse=True)(check_id)
    _url = validator("source", allow_reuse=True)(check_url)


class OnlineSystem(Strict):
    id: str
    name: str
    url: Optional[str] = None
    text: str
    source: str
    uncertain: Optional[str] = None

    _id = validator("id", allow_reuse=True)(check_id)
    _url = validator("source", allow_reuse=True)(check_url)


class Contacts(Strict):
    """policies_kb/contacts.yml"""

    hotlines: List[Hotline]
    online_systems: List[OnlineSystem]
    last_reviewed: dt.date


class HallsFile(Strict):
    """policies_kb/halls.yml"""

    halls: List[Hall]
    notes: List[Fact] = []
    last_reviewed: dt.date
