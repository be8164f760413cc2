#!/usr/bin/env bash
# The production setup on one machine: gunicorn (threaded workers) + PostgreSQL + Redis.
# Defaults suit this machine's local services; override with the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
export RATELIMIT_STORAGE_URI="${RATELIMIT_STORAGE_URI:-redis://127.0.0.1:6379/0}"
export SESSION_COOKIE_SECURE="${SESSION_COOKIE_SECURE:-0}"   # 1 behind HTTPS (it should be)
.venv/bin/flask --app app upgrade-db
exec .venv/bin/gunicorn -c deploy/gunicorn.conf.py "app:create_app()"
