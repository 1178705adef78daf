#!/usr/bin/env bash
# Everything `make test` runs, fastest first; exits non-zero on the first failing stage.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
RASA=.venv/bin/rasa
model=$($PY -c 'from bot.config import get_settings; from bot.ops.training import training_inputs, inputs_hash, model_path; s = get_settings(); print(model_path(s, inputs_hash(training_inputs(s))))')

echo "== knowledge base"
$PY -m bot kb check

echo "== pytest: unit, integration, actions, web"
$PY -m pytest -q tests/unit tests/integration tests/actions tests/web

echo "== rasa data validate --fail-on-warnings"
$RASA data validate --fail-on-warnings --quiet

echo "== rasa test: conversations (tests/conversations), with the servers' Rasa speed-ups (bot/rasa_cli.py)"
rm -rf var/results/core
$PY -m bot.rasa_cli test core --model "$model" --stories tests/conversations --out var/results/core \
  --fail-on-prediction-errors --quiet
if [ -s var/results/core/failed_test_stories.yml ] && grep -q "story:" var/results/core/failed_test_stories.yml; then
  echo "Failed test stories:"; cat var/results/core/failed_test_stories.yml; exit 1
fi

echo "== pytest: end to end and security (real servers: REST webhook and socket.io, the chat page and staff console in chromium, make run)"
scripts/ensure_chromium.sh
$PY -m pytest -q tests/e2e tests/security
