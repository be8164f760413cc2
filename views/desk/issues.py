"""Issues: plan one, see its column, export it, mark it published, withdraw a publication."""
from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from forms.desk import (
    ActionForm,
)
from notices.catalogue import CATALOGUE
from notices.deadlines import copy_deadline_for, format_date_cn, is_open, is_publishing_day
from press import column as press_column, printing
from store import issues as store_issues, workflow
from store.errors import DeskError
from store.models import (
    APPROVED,
    Notice,
)
from store.settings import Publisher, load_publisher
from views.auth import admin_required
from views.desk.common import (
    QUEUE_LIMIT,
    _parse_date,
    bp,
    next_issue_after_today,
    now,
    parse_day,
    schedule_choices,
    today,
    urgent_windows,
)
from views.extensions import get_db, read_session


@bp.get("/issues/<day>/<any(export, publish, withdraw):action>")
def issue_action_get(day, action):
    return redirect(url_for("desk.issue", day=_parse_date(day).isoformat()), code=303)




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
    counts = store_issues.scheduled_counts(s)
    dates = sorted(set(dates) | {d for d in counts if d >= day - timedelta(days=7)})
    states = store_issues.issue_states(s, dates)
    exports = store_issues.last_export_times(s, dates)
    waiting = workflow.status_counts(s).get(APPROVED, 0)
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
    """One issue: its notices by type, its column as it will print (as printed, once published),
    the approved notices that could go in, its exports and publications."""
    issue_date = _parse_date(day)
    s = read_session()
    publisher = load_publisher(s)
    notices = store_issues.issue_notices(s, issue_date)
    state = store_issues.issue_state(s, issue_date)
    continued = _show_continued(state)
    next_issue = next_issue_after_today(publisher)
    live = store_issues.live_publication(s, issue_date)
    printed_column, column = _columns(s, publisher, issue_date, notices, live, continued)
    candidates = _candidates(s, issue_date, next_issue)
    exports = store_issues.issue_exports(s, issue_date)
    urgent = {n.reference: urgent_windows(n, next_issue) for n in notices + candidates}
    return render_template(
        "desk/issue.html", issue_date=issue_date, notices=notices, groups=_group_by_type(publisher, notices),
        state=state, published=bool(state and state.status == "published"), column=column,
        fill=_fill(column.result), candidates=candidates, exports=exports,
        export_current=_export_is_current(exports, notices), choices=schedule_choices(publisher, s),
        continued=continued, printed_column=printed_column, printed_hash=live.pdf_hash if live else None,
        stale_after=store_issues.withdrawn_since(s, issue_date, exports[0] if exports else None),
        publications=store_issues.publications(s, issue_date), snapshots=_snapshots(live),
        before_issue_day=issue_date > today(publisher),
        urgent=urgent, urgent_waiting=[n for n in candidates if urgent[n.reference]], next_issue=next_issue,
        export_counts={e.id: len(json.loads(e.revisions_json)) for e in exports},
        open_for_advertisers=is_open(publisher.calendar, issue_date, now()),
        deadline=copy_deadline_for(publisher.calendar, issue_date),
        publishing_day=is_publishing_day(publisher.calendar, issue_date),
        action_form=ActionForm(), total_lines=sum(n.lines for n in notices), unpaid=_unpaid(notices))


def _columns(s, publisher: Publisher, issue_date, notices: list[Notice], live, continued: bool):
    """(printed column, column): once published, the stored printed PDF (printed_view) and no
    column set again; otherwise (or without a stored PDF) the column as it stands."""
    printed_column = press_column.printed_view(s, live) if live is not None else None
    if printed_column:
        return printed_column, press_column.ColumnView(None)
    return printed_column, press_column.column_view(publisher, issue_date, notices, db=get_db(), continued=continued)


def _candidates(s, issue_date, next_issue) -> list[Notice]:
    """Approved notices not yet scheduled: those with a statutory window closing first, then
    those that asked for this date."""
    candidates = workflow.queue_notices(s, statuses=(APPROVED,), limit=QUEUE_LIMIT)
    candidates.sort(key=lambda n: (not urgent_windows(n, next_issue), n.requested_date != issue_date))
    return candidates


def _export_is_current(exports, notices: list[Notice]) -> bool:
    """The latest export holds exactly these notices, each at its current revision."""
    if not exports:
        return False
    return dict(json.loads(exports[0].revisions_json)) == {n.reference: n.current_revision for n in notices}


def _snapshots(live) -> dict:
    """What the live publication recorded of each notice, by reference."""
    return {pn.reference: pn for pn in live.notices} if live is not None else {}


def _unpaid(notices: list[Notice]) -> list[Notice]:
    """Notices that still owe, except those of an agency with a credit account."""
    return [n for n in notices if n.owed_cents and not (n.api_key and n.api_key.credit_account)]


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
    column = press_column.column_view(publisher, issue_date, notices, db=get_db(), with_pngs=False,
                                      continued=continued)
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
@admin_required
def issue_withdraw(day):
    """An administrator withdraws a publication marked in error, with a reason (kept, audited)."""
    issue_date = _parse_date(day)
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
