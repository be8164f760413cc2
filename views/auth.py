"""Editor accounts: log in, log out, change password (Flask-Login on Flask's cookie session).

Sessions are revocable although the cookie lives on the client: the login id stored in the
session carries the user's session_epoch and a per-login nonce, and the user loader accepts it
only while the epoch still equals the database's. Logout and password change bump the epoch, so
a cookie captured before them no longer works anywhere.

Login attempts are throttled by store/throttle.py (its docstring has the policy): each attempt is
counted before its password is checked, per account and address, per address, and per account
with a growing delay that browsers and addresses the account trusts skip.
"""
from __future__ import annotations

import math
import secrets
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from forms.desk import LoginForm, PasswordChangeForm
from store import accounts
from store.accounts import ADMIN
from store.errors import DeskError
from store.models import User
from store.throttle import ACCOUNT, ADDRESS, LoginThrottle, ThrottleUnavailable
from views.extensions import get_db, read_session

bp = Blueprint("auth", __name__, url_prefix="/desk")
login_manager = LoginManager()

# A browser where an editor has logged in carries this signed cookie naming the account(s): the
# per-account delay of store/throttle.py does not apply to it (OWASP's "device cookie").
DEVICE_COOKIE = "desk_device"
DEVICE_SALT = "desk-login-device"
DEVICE_ACCOUNTS = 5         # editors sharing one computer each keep their trust
SESSION_NONCE = "desk_nonce"


class Editor(UserMixin):
    """The logged-in editor as Flask-Login sees it (a detached copy of the User row)."""

    def __init__(self, user: User, nonce: str):
        self.id = user.id
        self.username = user.username
        self.role = user.role
        self.epoch = user.session_epoch
        self.nonce = nonce

    def get_id(self) -> str:
        return f"{self.id}:{self.epoch}:{self.nonce}"

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def actor(self) -> str:
        return f"editor:{self.username}"


def _load_user(login_id: str):
    try:
        id_text, epoch_text, nonce = login_id.split(":", 2)
        user_id, epoch = int(id_text), int(epoch_text)
    except ValueError:
        return None
    if not nonce or not secrets.compare_digest(nonce, session.get(SESSION_NONCE, "")):
        return None
    user = read_session().get(User, user_id)
    if user is None or not user.active or user.session_epoch != epoch:
        return None     # logged out, password changed or deactivated since this session began
    return Editor(user, nonce)


def hasher():
    return accounts.password_hasher(current_app.config.get("PASSWORD_HASHER_PARAMS"))


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def _safe_next(target: str | None) -> str:
    """Only our own desk pages: an open redirect would make a good phishing link."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/desk") and "\\" not in target:
            return target
    return url_for("desk.queue")


def login_throttle() -> LoginThrottle | None:
    """The app's login throttle; None where rate limits are off (RATELIMIT_ENABLED=False, tests)."""
    return current_app.extensions.get("login_throttle")


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def _device_accounts(throttle: LoginThrottle) -> list[str]:
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return []
    try:
        names = _device_serializer().loads(value, max_age=throttle.policy.trusted_for)
    except BadSignature:        # forged, altered or expired (SignatureExpired is a BadSignature)
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _remember_device(response, username: str, throttle: LoginThrottle) -> None:
    names = [username] + [n for n in _device_accounts(throttle) if n != username]
    response.set_cookie(DEVICE_COOKIE, _device_serializer().dumps(names[:DEVICE_ACCOUNTS]),
                        max_age=throttle.policy.trusted_for, path=url_for("auth.login"),
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False), httponly=True,
                        samesite="Lax")


def _wait_text(seconds: int) -> str:
    return f"{seconds}秒" if seconds < 90 else f"{math.ceil(seconds / 60)}分钟"


