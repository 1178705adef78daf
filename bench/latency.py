"""Latency and throughput over the REST webhook on loopback: ours versus the bare `rasa init` bot.

1. Comparison. Our assistant (action server + Rasa server, the development set-up: SQLite database
   and tracker store in a temporary folder) and the bare reference bot (bench/bare.py: `rasa init`'s
   default assistant, in-memory tracker store, no action server) run side by side. For each
   concurrency (1, 10, 50 conversations at once) each bot gets the same time budget, in rounds
   that alternate the order (ours-bare, bare-ours, ...), so both see similar machine load. Each
   bot plays its own realistic mix (ours: small talk, knowledge-base questions answered by the
   action server, a checklist form turn; bare: greetings, mood, bot challenge). Figures:
   p50/p95/p99 latency, messages/s, errors, the ratio ours/bare, cold start to the first answer,
   peak RSS of each process, training time and model size.
2. Workers (``--workers``): our assistant alone in its production-like set-ups, one after
   another, all with a PostgreSQL tracker store in the bench's own database: one Rasa process;
   one Rasa process with SANIC_WORKERS=2 (Redis lock store); two Rasa replicas (Redis lock store;
   the client sends a conversation always to the same replica, as a hashing load balancer would).

Writes bench/results/latency.json (and latency.png); nothing asserts on the figures.
    .venv/bin/python bench/latency.py [--quick] [--workers] [--seconds S] [--levels 1,10,50]
"""
from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bare  # noqa: E402
from bench.client import LoadResult, converse, run_load  # noqa: E402
from bench.procs import Process, ServerSet, free_port  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.ops import runner  # noqa: E402
from bot.ops.setup import prepare  # noqa: E402
from bot.ops.training import ensure_model  # noqa: E402

RESULTS = ROOT / "bench" / "results"
RASA = str(Path(sys.executable).with_name("rasa"))
# One conversation of ours: small talk, knowledge-base questions (the action server, with context
# carried over), a checklist form turn, and leaving the form.
OURS_SCRIPT = (
    "hello",
    "what documents do I need for a residence permit?",
    "how much does it cost?",
    "how long does a work permit take at the E-Town hall?",
    "can you make me a personal checklist for the joint application?",
    "category B",
    "stop",
    "thanks, bye",
)
OURS_FIRST_MESSAGE = "how much does a residence permit cost?"  # cold start: needs the action server
PG_URL = "postgresql://postgres@127.0.0.1:5432"
PG_DB = "etown_bench_issue8"
REDIS_URL, REDIS_DB, REDIS_PREFIX = "redis://127.0.0.1:6379/8", 8, "etownbench8"


def loadavg() -> List[float]:
    return [round(x, 2) for x in os.getloadavg()]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout.strip()


def bare_env() -> Dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("ETOWN_")},
            "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false", "SANIC_WORKERS": "1"}


