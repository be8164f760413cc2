"""The editor desk: review queue, notice pages (decide, edit, pay, schedule), issue planning
(column, export, publish), audit log, publisher settings and editor accounts.

Views stay thin: the writes are store/ (accounts, workflow, issues, settings: one transaction each,
with its audit entry);
the typesetting comes from press/ (printing, column). Every page works without JavaScript.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field as dc_field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from types import SimpleNamespace

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from forms.desk import (
    CONTACT_LINE_MAX,
    CONTACT_LINES_MAX,
    RULE_CHOICES,
    WEEKDAY_LABELS,
    ActionForm,
    DecisionForm,
    EditorCreateForm,
    PaymentForm,
    ResetPasswordForm,
    ScheduleForm,
    cents_text,
    edit_form_class,
    labelled,
    parse_price,
    rate_rules,
    rule_fields,
    settings_fields,
    settings_form_class,
)
from forms.validators import parse_yuan
from notices.catalogue import CATALOGUE
from notices.dates import in_range
from notices.deadlines import copy_deadline_for, format_date_cn, is_open, is_publishing_day
from press import column as press_column, printing
from store import accounts, audit as audit_log, issues as store_issues, workflow
from store.accounts import ROLE_LABELS
from store.errors import Conflict, DeskError
from store.models import (
    APPROVED,
    CHANGES_REQUESTED,
    PUBLISHED,
    REJECTED,
    STATUS_LABELS,
    SUBMITTED,
    WITHDRAWN,
    AuditEntry,
    Export,
    IssueState,
    Notice,
    Payment,
    Publication,
    User,
    as_utc,
    local_time_text,
)
from store.settings import Publisher, load_publisher, save_settings
from store.throttle import REASON_LABELS as THROTTLE_REASONS, ThrottleUnavailable
from store.workflow import PAYMENT_METHODS, clean_reference, status_secret
from views.auth import hasher, login_manager, login_throttle
from views.extensions import get_db, read_session

bp = Blueprint("desk", __name__, url_prefix="/desk")

QUEUE_LIMIT = 200
AUDIT_PAGE = 100
SCHEDULE_DAYS_AHEAD = 30        # publishing days offered in the schedule menu
OPEN_STATUSES = (SUBMITTED, CHANGES_REQUESTED, APPROVED)
INACTIVE_STATUSES = (PUBLISHED, REJECTED, WITHDRAWN)
ACTION_LABELS = {
    "submit": "提交", "login": "登录", "login-failed": "登录失败", "login-throttled": "登录被限制", "logout": "退出",
    "approve": "审核通过", "reject": "不予刊登", "request-changes": "要求修改", "resubmit": "客户修改后重新提交",
    "edit": "修改正文", "schedule": "排期", "unschedule": "撤出排期", "schedule-override": "未付款先排期",
    "payment": "登记付款", "export": "导出付印PDF", "reprint": "重印见报PDF", "publish": "标记整期刊登",
    "published": "刊登", "withdraw-publication": "撤回整期刊登记录",
    "publication-withdrawn": "刊登记录撤回", "settings": "修改设置", "editor-created": "开设账号",
    "editor-deactivated": "停用账号", "editor-activated": "启用账号", "password-changed": "修改密码",
    "password-reset": "重设密码", "login-unlocked": "解除登录限制", "api-key-created": "创建API密钥",
    "api-key-revoked": "吊销API密钥",
}


@bp.before_request
def _require_login():
    # Every desk page needs an editor; anonymous visitors (and advertisers, who have no desk
    # account) are sent to the login page.
    if not current_user.is_authenticated:
        return login_manager.unauthorized()


def _require_admin():
    if not current_user.is_admin:
        abort(403)


@bp.app_errorhandler(403)
def _forbidden(_error):
    return render_template("error.html", title="没有权限",
                           message="这一页只有管理员可以使用。如需修改报社设置或编辑账号，请联系管理员。"), 403


# ---------------------------------------------------------------------------------------------
# Time and the publishing calendar

def now() -> datetime:
    return current_app.config.get("NOW") or datetime.now().astimezone()


def today(publisher: Publisher) -> date:
    return now().astimezone(publisher.calendar.tz).date()


def next_issue_after_today(publisher: Publisher) -> date:
    """The first publishing day after today: a window ending before it cannot wait for it."""
    cal, day = publisher.calendar, today(publisher)
    for n in range(1, 400):
        candidate = day + timedelta(days=n)
        if is_publishing_day(cal, candidate):
            return candidate
    return day + timedelta(days=1)


def urgent_windows(notice: Notice, next_issue: date) -> list[dict]:
    """Statutory windows of the current revision that end before the next issue."""
    if notice.status in INACTIVE_STATUSES:
        return []
    return [w for w in notice.revision.windows if w.get("ends", "9999") < next_issue.isoformat()]


def schedule_choices(publisher: Publisher, s, current: date | None = None) -> list[tuple[str, str]]:
    """Publishing days from today on, the issues already published left out. Issues past the copy
    deadline are still offered to editors (marked), until they are published."""
    cal, day, moment = publisher.calendar, today(publisher), now()
    published = {d for (d,) in s.execute(select(IssueState.issue_date).where(
        IssueState.status == "published", IssueState.issue_date >= day))}
    out = []
    for n in range(0, 400):
        d = day + timedelta(days=n)
        if is_publishing_day(cal, d) and d not in published:
            note = "" if is_open(cal, d, moment) else "（已截稿）"
            out.append((d.isoformat(), f"{format_date_cn(d)}（周{'一二三四五六日'[d.weekday()]}）{note}"))
        if len(out) >= SCHEDULE_DAYS_AHEAD:
            break
    if current and current.isoformat() not in dict(out) and current not in published:
        out.insert(0, (current.isoformat(), format_date_cn(current)))
    return out


def parse_day(value: str | None) -> date | None:
    """An ISO date from a URL or a query (2026-12-01), or None: not a date, or one no issue can
    have (0001-01-01 made the copy-deadline arithmetic overflow: a 500; notices.dates.in_range)."""
    try:
        day = date.fromisoformat(value or "")
    except (TypeError, ValueError):
        return None
    return day if in_range(day) else None


def _parse_date(value: str) -> date:
    day = parse_day(value)
    if day is None:
        abort(404)
    return day


# ---------------------------------------------------------------------------------------------
# Review queue

STATUS_FILTERS = [("open", "待处理"), *[(k, v) for k, v in STATUS_LABELS.items()], ("all", "全部")]


@bp.get("/")
def queue():
    s = read_session()
    publisher = load_publisher(s)
    status = request.args.get("status", "open")
    if status not in dict(STATUS_FILTERS):
        status = "open"
    type_code = request.args.get("type", "")
    if type_code not in CATALOGUE:
        type_code = ""
    issue = None
    if request.args.get("date"):
        issue = parse_day(request.args["date"])
        if issue is None:
            flash("日期格式不对，请按 2026-12-01 填写。", "warning")
    stmt = select(Notice).options(selectinload(Notice.revisions), selectinload(Notice.api_key))
    if status == "open":
        stmt = stmt.where(Notice.status.in_(OPEN_STATUSES))
    elif status != "all":
        stmt = stmt.where(Notice.status == status)
    if type_code:
        stmt = stmt.where(Notice.type_code == type_code)
    if issue:
        stmt = stmt.where(or_(Notice.issue_date == issue,
                              (Notice.issue_date.is_(None)) & (Notice.requested_date == issue)))
    stmt = stmt.order_by(Notice.requested_date, Notice.created_at).limit(QUEUE_LIMIT + 1)
    notices = list(s.scalars(stmt))
    more = len(notices) > QUEUE_LIMIT
    notices = notices[:QUEUE_LIMIT]
    next_issue = next_issue_after_today(publisher)
    rows = [SimpleNamespace(notice=n, urgent=urgent_windows(n, next_issue),
                            findings=n.revision.findings) for n in notices]
    rows.sort(key=lambda r: (not r.urgent,))          # urgent first, otherwise by requested date
    counts = dict(s.execute(select(Notice.status, func.count()).group_by(Notice.status)).all())
    counts["open"] = sum(counts.get(k, 0) for k in OPEN_STATUSES)
    counts["all"] = sum(v for k, v in counts.items() if k != "open")
    return render_template("desk/queue.html", rows=rows, more=more, status=status, type_code=type_code,
                           issue=issue, statuses=STATUS_FILTERS, counts=counts, catalogue=CATALOGUE,
                           next_issue=next_issue, limit=QUEUE_LIMIT)


# ---------------------------------------------------------------------------------------------
# One notice

def _notice_or_404(reference: str) -> Notice:
    # clean_reference: "" for anything that is not a reference (a NUL in the address reached
    # PostgreSQL, which refuses it in text: a 500).
    notice = workflow.load_notice(read_session(), clean_reference(reference))
    if notice is None:
        abort(404)
    return notice


@lru_cache(maxsize=256)
def _cached_quote(publisher_json: str, type_code: str, title: str, text: str, fields_json: str):
    # A notice page is viewed many times while its text stays the same: render its preview once.
    publisher = Publisher(**json.loads(publisher_json))
    view = SimpleNamespace(title=title, text=text, fields=json.loads(fields_json))
    return printing.quote_notice(publisher, view, CATALOGUE[type_code], with_png=True)


def _preview(publisher: Publisher, notice: Notice):
    revision = notice.revision
    try:
        return _cached_quote(json.dumps(publisher.as_dict(), sort_keys=True, ensure_ascii=False), notice.type_code,
                             notice.title, revision.text, revision.fields_json), None
    except printing.RenderError as exc:
        return None, f"排版预览未能生成：{exc}"


def _versioned(form_cls, notice: Notice, **kwargs):
    form = form_cls(**kwargs)
    form.version.data = str(notice.version)
    return form


def _render_notice(notice: Notice, *, decision_form=None, schedule_form=None, payment_form=None, status=200):
    s = read_session()
    publisher = load_publisher(s)
    quote, preview_error = _preview(publisher, notice)
    if schedule_form is None:
        schedule_form = _versioned(ScheduleForm, notice)
        default = notice.issue_date or notice.requested_date
        if default:
            schedule_form.issue_date.data = default.isoformat()
    schedule_form.issue_date.choices = schedule_choices(publisher, s, notice.issue_date)
    payments = list(s.scalars(select(Payment).where(Payment.notice_id == notice.id).order_by(Payment.id)))
    findings = notice.revision.findings
    next_issue = next_issue_after_today(publisher)
    return render_template(
        "desk/notice.html", notice=notice, revision=notice.revision, quote=quote, preview_error=preview_error,
        errors=[f for f in findings if f["level"] == "error"],
        warnings=[f for f in findings if f["level"] == "warning"],
        infos=[f for f in findings if f["level"] == "info"],
        windows=notice.revision.windows, urgent=urgent_windows(notice, next_issue), next_issue=next_issue,
        decision_form=decision_form or _versioned(DecisionForm, notice),
        schedule_form=schedule_form, payment_form=payment_form or _versioned(PaymentForm, notice),
        payments=payments, methods=PAYMENT_METHODS,
        can_schedule_unpaid=workflow.can_schedule_unpaid(notice), notice_type=CATALOGUE[notice.type_code],
        status_url=url_for("submit.status", reference=notice.reference,
                           secret=status_secret(current_app.config["SECRET_KEY"], notice.reference),
                           _external=True),
        issue_published=bool(notice.issue_date and (store_issues.issue_state(s, notice.issue_date) or
                                                    SimpleNamespace(status="")).status == "published"),
        published=store_issues.published_notice(s, notice.id, withdrawn=True),
    ), status


@bp.get("/notices/<reference>")
def notice(reference):
    return _render_notice(_notice_or_404(reference))


@bp.get("/notices/<reference>/<any(approve, reject, 'request-changes', schedule, unschedule, payments):action>")
def notice_action_get(reference, action):
    """A refused form is shown again at its POST address; reloading that page (or a bookmark)
    sends GET: take the editor back to the notice instead of a 405."""
    return redirect(url_for("desk.notice", reference=reference), code=303)


@bp.get("/issues/<day>/<any(export, publish, withdraw):action>")
def issue_action_get(day, action):
    return redirect(url_for("desk.issue", day=_parse_date(day).isoformat()), code=303)


def _after_action(notice: Notice, message: str):
    flash(message, "success")
    return redirect(url_for("desk.notice", reference=notice.reference), code=303)


def _refused(notice: Notice, exc: DeskError, **forms):
    flash(exc.message, "error")
    if isinstance(exc, Conflict):
        return redirect(url_for("desk.notice", reference=notice.reference), code=303)
    return _render_notice(workflow.load_notice(read_session(), notice.reference) or notice, status=409, **forms)


def _say_hidden_errors(form) -> None:
    """The version is a hidden input: its error (version=abc, a page altered or cut short) has
    no place next to it, so it is said at the top of the page."""
    if form.version.errors:
        flash(form.version.errors[0], "error")


def _decision(reference: str, operation, message: str, needs_reason: bool):
    notice = _notice_or_404(reference)
    form = DecisionForm()
    if not form.validate_on_submit():
        _say_hidden_errors(form)
        return _render_notice(notice, decision_form=form, status=422)
    try:
        if needs_reason:
            operation(get_db(), notice.reference, int(form.version.data), form.reason.data or "",
                      actor=current_user.actor)
        else:
            operation(get_db(), notice.reference, int(form.version.data), actor=current_user.actor)
    except DeskError as exc:
        if not isinstance(exc, Conflict) and needs_reason:
            form.reason.errors = [exc.message]
            return _render_notice(notice, decision_form=form, status=422)
        return _refused(notice, exc)
    return _after_action(notice, message)


@bp.post("/notices/<reference>/approve")
def approve(reference):
    return _decision(reference, workflow.approve, "已审核通过。登记付款后即可排期。", needs_reason=False)


@bp.post("/notices/<reference>/reject")
def reject(reference):
    return _decision(reference, workflow.reject, "已不予刊登，原因会显示在客户的进度页上。", needs_reason=True)


@bp.post("/notices/<reference>/request-changes")
def request_changes(reference):
    return _decision(reference, workflow.request_changes, "已要求客户修改，意见会显示在客户的进度页上。",
                     needs_reason=True)


@bp.post("/notices/<reference>/schedule")
def schedule(reference):
    notice = _notice_or_404(reference)
    publisher = load_publisher(read_session())
    form = ScheduleForm()
    form.issue_date.choices = schedule_choices(publisher, read_session(), notice.issue_date)
    back = request.form.get("back")
    if not form.validate_on_submit():
        _say_hidden_errors(form)
        return _render_notice(notice, schedule_form=form, status=422)
    try:
        issue = date.fromisoformat(form.issue_date.data)
    except ValueError:
        form.issue_date.errors = ["请选择刊登日期。"]
        return _render_notice(notice, schedule_form=form, status=422)
    try:
        workflow.schedule(get_db(), notice.reference, int(form.version.data), issue, actor=current_user.actor,
                          override_reason=form.override_reason.data or "", today=today(publisher),
                          is_publishing_day=lambda d: is_publishing_day(publisher.calendar, d))
    except DeskError as exc:
        if isinstance(exc, Conflict):
            return _refused(notice, exc)
        if back == "issue":
            flash(f"{notice.reference}：{exc.message}", "error")
            return redirect(url_for("desk.issue", day=(notice.issue_date or issue).isoformat()), code=303)
        form[exc.field or "issue_date"].errors = [exc.message]
        return _render_notice(notice, schedule_form=form, status=422)
    flash(f"已排入 {format_date_cn(issue)} 刊登。", "success")
    if back == "issue":
        return redirect(url_for("desk.issue", day=issue.isoformat()), code=303)
    return redirect(url_for("desk.notice", reference=notice.reference), code=303)


@bp.post("/notices/<reference>/unschedule")
def unschedule(reference):
    notice = _notice_or_404(reference)
    form = DecisionForm()
    previous = notice.issue_date
    if not form.validate_on_submit():
        _say_hidden_errors(form)
        return _render_notice(notice, status=422)
    try:
        workflow.unschedule(get_db(), notice.reference, int(form.version.data), actor=current_user.actor)
    except DeskError as exc:
        return _refused(notice, exc)
    flash(f"已从 {format_date_cn(previous)} 撤出，公告回到“已通过”。", "success")
    if request.form.get("back") == "issue" and previous:
        return redirect(url_for("desk.issue", day=previous.isoformat()), code=303)
    return redirect(url_for("desk.notice", reference=notice.reference), code=303)


@bp.post("/notices/<reference>/payments")
def record_payment(reference):
    notice = _notice_or_404(reference)
    form = PaymentForm()
    if not form.validate_on_submit():
        _say_hidden_errors(form)
        return _render_notice(notice, payment_form=form, status=422)
    try:
        workflow.record_payment(get_db(), notice.reference, int(form.version.data),
                                amount_cents=parse_yuan(form.amount.data), method=form.method.data,
                                receipt_no=form.receipt_no.data, actor=current_user.actor)
    except DeskError as exc:
        if not isinstance(exc, Conflict):
            form.amount.errors = [exc.message]
            return _render_notice(notice, payment_form=form, status=422)
        return _refused(notice, exc)
    return _after_action(notice, "付款已登记。")


# ---------------------------------------------------------------------------------------------
# Editing the text: re-checked, a new revision; a stale form is refused with both texts shown

def _edit_form(notice: Notice, formdata=None):
    notice_type = CATALOGUE[notice.type_code]
    fields = notice.revision.fields
    variant = fields.get("variant") if any(f.name == "variant" for f in notice_type.fields) else None
    cls = edit_form_class(notice_type, variant)
    if formdata is None:
        data = {f.name: fields.get(f.name, "") for f in notice_type.fields_for(variant) if f.name != "variant"}
        for f in notice_type.fields_for(variant):
            if f.kind == "bool":
                data[f.name] = bool(fields.get(f.name))
        form = cls(data={**data, "text": notice.revision.text, "version": str(notice.version)})
    else:
        form = cls(formdata=formdata)
    pub = (notice.issue_date or notice.requested_date)
    form.publication_date.choices = [(pub.isoformat(), format_date_cn(pub))] if pub else []
    form.publication_date.data = pub.isoformat() if pub else ""
    return form, notice_type, variant


def _run_edit_checks(form, publisher):
    return form.run_checks(form.text.data, calendar=publisher.calendar, now=now(), require_open=False,
                           missing_glyphs=printing.missing_glyphs, print_id_numbers=publisher.print_id_numbers)


@bp.route("/notices/<reference>/edit", methods=["GET", "POST"])
def edit(reference):
    notice = _notice_or_404(reference)
    publisher = load_publisher(read_session())
    if notice.status not in workflow.EDITABLE:
        flash(f"这则公告当前状态为“{notice.status_label}”，不能再修改正文。", "warning")
        return redirect(url_for("desk.notice", reference=notice.reference), code=303)
    if request.method == "GET":
        form, notice_type, variant = _edit_form(notice)
        return render_template("desk/edit.html", notice=notice, form=form, notice_type=notice_type,
                               result=None, quote=None)
    form, notice_type, variant = _edit_form(notice, request.form)
    if not form.validate_on_submit() and (form.version.errors or form.note.errors or "csrf_token" in form.errors):
        _say_hidden_errors(form)
        return render_template("desk/edit.html", notice=notice, form=form, notice_type=notice_type,
                               result=None, quote=None), 422
    result = _run_edit_checks(form, publisher)
    quote, message = None, None
    if result.ok:
        try:
            quote = printing.quote_notice(publisher, result, notice_type,
                                          with_png=request.form.get("action") != "save")
        except printing.RenderError as exc:
            message = f"排版失败：{exc}"
    unchanged = (result.text == notice.revision.text and result.fields == notice.revision.fields)
    if request.form.get("action") == "save" and result.ok and quote is not None:
        if unchanged:
            flash("正文和各项内容都没有改动，未生成新版本。", "info")
            return redirect(url_for("desk.notice", reference=notice.reference), code=303)
        try:
            workflow.edit_text(get_db(), notice.reference, int(form.version.data), result, lines=quote.lines,
                               price_cents=quote.price_cents, note=form.note.data or "", actor=current_user.actor)
        except Conflict:
            return _conflict(notice.reference, form, result, notice_type)
        except DeskError as exc:
            message = exc.message
        else:
            flash(f"已保存为第 {notice.current_revision + 1} 版"
                  f"（{quote.lines} 行，{quote.price_cents / 100:.2f} 元）。", "success")
            return redirect(url_for("desk.notice", reference=notice.reference), code=303)
    status = 422 if not result.ok or message else 200
    return render_template("desk/edit.html", notice=notice, form=form, notice_type=notice_type, result=result,
                           quote=quote, message=message, unchanged=unchanged), status


def _conflict(reference: str, form, result, notice_type):
    """Someone saved (or decided, scheduled, recorded a payment) since this form was loaded.
    Show what is stored now and what this editor typed; nothing was overwritten."""
    s = read_session()
    s.expire_all()
    current = workflow.load_notice(s, reference)
    latest = audit_log.audit_entries(s, notice_id=current.id, limit=5)
    form.version.data = str(current.version)       # saving again now is a deliberate choice
    return render_template("desk/conflict.html", notice=current, form=form, notice_type=notice_type,
                           yours=result.text, theirs=current.revision.text, latest=latest,
                           action_labels=ACTION_LABELS), 409


# ---------------------------------------------------------------------------------------------
# History and the audit log (read only: the app has no way to change an entry)

@bp.get("/notices/<reference>/history")
def history(reference):
    notice = _notice_or_404(reference)
    s = read_session()
    entries = list(reversed(audit_log.audit_entries(s, notice_id=notice.id, limit=1000)))
    payments = list(s.scalars(select(Payment).where(Payment.notice_id == notice.id).order_by(Payment.id)))
    return render_template("desk/history.html", notice=notice, entries=entries, payments=payments,
                           action_labels=ACTION_LABELS, methods=PAYMENT_METHODS, details=_details)


DETAIL_LABELS = {
    "reference": "编号", "revision": "版本", "issue_date": "刊登日期", "previous_issue_date": "原刊登日期",
    "page": "版", "column": "栏", "export_id": "导出号", "reason": "原因", "amount_cents": "金额",
    "method": "方式", "receipt_no": "收据号", "paid_cents": "累计已付", "owed_cents": "尚欠",
    "text_hash": "正文摘要", "previous_text_hash": "原正文摘要", "lines": "行数", "price_cents": "价格",
    "note": "说明", "username": "账号", "address": "地址", "role": "角色", "sha256": "PDF摘要",
    "revisions": "所含版本", "overflow": "排不下", "pages": "页数", "type": "类型", "name": "名称",
    "prefix": "前缀", "publication_id": "刊登记录号", "verification_code": "核验码", "references": "所含公告",
}


def _value_text(key: str, value) -> str:
    if value is None or value == [] or value == "":
        return "—"
    if key == "type" and value in CATALOGUE:
        return CATALOGUE[value].title
    if key.endswith("_cents") and isinstance(value, int):
        return f"¥{value / 100:.2f}"
    if key == "method":
        return PAYMENT_METHODS.get(value, value)
    if key == "role":
        return ROLE_LABELS.get(value, value)
    if key == "reason" and value in ("wrong-password", "no-such-user", "inactive"):
        return {"wrong-password": "密码不对", "no-such-user": "无此账号", "inactive": "账号已停用"}[value]
    if key == "reason" and value in THROTTLE_REASONS:
        return THROTTLE_REASONS[value]
    if key == "revisions" and isinstance(value, list):
        return "、".join(f"{r[0]} 第{r[1]}版" if isinstance(r, list) and len(r) == 2 else str(r) for r in value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _setting_labels() -> dict[str, str]:
    """What the settings form calls each part of the layout and the rate card: the audit log
    names a changed setting as the administrator saw it, not by the engine's field name."""
    layout_cls, rate_cls = _typesetting_classes()
    labels = {name: label for name, label, *_rest in settings_fields(layout_cls)}
    labels.update(rule_fields(type(rate_cls().default)))
    labels.update(rate_rules(rate_cls))
    labels.update(categories="", currency_symbol="货币符号")
    return labels


