"""The numpy encoder against sentence-transformers' own output, and its refusal of altered files."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.nlp.encoder import DIMENSION, MAX_WORD_PIECES, Encoder, ModelFileMismatch, ModelNotInstalled
from bot.nlp.encoder import files as encoder_files

REFERENCE = Path(__file__).with_name("reference.json")
TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder.load()


@pytest.fixture(scope="module")
def reference():
    items = json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]
    return [item["text"] for item in items], np.array([item["vector"] for item in items], dtype=np.float32)


def test_batched_vectors_match_sentence_transformers(encoder, reference):
    texts, expected = reference
    vectors = encoder.encode(texts)
    assert vectors.shape == (len(texts), DIMENSION) and vectors.dtype == np.float32
    worst = np.abs(vectors - expected).max(axis=1)
    assert worst.max() < TOLERANCE, {texts[i][:40]: float(worst[i]) for i in np.argsort(worst)[-3:]}


def test_one_text_at_a_time_matches_as_well(reference):
    texts, expected = reference
    fresh = Encoder.load(cache_size=0)
    vectors = np.stack([fresh.encode_one(text) for text in texts])
    assert np.abs(vectors - expected).max() < TOLERANCE


def test_vectors_have_unit_length(encoder, reference):
    texts, _ = reference
    norms = np.linalg.norm(encoder.encode(texts), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-5)


def test_long_text_is_cut_to_the_models_256_word_pieces(encoder, reference):
    texts, _ = reference
    longest = max(texts, key=len)
    pieces = encoder.tokenize(longest)
    assert len(pieces) == MAX_WORD_PIECES and pieces[0] == "[CLS]" and pieces[-1] == "[SEP]"
    assert len(encoder.tokenize(longest + " " + longest)) == MAX_WORD_PIECES


def test_cached_vectors_are_the_same_and_not_shared(encoder):
    first = encoder.encode(["Where is the E-Town service hall?"])
    first[0, :] = 0.0  # the caller's array is its own: the cache must not change
    again = encoder.encode(["Where is the E-Town service hall?", "Where is the E-Town service hall?"])
    uncached = Encoder.load(cache_size=0).encode(["Where is the E-Town service hall?"])
    assert np.array_equal(again[0], again[1])
    assert np.abs(again[0] - uncached[0]).max() < 1e-6


def test_cache_keeps_only_the_most_recent_texts(tmp_path):
    small = Encoder.load(cache_size=2)
    small.encode(["one", "two", "three"])
    assert list(small._cache) == ["two", "three"]
    small.encode(["two"])
    small.encode(["four"])
    assert list(small._cache) == ["two", "four"]


def test_no_texts_give_an_empty_matrix(encoder):
    assert encoder.encode([]).shape == (0, DIMENSION)


def _copy_model(tmp_path: Path) -> Path:
    source = encoder_files.installed_model_dir()
    target = tmp_path / "model"
    target.mkdir()
    for name in (encoder_files.WEIGHTS_FILE, encoder_files.TOKENIZER_FILE):
        shutil.copyfile(source / name, target / name)
    return target


def _flip_a_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_an_untouched_copy_loads(tmp_path):
    copy = Encoder.load(_copy_model(tmp_path))
    assert copy.encode(["hello"]).shape == (1, DIMENSION)


def test_tampered_weights_are_refused(tmp_path):
    model_dir = _copy_model(tmp_path)
    weights = model_dir / encoder_files.WEIGHTS_FILE
    _flip_a_byte(weights, weights.stat().st_size // 2)  # inside a tensor, not the header
    with pytest.raises(ModelFileMismatch) as refused:
        Encoder.load(model_dir)
    assert refused.value.expected == encoder_files.UPSTREAM_SHA256[encoder_files.WEIGHTS_FILE]
    assert refused.value.actual != refused.value.expected
    assert "refusing to load" in str(refused.value) and str(weights) in str(refused.value)


def test_tampered_tokenizer_is_refused(tmp_path):
    model_dir = _copy_model(tmp_path)
    _flip_a_byte(model_dir / encoder_files.TOKENIZER_FILE, 1000)
    with pytest.raises(ModelFileMismatch):
        Encoder.load(model_dir)


def test_a_missing_model_package_is_named(monkeypatch):
    monkeypatch.setattr(encoder_files, "MODEL_PACKAGE", "no_such_model_package_here")
    with pytest.raises(ModelNotInstalled, match="requirements-models.txt"):
        Encoder.load()


def test_upstream_hashes_are_full_sha256_digests():
    for digest in encoder_files.UPSTREAM_SHA256.values():
        assert re.fullmatch(r"[0-9a-f]{64}", digest)


def test_our_safetensors_reader_gives_the_reference_readers_arrays():
    from safetensors.numpy import load_file

    model_dir = encoder_files.installed_model_dir()
    ours = encoder_files.load_weights(model_dir)
    theirs = load_file(str(model_dir / encoder_files.WEIGHTS_FILE))
    assert ours.keys() == theirs.keys()
    for name, array in theirs.items():
        assert ours[name].dtype == array.dtype and np.array_equal(ours[name], array), name


def test_a_truncated_weights_header_is_rejected():
    header = b'{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}'
    data = len(header).to_bytes(8, "little") + header + b"\x00" * 8  # 8 of the 16 bytes
    with pytest.raises(ValueError, match="inconsistent offsets"):
        encoder_files.parse_safetensors(data)


def test_the_tensorflow_runtime_matches_the_reference_too(reference):
    texts, expected = reference
    on_tensorflow = Encoder.load(runtime="tensorflow", cache_size=0)
    assert np.abs(on_tensorflow.encode(texts) - expected).max() < TOLERANCE
    assert np.abs(on_tensorflow.encode_one(texts[0]) - expected[0]).max() < TOLERANCE


def test_an_unknown_runtime_is_refused():
    with pytest.raises(ValueError, match="runtime"):
        Encoder.load(runtime="torch")


def test_the_models_licence_notice_is_kept():
    notice = encoder_files.LICENCE_FILE.read_text(encoding="utf-8")
    assert "sentence-transformers/all-MiniLM-L6-v2" in notice
    assert "Apache License" in notice and "Version 2.0, January 2004" in notice
    assert "END OF TERMS AND CONDITIONS" in notice