def bare_servers(model: str, tmp: Path) -> ServerSet:
    """`rasa run` of the bare model with only the REST channel (Rasa's default log level, INFO)."""
    folder = tmp / "bare"
    folder.mkdir()
    credentials = folder / "credentials.yml"
    credentials.write_text("rest:\n")
    port = free_port()
    command = [RASA, "run", "--model", model, "--credentials", str(credentials), "--interface", "127.0.0.1",
               "--port", str(port)]
    return ServerSet("bare", [Process("rasa", command, f"http://127.0.0.1:{port}/")],
                     [f"http://127.0.0.1:{port}/webhooks/rest/webhook"], folder, bare_env(), tmp / "logs")


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports (Rasa replicas use rasa_port, rasa_port + 1, ...)."""
    while True:
        first = free_port()
        try:
            for port in range(first + 1, first + count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue


def ours_servers(label: str, model: Path, tmp: Path, **overrides) -> ServerSet:
    """Our action server and Rasa server(s), started with the runner's own commands, endpoints file and
    environment (bot/ops/runner.py), i.e. exactly what `make run` and production mode start; no web app.
    ``overrides`` are Settings fields (tracker_store_url, lock_store_url, rasa_replicas, rasa_workers, ...)."""
    folder = tmp / label
    folder.mkdir()
    replicas = overrides.get("rasa_replicas", 1)
    # one client address sends everything here: the chat rate limits (a person's pace) are off
    values = {"database_url": f"sqlite:///{tmp / 'etown.db'}", "tracker_store_url": f"sqlite:///{folder / 'tracker.db'}",
              "action_port": free_port(), "rasa_port": free_ports(replicas), "web_port": free_port(),
              "rate_limit_per_sender": "", "rate_limit_per_address": "", **overrides}
    settings = Settings(**values)
    problems = settings.problems()
    if problems:
        raise SystemExit(f"bench set-up {label}: " + "; ".join(problems))
    endpoint_file = runner.write_endpoints(settings, folder / "endpoints.yml")
    env = runner.child_env(settings)
    health = runner.health_urls(settings)
    processes = [Process(name, command, health[name])
                 for name, command in runner.commands(settings, model, endpoint_file).items()
                 if name not in ("web", "mail")]  # the bench books nothing: no mail server
    return ServerSet(label, processes, [f"http://127.0.0.1:{p}/webhooks/rest/webhook" for p in settings.rasa_ports],
                     ROOT, env, tmp / "logs")


def reset_postgres() -> None:
    """A fresh database for the bench's PostgreSQL tracker store (its own name, nobody else's)."""
    import psycopg2

    conn = psycopg2.connect(f"{PG_URL}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        cur.execute(f"CREATE DATABASE {PG_DB}")
    conn.close()


def reset_redis() -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    for key in client.scan_iter(f"{REDIS_PREFIX}*"):
        client.delete(key)


def measure(server: ServerSet, script, concurrency: int, seconds: float, max_messages: int) -> LoadResult:
    before = server.cpu_seconds()
    result = asyncio.run(run_load(server.webhooks, script, concurrency, seconds, max_messages,
                                  f"{server.label}-{concurrency}"))
    after = server.cpu_seconds()
    result.cpu_seconds = {name: after[name] - before.get(name, 0.0) for name in after}
    return result


def merge(parts: List[LoadResult], concurrency: int) -> dict:
    merged = LoadResult(concurrency)
    for part in parts:
        merged.latencies_ms += part.latencies_ms
        for turn, values in part.by_turn.items():
            merged.by_turn.setdefault(turn, []).extend(values)
        merged.errors += part.errors
        merged.empty += part.empty
        merged.seconds += part.seconds
        for name, used in part.cpu_seconds.items():
            merged.cpu_seconds[name] = merged.cpu_seconds.get(name, 0.0) + used
    return merged.figures()


def sample_answers(server: ServerSet, script) -> List[dict]:
    """One conversation played serially (warms the servers up); the first line of every answer."""
    answers = asyncio.run(converse(server.webhooks[0], script))
    return [{"user": text, "bot": [(m.get("text") or "")[:100] for m in answer]}
            for text, answer in zip(script, answers)]


def compare(args, tmp: Path, model: Path, bare_model: dict) -> dict:
    ours = ours_servers("ours", model, tmp)
    reference = bare_servers(bare_model["model"], tmp)
    systems = {"ours": (ours, OURS_SCRIPT), "bare": (reference, bare.SCRIPT)}
    started = []
    try:
        for name, (server, _) in systems.items():  # one at a time: cold starts do not overlap
            server.start(OURS_FIRST_MESSAGE if name == "ours" else bare.FIRST_MESSAGE)
            started.append(server)
        samples = {name: sample_answers(server, script) for name, (server, script) in systems.items()}
        levels = []
        for concurrency in args.levels:
            parts: Dict[str, List[LoadResult]] = {"ours": [], "bare": []}
            load_seen = []
            for r in range(args.rounds):
                order = ["ours", "bare"] if r % 2 == 0 else ["bare", "ours"]
                for name in order:
                    server, script = systems[name]
                    load_seen.append({"system": name, "round": r, "loadavg": loadavg()})
                    parts[name].append(measure(server, script, concurrency, args.seconds / args.rounds,
                                               args.max_messages))
            level = {"concurrency": concurrency, "loadavg": load_seen,
                     **{name: merge(p, concurrency) for name, p in parts.items()}}
            level["ratio"] = ratio(level["ours"], level["bare"])
            levels.append(level)
            print_level(level)
    finally:
        for server in started:
            server.stop()
    return {
        "levels": levels,
        "samples": samples,
        "ours": {**ours.figures(), "setup": "1 action server + 1 Rasa server, SQLite database and tracker store"},
        "bare": {**reference.figures(), "setup": "1 Rasa server, in-memory tracker store, no action server"},
    }


def ratio(ours: dict, ref: dict) -> dict:
    out = {}
    for key in ("p50_ms", "p95_ms", "p99_ms", "msg_per_s", "cpu_ms_per_msg"):
        if ours.get(key) and ref.get(key):
            out[key] = round(ours[key] / ref[key], 2)
    return out


def workers(args, tmp: Path, model: Path) -> dict:
    variants = [("single", 1, 1), ("sanic_workers_2", 1, 2), ("replicas_2", 2, 1)]
    out = {}
    for label, replicas, sanic_workers in variants:
        reset_postgres()
        reset_redis()
        server = ours_servers(f"workers-{label}", model, tmp, rasa_replicas=replicas, rasa_workers=sanic_workers,
                              tracker_store_url=f"{PG_URL}/{PG_DB}", lock_store_url=REDIS_URL,
                              lock_store_key_prefix=REDIS_PREFIX)
        server.start(OURS_FIRST_MESSAGE)
        try:
            sample_answers(server, OURS_SCRIPT)
            levels = []
            for concurrency in args.levels:
                before = loadavg()
                result = measure(server, OURS_SCRIPT, concurrency, args.seconds, args.max_messages).figures()
                levels.append({**result, "loadavg_before": before})
                print(f"  workers {label:<16} c={concurrency:<3} p50 {result['p50_ms']} ms  p95 {result['p95_ms']} ms"
                      f"  {result['msg_per_s']} msg/s  errors {result['errors']}  load {before}")
        finally:
            server.stop()
        out[label] = {"replicas": replicas, "sanic_workers": sanic_workers, "levels": levels,
                      **server.figures()}
    return out


def print_level(level: dict) -> None:
    c = level["concurrency"]
    for name in ("ours", "bare"):
        f = level[name]
        print(f"  c={c:<3} {name:<5} p50 {f['p50_ms']:>7} ms  p95 {f['p95_ms']:>7} ms  p99 {f['p99_ms']:>7} ms"
              f"  {f['msg_per_s']:>6} msg/s  n={f['messages']} errors={f['errors']}"
              f"  CPU {f['cpu_ms_per_msg']} ms/msg {f['cpu_ms_per_msg_by_process']}")
    print(f"  c={c:<3} ratio ours/bare {level['ratio']}")


def chart(result: dict, target: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    levels = result["comparison"]["levels"]
    xs = [lv["concurrency"] for lv in levels]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name, colour in (("ours", "tab:blue"), ("bare", "tab:gray")):
        for key, style in (("p50_ms", "-o"), ("p95_ms", "--s")):
            left.plot(xs, [lv[name][key] for lv in levels], style, color=colour, label=f"{name} {key[:3]}")
        right.plot(xs, [lv[name]["msg_per_s"] for lv in levels], "-o", color=colour, label=name)
    for ax, title in ((left, "latency (ms)"), (right, "throughput (messages/s)")):
        ax.set_xscale("log")
        ax.set_xticks(xs)
        ax.set_xticklabels([str(x) for x in xs])
        ax.set_xlabel("concurrent conversations")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
    left.set_yscale("log")
    fig.suptitle(f"REST webhook on loopback, ours vs bare rasa init ({result['date'][:16]} UTC)")
    fig.tight_layout()
    fig.savefig(target, dpi=90)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 s per level and bot, one round")
    parser.add_argument("--seconds", type=float, default=None, help="time budget per level and bot")
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds per level")
    parser.add_argument("--max-messages", type=int, default=5000, help="message budget per measurement")
    parser.add_argument("--levels", default="1,10,50", help="concurrent conversations")
    parser.add_argument("--workers", action="store_true", help="also compare 1 worker, 2 Sanic workers, 2 replicas")
    parser.add_argument("--workers-only", action="store_true",
                        help="only the workers comparison, added to the existing --out JSON (its comparison kept)")
    parser.add_argument("--retrain-bare", action="store_true", help="train the bare bot again (timed)")
    parser.add_argument("--out", default="latency", help="name of the JSON and PNG in bench/results")
    args = parser.parse_args()
    args.levels = [int(x) for x in args.levels.split(",")]
    args.seconds = args.seconds or (8.0 if args.quick else 30.0)
    args.rounds = args.rounds or (1 if args.quick else 2)
    os.chdir(ROOT)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="latency-bench-"))
    try:
        settings = Settings(database_url=f"sqlite:///{tmp / 'etown.db'}")
        prepare(settings)
        model = ensure_model(Settings(), log=lambda m: print(m))
        bare_model = bare.ensure_model(retrain=args.retrain_bare)
        result = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "git_commit": git("rev-parse", "--short", "HEAD"),
            "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
            "cpu_count": os.cpu_count(),
            "loadavg_start": loadavg(),
            "python": platform.python_version(),
            "rasa": version("rasa"),
            "mode": "quick" if args.quick else "full",
            "seconds_per_level_and_bot": args.seconds,
            "rounds": args.rounds,
            "max_messages": args.max_messages,
            "scripts": {"ours": list(OURS_SCRIPT), "bare": list(bare.SCRIPT)},
            "models": {
                "ours": {"file": model.name, "model_bytes": model.stat().st_size},
                "bare": {k: v for k, v in bare_model.items() if k != "model"},
            },
        }
        if args.workers_only:  # the comparison of an earlier run, measured at another time
            earlier = json.loads((RESULTS / f"{args.out}.json").read_text())
            result = {**earlier, "workers_date": result["date"], "workers_git_commit": result["git_commit"],
                      "workers_loadavg_start": result["loadavg_start"]}
        else:
            result["comparison"] = compare(args, tmp, model, bare_model)
        if args.workers or args.workers_only:
            result["workers"] = workers(args, tmp, model)
        result["loadavg_end"] = loadavg()
        result["bench_seconds"] = round(time.monotonic() - started, 1)
    finally:
        logs = RESULTS / f"{args.out}-logs.tmp"
        shutil.rmtree(logs, ignore_errors=True)
        if (tmp / "logs").exists():
            shutil.copytree(tmp / "logs", logs)
        shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(result, indent=2) + "\n")
    chart(result, RESULTS / f"{args.out}.png")
    print(f"written bench/results/{args.out}.json and .png in {result['bench_seconds']:.0f} s")


if __name__ == "__main__":
    main()
