#!/usr/bin/env bash
# The production setup on one machine: gunicorn (threaded workers) behind the TLS front
# (deploy/nginx.conf), PostgreSQL and Redis. Nothing is guessed: every setting comes from the
# environment (README, "Production"), and the app refuses to start without one it needs
# (APP_ENV=production, app.py).
#   DATABASE_URL            the app's own role, rows only (README: least-privilege roles)
#   MIGRATION_DATABASE_URL  the owner role that runs the migrations (default: DATABASE_URL)
#   RATELIMIT_STORAGE_URI   Redis with a password, e.g. redis://:PASSWORD@127.0.0.1:6379/0
#   SECRET_KEY AUDIT_KEY PUBLIC_BASE_URL TRUSTED_HOSTS TRUSTED_PROXY_HOPS   see README
#   MAIL_SERVER MAIL_PORT MAIL_USE_TLS MAIL_USE_SSL MAIL_USERNAME MAIL_PASSWORD MAIL_DEFAULT_SENDER
#                           optional: with MAIL_SERVER, `flask send-mail` runs beside gunicorn
#                           (`flask send-webhooks` always does)
#   ENV_FILE                optional: a file of NAME=value lines setting the above, the same file
#                           the operator sources before any `flask` command (README, "Production")
#   BIND WEB_WORKERS        the public's gunicorn (deploy/gunicorn.conf.py; 127.0.0.1:8000)
#   DESK_BIND DESK_WORKERS  the editors' gunicorn, to which nginx sends /desk/ (deploy/nginx.conf):
#                           default 127.0.0.1:8001 and 2 workers; DESK_BIND= (empty) for none
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "serve-production: $*" >&2; exit 2; }
if [ -n "${ENV_FILE:-}" ]; then
  [ -r "$ENV_FILE" ] || fail "读不到 ENV_FILE=$ENV_FILE，例如：ENV_FILE=/etc/gonggao/env（每行 NAME=value）"
  # It holds the keys and passwords: nobody but its owner and group may read it.
  [ -z "$(find "$ENV_FILE" -perm /o=rwx)" ] || fail "ENV_FILE $ENV_FILE 其他用户也能读写（里面有密钥和密码），例如：chmod 600 $ENV_FILE"
  set -a
  # shellcheck source=/dev/null
  . "$ENV_FILE"
  set +a
fi
[ -n "${DATABASE_URL:-}" ] || fail "请设置 DATABASE_URL（应用自己的 PostgreSQL 账号），例如：DATABASE_URL=postgresql+psycopg://gonggao_app:密码@127.0.0.1:5432/gonggao"
case "${RATELIMIT_STORAGE_URI:-}" in
  redis://*:?*@* | rediss://*:?*@*) ;;
  *) fail "请设置带密码的 RATELIMIT_STORAGE_URI，例如：RATELIMIT_STORAGE_URI=redis://:密码@127.0.0.1:6379/0" ;;
esac

export APP_ENV=production
# The owner role migrates; the app's role may only read and write rows (README).
DATABASE_URL="${MIGRATION_DATABASE_URL:-$DATABASE_URL}" .venv/bin/flask --app app upgrade-db
if [ -n "${MIGRATION_DATABASE_URL:-}" ] && [ "$MIGRATION_DATABASE_URL" != "$DATABASE_URL" ]; then
  # The migrations may have added tables: grant the app's role their rows again, and keep the
  # audit log append-only for it (deploy/postgres-grants.sql). psql gets the owner's password
  # through PGPASSWORD, never on its command line (which every local user can read).
  eval "$(.venv/bin/python - <<'PY'
import os
import shlex

from sqlalchemy.engine import make_url

owner = make_url(os.environ["MIGRATION_DATABASE_URL"])
app_role = make_url(os.environ["DATABASE_URL"]).username or ""
print("grants_url=" + shlex.quote(owner.set(drivername="postgresql", password=None)
                                  .render_as_string(hide_password=False)))
print("grants_password=" + shlex.quote(owner.password or ""))
print("app_role=" + shlex.quote(app_role))
PY
)"
  [ -n "$app_role" ] || fail "DATABASE_URL 应写明应用的账号，例如：postgresql+psycopg://gonggao_app:密码@127.0.0.1:5432/gonggao"
  PGPASSWORD="$grants_password" psql -X -q -v ON_ERROR_STOP=1 -v app="$app_role" -d "$grants_url" \
    -f deploy/postgres-grants.sql
  unset grants_password
fi
# Beside gunicorn, the outboxes' senders: agencies' status webhooks (README, "JSON API v1") always,
# progress mails (README, "Mail") when MAIL_SERVER is set. TERM or INT stops them all; if one
# ends, the others are stopped and the script exits with its status, so that the service manager
# restarts them together (mails and webhooks wait in their outboxes meanwhile, none is lost).
pids=()
.venv/bin/flask --app app send-webhooks &
pids+=("$!")
if [ -n "${MAIL_SERVER:-}" ]; then
  .venv/bin/flask --app app send-mail &
  pids+=("$!")
fi
.venv/bin/gunicorn -c deploy/gunicorn.conf.py "app:create_app()" &
pids+=("$!")
# The desk's own gunicorn: the same app, another port (deploy/nginx.conf says why).
desk_bind="${DESK_BIND-127.0.0.1:8001}"
if [ -n "$desk_bind" ]; then
  # Two workers: with one, an editor's request now and then waited 2 s before it was taken
  # (bench_load.py's desk client, after viewing the issue page; not explained, not seen with two).
  BIND="$desk_bind" WEB_WORKERS="${DESK_WORKERS:-2}" .venv/bin/gunicorn -c deploy/gunicorn.conf.py "app:create_app()" &
  pids+=("$!")
fi
trap 'kill -TERM "${pids[@]}" 2>/dev/null' TERM INT
status=0
wait -n "${pids[@]}" || status=$?
kill -TERM "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true
exit "$status"
