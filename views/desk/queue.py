"""The review queue: notices by status, type and issue date, urgent ones first; one search box
(name, phone, code or reference: store/search.py); and its bulk actions on the ticked rows
(approve, record one payment, schedule: store/bulk.py), one POST each, answered with what was
done to each notice or why not."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.bulk import ACTIONS, BulkForm
from forms.validators import parse_yuan
from notices.catalogue import CATALOGUE
from notices.deadlines import is_publishing_day
from store import bulk, search
from store.errors import DeskError
from store.models import (
    STATUS_LABELS,
)
from store.settings import load_publisher
from views.desk.common import (
    OPEN_STATUSES,
    QUEUE_LIMIT,
    bp,
    next_issue_after_today,
    parse_day,
    schedule_choices,
    today,
    urgent_windows,
)
from views.extensions import get_db, read_session

STATUS_FILTERS = [("open", "待处理"), *[(k, v) for k, v in STATUS_LABELS.items()], ("all", "全部")]


def _filters() -> SimpleNamespace:
    """The queue's filters from the address (the bulk form posts to an address that keeps them)."""
    args = request.args
    query = (args.get("q") or "").strip()[:search.QUERY_MAX]
    # A search looks in every status unless one is chosen: the phone number of a published
    # notice is as likely to be asked about as a waiting one's.
    status = args.get("status") or ("all" if query else "open")
    if status not in dict(STATUS_FILTERS):
        status = "open"
    type_code = args.get("type", "")
    if type_code not in CATALOGUE:
        type_code = ""
    issue = None
    if args.get("date"):
        issue = parse_day(args["date"])
        if issue is None:
            flash("日期格式不对，请按 2026-12-01 填写。", "warning")
    return SimpleNamespace(status=status, type_code=type_code, issue=issue, q=query,
                           needle=search.query_text(query))


def _render(form: BulkForm | None = None, results: list[bulk.Outcome] | None = None, action: str = "",
            status_code: int = 200):
    s = read_session()
    publisher = load_publisher(s)
    f = _filters()
    statuses = OPEN_STATUSES if f.status == "open" else None if f.status == "all" else (f.status,)
    notices = search.queue_notices(s, search=f.needle, statuses=statuses, type_code=f.type_code, issue=f.issue,
                                   limit=QUEUE_LIMIT + 1)
    more = len(notices) > QUEUE_LIMIT
    notices = notices[:QUEUE_LIMIT]
    next_issue = next_issue_after_today(publisher)
    rows = [SimpleNamespace(notice=n, urgent=urgent_windows(n, next_issue),
                            findings=n.revision.findings) for n in notices]
    rows.sort(key=lambda r: (not r.urgent,))          # urgent first, otherwise by requested date
    counts = search.status_counts(s, f.needle)
    counts["open"] = sum(counts.get(k, 0) for k in OPEN_STATUSES)
    counts["all"] = sum(v for k, v in counts.items() if k != "open")
    if form is None:
        form = BulkForm()
        form.schedule_date.data = next_issue.isoformat()
    form.schedule_date.choices = schedule_choices(publisher, s)
    filter_args = {"status": f.status, "type": f.type_code or None,
                   "date": f.issue.isoformat() if f.issue else None, "q": f.q or None}
    return render_template("desk/queue.html", rows=rows, more=more, status=f.status, type_code=f.type_code,
                           issue=f.issue, q=f.q, statuses=STATUS_FILTERS, counts=counts, catalogue=CATALOGUE,
                           next_issue=next_issue, limit=QUEUE_LIMIT, bulk_form=form, filter_args=filter_args,
                           results=results, action_label=ACTIONS.get(action, ""),
                           done=sum(1 for r in results or () if r.done)), status_code


@bp.get("/")
def queue():
    return _render()


