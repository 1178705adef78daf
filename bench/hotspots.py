"""Where the time goes: py-spy samples the Rasa server and the action server under load.

Starts our assistant (development set-up, as bench/latency.py), plays the realistic mix at
``--concurrency`` conversations for ``--seconds`` while `py-spy record` samples each server
process (busy samples only), then summarises the collapsed stacks: the share of samples spent
under given code areas (our code, the tracker store, TensorFlow, SQLAlchemy, JSON, ...) and the
functions with the most samples of their own. Writes bench/results/hotspots.json; the raw stacks
go to bench/results/hotspots-<process>.tmp (ignored by git), readable by speedscope or flamegraph.pl.
    .venv/bin/python bench/hotspots.py [--seconds 30] [--concurrency 10]
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.client import run_load  # noqa: E402
from bench.latency import OURS_FIRST_MESSAGE, OURS_SCRIPT, git, loadavg, ours_servers, sample_answers  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.ops.setup import prepare  # noqa: E402
from bot.ops.training import ensure_model  # noqa: E402

PY_SPY = str(Path(sys.executable).with_name("py-spy"))
RESULTS = ROOT / "bench" / "results"
# Code areas: a sample counts for an area when any frame of its stack matches (inclusive).
AREAS = {
    "our code (bot/, actions/)": (f"{ROOT}/bot/", f"{ROOT}/actions/"),
    "tracker store (retrieve, save)": ("tracker_store.py",),
    "redaction (bot.domain.privacy)": ("privacy.py",),
    "sqlalchemy": ("sqlalchemy/",),
    "tensorflow": ("tensorflow/", "keras/"),
    "rasa NLU pipeline": ("rasa/nlu/", "rasa/engine/"),
    "rasa policies": ("rasa/core/policies/",),
    "remote action call (Rasa side)": ("rasa/core/actions/action.py:",),
    "spaCy": ("spacy/",),
    "json": ("json/",),
    "pydantic": ("pydantic/",),
    "logging": ("logging/",),
}


def shorten(frame: str) -> str:
    """A frame without this machine's paths: project files relative, libraries from site-packages/."""
    frame = frame.replace(f"{ROOT}/", "")
    frame = re.sub(r"\(\S*/site-packages/", "(site-packages/", frame)
    return re.sub(r"\(\S*/lib/python3\.\d+/", "(stdlib/", frame)


def summarise(raw: Path) -> dict:
    total = 0
    own: collections.Counter = collections.Counter()
    areas: collections.Counter = collections.Counter()
    ours: collections.Counter = collections.Counter()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        total += n
        own[frames[-1]] += n
        for area, needles in AREAS.items():
            if any(needle in frame for frame in frames for needle in needles):
                areas[area] += n
        # inclusive samples of our functions (each once per stack)
        for frame in {f for f in frames if f"{ROOT}/bot/" in f or f"{ROOT}/actions/" in f}:
            ours[frame] += n
    pct = lambda n: round(100 * n / total, 1) if total else 0.0  # noqa: E731
    return {
        "samples": total,
        "areas_pct": {k: pct(v) for k, v in areas.most_common()},
        "top_self_pct": [[shorten(k), pct(v)] for k, v in own.most_common(15)],
        "top_ours_inclusive_pct": [[shorten(k), pct(v)] for k, v in ours.most_common(15)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--out", default="hotspots")
    args = parser.parse_args()
    os.chdir(ROOT)
    tmp = Path(tempfile.mkdtemp(prefix="profile-bench-"))
    try:
        prepare(Settings(database_url=f"sqlite:///{tmp / 'etown.db'}"))
        model = ensure_model(Settings(), log=print)
        server = ours_servers("ours", model, tmp)
        server.start(OURS_FIRST_MESSAGE)
        try:
            sample_answers(server, OURS_SCRIPT)
            spies = {}
            for proc in server.processes:
                raw = RESULTS / f"{args.out}-{proc.name}.tmp"
                spies[proc.name] = (raw, subprocess.Popen(
                    [PY_SPY, "record", "--pid", str(proc.popen.pid), "--subprocesses", "--full-filenames", "--format", "raw",
                     "--rate", "100", "--duration", str(int(args.seconds) + 2), "--output", str(raw)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT))
            before = loadavg()
            load = asyncio.run(run_load(server.webhooks, OURS_SCRIPT, args.concurrency, args.seconds, 100000,
                                        "profile")).figures()
            for _, spy in spies.values():
                spy.wait(timeout=120)
        finally:
            server.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "cpu_count": os.cpu_count(),
        "loadavg_before": before,
        "loadavg_after": loadavg(),
        "load": load,
        "processes": {name: summarise(raw) for name, (raw, _) in spies.items() if raw.exists()},
    }
    (RESULTS / f"{args.out}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"load: {load}")
    for name, summary in result["processes"].items():
        print(f"\n== {name}: {summary['samples']} busy samples")
        for area, share in summary["areas_pct"].items():
            print(f"  {share:5.1f} %  {area}")
        print("  top own time:")
        for frame, share in summary["top_self_pct"][:10]:
            print(f"  {share:5.1f} %  {frame[:150]}")
        print("  our functions (inclusive):")
        for frame, share in summary["top_ours_inclusive_pct"][:10]:
            print(f"  {share:5.1f} %  {frame[:150]}")


if __name__ == "__main__":
    main()
