"""NLU benchmark: how well the project's config.yml pipeline understands the NLU data.

Measures, with the unchanged config.yml and data/nlu:
1. Held-out: a stratified 80/20 split (seed 42). An NLU-only model is trained on the 80 %
   and `rasa test nlu` evaluates it on the 20 %: intent accuracy, macro and weighted
   precision/recall/F1, and the ten most frequent (true, predicted) intent confusions.
   Entities: `rasa test nlu` drops SpacyEntityExtractor's entities before it evaluates
   (rasa.nlu.test.PRETRAINED_EXTRACTORS), so it writes no entity report for this pipeline.
   When that report is missing, this script parses the test split with the trained model
   itself and hands the unfiltered results to Rasa's own evaluate_entities (token level,
   "micro avg" and "weighted avg" as Rasa reports them). The EntityRuler is built from the
   knowledge base and learns nothing from the NLU data, so it is also scored on all of it.
2. Cross-validation: `rasa test nlu --cross-validation --folds N`. Rasa writes the per-fold
   mean (std) only to its log ("test F1-score: 0.912 (0.010)"), which is parsed here; the
   pooled report over all test folds (intent_report.json) is read as well.
3. Cost and context: wall-clock seconds of `rasa train nlu` (fresh, empty Rasa cache), model
   size in bytes, date, git commit, CPU count.
Prints a table and writes bench/results/nlu.json. Run from the project root:
    .venv/bin/python bench/nlu.py [--folds N | --quick]
"""
from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RASA = str(Path(sys.executable).with_name("rasa"))
RESULTS = ROOT / "bench" / "results" / "nlu.json"
EXTRACTOR = "SpacyEntityExtractor"
SEED, TRAIN_FRACTION = 42, 0.8
MINUTE = 60
os.environ.update(TF_CPP_MIN_LOG_LEVEL="2", RASA_TELEMETRY_ENABLED="false", LOG_LEVEL="INFO")


def run(cmd: list, timeout: int, env: dict) -> str:
    """Run a command from the project root; return its combined output, stop on failure."""
    proc = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-4000:]}")
    return proc.stdout


def averages(report: dict, overall: str) -> dict:
    """Pick the summary rows of a Rasa/sklearn report (overall = accuracy or micro avg)."""
    out = {"accuracy": report["accuracy"]} if overall == "accuracy" else {}
    for row in [r for r in (overall, "macro avg", "weighted avg") if r != "accuracy"]:
        if row in report:
            out[row.replace(" ", "_")] = {k.replace("-score", ""): report[row][k] for k in
                                          ("precision", "recall", "f1-score", "support")}
    return out


def top_confusions(errors_file: Path, n: int = 10) -> list:
    errors = json.loads(errors_file.read_text()) if errors_file.exists() else []
    pairs = collections.Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    return [{"true": t, "predicted": p, "count": c} for (t, p), c in pairs.most_common(n)]


def entity_reports(model: Path, splits: dict, tmp: Path) -> dict:
    """Rasa's entity evaluation of each data file, without dropping pretrained extractors."""
    import asyncio
    import logging
    from rasa.core.agent import Agent
    from rasa.core.channels import UserMessage
    from rasa.nlu import test as nlu_test
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    processor = Agent.load(str(model)).processor

    async def parse(examples):
        return [await processor.parse_message(UserMessage(text=e.get("text")),
                                              only_output_properties=False) for e in examples]

    reports = {}
    for name, data_file in splits.items():
        examples = load_data(str(data_file)).nlu_examples
        results = [nlu_test.EntityEvaluationResult(e.get("entities", []), p.get("entities", []),
                                                   p.get("text_tokens", []), p.get("text"))
                   for e, p in zip(examples, asyncio.run(parse(examples)))]
        out = tmp / f"entities_{name}"
        out.mkdir(parents=True, exist_ok=True)
        nlu_test.evaluate_entities(results, {EXTRACTOR}, str(out), successes=False,
                                   errors=False, disable_plotting=True, report_as_dict=True)
        reports[name] = json.loads((out / f"{EXTRACTOR}_report.json").read_text())
    return reports


def held_out(tmp: Path, cache: dict) -> dict:
    from rasa.shared.nlu.training_data.loading import load_data

    split = tmp / "split"
    run([RASA, "data", "split", "nlu", "--nlu", "data/nlu", "--training-fraction",
         str(TRAIN_FRACTION), "--random-seed", str(SEED), "--out", str(split)], 5 * MINUTE, cache)
    train_file, test_file = split / "training_data.yml", split / "test_data.yml"
    started = time.monotonic()
    run([RASA, "train", "nlu", "--config", "config.yml", "--nlu", str(train_file),
         "--out", str(tmp / "models")], 30 * MINUTE, cache)
    train_seconds = time.monotonic() - started
    model = next((tmp / "models").glob("*.tar.gz"))
    report_dir = tmp / "report"
    run([RASA, "test", "nlu", "--model", str(model), "--nlu", str(test_file), "--out",
         str(report_dir), "--no-plot"], 30 * MINUTE, cache)
    intent_report = json.loads((report_dir / "intent_report.json").read_text())
    cli_entities = report_dir / f"{EXTRACTOR}_report.json"
    if cli_entities.exists():
        entities = {"test": json.loads(cli_entities.read_text())}
        source = "rasa test nlu"
    else:
        entities = entity_reports(model, {"test": test_file, "all": ROOT / "data" / "nlu"}, tmp)
        source = "rasa.nlu.test.evaluate_entities on unfiltered parses (see docstring)"
    return {
        "train_examples": len(load_data(str(train_file)).nlu_examples),
        "test_examples": len(load_data(str(test_file)).nlu_examples),
        "intent": averages(intent_report, "accuracy"),
        "entity_source": source,
        "entity": averages(entities["test"], "micro avg"),
        "entity_all_data": averages(entities["all"], "micro avg") if "all" in entities else None,
        "top_confusions": top_confusions(report_dir / "intent_errors.json"),
        "train_seconds": round(train_seconds, 1),
        "model_bytes": model.stat().st_size,
    }


