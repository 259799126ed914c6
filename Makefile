# Two commands do everything on a fresh machine with Python 3.11+: `make run` and `make test`.
HOST ?= 127.0.0.1
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Mails link to where the demo is served, unless UNDERSIGN_URL is set.
UNDERSIGN_URL ?= http://$(HOST):$(PORT)
export UNDERSIGN_URL
# `make run` keeps its data in the repository's ./data (the command's own default is the
# user's data folder, ~/.local/share/undersign).
UNDERSIGN_DATA ?= $(CURDIR)/data
export UNDERSIGN_DATA

.PHONY: run test check install dev lint format messages clean bench system-packages

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit("undersign needs Python 3.11 or newer (set PYTHON=...)" if sys.version_info < (3, 11) else 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

run: install
	$(BIN)/undersign migrate --noinput -v0
	$(BIN)/undersign demo
	$(BIN)/undersign run --host $(HOST) --port $(PORT)

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: lint
	$(BIN)/mypy undersign
	$(BIN)/undersign makemigrations --check --dry-run -v0

# The suite runs on SQLite and, side by side, on PostgreSQL with Redis when they answer
# (scripts/test-passes.sh; in CI they must answer: unreachable is a failure, never a skip).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/undersign
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

# What the tests need from Debian: Chromium for the browser tests, GNU gettext for the
# catalogues. Installed where missing (as root or with password-less sudo); otherwise this
# says what to install, and those tests skip (fail under CI=true).
system-packages:
	@scripts/system-packages.sh /usr/bin/chromium=chromium xgettext=gettext

test: check system-packages
	@if $(BIN)/python scripts/reachable.py "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"; then \
	  scripts/test-passes.sh $(BIN)/pytest "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)" $(PYTEST_ARGS); \
	elif [ "$$CI" = true ]; then \
	  echo "PostgreSQL or Redis not reachable in CI"; exit 1; \
	else \
	  echo "== PostgreSQL or Redis not reachable: the suite runs on SQLite only"; \
	  $(BIN)/pytest $(PYTEST_ARGS); \
	fi

# Load figures beside the ceiling of the same stack (not part of `make test`; a few minutes).
bench: dev
	@command -v wrk >/dev/null || { \
	  echo "installing wrk (Debian package) for the load"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get install -y -qq wrk >/dev/null || { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }; \
	}
	$(BIN)/python bench/bench.py

format: dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract new strings into the ru, uk and de catalogues (needs GNU gettext), then compile.
messages: dev
	cd undersign && ../$(BIN)/undersign makemessages -l ru -l uk -l de --no-obsolete --no-location
	cd undersign && ../$(BIN)/undersign compilemessages -v0

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
