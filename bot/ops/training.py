"""Trains the Rasa model only when its inputs changed, keeping trained models in a cache.

The key is a hash of everything training reads: config, domain, training data, the spaCy
pipeline's configuration (not its patterns: knowledge-base edits need no retraining), the
custom NLU component and the pinned requirements.
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


def training_inputs(settings: Settings) -> List[Path]:
    root = PROJECT_ROOT
    files = [root / "config.yml", root / "domain.yml", root / "requirements.txt",
             root / "bot" / "nlu_guard.py", root / "bot" / "domain" / "input_check.py",
             settings.path(settings.spacy_dir) / "config.cfg"]
    files += sorted((root / "data").rglob("*.yml"))
    return files


def inputs_hash(files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
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
