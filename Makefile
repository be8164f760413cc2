# The two commands of the README: `make run` and `make test`. Both install what is missing.
# `make test-fast` while working (no browser, load or fault tests); `make check` lints and type-checks.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
DEBIAN_PACKAGES := fonts-noto-cjk fontconfig libharfbuzz-subset0 poppler-utils libgs10-common chromium chromium-driver nginx openssl redis-server postgresql-client
export FLASK_APP := app

.PHONY: run test test-fast check lint lock system-deps venv bench serve

system-deps:
	@scripts/install-system-deps.sh $(DEBIAN_PACKAGES)

# requirements*.txt are lock files: every package pinned, compiled from requirements*.in (`make lock`).
LOCKS := requirements.txt requirements-dev.txt requirements-bench.txt

$(BIN)/.installed: $(LOCKS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check $(addprefix -r ,$(LOCKS))
	@touch $@

venv: $(BIN)/.installed

# With MAIL_SERVER set (README, "Mail") the outbox's sender runs beside the server and stops with it.
run: system-deps venv
	$(BIN)/flask --app app upgrade-db
	$(BIN)/flask --app app load-demo
	@if [ -n "$$MAIL_SERVER" ]; then $(BIN)/flask --app app send-mail & sender=$$!; \
	  trap 'kill $$sender 2>/dev/null' EXIT; fi; \
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

test: system-deps venv check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything but the browser journeys (Chromium), the load test (gunicorn under load) and the
# fault tests (processes killed, a disk filled): the markers are declared in pytest.ini. Spread
# over every core by pytest-xdist: each worker has its own databases (a SQLite copy per test, a
# PostgreSQL schema per worker) and its own render workers. `make test` stays in one process,
# the order CI has always run.
test-fast: venv
	$(BIN)/python -m pytest -n auto -m "not browser and not load and not fault" $(PYTEST_ARGS)

# ruff (lint, import order) and mypy (strict on notices/ and typesetting/), both configured in pyproject.toml.
lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy

# Lint and type check, then the dependency audit: pip-audit against the pinned versions when its
# service answers, and always the offline gate (every pin installed as pinned, nothing installed
# that is not pinned, WeasyPrint >= 70).
check: lint
	scripts/check-dependencies.sh --all-installed $(addprefix --requirements ,$(LOCKS))

# After editing a requirements*.in: compile the lock files again. Pins already in a lock are
# kept where they still fit; `make lock PIP_COMPILE_ARGS=--upgrade` moves everything to the newest.
PIP_COMPILE = $(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
	--no-emit-trusted-host $(PIP_COMPILE_ARGS)
lock: venv
	$(PIP_COMPILE) requirements.in -o requirements.txt
	$(PIP_COMPILE) requirements-dev.in -o requirements-dev.txt
	$(PIP_COMPILE) requirements-bench.in -o requirements-bench.txt

bench: system-deps venv
	$(BIN)/python benchmarks/bench_typesetting.py

# Production on one machine: gunicorn + PostgreSQL + Redis (see README, "Production").
serve: system-deps venv
	scripts/serve-production.sh
