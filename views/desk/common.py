"""What the desk's areas share: the blueprint `bp` (one, named "desk": every endpoint is
desk.<view>), its login guard and 403 page, the labels of audit actions, and the publishing
calendar as the desk pages see it (today, the next issue, the days an editor may schedule)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort
from flask_login import current_user

from notices.dates import in_range
from notices.deadlines import format_date_cn, is_open, is_publishing_day
from store import issues as store_issues
from store.models import (
    APPROVED,
    CHANGES_REQUESTED,
    PUBLISHED,
    REJECTED,
    SUBMITTED,
    WITHDRAWN,
    Notice,
)
from store.settings import Publisher
from views import clock
from views.auth import login_manager
from views.clock import now

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
    "published": "刊登", "withdraw-publication": "撤回整期刊登记录", "proof-issued": "出具见报证明",
    "publication-withdrawn": "刊登记录撤回", "settings": "修改设置", "editor-created": "开设账号",
    "editor-deactivated": "停用账号", "editor-activated": "启用账号", "password-changed": "修改密码",
    "password-reset": "重设密码", "login-unlocked": "解除登录限制", "api-key-created": "创建API密钥",
    "api-key-revoked": "吊销API密钥",
    "documents": "收到材料", "documents-purged": "材料到期删除", "invoice-request": "申请发票",
    "document-viewed": "查看材料",
    "demo-removed": "删除示例数据",
    # Self-service (store/selfservice.py, store/webhooks.py)
    "withdraw": "客户撤回", "change-date": "客户改期", "accept-price": "客户同意新价格", "refund": "登记退款",
    "webhook-set": "设置状态通知网址",
}


@bp.before_request
def _require_login():
    # Every desk page needs an editor; anonymous visitors (and advertisers, who have no desk
    # account) are sent to the login page.
    if not current_user.is_authenticated:
        return login_manager.unauthorized()


# ---------------------------------------------------------------------------------------------
# Time and the publishing calendar

def today(publisher: Publisher) -> date:
    return clock.today(publisher.calendar)


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
    published = store_issues.published_days(s, since=day)
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
