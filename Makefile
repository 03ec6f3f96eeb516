# Concierge — two commands for a newcomer: `make demo` and `make test`.
# Both bootstrap what they need (virtual environments, schema, demo data, NLU model) and
# skip whatever is already done, so the second run is fast.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV      := .venv
RASA_VENV := .venv-rasa
BIN       := $(VENV)/bin
CONCIERGE := $(BIN)/concierge
# The store tests run on SQLite and on this PostgreSQL database; an unreachable server fails
# the run (it is never skipped). Override: make test TEST_POSTGRES_URL=postgresql+psycopg://…
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
DEMO_CUSTOMERS ?= 2000
DEMO_SEED ?= 42
PYTEST_ARGS ?=

.PHONY: help setup demo test check lint format typecheck validate nlu-train nlu-eval clean

help:
	@echo "make demo   set everything up and open Concierge on the demo store"
	@echo "make test   set everything up and run every check and test"
	@echo "make check  lint, format check, types, playbook and NLU data validation"
	@echo "make nlu-train  train the NLU model if nlu/ or config.yml changed"
	@echo "make nlu-eval  evaluate the NLU model on the held-out split"

# --- environments ---------------------------------------------------------------------------

$(VENV)/.installed: pyproject.toml requirements/lock.txt
	@py=$$(scripts/find-python 3.11 3.12 3.13) && \
	  { [ -x $(BIN)/python ] || { echo "creating $(VENV) with $$py"; "$$py" -m venv $(VENV); }; }
	@echo "installing Concierge and its tools into $(VENV)"
	@$(BIN)/python -m pip install -q --disable-pip-version-check -c requirements/lock.txt -e '.[dev]'
	@touch $@

# Rasa Open Source 3.6 needs Python 3.10 and pins its own stack (TensorFlow 2.12,
# SQLAlchemy 1.4): it lives in its own environment, reached only over HTTP.
$(RASA_VENV)/.installed: requirements/rasa-constraints.txt
	@py=$$(scripts/find-python 3.10) && \
	  { [ -x $(RASA_VENV)/bin/python ] || { echo "creating $(RASA_VENV) with $$py"; "$$py" -m venv $(RASA_VENV); }; }
	@echo "installing Rasa 3.6.21 into $(RASA_VENV) (about 2 minutes the first time)"
	@$(RASA_VENV)/bin/python -m pip install -q --disable-pip-version-check 'pip==24.3.1'
	@$(RASA_VENV)/bin/python -m pip install -q --disable-pip-version-check -c requirements/rasa-constraints.txt rasa==3.6.21
	@touch $@

setup: $(VENV)/.installed $(RASA_VENV)/.installed

# --- the two commands -------------------------------------------------------------------------

# Ends in the terminal chat on the demo store; end of input (Ctrl-D, or a piped script)
# leaves it cleanly, so `printf 'hello\n' | make demo` works as a smoke test.
demo: setup
	@$(CONCIERGE) db upgrade
	@$(CONCIERGE) demo-data --customers $(DEMO_CUSTOMERS) --seed $(DEMO_SEED) --if-missing
	@$(CONCIERGE) nlu train
	@$(CONCIERGE) chat

test: setup chromium
	@$(CONCIERGE) db ping --url '$(TEST_POSTGRES_URL)' >/dev/null || \
	  { echo "error: make test needs PostgreSQL at $(TEST_POSTGRES_URL) (set TEST_POSTGRES_URL)"; exit 1; }
	@$(MAKE) --no-print-directory check
	$(BIN)/pytest -q --postgres-url '$(TEST_POSTGRES_URL)' $(PYTEST_ARGS)

# --- a real browser for the HTML report ---------------------------------------------------------

# Debian's headless Chromium: the test that opens the trainers' HTML report in a browser
# needs it. Installed once (as root, with apt-get) and skipped when already there.
CHROMIUM ?= /usr/bin/chromium
.PHONY: chromium

chromium: $(CHROMIUM)

$(CHROMIUM):
	@echo "installing Debian's chromium (headless, for the HTML report's browser test)"
	@[ "$$(id -u)" = 0 ] || { echo "error: installing chromium needs root (apt-get): run" \
	  "'sudo apt-get install -y --no-install-recommends chromium', or set CHROMIUM=/path" >&2; exit 1; }
	@command -v apt-get >/dev/null || { echo "error: no apt-get here: install Chromium" \
	  "yourself and set CHROMIUM=/path/to/chromium" >&2; exit 1; }
	@apt-get update -qq || { echo "error: 'apt-get update' failed: the package sources" \
	  "cannot be reached, so chromium cannot be installed" >&2; exit 1; }
	@DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
	  || { echo "error: 'apt-get install chromium' failed (see the lines above)" >&2; exit 1; }
	@[ -x $(CHROMIUM) ] || { echo "error: chromium was installed but $(CHROMIUM) is" \
	  "missing" >&2; exit 1; }

# --- checks -----------------------------------------------------------------------------------

check: lint typecheck validate

# The playbook and the NLU training data are checked like code.
validate: setup
	$(CONCIERGE) playbook validate
	$(CONCIERGE) nlu validate

nlu-train: setup
	$(CONCIERGE) nlu train

# Intent accuracy, macro-F1 and per-entity F1 on the held-out split (report under var/nlu-eval/).
nlu-eval: setup
	$(CONCIERGE) nlu eval

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(VENV)/.installed
	$(BIN)/mypy bot actions knowledge

clean:
	rm -rf var/concierge.sqlite* .mypy_cache .ruff_cache .pytest_cache
