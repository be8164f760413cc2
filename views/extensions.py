"""Flask services wired by init_app: database, CSRF, rate limits, templates (error pages: views/errors.py)."""
from __future__ import annotations

import functools
import hashlib
import os
import stat

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup, escape
from werkzeug.security import safe_join

from notices.money import format_yuan
from store.db import Database
from store.settings import Publisher, PublisherCache

csrf = CSRFProtect()
# Keyed by client address; storage shared across workers via RATELIMIT_STORAGE_URI (Redis).
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def get_db() -> Database:
    return current_app.extensions["notice_db"]


def read_session():
    """A read session for this request, closed at teardown."""
    if "db_session" not in g:
        g.db_session = get_db().session()
    return g.db_session


ACTOR_KINDS = {"editor": "编辑", "api": "代理（API）"}
ACTOR_NAMES = {"advertiser": "客户", "anonymous": "匿名", "cli": "命令行", "system": "系统"}


def actor_label(actor: str | None) -> str:
    actor = actor or ""
    kind, _, name = actor.partition(":")
    if name and kind in ACTOR_KINDS:
        return f"{ACTOR_KINDS[kind]} {name}"
    return ACTOR_NAMES.get(actor, actor)


def public_publisher() -> Publisher:
    """The publisher's settings for the advertisers' pages and the API (cached: PublisherCache)."""
    return current_app.extensions["publisher_cache"].get(read_session())


STATIC_MAX_AGE = 365 * 24 * 3600


@functools.lru_cache(maxsize=512)
def _file_version(path: str, mtime_ns: int, size: int) -> str:
    # Keyed by mtime and size too, so an edited file gets its new hash without a restart.
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()[:12]


def static_version(app: Flask, filename: str) -> str | None:
    """The content hash of a file under static/ (None when there is no such file)."""
    path = safe_join(app.static_folder, filename) if app.static_folder else None
    if path is None:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return _file_version(path, info.st_mtime_ns, info.st_size)


def _static_caching(app: Flask, response) -> None:
    """A versioned static address whose version is the file's current one is kept a year (it can
    never change); any other static request keeps Flask's no-cache (revalidated by ETag)."""
    version = request.args.get("v")
    if response.status_code not in (200, 304) or not version:
        return
    if version != static_version(app, (request.view_args or {}).get("filename", "")):
        return
    response.cache_control.no_cache = None
    response.cache_control.public = True
    response.cache_control.max_age = STATIC_MAX_AGE
    response.cache_control.immutable = True


def init_app(app: Flask) -> None:
    app.extensions["notice_db"] = Database(app.config["DATABASE_URL"])
    app.extensions["publisher_cache"] = PublisherCache(app.config.get("PUBLISHER_CACHE_SECONDS", 2.0))
    csrf.init_app(app)
    limiter.init_app(app)

    @app.teardown_appcontext
    def _close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()

    @app.after_request
    def _security_headers(response):
        # The pages use no third-party resources; inline PNG previews are data: URIs.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # Status links carry a secret in the path (/status/<ref>/<secret>): no other site may
        # see it in a Referer. Our own site must: over HTTPS Flask-WTF refuses a form post
        # without a same-origin Referer (WTF_CSRF_SSL_STRICT), and "no-referrer" made Chromium
        # send none, so every form over HTTPS failed with 页面已过期.
        response.headers.setdefault("Referrer-Policy", "same-origin")
        hsts = app.config.get("STRICT_TRANSPORT_SECURITY")      # APP_ENV=production (app.py)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        if request.endpoint == "static":
            _static_caching(app, response)
        elif "Cache-Control" not in response.headers:
            # Desk pages, status pages, forms re-shown with what was typed, API answers: personal
            # data, never kept by the browser's disk cache or a shared proxy. A view that knows
            # better sets its own header.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.url_defaults
    def _static_version(endpoint, values):
        # url_for('static', filename=…) → /static/…?v=<content hash>: a changed file gets a new
        # address, so a versioned address can be cached for a year (here and by nginx).
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(app, values["filename"])
            if version:
                values["v"] = version

    @app.context_processor
    def _helpers():
        return {"has_endpoint": lambda name: name in app.view_functions}

    from forms.aria import described
    app.add_template_global(described)     # the form macros' aria attributes (templates/_form.html)

    from notices.deadlines import format_date_cn

    @app.template_filter("cn_date")
    def _cn_date(value):
        if not value:
            return ""
        if isinstance(value, str):
            from notices.dates import parse_date
            value = parse_date(value) or value
            if isinstance(value, str):
                return value
        return format_date_cn(value)

    @app.template_filter("who")
    def _who(actor):
        """Who did it, in Chinese: the audit log and revisions store "editor:li.bian", "api:某代理" …"""
        return actor_label(actor)

    @app.template_filter("phones")
    def _phones(text, area_code=None):
        """Each telephone number in the text as a tel: link (tappable on a phone), the rest as is;
        a local number with the paper's area code (notices/phones.py): 020-87750217."""
        from notices.phones import phone_numbers
        if area_code is None:
            try:
                area_code = public_publisher().area_code
            except Exception:  # noqa: BLE001 - an error page while the database is down: no area code
                area_code = ""
        out, last = [], 0
        for number in phone_numbers(text or "", area_code):
            out.append(escape(text[last:number.start]))
            out.append(Markup('<a href="{}">{}</a>').format(number.tel, number.shown))
            last = number.end
        out.append(escape((text or "")[last:]))
        return Markup("").join(out)

    @app.template_filter("yuan")
    def _yuan(cents):
        return format_yuan(int(cents or 0))
