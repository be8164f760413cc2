"""Production mode (APP_ENV=production): create_app refuses to start without what production needs,
and then sends the headers HTTPS needs; the trusted proxies (TRUSTED_PROXY_HOPS); caching of pages
and static files. tests/browser/test_https_journey.py runs the same settings behind nginx."""
from __future__ import annotations

import re
import shutil

import pytest
from flask import request, url_for

from app import ConfigurationError, create_app
from tests.support.apps import make_app

PUBLIC = "https://gonggao.example.test"
# Each value production requires, set as an operator would (the environment).
PRODUCTION_ENV = {
    "APP_ENV": "production",
    "SECRET_KEY": "0123456789abcdef" * 4,
    "AUDIT_KEY": "fedcba9876543210" * 4,
    "PUBLIC_BASE_URL": PUBLIC,
    "TRUSTED_HOSTS": "gonggao.example.test, www.gonggao.example.test",
    "RATELIMIT_STORAGE_URI": "redis://:redis-password@127.0.0.1:6379/0",
    "TRUSTED_PROXY_HOPS": "1",
}
DEPLOYMENT_VARIABLES = [*PRODUCTION_ENV, "DATABASE_URL", "FORWARDED_ALLOW_IPS"]


@pytest.fixture
def database(tmp_path, sqlite_template) -> str:
    path = tmp_path / "notices.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def environment(monkeypatch, database):
    """set(**overrides) puts the production environment in place; None removes a variable."""
    for name in DEPLOYMENT_VARIABLES + ["SESSION_COOKIE_SECURE"]:
        monkeypatch.delenv(name, raising=False)

    def set_env(**overrides):
        for name, value in {**PRODUCTION_ENV, "DATABASE_URL": database, **overrides}.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
    return set_env


def refusal() -> str:
    with pytest.raises(ConfigurationError) as caught:
        create_app()
    return str(caught.value)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "AUDIT_KEY", "PUBLIC_BASE_URL", "TRUSTED_HOSTS", "DATABASE_URL",
                                     "RATELIMIT_STORAGE_URI", "TRUSTED_PROXY_HOPS"])
def test_production_refuses_to_start_without_each_setting(environment, missing):
    environment(**{missing: None})
    message = refusal()
    assert "APP_ENV=production" in message and "README" in message
    # The message names the variable, and says what to set, with an example.
    named = [line for line in message.splitlines() if line.startswith("- ")]
    assert len(named) == 1 and missing in named[0] and "例如" in named[0], message


@pytest.mark.parametrize("name, value, expected", [
    ("PUBLIC_BASE_URL", "http://gonggao.example.test", "https://"),
    ("PUBLIC_BASE_URL", "https://gonggao.example.test/desk", "只有主机名"),
    ("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0", "带密码"),
    ("RATELIMIT_STORAGE_URI", "redis://gonggao@127.0.0.1:6379/0", "带密码"),
    ("RATELIMIT_STORAGE_URI", "memory://", "带密码"),
    ("SECRET_KEY", "dev", "太短"),
    ("AUDIT_KEY", PRODUCTION_ENV["SECRET_KEY"], "SECRET_KEY"),
    ("TRUSTED_HOSTS", "localhost", "gonggao.example.test"),
    ("TRUSTED_PROXY_HOPS", "yes", "整数"),
    ("APP_ENV", "prod", "production"),
])
def test_production_refuses_unsafe_values(environment, name, value, expected):
    environment(**{name: value})
    message = refusal()
    assert name in message and expected in message, message


def test_a_refusal_never_repeats_a_password(environment):
    environment(RATELIMIT_STORAGE_URI="mongodb://admin:s3cret-pw@127.0.0.1/limits")
    assert "s3cret-pw" not in refusal()


def test_development_needs_none_of_it(environment, database):
    environment(**{name: None for name in PRODUCTION_ENV})
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is False and app.config["TRUSTED_HOSTS"] is None
    response = app.test_client().get("/")
    assert response.status_code == 200 and "Strict-Transport-Security" not in response.headers
    app.extensions["notice_db"].dispose()


@pytest.fixture
def production_app(environment):
    environment()
    app = create_app()
    yield app
    app.extensions["notice_db"].dispose()


@pytest.fixture
def https_client(production_app):
    """A browser at https://gonggao.example.test, as nginx passes it on (one trusted hop)."""
    return Https(production_app.test_client(), environ_base={
        "REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.7", "HTTP_X_FORWARDED_PROTO": "https"})


class Https:
    """A test client whose requests go to https://gonggao.example.test (Flask's client takes the
    address per request)."""

    def __init__(self, client, **defaults):
        self.client, self.defaults = client, defaults

    def get(self, path, **kwargs):
        return self.client.get(path, **{"base_url": PUBLIC, **self.defaults, **kwargs})

    def post(self, path, **kwargs):
        return self.client.post(path, **{"base_url": PUBLIC, **self.defaults, **kwargs})


def test_production_sends_hsts_on_every_response(https_client):
    for path in ("/", "/desk/login", "/no-such-page", "/api/v1/notice-types", "/static/css/site.css"):
        response = https_client.get(path)
        assert response.headers.get("Strict-Transport-Security") == "max-age=31536000; includeSubDomains", path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        response.close()


def test_production_session_cookie_is_secure_and_host_only(https_client):
    response = https_client.get("/desk/login")        # the CSRF token goes into the session
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-session="))
    attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
    assert {"secure", "httponly", "path"} <= attributes and "domain" not in attributes, cookie
    assert "Path=/;" in cookie or cookie.endswith("Path=/"), cookie


