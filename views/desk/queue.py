"""The review queue: notices by status, type and issue date, urgent ones first."""
from __future__ import annotations

from types import SimpleNamespace

from flask import flash, render_template, request

from notices.catalogue import CATALOGUE
from store import workflow
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
    statuses = OPEN_STATUSES if status == "open" else None if status == "all" else (status,)
    notices = workflow.queue_notices(s, statuses=statuses, type_code=type_code, issue=issue, limit=QUEUE_LIMIT + 1)
    more = len(notices) > QUEUE_LIMIT
    notices = notices[:QUEUE_LIMIT]
    next_issue = next_issue_after_today(publisher)
    rows = [SimpleNamespace(notice=n, urgent=urgent_windows(n, next_issue),
                            findings=n.revision.findings) for n in notices]
    rows.sort(key=lambda r: (not r.urgent,))          # urgent first, otherwise by requested date
    counts = workflow.status_counts(s)
    counts["open"] = sum(counts.get(k, 0) for k in OPEN_STATUSES)
    counts["all"] = sum(v for k, v in counts.items() if k != "open")
    return render_template("desk/queue.html", rows=rows, more=more, status=status, type_code=type_code,
                           issue=issue, statuses=STATUS_FILTERS, counts=counts, catalogue=CATALOGUE,
                           next_issue=next_issue, limit=QUEUE_LIMIT)
