"""Long-message flood: what over-long messages cost the Rasa server, and what they cost everyone else.

Starts our action server and Rasa server (as `make run` does), then for each scenario sends the long
messages while a probe conversation keeps asking a normal question, one message after the other.
Prints and writes bench/results/flood.json: per scenario the probe's latency (p50 / max, against a
quiet baseline), the flood's HTTP statuses and duration, and the Rasa process's peak memory.

Usage: .venv/bin/python bench/flood.py [--quick] [--sizes 9000,36000] [--out NAME]
  --sizes: only single messages of these many characters ("how much " repeated), e.g. to measure
  the code before the channel guard with sizes it survives.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
import urllib.error
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.latency import ours_servers  # noqa: E402
from bench.procs import post_message  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.ops.training import ensure_model  # noqa: E402

PROBE = "how much does a residence permit cost?"


def words(chars: int) -> str:
    return ("how much " * (chars // 9 + 1))[:chars]


def send(url: str, text: str) -> int:
    try:
        post_message(url, uuid.uuid4().hex, text, timeout=300)
        return 200
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0  # connection closed or timed out


class Probe(threading.Thread):
    """One conversation asking PROBE again and again until stopped; its latencies in ms."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.latencies, self.failures, self.done = url, [], 0, threading.Event()

    def run(self) -> None:
        sender = uuid.uuid4().hex
        while not self.done.is_set():
            t0 = time.perf_counter()
            try:
                post_message(self.url, sender, PROBE, timeout=120)
                self.latencies.append((time.perf_counter() - t0) * 1000)
            except (urllib.error.URLError, OSError):
                self.failures += 1
            time.sleep(0.05)


def percentile(values, q):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * q / 100))], 1) if values else None


def rss_mb(server) -> float:
    return round(server.processes[-1].peak_rss / 2**20, 1)  # the Rasa process (last of ours_servers)


def scenario(server, url: str, name: str, messages: list, workers: int) -> dict:
    probe = Probe(url)
    probe.start()
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        statuses = list(pool.map(lambda text: send(url, text), messages))
    seconds = time.perf_counter() - t0
    time.sleep(1.0)
    probe.done.set()
    probe.join()
    figures = {"scenario": name, "messages": len(messages), "chars_each": sorted({len(m) for m in messages}),
               "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
               "flood_seconds": round(seconds, 2), "probe_answers": len(probe.latencies),
               "probe_failures": probe.failures, "probe_p50_ms": percentile(probe.latencies, 50),
               "probe_max_ms": percentile(probe.latencies, 100), "rasa_peak_rss_mb_after": rss_mb(server)}
    print(json.dumps(figures), flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", help="comma-separated message lengths: single messages only")
    parser.add_argument("--out", default="flood")
    args = parser.parse_args()
    model = ensure_model(Settings())
    with tempfile.TemporaryDirectory() as tmp:
        from bot.ops.setup import prepare

        prepare(Settings(database_url=f"sqlite:///{Path(tmp) / 'etown.db'}"))
        server = ours_servers("ours", model, Path(tmp))
        server.start("hello")
        url = server.webhooks[0]
        try:
            quiet = Probe(url)
            quiet.start()
            time.sleep(5 if args.quick else 15)
            quiet.done.set()
            quiet.join()
            results = {"baseline": {"probe_answers": len(quiet.latencies), "probe_p50_ms": percentile(quiet.latencies, 50),
                                    "probe_max_ms": percentile(quiet.latencies, 100),
                                    "rasa_peak_rss_mb": rss_mb(server)}, "scenarios": []}
            print(json.dumps(results["baseline"]), flush=True)
            if args.sizes:
                plan = [(f"one message of {n:,} characters", [words(n)], 1) for n in map(int, args.sizes.split(","))]
            else:
                count = 10 if args.quick else 50
                plan = [("the 72 KB message of the incident", [words(72_000)], 1),
                        ("one message of 1 MB", [words(2**20)], 1),
                        (f"{count} messages of 100 KB in parallel", [words(100 * 1024)] * count, 10),
                        (f"{count} messages of 60 KB in parallel (under the byte cap, over the length limit)",
                         [words(60 * 1024)] * count, 10)]
            for name, messages, workers in plan:
                results["scenarios"].append(scenario(server, url, name, messages, workers))
        finally:
            server.stop()
    target = ROOT / "bench" / "results" / f"{args.out}.json"
    target.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
