"""Making the app in tests: the fixed clock, no CSRF or rate limits, a test secret; API headers."""
from __future__ import annotations

from app import create_app
from tests.conftest import NOW


def make_app(url: str, **config):
    # APP_ENV=development: the CLI then signs with the instance folder's audit key on PostgreSQL
    # too (cli.py refuses to without AUDIT_KEY otherwise, as on the paper's own database).
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret-key", "APP_ENV": "development",
                      "WTF_CSRF_ENABLED": False, "NOW": NOW, "RATELIMIT_ENABLED": False, **config})
    return app


def auth(key, idem=None) -> dict:
    """API request headers: the key, and an Idempotency-Key when given."""
    headers = {"Authorization": f"Bearer {key}"}
    if idem:
        headers["Idempotency-Key"] = idem
    return headers
