"""Does a message cost more the longer its conversation? One conversation of N messages, ours and bare.

Sends the same scripted turns again and again in one conversation (one sender id), one message at a
time, to our servers (as `make run` starts them: SQLite tracker store) and to the bare `rasa init`
bot (in-memory tracker store), and compares the median latency and the Rasa process's CPU time of
the last 20 messages with the first 20. Prints and writes bench/results/long_conversation.json.

Usage: .venv/bin/python bench/long_conversation.py [--messages 200] [--out NAME]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import bare  # noqa: E402
from bench.latency import OURS_FIRST_MESSAGE, OURS_SCRIPT, bare_servers, git, ours_servers  # noqa: E402
from bench.procs import post_message  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.ops.setup import prepare  # noqa: E402
from bot.ops.training import ensure_model  # noqa: E402

WINDOW = 20


def rasa_cpu(server) -> float:
    proc = psutil.Process(server.processes[-1].popen.pid)
    return sum(sum(p.cpu_times()[:2]) for p in [proc, *proc.children(recursive=True)])


def conversation(server, script, messages: int) -> dict:
    url, sender = server.webhooks[0], uuid.uuid4().hex
    latencies, cpu = [], []
    for n in range(messages):
        before = rasa_cpu(server)
        t0 = time.perf_counter()
        post_message(url, sender, script[n % len(script)], timeout=120)
        latencies.append((time.perf_counter() - t0) * 1000)
        cpu.append((rasa_cpu(server) - before) * 1000)
    first, last = latencies[:WINDOW], latencies[-WINDOW:]
    return {"messages": messages,
            "first20_p50_ms": round(statistics.median(first), 1), "last20_p50_ms": round(statistics.median(last), 1),
            "growth": round(statistics.median(last) / statistics.median(first), 2),
            "first20_cpu_ms": round(statistics.median(cpu[:WINDOW]), 1),
            "last20_cpu_ms": round(statistics.median(cpu[-WINDOW:]), 1),
            "p50_ms_by_50": [round(statistics.median(latencies[i:i + 50]), 1) for i in range(0, messages, 50)]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--out", default="long_conversation")
    args = parser.parse_args()
    result = {"git_commit": git("rev-parse", "--short", "HEAD"), "window": WINDOW}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        prepare(Settings(database_url=f"sqlite:///{tmp / 'etown.db'}"))
        systems = {"ours": (ours_servers("ours", ensure_model(Settings()), tmp), OURS_SCRIPT, OURS_FIRST_MESSAGE),
                   "bare": (bare_servers(bare.ensure_model()["model"], tmp), bare.SCRIPT, bare.FIRST_MESSAGE)}
        for name, (server, script, first) in systems.items():
            server.start(first)
            try:
                result[name] = conversation(server, script, args.messages)
            finally:
                server.stop()
            print(name, json.dumps(result[name]), flush=True)
    result["last20_ours_over_bare"] = round(result["ours"]["last20_p50_ms"] / result["bare"]["last20_p50_ms"], 2)
    target = ROOT / "bench" / "results" / f"{args.out}.json"
    target.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
