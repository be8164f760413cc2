"""Editor accounts: log in, log out, change password (Flask-Login on Flask's cookie session).

Sessions are revocable although the cookie lives on the client: the login id stored in the
session carries the user's session_epoch and a per-login nonce, and the user loader accepts it
only while the epoch still equals the database's. Logout and password change bump the epoch, so
a cookie captured before them no longer works anywhere.
"""
from __future__ import annotations

import secrets
import time
from functools import wraps
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user

from forms.desk import LoginForm, PasswordChangeForm
from store import desk_ops
from store.desk_ops import ADMIN, DeskError
from store.models import User
from views.extensions import get_db, limiter, read_session

bp = Blueprint("auth", __name__, url_prefix="/desk")
login_manager = LoginManager()

# Login throttles (reliability.md: per account AND per address; another user is unaffected).
# Only failed attempts count (deduct_when); the storage is RATELIMIT_STORAGE_URI, shared by workers.
LOGIN_FAILURES_PER_ACCOUNT = "5 per 15 minutes"     # guessing one editor's password
LOGIN_FAILURES_PER_ADDRESS = "20 per 15 minutes"    # spraying many accounts from one address
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
        user_id, epoch, nonce = login_id.split(":", 2)
        user_id, epoch = int(user_id), int(epoch)
    except ValueError:
        return None
    if not nonce or not secrets.compare_digest(nonce, session.get(SESSION_NONCE, "")):
        return None
    user = read_session().get(User, user_id)
    if user is None or not user.active or user.session_epoch != epoch:
        return None     # logged out, password changed or deactivated since this session began
    return Editor(user, nonce)


def hasher():
    return desk_ops.password_hasher(current_app.config.get("PASSWORD_HASHER_PARAMS"))


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


def _account_key() -> str:
    return "login-account:" + desk_ops.normalise_username(request.form.get("username", ""))[:60]


def _address_key() -> str:
    return "login-address:" + (request.remote_addr or "?")


def _failed(response) -> bool:
    return response.status_code != 303


def _start_session(user: User) -> None:
    # A new session at login: nothing from before (CSRF token, flashes, an attacker-planted
    # session) survives, and the fresh nonce makes this login's id differ from every earlier one.
    session.clear()
    nonce = secrets.token_urlsafe(16)
    session[SESSION_NONCE] = nonce
    session.permanent = True
    login_user(Editor(user, nonce))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_FAILURES_PER_ACCOUNT, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(LOGIN_FAILURES_PER_ADDRESS, key_func=_address_key, methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    if form.validate_on_submit():
        user = desk_ops.authenticate(get_db(), form.username.data, form.password.data,
                                     address=request.remote_addr or "", hasher=hasher())
        if user is not None:
            _start_session(user)
            return redirect(_safe_next(request.args.get("next")), code=303)
        form.password.errors = ["账号或密码不对。连续输错多次后需要等待15分钟才能再试。"]
        return render_template("desk/login.html", form=form), 401
    return render_template("desk/login.html", form=form), (400 if request.method == "POST" else 200)


# (username, address) -> when its throttling was last audited: a flood of refused attempts
# writes one audit entry per pair per window and worker, not one per attempt.
_throttle_audited: dict[tuple[str, str], float] = {}
_THROTTLE_AUDIT_SECONDS = 15 * 60


@bp.errorhandler(429)
def _throttled(_error):
    pair = (desk_ops.normalise_username(request.form.get("username", ""))[:60], request.remote_addr or "")
    now = time.monotonic()
    if now - _throttle_audited.get(pair, -_THROTTLE_AUDIT_SECONDS) >= _THROTTLE_AUDIT_SECONDS:
        if len(_throttle_audited) > 10_000:
            _throttle_audited.clear()
        _throttle_audited[pair] = now
        desk_ops.record_login_throttled(get_db(), *pair)
    return render_template("error.html", title="登录尝试过多",
                           message="这个账号或这台电脑登录失败的次数过多，请15分钟后再试。"
                                   "忘记密码请联系管理员重设。"), 429


@bp.post("/logout")
@login_required
def logout():
    desk_ops.end_sessions(get_db(), current_user.id, action="logout", actor=current_user.actor)
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
            user = desk_ops.change_password(get_db(), current_user.id, form.current.data, form.new.data,
                                            hasher=hasher())
        except DeskError as exc:
            (form.current if "当前密码" in exc.message else form.new).errors = [exc.message]
        else:
            _start_session(user)     # this browser continues in a new session; all others end
            flash("密码已修改。其他设备上的登录已全部退出。", "success")
            return redirect(url_for("desk.queue"), code=303)
    return render_template("desk/password.html", form=form), (422 if form.errors else 200)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录编辑台。"
    login_manager.login_message_category = "info"
    # "strong": a session whose browser or address changes is dropped (a stolen cookie used elsewhere).
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