def _flat(value, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], object]:
    if isinstance(value, dict):
        out: dict[tuple[str, ...], object] = {}
        for key, item in value.items():
            out.update(_flat(item, (*path, str(key))))
        return out
    return {path: value}


def _effective(key: str, stored):
    """A layout or rate card as it applied: the stored overrides over the engine's defaults, so
    that a first change reads "8.0 → 8.5", not "— → 8.5" (and unchanged defaults not at all)."""
    try:
        if key == "layout":
            layout_cls, _rate_cls = _typesetting_classes()
            return {name: default for name, _label, _kind, default, _hint in settings_fields(layout_cls)} | stored
        if key == "rate_card":
            return printing.rate_card(Publisher(rate_card=stored)).to_dict()
    except (TypeError, ValueError):      # an entry written by an older version: shown as stored
        pass
    return stored


def _setting_value(key: str, value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in RULE_CHOICES:
        return dict(RULE_CHOICES[key]).get(value, str(value))
    if key == "weekdays" and isinstance(value, list):
        return "、".join(WEEKDAY_LABELS[d] if isinstance(d, int) and 0 <= d < 7 else str(d) for d in value)
    if key == "type_order" and isinstance(value, list):
        return "、".join(CATALOGUE[c].title if c in CATALOGUE else str(c) for c in value)
    if key == "print_id_numbers":
        return {"masked": "隐去中间部分", "full": "全号刊登"}.get(value, str(value))
    if key.endswith("_cents") and isinstance(value, int):
        return f"¥{value / 100:.2f}"
    return _value_text(key, value)


def _setting_change(key: str, before, after) -> str:
    """"正文字号（磅）9.0 → 8.5；栏数 5 → 6": only what changed in the layout or the rate card,
    by the settings form's labels (the whole dict was shown, with the engine's English keys)."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        return f"{_setting_value(key, before)} → {_setting_value(key, after)}"
    labels = _setting_labels()
    old, new = _flat(_effective(key, before or {})), _flat(_effective(key, after or {}))
    parts = []
    for path in [*old, *(p for p in new if p not in old)]:
        if old.get(path) != new.get(path):
            name = "·".join(label for label in (labels.get(p, labelled(p)) for p in path) if label)
            was, now_ = _setting_value(path[-1], old.get(path)), _setting_value(path[-1], new.get(path))
            parts.append(f"{name} {was} → {now_}")
    return "；".join(parts) or "—"


def _details(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(label, shown value, full value) for each detail of an entry, in Chinese."""
    try:
        data = json.loads(entry.details_json)
    except ValueError:
        return [("内容", entry.details_json, entry.details_json)]
    if not isinstance(data, dict):
        return [("内容", entry.details_json, entry.details_json)]
    out = []
    for key, value in data.items():
        if entry.action == "settings" and isinstance(value, dict) and set(value) == {"from", "to"}:
            full = _setting_change(key, value["from"], value["to"])
            out.append((SETTING_LABELS.get(key, key), full[:160] + ("…" if len(full) > 160 else ""), full))
            continue
        full = _value_text(key, value)
        shown = full[:12] + "…" if key.endswith("hash") or key == "sha256" else full
        out.append((DETAIL_LABELS.get(key, key), shown, full))
    return out


@bp.get("/audit")
def audit():
    """Verifies the entries added since the last signed checkpoint, and signs a new one; an
    administrator's ?full=1 rehashes every entry (as `flask verify-audit` does). Hashing all
    200 000 entries on every view took 4 s (benchmarks/bench_audit.py)."""
    full = request.args.get("full") == "1"
    if full:
        _require_admin()
    s = read_session()
    result = audit_log.verify_audit(s, full=full)
    audit_log.record_verification(get_db(), result, current_user.actor)
    last_full = audit_log.last_full_verification(s)
    findings = json.loads(last_full.findings_json) if last_full and last_full.findings_json else {}
    before = request.args.get("before", type=int)
    if before is not None and not 0 < before < 2 ** 31:
        before = None      # beyond PostgreSQL's integer (a 500 there): the first page
    entries = audit_log.audit_entries(s, before_id=before, limit=AUDIT_PAGE)
    refs = dict(s.execute(select(Notice.id, Notice.reference).where(
        Notice.id.in_({e.notice_id for e in entries if e.notice_id}))).all())
    return render_template("desk/audit.html", result=result, bad_set=set(result.bad), last_full=last_full,
                           findings=findings, entries=entries, total=result.total, refs=refs,
                           action_labels=ACTION_LABELS, details=_details,
                           older=entries[-1].id if len(entries) == AUDIT_PAGE else None)


# ---------------------------------------------------------------------------------------------
# Issues: plan, see the column, export, publish

@dataclass
class ColumnView:
    result: object
    pngs: list[str] = dc_field(default_factory=list)
    placements: dict = dc_field(default_factory=dict)
    overflow: list[str] = dc_field(default_factory=list)
    error: str = ""


_COLUMN_CACHE: "OrderedDict[str, ColumnView]" = OrderedDict()
_COLUMN_LOCK = threading.Lock()
COLUMN_CACHE_SIZE = 8


def _column_key(publisher: Publisher, issue: date, notices: list[Notice], continued: bool = False) -> str:
    parts = [issue.isoformat(), json.dumps(publisher.as_dict(), sort_keys=True, ensure_ascii=False),
             "continued" if continued else "one page"]
    parts += [f"{n.reference}:{n.current_revision}:{n.revision.text_hash}:{n.type_code}" for n in notices]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def column_view(publisher: Publisher, issue: date, notices: list[Notice], *, with_pngs: bool = True,
                continued: bool = False) -> ColumnView:
    """The column as it will print (cached by content: a page view re-renders only after a change);
    `continued`: what does not fit continues on further pages, as the export's option does."""
    if not notices:
        return ColumnView(None)
    key = _column_key(publisher, issue, notices, continued)
    with _COLUMN_LOCK:
        cached = _COLUMN_CACHE.get(key)
        if cached is not None and (cached.pngs or not with_pngs or cached.error):
            _COLUMN_CACHE.move_to_end(key)
            return cached
    try:
        result = printing.render_issue_column(publisher, notices, issue, continue_overflow=continued,
                                              db=get_db())
    except (printing.RenderError, printing.AlteredText) as exc:
        return ColumnView(None, error=str(exc))
    view = ColumnView(result, placements=store_issues.placements_by_key(result),
                      overflow=[store_issues._key(o) for o in (result.overflow or [])])
    if with_pngs:
        try:
            view.pngs = press_column.page_pngs(result.pdf)
        except printing.RenderError as exc:
            # The column is set; only its pictures failed (a busy or stopped worker): say so, and
            # keep the view out of the cache so that reloading the page tries again.
            view.error = f"版面预览图未能生成（{exc}），请稍后刷新页面。"
            return view
    with _COLUMN_LOCK:
        _COLUMN_CACHE[key] = view
        while len(_COLUMN_CACHE) > COLUMN_CACHE_SIZE:
            _COLUMN_CACHE.popitem(last=False)
    return view


def printed_view(s, publication) -> SimpleNamespace:
    """The column as printed, for a published issue's page: the publication's stored PDF (its
    page images, cached by its hash) and the places its snapshots state, never a rendering
    with today's settings (issue 11: a renamed paper or relabelled pages showed a new column)."""
    export = s.get(Export, publication.export_id) if publication.export_id else None
    lines = json.loads(export.placements_json or "{}") if export is not None else {}
    rows = [SimpleNamespace(reference=pn.reference, page=pn.page, page_label=pn.page_label,
                            column=pn.column_number, lines=(lines.get(pn.reference) or {}).get("lines"))
            for pn in publication.notices]
    rows.sort(key=lambda r: (r.page or 0, r.column or 0))
    view = SimpleNamespace(publication=publication, export=export, rows=rows, pngs=[], error="")
    if not publication.pdf_hash:
        return view
    key = "printed:" + publication.pdf_hash
    with _COLUMN_LOCK:
        cached = _COLUMN_CACHE.get(key)
    if cached is not None:
        view.pngs = cached.pngs
        return view
    pdf = s.scalar(select(Publication.pdf).where(Publication.id == publication.id))
    if pdf is None:
        return view     # published before migration 0004: the PDF was never kept
    try:
        view.pngs = press_column.page_pngs(pdf)
    except printing.RenderError as exc:
        view.error = f"版面预览图未能生成（{exc}），请稍后刷新页面。"
        return view
    with _COLUMN_LOCK:
        _COLUMN_CACHE[key] = ColumnView(None, pngs=view.pngs)
        while len(_COLUMN_CACHE) > COLUMN_CACHE_SIZE:
            _COLUMN_CACHE.popitem(last=False)
    return view


def _fill(result) -> list[list[float]]:
    """Fraction of each column used, per page (the engine's fill[page][column])."""
    if result is None:
        return []
    return [[float(v) for v in columns] for columns in (getattr(result, "fill", None) or ())]


def _group_by_type(publisher: Publisher, notices: list[Notice]) -> list[tuple[str, list[Notice]]]:
    order = {code: i for i, code in enumerate(publisher.type_order)}
    groups: dict[str, list[Notice]] = {}
    for n in sorted(notices, key=lambda n: (order.get(n.type_code, len(order)), n.created_at, n.id)):
        groups.setdefault(n.type_code, []).append(n)
    return [(CATALOGUE[code].title if code in CATALOGUE else code, items) for code, items in groups.items()]


@bp.get("/issues/")
def issues():
    s = read_session()
    publisher = load_publisher(s)
    cal, day, moment = publisher.calendar, today(publisher), now()
    dates = []
    d = day - timedelta(days=7)
    while len([x for x in dates if x >= day]) < 14 and d < day + timedelta(days=400):
        if is_publishing_day(cal, d):
            dates.append(d)
        d += timedelta(days=1)
    counts = dict(s.execute(select(Notice.issue_date, func.count()).where(
        Notice.status.in_(store_issues.IN_ISSUE), Notice.issue_date.is_not(None)).group_by(Notice.issue_date)).all())
    dates = sorted(set(dates) | {d for d in counts if d >= day - timedelta(days=7)})
    states = {st.issue_date: st for st in s.scalars(select(IssueState).where(IssueState.issue_date.in_(dates)))}
    exports = dict(s.execute(select(Export.issue_date, func.max(Export.created_at)).where(
        Export.issue_date.in_(dates)).group_by(Export.issue_date)).all())
    waiting = s.scalar(select(func.count()).select_from(Notice).where(Notice.status == APPROVED))
    rows = [SimpleNamespace(day=d, count=counts.get(d, 0), state=states.get(d), exported=exports.get(d),
                            open=is_open(cal, d, moment), deadline=copy_deadline_for(cal, d),
                            past=d < day) for d in dates]
    return render_template("desk/issues.html", rows=rows, today=day, waiting=waiting)


def _show_continued(state) -> bool:
    """Show the column with what does not fit continued on further pages: on request
    (?continue=1), and always once published (the column as printed)."""
    return bool(state and state.status == "published") or request.args.get("continue") == "1"


@bp.get("/issues/goto")
def issue_goto():
    day = parse_day(request.args.get("day"))
    if day is None:
        flash("请选择一个日期，例如：2026-12-01。", "warning")
        return redirect(url_for("desk.issues"), code=303)
    return redirect(url_for("desk.issue", day=day.isoformat()), code=303)


@bp.get("/issues/<day>")
def issue(day):
    issue_date = _parse_date(day)
    s = read_session()
    publisher = load_publisher(s)
    notices = store_issues.issue_notices(s, issue_date)
    state = store_issues.issue_state(s, issue_date)
    published = bool(state and state.status == "published")
    continued = _show_continued(state)
    next_issue = next_issue_after_today(publisher)
    live = store_issues.live_publication(s, issue_date)
    # Published: the page shows the stored printed PDF (printed_view), not a new rendering.
    printed_column = printed_view(s, live) if live is not None else None
    column = ColumnView(None) if printed_column else column_view(publisher, issue_date, notices, continued=continued)
    candidates = list(s.scalars(select(Notice).where(Notice.status == APPROVED)
                                .options(selectinload(Notice.revisions), selectinload(Notice.api_key))
                                .order_by(Notice.requested_date, Notice.created_at).limit(QUEUE_LIMIT)))
    candidates.sort(key=lambda n: (not urgent_windows(n, next_issue), n.requested_date != issue_date))
    exports = list(s.scalars(select(Export).where(Export.issue_date == issue_date).order_by(Export.id.desc())))
    publications = store_issues.publications(s, issue_date)
    export_current = bool(exports) and {r: v for r, v in json.loads(exports[0].revisions_json)} == {
        n.reference: n.current_revision for n in notices}
    choices = schedule_choices(publisher, s)
    urgent = {n.reference: urgent_windows(n, next_issue) for n in notices + candidates}
    return render_template(
        "desk/issue.html", issue_date=issue_date, notices=notices, groups=_group_by_type(publisher, notices),
        state=state, published=published, column=column, fill=_fill(column.result),
        candidates=candidates, exports=exports, export_current=export_current, choices=choices,
        continued=continued, printed_column=printed_column, printed_hash=live.pdf_hash if live else None,
        stale_after=store_issues.withdrawn_since(s, issue_date, exports[0] if exports else None),
        publications=publications, snapshots={pn.reference: pn for pn in (live.notices if live else [])},
        before_issue_day=issue_date > today(publisher),
        urgent=urgent, urgent_waiting=[n for n in candidates if urgent[n.reference]], next_issue=next_issue,
        export_counts={e.id: len(json.loads(e.revisions_json)) for e in exports},
        open_for_advertisers=is_open(publisher.calendar, issue_date, now()),
        deadline=copy_deadline_for(publisher.calendar, issue_date),
        publishing_day=is_publishing_day(publisher.calendar, issue_date),
        action_form=ActionForm(), total_lines=sum(n.lines for n in notices),
        unpaid=[n for n in notices if n.owed_cents and not (n.api_key and n.api_key.credit_account)])


@bp.get("/issues/<day>/preview.pdf")
def issue_preview(day):
    """The column as it stands, to look at (not recorded: the print PDF is the export)."""
    issue_date = _parse_date(day)
    s = read_session()
    publisher = load_publisher(s)
    notices = store_issues.issue_notices(s, issue_date)
    live = store_issues.live_publication(s, issue_date)
    if live is not None and live.pdf is not None:
        # Published: the PDF as printed, never the column set again with today's settings.
        return Response(live.pdf, mimetype="application/pdf", headers={
            "Content-Disposition": f'inline; filename="printed-{issue_date.isoformat()}-{live.id}.pdf"',
            "Cache-Control": "no-store"})
    continued = _show_continued(store_issues.issue_state(s, issue_date))
    column = column_view(publisher, issue_date, notices, with_pngs=False, continued=continued)
    if column.result is None:
        flash(column.error or "这一期还没有排期的公告。", "warning")
        return redirect(url_for("desk.issue", day=issue_date.isoformat()), code=303)
    return Response(column.result.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="preview-{issue_date.isoformat()}.pdf"',
        "Cache-Control": "no-store"})


