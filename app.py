"""公告台 — the notice desk. `flask --app app run` or `make run`."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

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


class ConfigurationError(RuntimeError):
    """The server must not start: production lacks a setting, or one is unsafe (README, "Production")."""


HSTS = "max-age=31536000; includeSubDomains"
# Enough for any real chain (CDN → load balancer → nginx); a larger number is a typo.
MAX_PROXY_HOPS = 5
SECRET_KEY_MIN_LENGTH = 32


def _host_list(value: str) -> list[str]:
    """TRUSTED_HOSTS=gonggao.example.cn, www.gonggao.example.cn → ["gonggao.example.cn", …]."""
    return [h.strip().lower() for h in value.replace(" ", ",").split(",") if h.strip()]


def _proxy_hops(value) -> int:
    text = str(value).strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) > MAX_PROXY_HOPS:
        raise ConfigurationError(
            f"TRUSTED_PROXY_HOPS 应为 0 到 {MAX_PROXY_HOPS} 的整数：本站前面有几层反向代理"
            f"（现为 {text!r}），例如：TRUSTED_PROXY_HOPS=1（deploy/nginx.conf 一层）。")
    return int(text)


NEW_SECRET = "$(python3 -c 'import secrets; print(secrets.token_hex(32))')"


def _production_problems(config, given) -> list[str]:
    """What production lacks, one line each naming the variable and with an example. `given(name)`
    is the value set explicitly (environment or test config), never a development default."""
    problems = []
    for check in PRODUCTION_CHECKS:
        problem = check(config, given)
        if problem:
            problems.append(problem)
    return problems


def _secret_key_problem(config, given) -> str | None:
    key = given("SECRET_KEY")
    if not key:
        return ("缺少 SECRET_KEY：在环境变量里设置一个随机值，各台服务器相同且不再改变（进度页链接由它派生），"
                f"例如：SECRET_KEY={NEW_SECRET}")
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return (f"SECRET_KEY 太短（{len(key)} 个字符），至少 {SECRET_KEY_MIN_LENGTH} 个，"
                f"例如：SECRET_KEY={NEW_SECRET}")
    return None


def _audit_key_problem(config, given) -> str | None:
    audit, key = given("AUDIT_KEY"), given("SECRET_KEY")
    if not audit:
        # store/audit.py would otherwise sign with a key of each machine's own instance folder.
        return ("缺少 AUDIT_KEY：审计日志的签名密钥，至少 32 个字符，与 SECRET_KEY 不同，"
                f"各台服务器相同且永不更换（store/audit.py），例如：AUDIT_KEY={NEW_SECRET}")
    if key and audit == key:
        return ("AUDIT_KEY 不能与 SECRET_KEY 相同：SECRET_KEY 可以更换，AUDIT_KEY 不能，"
                f"例如：AUDIT_KEY={NEW_SECRET}")
    return None


def _public_host(base) -> str | None:
    """The host name of PUBLIC_BASE_URL when it is an https:// address with nothing but a host
    (no path, query, fragment or user); else None."""
    parts = urlsplit(base)
    if parts.scheme != "https" or not parts.hostname or parts.path not in ("", "/") or parts.query \
            or parts.fragment or parts.username:
        return None
    return parts.hostname


def _public_base_url_problem(config, given) -> str | None:
    base = given("PUBLIC_BASE_URL")
    if not base:
        return ("缺少 PUBLIC_BASE_URL：本站对外的 https 地址，印在见报证明上供核验，"
                "例如：PUBLIC_BASE_URL=https://gonggao.example.cn")
    if _public_host(base) is None:
        return (f"PUBLIC_BASE_URL 应为 https:// 开头、只有主机名的地址（现为 {base}），"
                "例如：PUBLIC_BASE_URL=https://gonggao.example.cn")
    return None


def _trusted_hosts_problem(config, given) -> str | None:
    hosts = config.get("TRUSTED_HOSTS")
    if not given("TRUSTED_HOSTS") or not hosts:
        return ("缺少 TRUSTED_HOSTS：本站接受的主机名，用逗号隔开（其他 Host 一律拒绝），"
                "例如：TRUSTED_HOSTS=gonggao.example.cn")
    base = given("PUBLIC_BASE_URL")
    base_host = _public_host(base) if base else None      # a wrong one is PUBLIC_BASE_URL's problem
    from werkzeug.sansio.utils import host_is_trusted
    if base_host and not host_is_trusted(base_host, hosts):
        return f"TRUSTED_HOSTS 应包含 PUBLIC_BASE_URL 的主机名 {base_host}，例如：TRUSTED_HOSTS={base_host}"
    return None


def _database_url_problem(config, given) -> str | None:
    if not given("DATABASE_URL"):
        return ("缺少 DATABASE_URL：PostgreSQL 数据库地址（用只能读写数据的账号），"
                "例如：DATABASE_URL=postgresql+psycopg://gonggao_app:密码@127.0.0.1:5432/gonggao")
    return None


def _rate_limit_storage_problem(config, given) -> str | None:
    storage = given("RATELIMIT_STORAGE_URI") or ""
    if not storage:
        return ("缺少 RATELIMIT_STORAGE_URI：带密码的 Redis 地址，所有进程共用限流和登录限制，"
                "例如：RATELIMIT_STORAGE_URI=redis://:密码@127.0.0.1:6379/0")
    parts = urlsplit(storage)
    if not parts.scheme.startswith("redis") or not parts.password:
        # The value itself is not repeated: it may hold a password.
        return ("RATELIMIT_STORAGE_URI 应为带密码的 Redis 地址（redis:// 或 rediss://，密码在 @ 之前），"
                "例如：RATELIMIT_STORAGE_URI=redis://:密码@127.0.0.1:6379/0")
    return None


def _proxy_hops_problem(config, given) -> str | None:
    if given("TRUSTED_PROXY_HOPS") in (None, ""):
        return ("缺少 TRUSTED_PROXY_HOPS：本站前面有几层反向代理，只信任这几层写的 X-Forwarded-For/Proto，"
                "例如：TRUSTED_PROXY_HOPS=1（deploy/nginx.conf 一层；gunicorn 自己提供 HTTPS 时为 0）")
    return None


# Production's checks, in the order their problems are listed: each returns its problem or None.
PRODUCTION_CHECKS = (_secret_key_problem, _audit_key_problem, _public_base_url_problem, _trusted_hosts_problem,
                     _database_url_problem, _rate_limit_storage_problem, _proxy_hops_problem)


def _configure_deployment(app: Flask, test_config: dict) -> None:
    """Production mode (APP_ENV=production) and the trusted proxies. Production refuses to start
    rather than guess a setting: a default there (the instance secret, SQLite, per-process rate
    limits, any Host) would run, and be wrong, silently."""
    def given(name):
        value = test_config.get(name, os.environ.get(name))
        return value.strip() if isinstance(value, str) else value

    if isinstance(app.config.get("TRUSTED_HOSTS"), str):
        app.config["TRUSTED_HOSTS"] = _host_list(app.config["TRUSTED_HOSTS"]) or None
    env = app.config["APP_ENV"]
    if env not in ("", "development", "production"):
        raise ConfigurationError(f"APP_ENV 只能是 production 或 development（现为 {env!r}），"
                                 "例如：APP_ENV=production")
    hops = _proxy_hops(app.config["TRUSTED_PROXY_HOPS"])
    if env == "production":
        problems = _production_problems(app.config, given)
        if problems:
            raise ConfigurationError("公告台未启动：生产模式（APP_ENV=production）的设置不全，"
                                     "见 README 的“Production”一节。\n- " + "\n- ".join(problems))
        app.config.update(
            SESSION_COOKIE_SECURE=True,
            # __Host-: the browser takes this cookie only over HTTPS, for this exact host and
            # path "/", never from a sibling subdomain (no Domain attribute is possible).
            SESSION_COOKIE_NAME="__Host-session",
            PREFERRED_URL_SCHEME="https",
            STRICT_TRANSPORT_SECURITY=HSTS,
        )
    if hops:
        # Only the last `hops` entries of X-Forwarded-For / -Proto are written by our own proxies;
        # anything before them came from the client. Without hops nothing forwarded is believed,
        # so a spoofed X-Forwarded-For cannot pick another client's rate limit or audit address.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]  # as Flask's docs do


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    # JSON answers keep Chinese as UTF-8, readable in curl and logs (not \uXXXX escapes).
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # DefaultJSONProvider's, the app's provider
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
        # Secure cookies need HTTPS; APP_ENV=production always sets it (see README).
        SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        WTF_CSRF_TIME_LIMIT=3600,
        # Rate limits and login throttles must be shared by all gunicorn workers: Redis in
        # production (RATELIMIT_STORAGE_URI=redis://…); memory is per process.
        RATELIMIT_STORAGE_URI=os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        RATELIMIT_HEADERS_ENABLED=True,
        # Redis down: the paper keeps taking notices. Rate limits fall back to per-process
        # memory (and go back to Redis when it answers); an error left is logged, not a 500.
        # The login fails closed instead (store/throttle.py; README, "When Redis is down").
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        # A hung Redis must not hold a request: redis-py waits forever by default.
        RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 1, "socket_timeout": 1},
        # The site's public address, printed on proofs of publication (verification link).
        PUBLIC_BASE_URL=os.environ.get("PUBLIC_BASE_URL", ""),
        # Deployment (README, "Production"): APP_ENV=production refuses to start without what
        # production needs; Flask answers 400 to a Host not listed here (None: any host).
        APP_ENV=os.environ.get("APP_ENV", "").strip(),
        TRUSTED_HOSTS=_host_list(os.environ.get("TRUSTED_HOSTS", "")) or None,
        # How many reverse proxies stand in front (deploy/nginx.conf is one); 0: trust none.
        TRUSTED_PROXY_HOPS=os.environ.get("TRUSTED_PROXY_HOPS", ""),
    )
    if test_config:
        app.config.update(test_config)
    _configure_deployment(app, test_config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or _instance_secret(app)

    from views import errors, extensions, mail
    extensions.init_app(app)
    mail.init_app(app)       # the progress mails' links and clock (store/outbox.py writes them)
    errors.init_app(app)     # 503 page (not a 500) when the database cannot save: disk full, locked, down

    from views import api, submit
    app.register_blueprint(submit.bp)
    app.register_blueprint(api.bp)
    from views import paper
    paper.init_app(app)       # who the paper is (every page's footer) and its 刊例 (/rates)
    from views import documents
    documents.init_app(app)   # documents, transfer slip and 发票 (status page, API); upload size limits
    from views import selfservice
    selfservice.init_app(app)  # the link mailed again; withdraw, change the date, accept a new price

    from views import desk
    desk.init_app(app)    # editor desk, login, public verification, proof of publication

    import cli
    cli.init_app(app)
    return app
