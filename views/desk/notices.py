"""One notice: its page, decisions, schedule, payments, editing the text (re-checked, a new
revision; a stale form is refused with both texts shown) and its history."""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from types import SimpleNamespace

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.desk import (
    DecisionForm,
    PaymentForm,
    ScheduleForm,
    edit_form_class,
)
from forms.validators import parse_yuan
from notices.catalogue import CATALOGUE
from notices.deadlines import format_date_cn, is_publishing_day
from notices.money import format_yuan
from press import printing
from store import audit as audit_log, issues as store_issues, workflow
from store.errors import Conflict, DeskError
from store.models import (
    Notice,
)
from store.settings import Publisher, load_publisher
from store.workflow import PAYMENT_METHODS, clean_reference, status_secret
from views.desk.audit import entry_details
from views.desk.common import (
    ACTION_LABELS,
    bp,
    next_issue_after_today,
    now,
    schedule_choices,
    today,
    urgent_windows,
)
from views.extensions import get_db, read_session


def _notice_or_404(reference: str) -> Notice:
    # clean_reference: "" for anything that is not a reference (a NUL in the address reached
    # PostgreSQL, which refuses it in text: a 500).
    notice = workflow.load_notice(read_session(), clean_reference(reference))
    if notice is None:
        abort(404)
    return notice


@lru_cache(maxsize=256)
def _cached_quote(publisher_json: str, type_code: str, title: str, text: str, fields_json: str,
                  issue_date: date | None = None):
    # A notice page is viewed many times while its text stays the same: render its preview once.
    # Set for its issue, or the date asked for (what prints can depend on it: the creditors' last day).
    publisher = Publisher(**json.loads(publisher_json))
    view = SimpleNamespace(title=title, text=text, fields=json.loads(fields_json), publication_date=issue_date)
    return printing.quote_notice(publisher, view, CATALOGUE[type_code], with_png=True)


def _preview(publisher: Publisher, notice: Notice):
    revision = notice.revision
    try:
        return _cached_quote(json.dumps(publisher.as_dict(), sort_keys=True, ensure_ascii=False), notice.type_code,
                             notice.title, revision.text, revision.fields_json,
                             notice.issue_date or notice.requested_date), None
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
    payments = workflow.notice_payments(s, notice.id)
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
            operation(get_db(), notice.reference, form.version_number(), form.reason.data or "",
                      actor=current_user.actor)
        else:
            operation(get_db(), notice.reference, form.version_number(), actor=current_user.actor)
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
    """The notice's text and fields, checked as the advertiser's form checks them, with their
    price; "save" makes them a new revision."""
    notice = _notice_or_404(reference)
    publisher = load_publisher(read_session())
    if notice.status not in workflow.EDITABLE:
        flash(f"这则公告当前状态为“{notice.status_label}”，不能再修改正文。", "warning")
        return redirect(url_for("desk.notice", reference=notice.reference), code=303)
    if request.method == "GET":
        form, notice_type, _variant = _edit_form(notice)
        return _edit_page(notice, form, notice_type)
    form, notice_type, _variant = _edit_form(notice, request.form)
    if not form.validate_on_submit() and _not_checkable(form):
        _say_hidden_errors(form)
        return _edit_page(notice, form, notice_type, status=422)
    saving = request.form.get("action") == "save"
    result = _run_edit_checks(form, publisher)
    quote, message = _edit_quote(publisher, result, notice_type, with_png=not saving)
    unchanged = (result.text == notice.revision.text and result.fields == notice.revision.fields)
    if saving and quote is not None:          # a quote: the edit passed its checks
        try:
            return _save_edit(notice, form, result, quote, notice_type, unchanged)
        except DeskError as exc:              # refused (a conflict has its own page)
            message = exc.message
    return _edit_page(notice, form, notice_type, result=result, quote=quote, message=message, unchanged=unchanged,
                      status=422 if not result.ok or message else 200)


def _edit_page(notice: Notice, form, notice_type, *, result=None, quote=None, status=200, **context):
    return render_template("desk/edit.html", notice=notice, form=form, notice_type=notice_type, result=result,
                           quote=quote, **context), status


def _not_checkable(form) -> bool:
    """The form's own inputs are wrong (the version, the note, the CSRF token): the notice's
    checks are not run. The fields' errors are the checks' to say."""
    return bool(form.version.errors or form.note.errors or "csrf_token" in form.errors)


def _edit_quote(publisher: Publisher, result, notice_type, *, with_png: bool):
    """(quote, None) for an edit that passed its checks; (None, why) when the engine failed;
    (None, None) for one with errors."""
    if not result.ok:
        return None, None
    try:
        return printing.quote_notice(publisher, result, notice_type, with_png=with_png), None
    except printing.RenderError as exc:
        return None, f"排版失败：{exc}"


def _save_edit(notice: Notice, form, result, quote, notice_type, unchanged: bool):
    """The checked edit saved as a new revision (none when nothing changed): the notice's page;
    the conflict page when the notice changed since the form was loaded. Any other refusal is
    the DeskError, for the caller to show on the form."""
    if unchanged:
        flash("正文和各项内容都没有改动，未生成新版本。", "info")
        return redirect(url_for("desk.notice", reference=notice.reference), code=303)
    try:
        workflow.edit_text(get_db(), notice.reference, int(form.version.data), result, lines=quote.lines,
                           price_cents=quote.price_cents, note=form.note.data or "", actor=current_user.actor)
    except Conflict:
        return _conflict(notice.reference, form, result, notice_type)
    flash(f"已保存为第 {notice.current_revision + 1} 版"
          f"（{quote.lines} 行，{format_yuan(quote.price_cents)}）。", "success")
    return redirect(url_for("desk.notice", reference=notice.reference), code=303)


def _conflict(reference: str, form, result, notice_type):
    """Someone saved (or decided, scheduled, recorded a payment) since this form was loaded.
    Show what is stored now and what this editor typed; nothing was overwritten."""
    s = read_session()
    s.expire_all()
    current = workflow.load_notice(s, reference)
    if current is None:         # notices are never deleted; a reference that went is a 404 as elsewhere
        abort(404)
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
    payments = workflow.notice_payments(s, notice.id)
    return render_template("desk/history.html", notice=notice, entries=entries, payments=payments,
                           action_labels=ACTION_LABELS, methods=PAYMENT_METHODS, details=entry_details)
