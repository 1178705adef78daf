"""Installs the chat page's widget (rasa-webchat, npm) from the committed package-lock.json.

`npm ci` runs when node_modules/ is missing or was installed from another lock file (a stamp in
node_modules/ records the lock's hash). Install scripts are not run: the widget ships built.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from bot.config import PROJECT_ROOT

LOCK = PROJECT_ROOT / "package-lock.json"
MODULES = PROJECT_ROOT / "node_modules"
STAMP = MODULES / ".etown-lock.sha256"
WIDGET = MODULES / "rasa-webchat" / "lib" / "index.js"


class WidgetInstallFailed(Exception):
    """npm is missing or `npm ci` failed; the message says what to do."""


def lock_hash(lock: Path = LOCK) -> str:
    return hashlib.sha256(lock.read_bytes()).hexdigest()


def is_current(lock: Path = LOCK, stamp: Path = STAMP, widget: Path = WIDGET) -> bool:
    return widget.is_file() and stamp.is_file() and stamp.read_text().strip() == lock_hash(lock)


def ensure_widget(log=print) -> bool:
    """Run `npm ci` if node_modules/ does not match package-lock.json; True if it ran."""
    if is_current():
        return False
    npm = shutil.which("npm")
    if npm is None:
        raise WidgetInstallFailed("npm was not found. The chat page's widget (rasa-webchat) is installed with npm: "
                                  "install Node.js 18 or newer with npm (for example `apt-get install nodejs npm`), "
                                  "then run the command again.")
    log("Installing the chat widget (npm ci, from package-lock.json)...")
    result = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                            cwd=PROJECT_ROOT, capture_output=True, text=True)
    if result.returncode != 0 or not WIDGET.is_file():
        tail = "\n".join((result.stderr or result.stdout or "").strip().splitlines()[-8:])
        raise WidgetInstallFailed(f"`npm ci` failed (exit code {result.returncode}); the chat page needs it.\n{tail}")
    STAMP.write_text(lock_hash() + "\n")
    return True