def test_production_refuses_hosts_not_listed(https_client):
    refused = https_client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "主机名" in refused.get_data(as_text=True)
    assert refused.headers["Cache-Control"] == "no-store"
    assert https_client.get("/api/v1/notice-types", headers={"Host": "evil.example"}).status_code == 400
    assert https_client.get("/", headers={"Host": "www.gonggao.example.test"}).status_code == 200


# -- trusted proxies -----------------------------------------------------------------------------

def whoami(app):
    """A route that reports what the app believes about the client."""
    from flask_limiter.util import get_remote_address

    def view():
        return {"remote_addr": request.remote_addr, "limit_key": get_remote_address(),
                "scheme": request.scheme, "external": url_for("submit.index", _external=True)}
    app.add_url_rule("/_whoami", "whoami", view)
    return app.test_client()


def test_without_trusted_hops_a_spoofed_forwarded_for_changes_nothing(sqlite_app):
    assert sqlite_app.config["TRUSTED_PROXY_HOPS"] == ""
    client = whoami(sqlite_app)
    answer = client.get("/_whoami", environ_base={"REMOTE_ADDR": "203.0.113.5"},
                        headers={"X-Forwarded-For": "10.9.8.7", "X-Forwarded-Proto": "https"}).get_json()
    assert answer["remote_addr"] == answer["limit_key"] == "203.0.113.5"
    assert answer["scheme"] == "http"


def test_one_trusted_hop_takes_the_address_nginx_appended(database):
    app = make_app(database, TRUSTED_PROXY_HOPS="1")
    client = whoami(app)
    # The client wrote 10.9.8.7 itself; nginx appended the address it saw (198.51.100.7).
    answer = client.get("/_whoami", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                        headers={"X-Forwarded-For": "10.9.8.7, 198.51.100.7",
                                 "X-Forwarded-Proto": "https"}).get_json()
    assert answer["remote_addr"] == answer["limit_key"] == "198.51.100.7"
    assert answer["scheme"] == "https" and answer["external"].startswith("https://")
    app.extensions["notice_db"].dispose()


def test_production_behind_nginx_sees_the_client_and_https(production_app):
    client = whoami(production_app)
    answer = client.get("/_whoami", base_url=PUBLIC, environ_base={"REMOTE_ADDR": "127.0.0.1"},
                        headers={"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}).get_json()
    assert answer == {"remote_addr": "198.51.100.7", "limit_key": "198.51.100.7", "scheme": "https",
                      "external": PUBLIC + "/"}


# -- forms over HTTPS ----------------------------------------------------------------------------

def test_forms_over_https_keep_the_strict_referer_check(database):
    """Flask-WTF refuses an HTTPS form post without a same-origin Referer (WTF_CSRF_SSL_STRICT):
    kept on, which is why the pages must let the browser send a Referer to our own site
    (Referrer-Policy: same-origin; with no-referrer Chromium sent none and every form failed)."""
    app = make_app(database, WTF_CSRF_ENABLED=True)
    client = Https(app.test_client())
    page = client.get("/desk/login")
    assert page.headers["Referrer-Policy"] == "same-origin"
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    form = {"csrf_token": token, "username": "nobody", "password": "wrong-password"}
    refused = client.post("/desk/login", data=form)
    assert refused.status_code == 400 and "页面已过期" in refused.get_data(as_text=True)
    foreign = client.post("/desk/login", data=form, headers={"Referer": "https://evil.example/desk/login"})
    assert foreign.status_code == 400
    accepted = client.post("/desk/login", data=form, headers={"Referer": "https://gonggao.example.test/desk/login"})
    assert accepted.status_code != 400 and "页面已过期" not in accepted.get_data(as_text=True)
    app.extensions["notice_db"].dispose()


# -- caching ---------------------------------------------------------------------------------------

def test_dynamic_answers_are_not_stored_unless_the_view_says_otherwise(sqlite_app):
    def own():
        return "ok", 200, {"Cache-Control": "public, max-age=60"}
    sqlite_app.add_url_rule("/_own_caching", "own_caching", own)
    client = sqlite_app.test_client()
    for path in ("/", "/desk/login", "/desk/", "/api/v1/notice-types", "/status", "/no-such-page"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    assert client.get("/_own_caching").headers["Cache-Control"] == "public, max-age=60"


def test_static_addresses_carry_the_content_hash_and_are_cached_a_year(sqlite_app):
    client = sqlite_app.test_client()
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.css\?v=([0-9a-f]{12}))"', page)
    assert css, "base.html links site.css without a version"
    with client.get(css.group(1)) as versioned:
        assert versioned.status_code == 200
        assert versioned.cache_control.max_age == 365 * 24 * 3600 and versioned.cache_control.public
        assert "no-cache" not in versioned.headers["Cache-Control"]
    # Without the version, or with another file's: revalidated every time, never kept blindly.
    for stale in ("/static/css/site.css", "/static/css/site.css?v=000000000000"):
        with client.get(stale) as response:
            assert response.headers["Cache-Control"] == "no-cache", stale


def test_the_static_version_follows_the_file(sqlite_app, tmp_path):
    (tmp_path / "a.css").write_text("body{}")
    sqlite_app.static_folder = str(tmp_path)
    with sqlite_app.test_request_context():
        first = url_for("static", filename="a.css")
        (tmp_path / "a.css").write_text("body{color:red}")
        second = url_for("static", filename="a.css")
        missing = url_for("static", filename="nothing.css")
    assert first != second and first.startswith("/static/a.css?v=")
    assert missing == "/static/nothing.css"
