"""Dialogue benchmark: `rasa test core` on tests/conversations with the trained model.

Story (conversation-level) accuracy, action-level accuracy and the macro/weighted F1 of the
predicted actions from story_report.json; the names of failed stories. Writes
bench/results/dialogue.json. Run from the project root:
    .venv/bin/python bench/dialogue.py
"""
from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.ops.training import ensure_model  # noqa: E402

# Rasa's command line with the servers' speed-ups, so the figures are those of the dialogue as served.
RASA_CLI = [sys.executable, "-m", "bot.rasa_cli"]
RESULTS = ROOT / "bench" / "results" / "dialogue.json"


def parse_levels(log: str) -> dict:
    """Rasa logs 'Evaluation Results on CONVERSATION level:' then 'Correct: a / b' and 'Accuracy: x'."""
    log = re.sub(r"\x1b\[[0-9;]*m", "", log)
    found = {}
    for level in ("CONVERSATION", "ACTION"):
        m = re.search(rf"Evaluation Results on {level} level:.*?Correct:\s+(\d+) / (\d+).*?Accuracy:\s+([\d.]+)",
                      log, re.S)
        if m:
            found[level.lower()] = {"correct": int(m.group(1)), "total": int(m.group(2)),
                                    "accuracy": float(m.group(3))}
    return found


def main() -> None:
    os.chdir(ROOT)
    model = ensure_model(Settings(), log=print)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dialogue-bench-") as tmp:
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false", "LOG_LEVEL": "INFO"}
        proc = subprocess.run([*RASA_CLI, "test", "core", "--model", str(model), "--stories", "tests/conversations",
                               "--out", tmp, "--no-plot"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=1800)
        if proc.returncode != 0:
            sys.exit(f"rasa test core failed:\n{proc.stdout[-4000:]}")
        levels = parse_levels(proc.stdout)
        report_file = Path(tmp) / "story_report.json"
        report = json.loads(report_file.read_text()) if report_file.exists() else {}
        failed_file = Path(tmp) / "failed_test_stories.yml"
        failed = re.findall(r"^- story: (.+)$", failed_file.read_text(), re.M) if failed_file.exists() else []
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "model": model.name,
        "stories": "tests/conversations",
        **levels,
        "action_f1": {k.replace(" ", "_"): round(report[k]["f1-score"], 4)
                      for k in ("macro avg", "weighted avg") if k in report},
        "failed_stories": failed,
        "seconds": round(time.monotonic() - started, 1),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    for key in ("conversation", "action"):
        if key in result:
            r = result[key]
            print(f"  {key}-level accuracy: {r['correct']} / {r['total']} = {100 * r['accuracy']:.1f} %")
    print(f"  failed stories: {len(failed)}; written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
