"""The bare reference bot: `rasa init --no-prompt`'s default assistant, trained with our environment.

`rasa init --no-prompt` writes the default project into a temporary folder and trains it. The model
and the training time are cached under the model cache, keyed by the Rasa version, so reruns are
quick (pass ``retrain=True`` to measure the training again).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from bot.config import get_settings

RASA = str(Path(sys.executable).with_name("rasa"))
# The default bot's own small talk, from its data/nlu.yml and stories.
SCRIPT = (
    "hello there",
    "I am sad",
    "yes",
    "are you a bot?",
    "good morning",
    "I am great",
    "goodbye",
)
FIRST_MESSAGE = "hello"


def cache_dir() -> Path:
    return get_settings().model_cache_dir.parent / "bench"


def ensure_model(retrain: bool = False, log=print) -> dict:
    """{"model": path, "train_seconds": s, "model_bytes": n, "cached": bool} for the bare bot."""
    target = cache_dir() / f"bare-rasa-{version('rasa')}.tar.gz"
    meta_file = target.with_suffix(".json")
    if target.exists() and meta_file.exists() and not retrain:
        return {**json.loads(meta_file.read_text()), "model": str(target), "cached": True}
    log("Training the bare reference bot (`rasa init --no-prompt`)...")
    tmp = Path(tempfile.mkdtemp(prefix="bare-bot-"))
    try:
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
               "RASA_CACHE_DIRECTORY": str(tmp / "rasa-cache")}
        (tmp / "bot").mkdir()
        started = time.monotonic()
        subprocess.run([RASA, "init", "--no-prompt", "--init-dir", str(tmp / "bot")], cwd=tmp, env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=3600)
        seconds = round(time.monotonic() - started, 1)
        model = next((tmp / "bot" / "models").glob("*.tar.gz"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(model, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    meta = {"train_seconds": seconds, "model_bytes": target.stat().st_size, "rasa": version("rasa"),
            "loadavg_after": [round(x, 2) for x in os.getloadavg()], "cpu_count": os.cpu_count(),
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "note": "wall-clock of `rasa init --no-prompt` (writing the project and training it)"}
    meta_file.write_text(json.dumps(meta, indent=2) + "\n")
    return {**meta, "model": str(target), "cached": False}
