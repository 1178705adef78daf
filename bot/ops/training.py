"""Trains the Rasa model only when its inputs changed, keeping trained models in a cache.

The key is a hash of everything training reads: config, domain, training data, the spaCy
pipeline's configuration (not its patterns: knowledge-base edits need no retraining), the
custom NLU component and the pinned versions of the libraries that do the training.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterable, List

from bot.config import PROJECT_ROOT, Settings

MODEL_PREFIX = "etown-"
# Pins in requirements.txt that change what training produces; other dependencies do not.
TRAINING_LIBRARIES = ("rasa", "rasa-sdk", "spacy", "tensorflow", "tensorflow-text", "numpy", "scikit-learn",
                      "scipy", "thinc")


def training_inputs(settings: Settings) -> List[Path]:
    root = PROJECT_ROOT
    files = [root / "config.yml", root / "domain.yml",
             root / "bot" / "nlu_guard.py", root / "bot" / "domain" / "input_check.py",
             settings.path(settings.spacy_dir) / "config.cfg"]
    files += sorted((root / "data").rglob("*.yml"))
    return files


def training_pins(requirements: Path) -> bytes:
    """The requirement lines of the libraries in TRAINING_LIBRARIES, sorted."""
    lines = [ln.strip() for ln in requirements.read_text().splitlines()]
    wanted = {name.lower() for name in TRAINING_LIBRARIES}
    return "\n".join(sorted(ln for ln in lines if ln.split("==")[0].lower() in wanted)).encode()


def inputs_hash(files: Iterable[Path]) -> str:
    digest = hashlib.sha256(training_pins(PROJECT_ROOT / "requirements.txt"))
    for path in files:
        label = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path.name
        digest.update(str(label).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def model_path(settings: Settings, key: str) -> Path:
    return settings.path(settings.models_dir) / f"{MODEL_PREFIX}{key[:16]}.tar.gz"


def ensure_model(settings: Settings, force: bool = False, log=print) -> Path:
    """The trained model for the current inputs: already in models/, from the cache, or trained now."""
    key = inputs_hash(training_inputs(settings))
    target = model_path(settings, key)
    cached = settings.model_cache_dir / target.name
    if target.exists() and not force:
        log(f"Model is up to date: {target.relative_to(PROJECT_ROOT)}")
        return target
    if cached.exists() and not force:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(cached, target)
        log(f"Model restored from the cache: {target.relative_to(PROJECT_ROOT)}")
        return target
    log("Training the Rasa model (inputs changed; this takes a few minutes)...")
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(Path(sys.executable).with_name("rasa")), "train", "--config", "config.yml", "--domain", "domain.yml",
         "--data", "data", "--out", str(target.parent), "--fixed-model-name", target.name[: -len(".tar.gz")]],
        cwd=PROJECT_ROOT, check=True,
    )
    try:
        settings.model_cache_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(target, cached)
    except OSError as exc:  # a cache that cannot be written only costs time next run
        log(f"Could not store the model in the cache ({exc}); continuing.")
    _drop_stale(target, log)
    return target


def _drop_stale(current: Path, log) -> None:
    for old in current.parent.glob(f"{MODEL_PREFIX}*.tar.gz"):
        if old != current:
            old.unlink()
            log(f"Removed the outdated model {old.name}")
