# The two commands: `make run` starts the assistant, `make test` passes the tests.
# Both bootstrap what they need (virtual environment, database, spaCy pipeline, trained model).
SHELL := /bin/bash
PY := .venv/bin/python
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: venv setup run shell train test test-unit test-rasa test-e2e validate bench lock clean

venv:
	@scripts/bootstrap.sh

setup: venv
	@$(PY) -m bot setup

run: venv
	@$(PY) -m bot run

shell: venv
	@$(PY) -m bot shell

train: venv
	@$(PY) -m bot train

validate: setup
	$(PY) -m bot kb check
	.venv/bin/rasa data validate --fail-on-warnings

test: setup
	@scripts/test.sh

# Figures, not tests (see bench/README.md): NLU quality, dialogue accuracy, training time, latency and
# throughput against the bare `rasa init` bot, workers, the sentence encoder. `make bench QUICK=1`: fewer folds, shorter loops.
bench: setup
	$(PY) bench/nlu.py $(if $(QUICK),--quick)
	$(PY) bench/dialogue.py
	$(if $(QUICK),,$(PY) bench/training.py)
	$(PY) bench/latency.py --workers $(if $(QUICK),--quick)
	$(PY) bench/encoder.py --tensorflow
	$(PY) bench/table.py

# Re-resolve every dependency together with rasa and re-pin requirements.txt.
lock:
	rm -rf /tmp/etown-lock-venv && python3.10 -m venv /tmp/etown-lock-venv
	/tmp/etown-lock-venv/bin/pip install -q "pip<24.1" && /tmp/etown-lock-venv/bin/pip install -q -r requirements.in
	/tmp/etown-lock-venv/bin/pip check
	/tmp/etown-lock-venv/bin/pip freeze --all | grep -v -e '^pip==' -e '^wheel==' > requirements.txt

clean:
	rm -rf var models .rasa results .pytest_cache
