"""The search index of the live knowledge base's fact units: their vectors, built when a revision loads.

Editing the knowledge base needs no retraining: a new revision (a new checksum) is cut into units and
embedded again the first time it is asked. The vectors are kept on disk by the hash of what was
embedded and the model's weights, so a restart does not embed 1,500 texts again.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np

from bot.domain.answering.select import best_per_unit
from bot.domain.answering.units import UnitSet, build_units
from bot.kb.base import KnowledgeBase

logger = logging.getLogger(__name__)


class FactIndex:
    """Units and one unit-length vector per search text; similarities by matrix product."""

    def __init__(self, units: UnitSet, text_units: List[str], matrix: np.ndarray):
        self.units, self.text_units, self.matrix = units, text_units, matrix

    def similarities(self, vector: np.ndarray) -> Dict[str, float]:
        """Each unit's best cosine similarity to ``vector`` (a unit-length query vector)."""
        return best_per_unit(self.text_units, self.matrix @ vector)


def build_index(units: UnitSet, encode, cache_dir: Optional[Path] = None, model_id: str = "") -> FactIndex:
    """Embed every unit's search texts (or read them from ``cache_dir`` when the same texts were embedded
    by the same model before)."""
    texts = [t for u in units.units for t in u.search_texts()]
    owners = [u.id for u in units.units for _ in u.search_texts()]
    key = hashlib.sha256("\n".join([model_id, *texts]).encode("utf-8")).hexdigest()[:24]
    cached = cache_dir / f"fact-index-{key}.npy" if cache_dir else None
    if cached and cached.is_file():
        matrix = np.load(cached)
        if matrix.shape[0] == len(texts):
            return FactIndex(units, owners, matrix)
    matrix = np.asarray(encode(texts), dtype=np.float32)
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp.npy")
        np.save(tmp, matrix)
        tmp.replace(cached)
    return FactIndex(units, owners, matrix)


class FactIndexCache:
    """The index of the knowledge base revision in use, rebuilt when the revision changes."""

    def __init__(self, encoder, examples: Mapping[str, Sequence[str]] = {}, cache_dir: Optional[Path] = None,  # noqa: B006
                 model_id: str = ""):
        self.encoder, self.examples, self.cache_dir, self.model_id = encoder, examples, cache_dir, model_id
        self._index: Optional[FactIndex] = None
        self._lock = threading.Lock()

    def get(self, kb: KnowledgeBase) -> FactIndex:
        with self._lock:
            if self._index is None or self._index.units.checksum != kb.checksum:
                units = build_units(kb, self.examples)
                self._index = build_index(units, self.encoder.encode, self.cache_dir, self.model_id)
                logger.info("fact index: %d units, %d texts (knowledge base %s)", len(units.units),
                            len(self._index.text_units), kb.checksum[:12])
            return self._index
