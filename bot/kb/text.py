"""Text normalisation shared by alias indices and the spaCy patterns."""
from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s'\u3400-\u9fff]+")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Lower-case, unify quotes and width, drop punctuation, collapse white space."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").lower()
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()