@bp.get("/queue/bulk")
def queue_bulk_get():
    """A refused bulk form is shown at its POST address; reloading it sends GET: back to the queue."""
    return redirect(url_for("desk.queue", **request.args), code=303)


def _refuse(form: BulkForm, field: str | None, message: str):
    target = getattr(form, field, None) if field else None
    if target is not None:
        target.errors = [*target.errors, message]
    else:
        flash(message, "error")
    return _render(form, status_code=422)


@bp.post("/queue/bulk")
def queue_bulk():
    """One bulk action on the ticked rows. The answer is the queue as it is now, with the
    outcome of every ticked notice above it; a reload of it comes back to the queue
    (queue_bulk_get), never posts again."""
    form = BulkForm()
    action = request.form.get("action", "")
    if action not in ACTIONS:
        flash("请按“批准所选”“记录付款”或“排期所选”中的一个按钮。", "error")
        return _render(form, status_code=422)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            flash("页面已过期（安全校验未通过），请刷新审核队列后再操作。", "error")
        return _render(form, status_code=422)
    try:
        selected, unreadable = bulk.parse_selection(request.form.getlist("notice"))
    except DeskError as exc:
        return _refuse(form, None, exc.message)
    if not selected and not unreadable:
        flash(f"没有勾选公告：请先在表格左侧勾选要“{ACTIONS[action]}”的公告。", "error")
        return _render(form, status_code=422)
    try:
        results = _run(action, form, selected)
    except DeskError as exc:
        return _refuse(form, FORM_INPUTS.get(exc.field or ""), exc.message)
    return _render(_fresh_form(form), results=unreadable + results, action=action)


# The store's names of what an action needs (DeskError.field), as the bulk form names its inputs.
FORM_INPUTS = {"method": "pay_method", "receipt_no": "pay_receipt", "total": "pay_total",
               "issue_date": "schedule_date", "override_reason": "schedule_reason"}


def _run(action: str, form: BulkForm, selected: list[bulk.Selected]) -> list[bulk.Outcome]:
    """The action on the selected notices: what was done to each or why not. A DeskError when
    the form lacks what the action needs, or the store refuses the action as a whole."""
    if action == "approve":
        return bulk.approve_many(get_db(), selected, actor=current_user.actor)
    if action == "pay":
        return _pay(form, selected)
    return _schedule(form, selected)


def _pay(form: BulkForm, selected: list[bulk.Selected]) -> list[bulk.Outcome]:
    """One transfer paying the selected notices, under one receipt number; its total, if typed,
    checked against what they owe."""
    receipt = (form.pay_receipt.data or "").strip()
    if not receipt:
        raise DeskError("请填写这笔款的收据号或流水号，例如：GZ2026-001234。", "receipt_no")
    total = parse_yuan(form.pay_total.data) if (form.pay_total.data or "").strip() else None
    return bulk.pay_many(get_db(), selected, method=form.pay_method.data or "", receipt_no=receipt,
                         actor=current_user.actor, total_cents=total)


def _schedule(form: BulkForm, selected: list[bulk.Selected]) -> list[bulk.Outcome]:
    """The selected notices into the chosen issue, by the rules of scheduling one."""
    publisher = load_publisher(read_session())
    issue: date | None = parse_day(form.schedule_date.data)
    if issue is None:
        raise DeskError("请选择刊登日期，例如：2026-11-28。", "issue_date")
    return bulk.schedule_many(get_db(), selected, issue, actor=current_user.actor,
                              override_reason=form.schedule_reason.data or "", today=today(publisher),
                              is_publishing_day=lambda d: is_publishing_day(publisher.calendar, d))


def _fresh_form(posted: BulkForm) -> BulkForm:
    """The bulk form for the next action: the payment's method and the chosen day kept, the
    receipt number and total emptied (a second transfer has its own)."""
    form = BulkForm(formdata=None)
    form.pay_method.data = posted.pay_method.data
    form.schedule_date.data = posted.schedule_date.data
    return form