@bp.post("/issues/<day>/export")
def issue_export(day):
    issue_date = _parse_date(day)
    if not ActionForm().validate_on_submit():
        abort(400)
    publisher = load_publisher(read_session())
    try:
        outcome = press_column.export_column(publisher, issue_date, db=get_db(), actor=current_user.actor,
                                             continue_overflow=request.form.get("continue_overflow") == "1")
    except (DeskError, printing.RenderError, printing.AlteredText) as exc:
        flash(getattr(exc, "message", None) or f"排版失败：{exc}", "error")
        return redirect(url_for("desk.issue", day=issue_date.isoformat()), code=303)
    return Response(outcome.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="column-{issue_date.isoformat()}-{outcome.export.id}'
                               f'{"-reprint" if outcome.reprint else ""}.pdf"',
        "X-Export-Id": str(outcome.export.id), "X-Export-SHA256": outcome.export.pdf_hash,
        "X-Reprint": "1" if outcome.reprint else "0", "Cache-Control": "no-store"})


@bp.post("/issues/<day>/publish")
def issue_publish(day):
    issue_date = _parse_date(day)
    if not ActionForm().validate_on_submit():
        abort(400)
    if request.form.get("confirm") != "1":
        flash("请先勾选“我已核对最后导出的付印PDF”。", "warning")
        return redirect(url_for("desk.issue", day=issue_date.isoformat()), code=303)
    try:
        published = store_issues.publish_issue(get_db(), issue_date, actor=current_user.actor,
                                           secret_key=current_app.config["SECRET_KEY"],
                                           today=today(load_publisher(read_session())),
                                           export_id=request.form.get("export_id", type=int))
    except DeskError as exc:
        flash(exc.message, "error")
    else:
        flash(f"{format_date_cn(issue_date)} 已标记刊登，{len(published)} 则公告状态改为“已刊登”，客户可下载见报证明。",
              "success")
    return redirect(url_for("desk.issue", day=issue_date.isoformat()), code=303)


