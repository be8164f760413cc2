"""公告台 — the notice desk. `flask --app app run` or `make run`."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask


def _instance_secret(app: Flask) -> str:
    """A stable secret kept in instance/: status-page links are derived from it, so it must
    survive restarts (set SECRET_KEY in the environment to manage it yourself)."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    # JSON answers keep Chinese as UTF-8, readable in curl and logs (not \uXXXX escapes).
    app.json.ensure_ascii = False
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=os.environ.get("DATABASE_URL")
        or f"sqlite:///{Path(app.instance_path) / 'notices.db'}",
        # Form posts are a few KB; refuse anything larger before parsing it (Flask has no limit).
        MAX_CONTENT_LENGTH=256 * 1024,
        # Multipart forms only: Werkzeug 3.1 does not apply these to urlencoded posts, whose
        # fields notices/checks.py refuses by length before any per-character work.
        MAX_FORM_MEMORY_SIZE=64 * 1024,
        MAX_FORM_PARTS=200,
        SESSION_COOKIE_HTTPONLY=True,
        # Lax: the desk's cookies are not sent on cross-site POSTs (CSRF defence in depth).
        SESSION_COOKIE_SAMESITE="Lax",
        # Secure cookies need HTTPS; production sets SESSION_COOKIE_SECURE=1 (see README).
        SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        WTF_CSRF_TIME_LIMIT=3600,
        # Rate limits and login throttles must be shared by all gunicorn workers: Redis in
        # production (RATELIMIT_STORAGE_URI=redis://…); memory is per process.
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        RATELIMIT_HEADERS_ENABLED=True,
        # The site's public address, printed on proofs of publication (verification link).
        PUBLIC_BASE_URL=os.environ.get("PUBLIC_BASE_URL", ""),
    )
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _instance_secret(app)

    from views import errors, extensions
    extensions.init_app(app)
    errors.init_app(app)     # 503 page (not a 500) when the database cannot save: disk full, locked, down

    from views import api, submit
    app.register_blueprint(submit.bp)
    app.register_blueprint(api.bp)

    from views import desk
    desk.init_app(app)    # editor desk, login, public verification, proof of publication

    import cli
    cli.init_app(app)
    return app
