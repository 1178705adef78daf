"""The shape of policies_kb/apostille.yml: apostille versus consular legalisation by issuing country."""
from __future__ import annotations

import datetime as dt
import re
from typing import List, Optional

from pydantic import validator

from bot.kb.facts import Fact, Strict, check_url


class Country(Strict):
    id: str  # ISO 3166-1 alpha-2, lower case
    name: str
    aliases: List[str] = []
    # Apostille Convention: date the Convention applies between this country and China.
    # None: not a member (or the Convention does not apply with China): consular legalisation.
    apostille_with_china_since: Optional[dt.date] = None
    note: Optional[str] = None

    @validator("id")
    def _iso(cls, value):  # noqa: N805
        if not re.match(r"^[a-z]{2}$", value):
            raise ValueError("must be an ISO 3166-1 alpha-2 code in lower case")
        return value


class ApostilleFile(Strict):
    """policies_kb/apostille.yml: decides apostille versus consular legalisation."""

    china_in_force_since: dt.date
    summary: Fact
    apostille_route: Fact
    legalisation_route: Fact
    hk_macao_taiwan: Fact
    mainland: Fact
    countries: List[Country]
    source_url: str
    last_reviewed: dt.date
    uncertain: List[str] = []

    _url = validator("source_url", allow_reuse=True)(check_url)