@bp.post("/issues/<day>/withdraw")
def issue_withdraw(day):
    """An administrator withdraws a publication marked in error, with a reason (kept, audited)."""
    issue_date = _parse_date(day)
    _require_admin()
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        publication = store_issues.withdraw_publication(get_db(), issue_date, request.form.get("reason", ""),
                                                    actor=current_user.actor)
    except DeskError as exc:
        flash(exc.message, "error")
    else:
        flash(f"{format_date_cn(issue_date)} 的刊登记录已撤回，{len(publication.notices)} 则公告回到“已排期”。"
              "核验页和客户的进度页显示撤回及原因；更正后可重新导出、标记刊登。", "success")
    return redirect(url_for("desk.issue", day=issue_date.isoformat()) + "#publications", code=303)


# ---------------------------------------------------------------------------------------------
# Publisher settings (admin)

def _typesetting_classes():
    import typesetting
    return typesetting.LayoutSettings, typesetting.RateCard


def _settings_form(publisher: Publisher, formdata=None):
    layout_cls, rate_cls = _typesetting_classes()
    cls = settings_form_class(layout_cls, rate_cls)
    if formdata is not None:
        return cls(formdata=formdata), layout_cls, rate_cls
    data = {"newspaper": publisher.newspaper, "contact_lines": "\n".join(publisher.contact_lines),
            "office_phone": publisher.office_phone, "page_labels": "、".join(publisher.page_labels),
            "weekdays": [str(d) for d in publisher.weekdays], "copy_deadline": publisher.copy_deadline,
            "days_before": publisher.days_before, "closed_dates": "\n".join(publisher.closed_dates),
            "print_id_numbers": publisher.print_id_numbers}
    for i, code in enumerate(_full_type_order(publisher), start=1):
        data[f"order__{code}"] = i
    for name, _label, _kind, default, _hint in settings_fields(layout_cls):
        data[f"layout__{name}"] = publisher.layout.get(name, default)
    try:
        card = printing.rate_card(publisher).to_dict()
    except (ValueError, TypeError):
        card = rate_cls().to_dict()           # a stored card the engine no longer accepts: show defaults
    data["rate__currency_symbol"] = card["currency_symbol"]
    rule_cls = type(rate_cls().default)
    for rule, _label in rate_rules(rate_cls):
        values = card["default"] if rule == "default" else card["categories"].get(rule, card["default"])
        for name, _l in rule_fields(rule_cls):
            value = values.get(name)
            data[f"rate__{rule}__{name}"] = cents_text(value) if name.endswith("_cents") else value
    return cls(data=data), layout_cls, rate_cls


