"""NLU benchmark: how well the project's config.yml pipeline understands data/nlu.

config.yml and data/nlu are copied once at the start, so every step sees the same inputs.
1. Held-out: a stratified 80/20 split (seed 42); an NLU-only model is trained on the 80 %
   and `rasa test nlu` evaluates it on the 20 %: intent accuracy, macro and weighted
   precision/recall/F1 and the ten most frequent (true, predicted) intent confusions.
   Entities: `rasa test nlu` drops SpacyEntityExtractor's entities before evaluating
   (rasa.nlu.test.PRETRAINED_EXTRACTORS), so it never scores the knowledge-base EntityRuler.
   This script therefore parses the test split with the trained model itself and hands the
   unfiltered results to Rasa's own evaluate_entities (token level; "micro avg" and
   "weighted avg" as Rasa reports them): once per extractor, as Rasa does (each one is
   scored against every annotated entity type), and once for all extractors together
   ("all", what the bot sees). Neither extractor learns from the NLU examples (EntityRuler
   from the knowledge base, regexes from the data's regex entries), so they are also scored
   on all of data/nlu.
2. Cross-validation: `rasa test nlu --cross-validation --folds N`. Rasa writes the per-fold
   mean (std) only to its log ("test F1-score: 0.912 (0.010)"), parsed here; the report it
   pools over all test folds (intent_report.json) is read too. Rasa's folds are unseeded.
3. Cost and context: wall-clock seconds of `rasa train nlu` (empty Rasa cache), model size
   in bytes, date, git commit, a hash of the inputs, CPU count.
Prints a table and writes bench/results/nlu.json. Run from the project root:
    .venv/bin/python bench/nlu.py [--folds N | --quick]
"""
from __future__ import annotations

import argparse
import collections
import datetime
import hashlib
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
SPACY = "SpacyEntityExtractor"
ALL = "all"  # every extractor's entities together
SEED, TRAIN_FRACTION, MINUTE = 42, 0.8, 60
# LOG_LEVEL=INFO: the CV figures exist only as INFO log lines. Passed explicitly because
# Rasa's configure_logging_and_warnings (used in-process below) rewrites os.environ's LOG_LEVEL.
RASA_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false", "LOG_LEVEL": "INFO"}
os.environ.update(RASA_ENV)


def run(cmd: list, timeout: int, env: dict) -> str:
    """Run a command from the project root; return its combined output, stop on failure."""
    proc = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **RASA_ENV, **env}, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-4000:]}")
    return proc.stdout


def summary(report: dict, overall: str) -> dict:
    """Summary rows of a Rasa/sklearn report (overall: accuracy or micro avg), F1 per label."""
    rows = ("accuracy", "micro avg", "macro avg", "weighted avg")
    out = {"accuracy": report["accuracy"]} if overall == "accuracy" else {}
    for row in (overall, "macro avg", "weighted avg"):
        if row != "accuracy" and row in report:
            out[row.replace(" ", "_")] = {k.replace("-score", ""): report[row][k]
                                          for k in ("precision", "recall", "f1-score", "support")}
    if overall != "accuracy":  # entity types are few; intents are in the reports themselves
        out["labels"] = {k: {"f1": v["f1-score"], "support": v["support"]}
                         for k, v in sorted(report.items()) if k not in rows}
    return out


def top_confusions(errors_file: Path, n: int = 10) -> list:
    errors = json.loads(errors_file.read_text()) if errors_file.exists() else []
    pairs = collections.Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    return [{"true": t, "predicted": p, "count": c} for (t, p), c in pairs.most_common(n)]


def entity_evaluation(model: Path, data_files: dict, tmp: Path) -> dict:
    """{data name: {extractor or ALL: summary}} from Rasa's evaluate_entities, unfiltered."""
    import asyncio
    import logging
    from rasa.core.agent import Agent
    from rasa.core.channels import UserMessage
    from rasa.nlu import test as nlu_test
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    sys.path.insert(0, str(ROOT))  # the model names bot.nlu_guard.InputGuard, as `rasa` would
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    processor = Agent.load(str(model)).processor

    async def parse(examples):
        return [await processor.parse_message(UserMessage(text=e.get("text")),
                                              only_output_properties=False) for e in examples]

    evaluation = {}
    for name, data_file in data_files.items():
        examples = load_data(str(data_file)).nlu_examples
        results = [nlu_test.EntityEvaluationResult(e.get("entities", []), p.get("entities", []),
                                                   p.get("text_tokens", []), p.get("text"))
                   for e, p in zip(examples, asyncio.run(parse(examples)))]
        together = [r._replace(entity_predictions=[{**p, "extractor": ALL}
                                                   for p in r.entity_predictions])
                    for r in results]
        out = tmp / f"entities_{name}"
        out.mkdir(parents=True)
        for res in (together, results):
            nlu_test.evaluate_entities(res, nlu_test._get_active_entity_extractors(res),
                                       str(out), successes=False, errors=False,
                                       disable_plotting=True, report_as_dict=True)
        evaluation[name] = {p.name[:-len("_report.json")]: summary(json.loads(p.read_text()),
                                                                   "micro avg")
                            for p in sorted(out.glob("*_report.json"))}
    return evaluation