def _refused(form, attempt):
    """429 with the login form and what to do. The audit gets one entry when throttling starts
    (per address, or per account for the delay), not one per refused attempt: a flood of
    refusals with new usernames wrote 1,022 rows in 5 s (issue 11); the refusals are counted
    in the throttle's storage and shown on /desk/editors."""
    if attempt.audit:
        accounts.record_login_throttled(get_db(), attempt.account, attempt.address, reason=attempt.reason)
    wait = _wait_text(attempt.retry_after)
    if attempt.reason == ACCOUNT:
        message = (f"这个账号近来有许多次失败的登录，为防止有人猜密码，每次尝试须间隔一段时间：请{wait}后再试。"
                   "在您以前成功登录过的电脑上不受此限；急用请联系管理员在“编辑账号”页解除登录限制。")
    elif attempt.reason == ADDRESS:
        message = (f"从您所在的网络登录失败的次数过多（各账号合计），请{wait}后再试。"
                   "忘记密码请联系管理员重设。")
    else:
        message = (f"这个账号在这台电脑上连续登录失败的次数过多，请{wait}后再试。"
                   "忘记密码请联系管理员重设密码或解除登录限制。")
    form.password.errors = [message]
    response = current_app.make_response((render_template("desk/login.html", form=form), 429))
    response.headers["Retry-After"] = str(attempt.retry_after)
    return response


def _throttle_down(exc: Exception):
    # Fails closed: without its counters the throttle cannot bound guessing, so no password is
    # checked (README, Production: "When Redis is down").
    current_app.logger.error("login throttle storage unreachable, login refused: %s", exc)
    return render_template("error.html", title="登录服务暂时不可用",
                           message="登录服务暂时不可用（限制登录尝试次数的服务无法连接），请几分钟后再试；"
                                   "如持续出现，请联系报社技术人员检查 Redis。"), 503


def _start_session(user: User) -> None:
    # A new session at login: nothing from before (CSRF token, flashes, an attacker-planted
    # session) survives, and the fresh nonce makes this login's id differ from every earlier one.
    session.clear()
    nonce = secrets.token_urlsafe(16)
    session[SESSION_NONCE] = nonce
    session.permanent = True
    login_user(Editor(user, nonce))


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    if form.validate_on_submit():
        username = accounts.normalise_username(form.username.data)[:60]
        # The client's address: behind the reverse proxy ProxyFix has already put it here.
        address = request.remote_addr or ""
        throttle, attempt = login_throttle(), None
        if throttle is not None:
            try:
                attempt = throttle.attempt(username, address, trusted_device=username in _device_accounts(throttle))
            except ThrottleUnavailable as exc:
                return _throttle_down(exc)
            if not attempt.allowed:
                return _refused(form, attempt)
        user = accounts.authenticate(get_db(), form.username.data, form.password.data,
                                     address=address, hasher=hasher())
        if user is not None:
            _start_session(user)
            response = redirect(_safe_next(request.args.get("next")), code=303)
            if attempt is not None:
                try:
                    throttle.succeeded(attempt)
                except ThrottleUnavailable as exc:       # logged in all the same: the password was right
                    current_app.logger.warning("login throttle storage unreachable after a login: %s", exc)
                _remember_device(response, user.username, throttle)
            return response
        # What happens after repeated failures is said below the form (desk/login.html).
        form.password.errors = ["账号或密码不对，请检查后重试（注意大小写和输入法）。"]
        return render_template("desk/login.html", form=form), 401
    return render_template("desk/login.html", form=form), (400 if request.method == "POST" else 200)


@bp.post("/logout")
@login_required
def logout():
    accounts.end_sessions(get_db(), current_user.id, action="logout", actor=current_user.actor)
    logout_user()
    session.clear()
    flash("您已退出。", "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            user = accounts.change_password(get_db(), current_user.id, form.current.data, form.new.data,
                                            hasher=hasher())
        except DeskError as exc:
            (form.current if "当前密码" in exc.message else form.new).errors = [exc.message]
        else:
            _start_session(user)     # this browser continues in a new session; all others end
            flash("密码已修改。其他设备上的登录已全部退出。", "success")
            return redirect(url_for("desk.queue"), code=303)
    return render_template("desk/password.html", form=form), (422 if form.errors else 200)


def init_app(app: Flask) -> None:
    if app.config.get("RATELIMIT_ENABLED", True):
        # Its own storage object on the limiter's URI (a test process holds several apps, and
        # the Limiter object is shared by them); LOGIN_THROTTLE overrides store.throttle.Policy.
        app.extensions["login_throttle"] = LoginThrottle.from_uri(
            app.config["RATELIMIT_STORAGE_URI"], key_prefix=app.config.get("LOGIN_THROTTLE_PREFIX", "desk-login"),
            **app.config.get("LOGIN_THROTTLE", {}))
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录编辑台。"
    login_manager.login_message_category = "info"
    # "strong": a session whose browser or address changes is dropped (a stolen cookie used elsewhere).
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
