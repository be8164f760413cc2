# The two commands of the README: `make run` and `make test`. Both install what is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
DEBIAN_PACKAGES := fonts-noto-cjk fontconfig libharfbuzz-subset0 poppler-utils libgs10-common chromium chromium-driver nginx openssl redis-server postgresql-client
export FLASK_APP := app

.PHONY: run test check system-deps venv bench serve

system-deps:
	@scripts/install-system-deps.sh $(DEBIAN_PACKAGES)

$(BIN)/.installed: requirements.txt requirements-dev.txt requirements-bench.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt -r requirements-dev.txt -r requirements-bench.txt
	@touch $@

venv: $(BIN)/.installed

run: system-deps venv
	$(BIN)/flask --app app upgrade-db
	$(BIN)/flask --app app load-demo
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

test: system-deps venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Dependency audit: pip-audit against the pinned versions when its service answers, and always the
# offline gate (every pin installed as pinned, WeasyPrint >= 70). The offline gate also runs in `make test`.
check: venv
	scripts/check-dependencies.sh

bench: system-deps venv
	$(BIN)/python benchmarks/bench_typesetting.py

# Production on one machine: gunicorn + PostgreSQL + Redis (see README, "Production").
serve: system-deps venv
	scripts/serve-production.sh
