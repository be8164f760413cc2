"""The review queue: notices by status, type and issue date, urgent ones first."""
from __future__ import annotations

from types import SimpleNamespace

from flask import flash, render_template, request
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from notices.catalogue import CATALOGUE
from store.models import (
    STATUS_LABELS,
    Notice,
)
from store.settings import load_publisher
from views.desk.common import (
    OPEN_STATUSES,
    QUEUE_LIMIT,
    bp,
    next_issue_after_today,
    parse_day,
    urgent_windows,
)
from views.extensions import read_session

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
