"""Training benchmark: wall-clock time of a full `rasa train` of our assistant, and the model's size.

Trains into a temporary folder with an empty Rasa cache (nothing reused), so the figure is the
cost of a retrain after a change to config.yml, domain.yml or data/. Writes bench/results/training.json.
    .venv/bin/python bench/training.py
"""
from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import get_settings  # noqa: E402
from bot.ops.setup import build_spacy  # noqa: E402

RASA = str(Path(sys.executable).with_name("rasa"))
RESULTS = ROOT / "bench" / "results" / "training.json"


def main() -> None:
    os.chdir(ROOT)
    build_spacy(get_settings())  # config.yml names the saved spaCy pipeline
    with tempfile.TemporaryDirectory(prefix="training-bench-") as tmp:
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "RASA_TELEMETRY_ENABLED": "false",
               "RASA_CACHE_DIRECTORY": str(Path(tmp) / "rasa-cache")}
        load_before = [round(x, 2) for x in os.getloadavg()]
        started = time.monotonic()
        subprocess.run([RASA, "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
                        "--out", str(Path(tmp) / "models"), "--fixed-model-name", "bench"], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=3600)
        seconds = round(time.monotonic() - started, 1)
        size = (Path(tmp) / "models" / "bench.tar.gz").stat().st_size
    result = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "rasa": version("rasa"),
        "train_seconds": seconds,
        "model_bytes": size,
        "cpu_count": os.cpu_count(),
        "loadavg_before": load_before,
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"  full rasa train: {seconds:.0f} s, model {size:,} bytes; written {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