def _full_type_order(publisher: Publisher) -> list[str]:
    order = [c for c in publisher.type_order if c in CATALOGUE]
    return order + [c for c in CATALOGUE if c not in order]


def _publisher_from_form(form, before: Publisher, layout_cls, rate_cls) -> Publisher | None:
    """The new settings, or None with the problems filed under the inputs (in Chinese)."""
    from notices.dates import parse_date
    ok = True
    lines = [ln.strip() for ln in (form.contact_lines.data or "").splitlines() if ln.strip()]
    if not lines or len(lines) > CONTACT_LINES_MAX or any(len(ln) > CONTACT_LINE_MAX for ln in lines):
        form.contact_lines.errors = [f"联系方式1到{CONTACT_LINES_MAX}行，每行不超过{CONTACT_LINE_MAX}字，"
                                     "例如：联系电话：87750217 87133731"]
        ok = False
    closed, bad = [], []
    for item in (form.closed_dates.data or "").split():
        d = parse_date(item.strip("，,"))
        (closed.append(d.isoformat()) if d else bad.append(item))
    if bad:
        form.closed_dates.errors = [f"无法识别的日期：{'、'.join(bad[:5])}。请每行写一个日期，例如：2027-02-10。"]
        ok = False
    positions = {code: form[f"order__{code}"].data for code in CATALOGUE}
    if len(set(positions.values())) != len(positions):
        form[f"order__{next(iter(CATALOGUE))}"].errors = ["各类公告的顺序号不能重复。"]
        ok = False
    if not ok:
        return None
    after = Publisher(**before.as_dict())
    after.newspaper = form.newspaper.data.strip()
    after.office_phone = form.office_phone.data.strip()
    after.page_labels = [p for p in re.split(r"[、，,\s]+", form.page_labels.data or "") if p]
    after.contact_lines = lines
    after.weekdays = sorted(int(x) for x in form.weekdays.data)
    after.copy_deadline = form.copy_deadline.data
    after.days_before = form.days_before.data
    after.closed_dates = sorted(set(closed))
    after.print_id_numbers = "full" if form.print_id_numbers.data == "full" else "masked"
    after.type_order = sorted(CATALOGUE, key=lambda c: positions[c])
    # Only what differs from the engine's default is stored: a setting the admin never touched
    # follows the engine when its default improves.
    layout = {}
    for name, _label, _kind, default, _hint in settings_fields(layout_cls):
        value = form[f"layout__{name}"].data
        value = value.strip() if isinstance(value, str) else value
        if value != default:
            layout[name] = value
    after.layout = layout
    rule_cls = type(rate_cls().default)
    rules = {}
    for rule, _label in rate_rules(rate_cls):
        rules[rule] = {name: (parse_price(form[f"rate__{rule}__{name}"].data) if name.endswith("_cents")
                              else form[f"rate__{rule}__{name}"].data)
                       for name, _l in rule_fields(rule_cls)}
    card = {"default": rules.pop("default"), "categories": rules,
            "currency_symbol": form.rate__currency_symbol.data.strip()}
    after.rate_card = {} if card == rate_cls().to_dict() else card
    # The engine has the last word on layout and prices (and its messages are Chinese).
    try:
        settings = printing.layout_settings(after)
        import typesetting
        typesetting.set_notice("遗失声明", "某某有限公司遗失营业执照副本，声明作废。", settings)   # fonts exist
    except (ValueError, TypeError, printing.RenderError) as exc:
        form.layout_error = labelled(str(exc))
        return None
    try:
        printing.rate_card(after)
    except (ValueError, TypeError) as exc:
        form.rate_error = labelled(str(exc))
        return None
    return after


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    _require_admin()
    s = read_session()
    before = load_publisher(s)
    if request.method == "POST":
        form, layout_cls, rate_cls = _settings_form(before, request.form)
        if form.validate_on_submit():
            after = _publisher_from_form(form, before, layout_cls, rate_cls)
            if after is not None:
                changed = save_settings(get_db(), before, after, actor=current_user.actor)
                flash("设置已保存：" + "、".join(SETTING_LABELS.get(k, k) for k in changed) + "。" if changed
                      else "没有改动。", "success" if changed else "info")
                return redirect(url_for("desk.settings"), code=303)
        status = 422
    else:
        form, layout_cls, rate_cls = _settings_form(before)
        status = 200
    rule_cls = type(rate_cls().default)
    return render_template(
        "desk/settings.html", form=form, layout_fields=[f for f in form if f.name.startswith("layout__")],
        order_fields=[f for f in form if f.name.startswith("order__")],
        rules=[(rule, label, [form[f"rate__{rule}__{name}"] for name, _l in rule_fields(rule_cls)])
               for rule, label in rate_rules(rate_cls)],
        rule_headers=[label for _n, label in rule_fields(rule_cls)],
        layout_error=getattr(form, "layout_error", ""), rate_error=getattr(form, "rate_error", "")), status


