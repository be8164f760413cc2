"""The desk's side of the advertisers' self-service (issue 14 item 5; views/selfservice.py is
theirs): the flags on the queue and the notice page (a date gone by without the notice, an
editor's new price waiting for the advertiser, a refund owed after a withdrawal), and recording
the refund paid back."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from forms.validators import parse_yuan
from notices.money import format_yuan
from store import selfservice
from store.errors import Conflict, DeskError
from store.models import Notice
from store.settings import Publisher
from views.desk.common import bp, now
from views.desk.notices import _notice_or_404
from views.extensions import get_db


@bp.app_template_global("desk_self_service_flags")
def flags(notice: Notice, publisher: Publisher) -> list[tuple[str, str]]:
    """(css class, label) of each self-service state the desk must see, for the queue's 提示."""
    out = []
    if selfservice.missed(notice, publisher.calendar, now()):
        day = selfservice.notice_day(notice)
        out.append(("urgent", f"未能按期见报（{day.month}月{day.day}日）" if day else "未能按期见报"))
    if notice.awaiting_price_consent:
        out.append(("warn", "等待客户确认新价格"))
    if notice.refund_outstanding_cents:
        out.append(("warn", f"应退 {format_yuan(notice.refund_outstanding_cents)}"))
    return out


@bp.post("/notices/<reference>/refunds")
def record_refund(reference):
    notice = _notice_or_404(reference)
    amount = parse_yuan(request.form.get("amount"))
    version = request.form.get("version", "")
    try:
        if amount is None:
            raise DeskError("请填写退款金额，例如：350 或 350.50。")
        selfservice.record_refund(get_db(), notice.reference, int(version) if version.isdigit() else 0,
                                  amount_cents=amount, receipt_no=request.form.get("receipt_no", ""),
                                  actor=current_user.actor)
    except Conflict as exc:
        flash(exc.message, "error")
    except DeskError as exc:
        flash(exc.message, "error")
    else:
        flash(f"已登记退款 {format_yuan(amount or 0)}。", "success")
    return redirect(url_for("desk.notice", reference=notice.reference, _anchor="refund"), code=303)
