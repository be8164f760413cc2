"""Editor accounts (admin): create, deactivate, reset a password, lift a login limit."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.desk import (
    ActionForm,
    EditorCreateForm,
    ResetPasswordForm,
)
from store import accounts, audit as audit_log
from store.accounts import ROLE_LABELS
from store.errors import DeskError
from store.models import (
    User,
    as_utc,
    local_time_text,
)
from store.throttle import REASON_LABELS as THROTTLE_REASONS, ThrottleUnavailable
from views.auth import admin_required, hasher, login_throttle
from views.desk.common import (
    bp,
)
from views.extensions import get_db, read_session


def _throttle_view(users: list[User]) -> dict:
    """Login throttling as the editors page shows it: per account its failures, refusals and
    until when the account itself is limited (the delay for clients it does not trust; counted
    in the throttle's storage, store/throttle.py), and the addresses refused lately - those the
    audit log names (one entry when throttling starts) - each with what is limited there: every
    account, or one account at that address. An address limit is not shown on the account's
    row: its editor logs in from another address as usual."""
    throttle = login_throttle()
    if throttle is None:
        return {"enabled": False}
    try:
        statuses = {u.id: throttle.account_status(u.username) for u in users}
        ids = {u.username: u.id for u in users}
        since = datetime.now(timezone.utc) - timedelta(seconds=throttle.policy.address_window)
        rows = audit_log.recent_details(read_session(), "login-throttled", limit=200)
        addresses: dict[str, dict] = {}
        for at, details in rows:
            address = json.loads(details).get("address") if as_utc(at) >= since else None
            if address and address not in addresses and len(addresses) < 50:
                refused, _until = throttle.address_status(address)
                limits = [{"account": limit.account, "user_id": ids.get(limit.account or ""),
                           "reason": THROTTLE_REASONS[limit.reason], "until": _epoch_local(limit.until)}
                          for limit in throttle.limits(address, list(ids))]
                if refused or limits:
                    addresses[address] = {"refused": refused, "limits": [x for x in limits if x["until"]]}
    except ThrottleUnavailable:
        return {"enabled": True, "down": True}
    return {"enabled": True, "down": False, "policy": throttle.policy, "addresses": addresses,
            "accounts": {uid: {"status": st, "until": _epoch_local(st.limited_until)}
                         for uid, st in statuses.items()}}


def _epoch_local(value: float | None) -> str:
    """Epoch seconds (the throttle's storage clock) as Beijing time, "" if none or past."""
    if not value or value <= datetime.now().timestamp():
        return ""
    return local_time_text(datetime.fromtimestamp(value, tz=timezone.utc))


def _render_editors(create_form=None, reset_forms=None, status=200):
    users = accounts.all_users(read_session())
    reset_forms = reset_forms or {}
    return render_template("desk/editors.html", users=users, form=create_form or EditorCreateForm(),
                           reset_forms={u.id: reset_forms.get(u.id) or ResetPasswordForm(prefix=f"u{u.id}")
                                        for u in users},
                           action_form=ActionForm(), roles=ROLE_LABELS, throttle=_throttle_view(users)), status


@bp.route("/editors", methods=["GET", "POST"])
@admin_required
def editors():
    if request.method == "GET":
        return _render_editors()
    form = EditorCreateForm()
    if form.validate_on_submit():
        try:
            accounts.create_user(get_db(), form.username.data, form.password.data, role=form.role.data,
                                 actor=current_user.actor, hasher=hasher())
        except DeskError as exc:
            (form.password if "密码" in exc.message else form.username).errors = [exc.message]
        else:
            flash(f"已开设账号“{accounts.normalise_username(form.username.data)}”。请把初始密码当面告诉对方，"
                  "并请其登录后修改。", "success")
            return redirect(url_for("desk.editors"), code=303)
    return _render_editors(create_form=form, status=422)


def _user_id_or_404(user_id: int) -> None:
    # The URL's <int:> takes any number; PostgreSQL refuses one beyond its integer (a 500).
    if not 0 < user_id < 2 ** 31:
        abort(404)


@bp.post("/editors/<int:user_id>/active")
@admin_required
def editor_active(user_id):
    _user_id_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        user = accounts.set_active(get_db(), user_id, active, actor=current_user.actor)
    except DeskError as exc:
        flash(exc.message, "error")
    else:
        flash(f"账号“{user.username}”已{'启用' if active else '停用，其所有登录已退出'}。", "success")
    return redirect(url_for("desk.editors"), code=303)


@bp.post("/editors/<int:user_id>/unlock")
@admin_required
def editor_unlock(user_id):
    """解除登录限制: clears the account's throttle counters (store/throttle.py), audited."""
    if not ActionForm().validate_on_submit():
        abort(400)
    user = read_session().get(User, user_id)
    throttle = login_throttle()
    if user is None or throttle is None:
        abort(404)
    try:
        throttle.unlock(user.username)
    except ThrottleUnavailable:
        flash("限制登录尝试次数的服务（Redis）无法连接，未能解除限制。请检查 Redis 后再试。", "error")
    else:
        accounts.record_login_unlocked(get_db(), user.username, actor=current_user.actor)
        flash(f"已解除“{user.username}”的登录限制，其失败次数已清零。", "success")
    return redirect(url_for("desk.editors"), code=303)


@bp.post("/editors/<int:user_id>/password")
@admin_required
def editor_password(user_id):
    _user_id_or_404(user_id)
    form = ResetPasswordForm(prefix=f"u{user_id}")
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(get_db(), user_id, form.password.data, actor=current_user.actor,
                                           hasher=hasher())
        except DeskError as exc:
            form.password.errors = [exc.message]
        else:
            flash(f"已重设“{user.username}”的密码，其所有登录已退出。", "success")
            return redirect(url_for("desk.editors"), code=303)
    return _render_editors(reset_forms={user_id: form}, status=422)
