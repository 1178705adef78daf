"""Markdown tables of the latest figures in bench/results/*.json, written into bench/README.md.

The tables replace what is between the `<!-- figures -->` and `<!-- /figures -->` markers.
    .venv/bin/python bench/table.py [--print]
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
README = BENCH / "README.md"
START, END = "<!-- figures -->", "<!-- /figures -->"


def load(name: str):
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def mib(n) -> str:
    return f"{n / 2 ** 20:,.0f} MiB" if n else "n/a"


def latency_tables(lat: dict) -> list:
    out = [f"Latency run {lat['date']} (commit `{lat['git_commit']}`{', dirty tree' if lat['git_dirty'] else ''}, "
           f"{lat['mode']} mode, {lat['seconds_per_level_and_bot']:.0f} s per level and bot in {lat['rounds']} "
           f"alternating round(s), {lat['cpu_count']} cores, load average {lat['loadavg_start']} at the start and "
           f"{lat['loadavg_end']} at the end).", "",
           "| conversations | bot | p50 ms | p95 ms | p99 ms | msg/s | CPU ms per message | messages | errors |",
           "|---|---|---|---|---|---|---|---|---|"]
    for level in lat["comparison"]["levels"]:
        for name in ("ours", "bare"):
            f = level[name]
            cpu = " + ".join(f"{v} ({k})" for k, v in f.get("cpu_ms_per_msg_by_process", {}).items()) or "n/a"
            out.append(f"| {level['concurrency']} | {name} | {f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']} | "
                       f"{f['msg_per_s']} | {cpu} | {f['messages']} | {f['errors']} |")
        r = level["ratio"]
        out.append(f"| {level['concurrency']} | **ours/bare** | **{r.get('p50_ms')}** | **{r.get('p95_ms')}** | "
                   f"{r.get('p99_ms')} | **{r.get('msg_per_s')}** | {r.get('cpu_ms_per_msg', 'n/a')} | | |")
    out += ["", "| bot | cold start to first answer | peak RSS per process | model size | training |",
            "|---|---|---|---|---|"]
    comp, models = lat["comparison"], lat["models"]
    training = load("training")
    for name in ("ours", "bare"):
        procs = ", ".join(f"{k} {mib(v['peak_rss_bytes'])}" for k, v in comp[name]["processes"].items())
        size = models[name]["model_bytes"]
        if name == "bare":
            train = f"{models['bare']['train_seconds']:.0f} s (`rasa init`)"
        else:
            train = f"{training['train_seconds']:.0f} s (`rasa train`)" if training else "not run (`bench/training.py`)"
        out.append(f"| {name} | {comp[name]['cold_start_to_first_answer_s']} s | {procs} | {mib(size)} | {train} |")
    if "workers" in lat:
        when = (f" measured {lat['workers_date']} (commit `{lat['workers_git_commit']}`, load average "
                f"{lat['workers_loadavg_start']} at the start)" if "workers_date" in lat else "")
        out += ["", f"Our assistant alone, PostgreSQL tracker store (one set-up after another){when}:", "",
                "| set-up | conversations | p50 ms | p95 ms | p99 ms | msg/s | errors | peak RSS (all) |",
                "|---|---|---|---|---|---|---|---|"]
        for label, w in lat["workers"].items():
            for f in w["levels"]:
                out.append(f"| {label} | {f['concurrency']} | {f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']} | "
                           f"{f['msg_per_s']} | {f['errors']} | {mib(w['peak_rss_total_bytes'])} |")
    return out


def quality_tables(nlu: dict, dialogue: dict) -> list:
    out = []
    if nlu:
        h, cv = nlu["held_out"], nlu["cross_validation"]
        pct = lambda x: f"{100 * x:.1f} %"  # noqa: E731
        out += [f"NLU run {nlu['date']} (inputs `{nlu['inputs_sha256']}`):", "",
                "| figure | value |", "|---|---|",
                f"| held-out intent accuracy | {pct(h['intent']['accuracy'])} |",
                f"| held-out intent macro P / R / F1 | " + " / ".join(pct(h['intent']['macro_avg'][k])
                                                             for k in ('precision', 'recall', 'f1')) + " |"]
        if "all" in h["entity"]:
            out.append("| held-out entity micro P / R / F1 (all extractors) | " + " / ".join(
                pct(h['entity']['all']['micro_avg'][k]) for k in ('precision', 'recall', 'f1')) + " |")
        t = cv["intent_test"]
        out += [f"| CV ({cv['folds']} folds) intent accuracy | {pct(t['accuracy']['mean'])} ± "
                f"{100 * t['accuracy']['std']:.1f} |",
                f"| CV ({cv['folds']} folds) intent weighted F1 | {pct(t['f1']['mean'])} ± {100 * t['f1']['std']:.1f} |",
                f"| NLU training (80 % split) | {h['train_seconds']:.0f} s |"]
        pairs = ", ".join(f"{c['true']} → {c['predicted']} ({c['count']})" for c in h["top_confusions"][:5])
        out += [f"| top confusions | {pairs} |"]
    if dialogue and "conversation" in dialogue:
        c, a = dialogue["conversation"], dialogue.get("action", {})
        out += [f"| dialogue: test stories correct | {c['correct']} / {c['total']} ({100 * c['accuracy']:.1f} %) |",
                f"| dialogue: actions correct | {a.get('correct')} / {a.get('total')} |"]
    return out


def tables() -> str:
    parts = []
    lat = load("latency")
    if lat:
        parts += latency_tables(lat) + [""]
    parts += quality_tables(load("nlu"), load("dialogue"))
    return "\n".join(parts).rstrip() + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--print", action="store_true", help="print only, leave README.md alone")
    args = parser.parse_args()
    text = tables()
    if args.print:
        print(text)
        return
    readme = README.read_text()
    block = f"{START}\n{text}{END}"
    if START in readme:
        readme = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, readme, flags=re.S)
    else:
        readme = readme.rstrip() + "\n\n## Latest figures\n\n" + block + "\n"
    README.write_text(readme)
    print(text)


if __name__ == "__main__":
    main()