def held_out(inputs: Path, tmp: Path, cache: dict) -> dict:
    from rasa.shared.nlu.training_data.loading import load_data

    split = tmp / "split"
    run([RASA, "data", "split", "nlu", "--nlu", str(inputs / "nlu"), "--training-fraction",
         str(TRAIN_FRACTION), "--random-seed", str(SEED), "--out", str(split)], 5 * MINUTE, cache)
    train_file, test_file = split / "training_data.yml", split / "test_data.yml"
    started = time.monotonic()
    run([RASA, "train", "nlu", "--config", str(inputs / "config.yml"), "--nlu", str(train_file),
         "--out", str(tmp / "models")], 30 * MINUTE, cache)
    train_seconds = time.monotonic() - started
    model = next((tmp / "models").glob("*.tar.gz"))
    report_dir = tmp / "report"
    run([RASA, "test", "nlu", "--model", str(model), "--nlu", str(test_file), "--out",
         str(report_dir), "--no-plot"], 30 * MINUTE, cache)
    entities = entity_evaluation(model, {"test": test_file, "all": inputs / "nlu"}, tmp)
    test_data = load_data(str(test_file))
    return {
        "train_examples": len(load_data(str(train_file)).nlu_examples),
        "test_examples": len(test_data.nlu_examples),
        "intents": len(test_data.intents),
        "intent": summary(json.loads((report_dir / "intent_report.json").read_text()),
                          "accuracy"),
        "top_confusions": top_confusions(report_dir / "intent_errors.json"),
        "entity": entities["test"],
        "entity_all_data": entities["all"],
        "rasa_entity_reports": sorted(p.name for p in report_dir.glob("*Extractor_report.json")),
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
            section = m.group(1)
        elif m := re.search(r"\b(train|test) (Accuracy|F1-score|Precision): "
                            r"([\d.]+) \(([\d.]+)\)", line):
            key = m.group(2).lower().replace("-score", "")
            found.setdefault(section, {}).setdefault(m.group(1), {})[key] = {
                "mean": float(m.group(3)), "std": float(m.group(4))}
    return found


def cross_validation(inputs: Path, tmp: Path, folds: int, cache: dict) -> dict:
    out = tmp / "cv"
    log = run([RASA, "test", "nlu", "--cross-validation", "--folds", str(folds), "--config",
               str(inputs / "config.yml"), "--nlu", str(inputs / "nlu"), "--out", str(out),
               "--no-plot"], 90 * MINUTE, cache)
    found = parse_cv_log(log)
    if "intent" not in found:
        saved = RESULTS.with_name("cv-log.tmp")
        saved.write_text(log)
        sys.exit(f"cross-validation: no 'test F1-score: m (s)' lines in Rasa's log ({saved})")
    return {
        "folds": folds,
        "intent_test": found["intent"]["test"],
        "intent_train": found["intent"].get("train"),
        "entity_test": {k: v["test"] for k, v in found.items() if k.endswith("Extractor")},
        "entity_note": f"Rasa leaves {SPACY} out of its evaluation (pretrained extractor); "
                       "each other extractor is scored against every annotated entity type",
        "intent_pooled": summary(json.loads((out / "intent_report.json").read_text()),
                                 "accuracy"),
    }


def snapshot(tmp: Path) -> tuple:
    """Copy config.yml and data/nlu; return the copy and a SHA-256 over the copied files."""
    inputs = tmp / "inputs"
    shutil.copytree(ROOT / "data" / "nlu", inputs / "nlu")
    shutil.copy2(ROOT / "config.yml", inputs / "config.yml")
    digest = hashlib.sha256()
    for path in sorted(p for p in inputs.rglob("*") if p.is_file()):
        digest.update(path.relative_to(inputs).as_posix().encode() + b"\0" + path.read_bytes())
    return inputs, digest.hexdigest()[:16]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60).stdout.strip()


def print_table(r: dict) -> None:
    h, cv = r["held_out"], r["cross_validation"]
    pct = lambda x: f"{100 * x:.1f}"  # noqa: E731
    prf = lambda d: " / ".join(pct(d[k]) for k in ("precision", "recall", "f1"))  # noqa: E731
    pm = lambda d: f"{100 * d['mean']:.1f} ± {100 * d['std']:.1f}"  # noqa: E731
    rows = [("held-out intent accuracy", pct(h["intent"]["accuracy"])),
            ("held-out intent macro P / R / F1", prf(h["intent"]["macro_avg"])),
            ("held-out intent weighted P / R / F1", prf(h["intent"]["weighted_avg"]))]
    if ALL in h["entity"]:  # per-extractor figures are in the JSON
        every = h["entity_all_data"][ALL]
        rows += [("held-out entity micro P / R / F1", prf(h["entity"][ALL]["micro_avg"])),
                 ("all-data entity micro P / R / F1", prf(every["micro_avg"])),
                 ("all-data entity F1 per type",
                  ", ".join(f"{k} {pct(v['f1'])}" for k, v in every["labels"].items()))]
    k = f"CV ({cv['folds']} folds)"
    rows += [(f"{k} intent accuracy", pm(cv["intent_test"]["accuracy"])),
             (f"{k} intent weighted F1", pm(cv["intent_test"]["f1"])),
             (f"{k} intent weighted precision", pm(cv["intent_test"]["precision"]))]
    rows += [(f"{k} entity weighted F1 [{name}, all types]", pm(e["f1"]))
             for name, e in cv["entity_test"].items()]
    rows += [("training time (s)", f"{h['train_seconds']:.0f}"),
             ("model size (bytes)", f"{h['model_bytes']:,}")]
    width = max(len(k) for k, _ in rows)
    print(f"\nNLU benchmark  {r['date']}  commit {r['git_commit']}"
          f"{' (dirty)' if r['git_dirty'] else ''}  inputs {r['inputs_sha256']}"
          f"  {r['cpu_count']} cores")
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
        inputs, inputs_sha256 = snapshot(tmp)
        result = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "git_commit": git("rev-parse", "--short", "HEAD"),
            "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
            "inputs_sha256": inputs_sha256,
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "rasa": version("rasa"),
            "seed": SEED,
            "held_out": held_out(inputs, tmp, cache),
            "cross_validation": cross_validation(inputs, tmp, folds, cache),
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
