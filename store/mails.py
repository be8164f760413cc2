"""What each progress mail to an advertiser says (issue 14: the form's email field promised
用于接收进度通知). One function per event, each returning a Mail: the subject and the plain-text
body in Chinese, and a key that makes the same event one mail however often it is recorded.

They are composed when the change that causes them is written (store/workflow.py,
store/issues.py, the missed-date sweep of store/outbox.py) and stored with it, so that the mail
says what was true at that moment (a 需修改 at 14:00 says the 15:00 copy deadline is one hour
away) and the status page shows exactly what was sent. No Flask here: the addresses come from
the MailContext the web layer gives (views/mail.py), built on PUBLIC_BASE_URL.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable

from notices.deadlines import copy_deadline_for, format_date_cn, is_open, open_issue_dates
from notices.money import format_yuan
from notices.phones import with_area_code
from store.models import APPROVED, CHANGES_REQUESTED, SUBMITTED, Notice, PublishedNotice
from store.settings import Publisher

RECEIVED, CHANGES, REJECTED, SCHEDULED, PUBLISHED, MISSED = (
    "received", "changes_requested", "rejected", "scheduled", "published", "missed")
EVENT_LABELS = {RECEIVED: "已受理", CHANGES: "需修改", REJECTED: "未通过", SCHEDULED: "已排期",
                PUBLISHED: "已刊登", MISSED: "未能按期见报"}
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class MailContext:
    """What a mail needs from outside the store, as of the moment of the change."""
    now: datetime                             # the app's clock (views/clock.py), aware
    publisher: Publisher
    status_url: Callable[[str], str]          # reference → the status page's full address, with its secret
    revise_url: Callable[[str], str]          # … the page where a 需修改 notice is revised
    proof_url: Callable[[str], str]           # … the proof of publication (PDF)
    message_domain: str = "localhost"         # the right-hand side of the Message-ID


@dataclass(frozen=True)
class Mail:
    event: str
    dedupe_key: str
    subject: str
    body: str


def _paper(ctx: MailContext) -> str:
    return ctx.publisher.newspaper or "报社"


def _day(d: date) -> str:
    return f"{format_date_cn(d)}（周{WEEKDAYS[d.weekday()]}）"


def _moment(ctx: MailContext, at: datetime) -> str:
    local = at.astimezone(ctx.publisher.calendar.tz)
    return f"{format_date_cn(local.date())} {local:%H:%M}"


def _left(delta_seconds: float) -> str:
    minutes = max(int(delta_seconds // 60), 1)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours}小时{minutes}分钟"
    return f"{hours}小时" if hours else f"{minutes}分钟"


def _compose(ctx: MailContext, notice: Notice, event: str, key: str, subject: str, paragraphs: list[str]) -> Mail:
    greeting = f"{notice.advertiser_name}，您好：" if notice.advertiser_name else "您好："
    # Read anywhere, on a mobile phone too: the local numbers with their area code, as the pages show them.
    phone = with_area_code(ctx.publisher.office_phone, ctx.publisher.area_code)
    footer = ["——", f"{_paper(ctx)}{'  电话：' + phone if phone else ''}",
              "这封邮件由系统在办理进度变化时自动发出；进度页上也能看到它。"]
    body = "\n\n".join([greeting, *[p for p in paragraphs if p], "\n".join(footer)]) + "\n"
    return Mail(event, f"{notice.reference}:{key}", f"【{_paper(ctx)}】{subject}", body)


def _status_link(ctx: MailContext, notice: Notice) -> str:
    return f"办理进度、付款方式和编辑意见都在进度页（链接含查询码，请勿转给他人）：\n{ctx.status_url(notice.reference)}"


def _owed(notice: Notice) -> str:
    return f"尚欠 {format_yuan(notice.owed_cents)}，付款后方可排期见报。" if notice.owed_cents else ""


def _deadline_line(ctx: MailContext, issue: date) -> str:
    return f"{_day(issue)}一期的截稿时间是{_moment(ctx, copy_deadline_for(ctx.publisher.calendar, issue))}"


def received(ctx: MailContext, notice: Notice) -> Mail:
    """A notice filed (form or API), or revised by the advertiser after 需修改 (revision > 1)."""
    again = notice.current_revision > 1
    lines = [f"{_paper(ctx)}已收到您{'按编辑意见修改后重新提交的' if again else '提交的'}{notice.title}"
             f"{f'（第{notice.current_revision}版）' if again else ''}，受理编号 {notice.reference}。"]
    facts = []
    if notice.requested_date:
        facts.append(f"希望刊登日期：{_day(notice.requested_date)}，"
                     f"截稿时间{_moment(ctx, copy_deadline_for(ctx.publisher.calendar, notice.requested_date))}")
    facts.append(f"价格：{format_yuan(notice.price_cents)}（{notice.lines} 行）")
    subject = (f"已收到您修改后的公告 {notice.reference}" if again
               else f"已受理您的{notice.title} {notice.reference}")
    return _compose(ctx, notice, RECEIVED, f"received:{notice.current_revision}", subject, [
        "".join(lines), "\n".join(facts), "报社审核后会再发邮件告诉您结果。", _status_link(ctx, notice)])


def changes_requested(ctx: MailContext, notice: Notice) -> Mail:
    """需修改, with what the copy deadline of the date the advertiser asked for means now: still
    ahead (how long), or passed (that issue is missed: choose another date, the earliest given)."""
    calendar = ctx.publisher.calendar
    wanted = notice.requested_date
    if wanted is None:
        timing = "重新提交时请选择刊登日期。"
    elif is_open(calendar, wanted, ctx.now):
        left = (copy_deadline_for(calendar, wanted) - ctx.now).total_seconds()
        timing = (f"您希望{_day(wanted)}刊登：{_deadline_line(ctx, wanted)}，距现在还有{_left(left)}。"
                  "请在截稿前修改并重新提交；报社审核通过并收到付款后才能排入这一期，越早提交越有把握。")
    else:
        later = open_issue_dates(calendar, ctx.now, count=1)
        earliest = (f"目前最早可选{_day(later[0])}（截稿时间"
                    f"{_moment(ctx, copy_deadline_for(calendar, later[0]))}）。") if later else ""
        timing = (f"您希望的{_day(wanted)}一期已于{_moment(ctx, copy_deadline_for(calendar, wanted))}截稿，"
                  f"这次修改赶不上那一期了。重新提交时请另选刊登日期，{earliest}")
    return _compose(ctx, notice, CHANGES, f"changes:{notice.version}", f"您的公告 {notice.reference} 需要修改", [
        f"编辑审核了您的{notice.title}（{notice.reference}），请按以下意见修改后重新提交：",
        notice.decision_reason, timing,
        f"修改并重新提交：\n{ctx.revise_url(notice.reference)}", _status_link(ctx, notice)])


def rejected(ctx: MailContext, notice: Notice) -> Mail:
    refund = (f"您已付 {format_yuan(notice.paid_cents)}，请联系报社办理退款。" if notice.paid_cents else "")
    return _compose(ctx, notice, REJECTED, f"rejected:{notice.version}", f"您的公告 {notice.reference} 未能通过审核", [
        f"很抱歉，编辑审核后决定不刊登您的{notice.title}（{notice.reference}），原因：",
        notice.decision_reason, refund,
        "如仍需刊登，可按上述原因改正后重新提交一则公告；有疑问请致电报社。", _status_link(ctx, notice)])


def scheduled(ctx: MailContext, notice: Notice, previous: date | None) -> Mail:
    assert notice.issue_date is not None
    moved = f"（原定{_day(previous)}，现改期）" if previous and previous != notice.issue_date else ""
    return _compose(ctx, notice, SCHEDULED, f"scheduled:{notice.version}",
                    f"您的公告 {notice.reference} 已排期：{format_date_cn(notice.issue_date)}见报", [
                        f"您的{notice.title}（{notice.reference}）已安排在{_day(notice.issue_date)}的"
                        f"{_paper(ctx)}刊登{moved}。",
                        f"尚欠 {format_yuan(notice.owed_cents)}，请尽快付款。" if notice.owed_cents else "",
                        "见报后会再发邮件给您，附见报证明的下载链接。", _status_link(ctx, notice)])


def published(ctx: MailContext, notice: Notice, snapshot: PublishedNotice) -> Mail:
    where = snapshot.page_label + (f"第 {snapshot.column_number} 栏" if snapshot.column_number else "")
    return _compose(ctx, notice, PUBLISHED, f"published:{snapshot.publication_id}",
                    f"您的公告 {notice.reference} 已见报（{format_date_cn(snapshot.issue_date)}）", [
                        f"您的{snapshot.title}（{notice.reference}）已于{_day(snapshot.issue_date)}在"
                        f"{snapshot.newspaper}{where}刊登。",
                        f"见报证明（PDF）下载：\n{ctx.proof_url(notice.reference)}",
                        f"核验码：{snapshot.verification_code}（任何人可凭编号和核验码在本报网站核验这则公告的刊登记录）",
                        f"尚欠 {format_yuan(notice.owed_cents)}，请联系报社结清。" if notice.owed_cents else "",
                        _status_link(ctx, notice)])


def missed(ctx: MailContext, notice: Notice, day: date) -> Mail:
    """The date the advertiser asked for has gone by (or its issue was published) without the
    notice: said once per notice and date."""
    if notice.status == CHANGES_REQUESTED:
        what = (f"编辑要求修改，尚未收到您修改后的稿件（意见：{notice.decision_reason}）。"
                f"请修改后重新提交，并另选刊登日期：\n{ctx.revise_url(notice.reference)}")
    elif notice.status == SUBMITTED:
        what = "报社尚未审核完毕，审核后会与您确认新的刊登日期。"
    elif notice.status == APPROVED:
        what = ("公告已审核通过，但没有排入这一期。" + _owed(notice)
                + "报社会另行安排刊登日期；您也可以致电报社选择日期，或不再刊登、办理退款。")
    else:
        what = f"目前状态：{notice.status_label}。"
    return _compose(ctx, notice, MISSED, f"missed:{day.isoformat()}",
                    f"您的公告 {notice.reference} 未能在{format_date_cn(day)}见报", [
                        f"您希望于{_day(day)}刊登的{notice.title}（{notice.reference}）没有在这一期见报。", what,
                        _status_link(ctx, notice)])


# ---------------------------------------------------------------------------------------------
# Self-service (issue 14 item 5; store/selfservice.py writes them)

LINK, WITHDRAWN, DATE_CHANGED, PRICE_CHANGED = "link", "withdrawn", "date_changed", "price_changed"
EVENT_LABELS.update({LINK: "进度页链接", WITHDRAWN: "已撤回", DATE_CHANGED: "改期", PRICE_CHANGED: "价格变动待确认"})


def status_link(ctx: MailContext, notice: Notice, hour: str) -> Mail:
    """The status link again, asked for with the reference and the phone number (at most one an
    hour per notice: `hour`, as YYYYMMDDHH, is in the key)."""
    return _compose(ctx, notice, LINK, f"link:{hour}", f"您的公告 {notice.reference} 的进度页链接", [
        f"有人（应是您本人）在{_paper(ctx)}网站上用受理编号 {notice.reference} 和您登记的电话查询进度，"
        "我们把进度页的链接再发给您：",
        ctx.status_url(notice.reference),
        "链接含查询码，请勿转给他人。如不是您本人查询，请忽略这封邮件；没有链接，别人看不到您的公告进度。"])


def withdrawn(ctx: MailContext, notice: Notice) -> Mail:
    refund = (f"应退还您 {format_yuan(notice.refund_due_cents)}，报社办理退款后会在进度页上登记。"
              if notice.refund_due_cents else "")
    return _compose(ctx, notice, WITHDRAWN, f"withdrawn:{notice.version}", f"您的公告 {notice.reference} 已撤回", [
        f"您的{notice.title}（{notice.reference}）已按您的要求撤回，不会见报。", refund,
        "如需再刊登，请重新提交一则公告。", _status_link(ctx, notice)])


def date_changed(ctx: MailContext, notice: Notice, previous: date | None) -> Mail:
    """The advertiser moved the date (a scheduled notice gets the 已排期 mail instead)."""
    assert notice.requested_date is not None
    was = f"（原为{_day(previous)}）" if previous else ""
    return _compose(ctx, notice, DATE_CHANGED, f"date:{notice.version}",
                    f"您的公告 {notice.reference} 已改为{format_date_cn(notice.requested_date)}刊登", [
                        f"您的{notice.title}（{notice.reference}）希望刊登的日期已改为{_day(notice.requested_date)}"
                        f"{was}，{_deadline_line(ctx, notice.requested_date)}。",
                        _owed(notice), _status_link(ctx, notice)])


def price_changed(ctx: MailContext, notice: Notice) -> Mail:
    """An editor's change raised the price: the advertiser must accept it on the status page."""
    before = notice.agreed_price_cents or 0
    return _compose(ctx, notice, PRICE_CHANGED, f"price:{notice.version}",
                    f"您的公告 {notice.reference} 价格有变动，请确认", [
                        f"编辑修改了您的{notice.title}（{notice.reference}）的正文，价格由 {format_yuan(before)} "
                        f"变为 {format_yuan(notice.price_cents)}（{notice.lines} 行）。",
                        "请在进度页上查看修改后的文字，同意新价格后报社才会安排刊登；不同意可以撤回（不收费）。",
                        _status_link(ctx, notice)])