def parse_cv_log(log: str) -> dict:
    """Read Rasa's 'test F1-score: 0.912 (0.010)' lines after 'CV evaluation (n=...)'."""
    log = re.sub(r"\x1b\[[0-9;]*m", "", log)
    log = log[log.rfind("CV evaluation (n="):]
    found, section = {}, None
    for line in log.splitlines():
        if "Intent evaluation results" in line:
            section = "intent"
        elif "Response Selection evaluation results" in line:
            section = "response_selection"
        elif m := re.search(r"Entity extractor: (\S+)", line):
            section = f"entity:{m.group(1)}"
        elif m := re.search(r"\b(train|test) (Accuracy|F1-score|Precision): "
                            r"([\d.]+) \(([\d.]+)\)", line):
            key = m.group(2).lower().replace("-score", "")
            found.setdefault(section, {}).setdefault(m.group(1), {})[key] = {
                "mean": float(m.group(3)), "std": float(m.group(4))}
    return found


def cross_validation(tmp: Path, folds: int, cache: dict) -> dict:
    out = tmp / "cv"
    log = run([RASA, "test", "nlu", "--cross-validation", "--folds", str(folds), "--config",
               "config.yml", "--nlu", "data/nlu", "--out", str(out), "--no-plot"],
              90 * MINUTE, cache)
    found = parse_cv_log(log)
    if "intent" not in found:
        sys.exit("cross-validation: no 'test F1-score: m (s)' lines in Rasa's log")
    entity = found.get(f"entity:{EXTRACTOR}")
    return {
        "folds": folds,
        "intent_test": found["intent"]["test"],
        "intent_train": found["intent"].get("train"),
        "entity_test": entity["test"] if entity else None,
        "entity_note": None if entity else
        "Rasa drops SpacyEntityExtractor (a pretrained extractor) from evaluation; no figure",
        "intent_pooled": averages(json.loads((out / "intent_report.json").read_text()),
                                  "accuracy"),
    }


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60).stdout.strip()


def print_table(r: dict) -> None:
    h, cv = r["held_out"], r["cross_validation"]
    pct = lambda x: f"{100 * x:.1f}"  # noqa: E731
    pm = lambda d: f"{100 * d['mean']:.1f} ± {100 * d['std']:.1f}"  # noqa: E731
    i, e = h["intent"], h["entity"]
    rows = [
        ("held-out intent accuracy", pct(i["accuracy"])),
        ("held-out intent macro P / R / F1", " / ".join(pct(i["macro_avg"][k]) for k in
                                                         ("precision", "recall", "f1"))),
        ("held-out intent weighted P / R / F1", " / ".join(pct(i["weighted_avg"][k]) for k in
                                                            ("precision", "recall", "f1"))),
        ("held-out entity micro P / R / F1", " / ".join(pct(e["micro_avg"][k]) for k in
                                                         ("precision", "recall", "f1"))),
        ("held-out entity weighted F1", pct(e["weighted_avg"]["f1"])),
        (f"CV ({cv['folds']} folds) intent accuracy", pm(cv["intent_test"]["accuracy"])),
        (f"CV ({cv['folds']} folds) intent weighted F1", pm(cv["intent_test"]["f1"])),
        (f"CV ({cv['folds']} folds) intent precision", pm(cv["intent_test"]["precision"])),
        (f"CV ({cv['folds']} folds) entity F1",
         pm(cv["entity_test"]["f1"]) if cv["entity_test"] else "n/a (see entity_note)"),
        ("training time (s)", f"{h['train_seconds']:.0f}"),
        ("model size (bytes)", f"{h['model_bytes']:,}"),
    ]
    if h["entity_all_data"]:
        rows.insert(5, ("entity micro F1, all data", pct(h["entity_all_data"]["micro_avg"]["f1"])))
    width = max(len(k) for k, _ in rows)
    print(f"\nNLU benchmark  {r['date']}  commit {r['git_commit']}  {r['cpu_count']} cores")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    print("  top confusions (true -> predicted):")
    for c in h["top_confusions"]:
        print(f"    {c['count']:>3}  {c['true']} -> {c['predicted']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")
    parser.add_argument("--quick", action="store_true", help="2 folds")
    args = parser.parse_args()
    folds = 2 if args.quick else args.folds
    os.chdir(ROOT)  # config.yml names the spaCy model by a relative path
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="nlu-bench-"))
    try:  # an empty Rasa cache per run, so training is really timed and .rasa/ is untouched
        cache = {"RASA_CACHE_DIRECTORY": str(tmp / "rasa-cache")}
        result = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "git_commit": git("rev-parse", "--short", "HEAD"),
            "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "rasa": version("rasa"),
            "seed": SEED,
            "held_out": held_out(tmp, cache),
            "cross_validation": cross_validation(tmp, folds, cache),
        }
        result["bench_seconds"] = round(time.monotonic() - started, 1)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print_table(result)
    print(f"\nwritten {RESULTS.relative_to(ROOT)} in {result['bench_seconds']:.0f} s")


if __name__ == "__main__":
    main()