# As the settings page names them (templates/desk/settings.html): "版面" was both the page
# labels and the layout, so a save said "设置已保存：联系方式、版面、报纸名称、版面。".
SETTING_LABELS = {"newspaper": "报纸名称", "office_phone": "报社联系电话", "page_labels": "分类公告所在版面",
                  "contact_lines": "栏末联系方式", "weekdays": "出版日", "copy_deadline": "截稿时间",
                  "days_before": "提前天数", "closed_dates": "休刊日期", "print_id_numbers": "身份证号码见报方式",
                  "type_order": "公告顺序", "layout": "版式", "rate_card": "价目表"}


# ---------------------------------------------------------------------------------------------
# Editor accounts (admin)

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
        rows = read_session().execute(select(AuditEntry.at, AuditEntry.details_json).where(
            AuditEntry.action == "login-throttled").order_by(AuditEntry.id.desc()).limit(200)).all()
        addresses = {}
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
    users = list(read_session().scalars(select(User).order_by(User.username)))
    reset_forms = reset_forms or {}
    return render_template("desk/editors.html", users=users, form=create_form or EditorCreateForm(),
                           reset_forms={u.id: reset_forms.get(u.id) or ResetPasswordForm(prefix=f"u{u.id}")
                                        for u in users},
                           action_form=ActionForm(), roles=ROLE_LABELS, throttle=_throttle_view(users)), status


@bp.route("/editors", methods=["GET", "POST"])
def editors():
    _require_admin()
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
def editor_active(user_id):
    _require_admin()
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
def editor_unlock(user_id):
    """解除登录限制: clears the account's throttle counters (store/throttle.py), audited."""
    _require_admin()
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
def editor_password(user_id):
    _require_admin()
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


def init_app(app) -> None:
    from views import auth, proof, verify
    auth.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(verify.bp)
    app.register_blueprint(proof.bp)

    @app.context_processor
    def _desk_helpers():
        helpers = {"status_labels": STATUS_LABELS, "local_time": local_time_text}
        if request.path.startswith("/desk"):
            helpers["publisher"] = load_publisher(read_session())
        return helpers
