"""What advertisers and agencies do to a notice by themselves (issue 14 item 5): have the status
link mailed again, withdraw the notice, move it to another date, accept an editor's new price;
and what the desk does after a withdrawal: record the refund paid back. The rules themselves
(when, at what refund) are notices/selfservice.py; each operation here is one write transaction
with its audit entry and its mail (store/outbox.py), as store/workflow.py's are.

The advertiser's pages carry the notice's version, as the desk's forms do: a withdrawal posted
from a page loaded before an editor changed the notice is refused (Conflict), not applied to a
notice the advertiser has not seen. The API passes no version: the notice as it is now.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from notices.deadlines import PublishingCalendar
from notices.money import format_yuan
from notices.selfservice import (
    CancellationRule,
    date_change_terms,
    date_problems,
    day_cn,
    digits_of_phone,
    is_missed,
    open_for_change,
    withdrawal_terms,
)
from store import mails, outbox
from store.audit import append_audit
from store.db import Database
from store.errors import DeskError
from store.models import (
    APPROVED,
    CHANGES_REQUESTED,
    PUBLISHED,
    REJECTED,
    SCHEDULED,
    SUBMITTED,
    WITHDRAWN,
    Notice,
)
from store.workflow import (
    RECEIPT_MAX,
    REFERENCE_ALPHABET,
    clean_reference,
    get_notice,
    guarded_update,
    issue_published,
    load_notice,
    lock_issue,
    redate_findings,
)

OPEN = (SUBMITTED, CHANGES_REQUESTED, APPROVED, SCHEDULED)


def notice_day(notice: Notice) -> date | None:
    """The date a notice is for: the issue it is scheduled in, else the one asked for."""
    return notice.issue_date if notice.status == SCHEDULED and notice.issue_date else notice.requested_date


def missed(notice: Notice, calendar: PublishingCalendar, now: datetime) -> bool:
    return is_missed(notice.status, notice_day(notice), calendar, now)


def _load(s: Session, reference: str) -> Notice:
    notice = load_notice(s, reference)
    if notice is None:
        raise DeskError("没有这个编号的公告。")
    return notice


# ---------------------------------------------------------------------------------------------
# The status link, mailed again

def phone_matches(notice: Notice, phone: str) -> bool:
    stored, typed = digits_of_phone(notice.advertiser_phone), digits_of_phone(phone)
    return bool(stored) and len(typed) >= 7 and hmac.compare_digest(stored, typed)


def resend_status_link(db: Database, reference: str, phone: str, *, now: datetime) -> bool:
    """Mail the status link to the notice's email if the reference and the phone number match
    the notice's. True if a mail was written; the page must not say which (no probing). At most
    one mail an hour per notice (the hour is in the mail's dedupe key)."""
    reference = clean_reference(reference)
    if not reference:
        return False
    with db.session() as s:
        notice = get_notice(s, reference)
        if notice is None or not notice.advertiser_email or not phone_matches(notice, phone):
            return False
        s.expunge(notice)
    with db.write() as s:
        outbox.add(s, db, notice, mails.status_link, now.strftime("%Y%m%d%H"))
    return True


# ---------------------------------------------------------------------------------------------
# Withdrawing

def withdraw(db: Database, reference: str, version: int | None, *, actor: str, now: datetime,
             calendar: PublishingCalendar, rule: CancellationRule) -> Notice:
    """The notice withdrawn by its advertiser (or agency): 已撤回, out of its issue, with what is
    owed back by the paper's rule (notices/selfservice.py withdrawal_terms) recorded."""
    with db.write() as s:
        notice = _load(s, reference)
        day = notice_day(notice)
        if day is not None and notice.status == SCHEDULED:
            lock_issue(s, day)
        terms = withdrawal_terms(status=notice.status, day=day, price_cents=notice.price_cents,
                                 paid_cents=notice.paid_cents, calendar=calendar, now=now, rule=rule,
                                 price_unagreed=notice.awaiting_price_consent)
        if not terms.allowed:
            raise DeskError(terms.explanation)
        previous = notice.status
        guarded_update(s, notice, notice.version if version is None else version, OPEN, status=WITHDRAWN,
                       issue_date=None, refund_due_cents=terms.refund_cents, decision_reason="")
        append_audit(s, actor, "withdraw", notice.id, {
            "reference": notice.reference, "previous_status": previous,
            "date": day.isoformat() if day else None, "paid_cents": notice.paid_cents,
            "refund_cents": terms.refund_cents, "free": terms.free})
        outbox.add(s, db, notice, mails.withdrawn)
        return notice


def record_refund(db: Database, reference: str, version: int, *, amount_cents: int, receipt_no: str,
                  actor: str) -> Notice:
    """The desk paid back (part of) what a withdrawal left owed: recorded with its receipt."""
    receipt_no = (receipt_no or "").strip()
    if not receipt_no or len(receipt_no) > RECEIPT_MAX:
        raise DeskError(f"请填写退款凭证号或流水号（不超过{RECEIPT_MAX}个字），例如：TK2026-000123。")
    if amount_cents <= 0:
        raise DeskError("金额须大于零，例如：350 或 350.50。")
    with db.write() as s:
        notice = _load(s, reference)
        if amount_cents > notice.refund_outstanding_cents:
            raise DeskError(f"金额超过应退未退的 {format_yuan(notice.refund_outstanding_cents)}，请核对。")
        guarded_update(s, notice, version, (WITHDRAWN,), refunded_cents=Notice.refunded_cents + amount_cents)
        append_audit(s, actor, "refund", notice.id, {
            "reference": notice.reference, "amount_cents": amount_cents, "receipt_no": receipt_no,
            "refunded_cents": notice.refunded_cents})
        return notice


# ---------------------------------------------------------------------------------------------
# Another date

def change_date(db: Database, reference: str, version: int | None, new: date, *, actor: str, now: datetime,
                calendar: PublishingCalendar) -> Notice:
    """Move the notice to `new` (a publishing day still open). A notice waiting for the desk gets
    the new date as the one asked for; a scheduled one moves to the new issue directly, because
    the desk already accepted its text and payment and the new issue is still before its copy
    deadline (the move is in the audit log and on the issue page; docs/self-service.md). A date
    on which the notice would break a rule of its own that its current date keeps (a statutory
    window missed: notices/selfservice.py date_problems) is refused: no editor sees the move."""
    with db.write() as s:
        lock_issue(s, new)
        notice = _load(s, reference)
        day = notice_day(notice)
        terms = date_change_terms(status=notice.status, day=day, calendar=calendar, now=now)
        if not terms.allowed:
            raise DeskError(terms.explanation)
        if new == day:
            raise DeskError(f"公告已是{day_cn(new)}刊登，请选另一个日期。", "issue_date")
        problem = open_for_change(calendar, new, now)
        if problem is None and issue_published(s, new):
            problem = f"{day_cn(new)}这一期已经刊登，请另选日期。"
        if problem:
            raise DeskError(problem, "issue_date")
        refused = date_problems(notice.type_code, notice.revision.fields, notice.revision.text, day, new,
                                calendar=calendar, now=now)
        if refused:
            raise DeskError(f"不能改到{day_cn(new)}：{refused[0]}如确需改到这一天，请致电报社。", "issue_date")
        v = notice.version if version is None else version
        if notice.status == SCHEDULED:
            guarded_update(s, notice, v, (SCHEDULED,), issue_date=new, requested_date=new)
        else:
            guarded_update(s, notice, v, (SUBMITTED, APPROVED), requested_date=new)
        redate_findings(notice, day, new, now=now)
        append_audit(s, actor, "change-date", notice.id, {
            "reference": notice.reference, "status": notice.status,
            "previous_date": day.isoformat() if day else None, "date": new.isoformat(),
            "missed": is_missed(notice.status, day, calendar, now)})
        if notice.status == SCHEDULED:
            outbox.add(s, db, notice, mails.scheduled, day)
        else:
            outbox.add(s, db, notice, mails.date_changed, day)
        return notice


# ---------------------------------------------------------------------------------------------
# An editor's change of price

def accept_price(db: Database, reference: str, version: int | None, *, actor: str) -> Notice:
    """The advertiser accepts the price an editor's change gave the notice: it can be scheduled."""
    with db.write() as s:
        notice = _load(s, reference)
        if notice.status in (PUBLISHED, REJECTED, WITHDRAWN):
            raise DeskError(f"这则公告当前状态为“{notice.status_label}”，无需确认价格。")
        if not notice.awaiting_price_consent:
            raise DeskError("这则公告的价格没有待确认的变动。")
        before = notice.agreed_price_cents
        guarded_update(s, notice, notice.version if version is None else version, OPEN,
                       agreed_price_cents=notice.price_cents)
        append_audit(s, actor, "accept-price", notice.id, {
            "reference": notice.reference, "previous_price_cents": before, "price_cents": notice.price_cents})
        return notice


# ---------------------------------------------------------------------------------------------
# Reads

def order_notices(session: Session, notice: Notice) -> list[Notice]:
    """The notices of the order this one belongs to (itself alone if none), by date."""
    if not notice.order_key:
        return [notice]
    return list(session.scalars(select(Notice).where(Notice.order_key == notice.order_key)
                                .order_by(Notice.requested_date, Notice.id)))


def order_key_for(submission_key: str) -> str:
    """The key shared by the notices of one order of several dates (Notice.order_key), made from
    the order's submission key, so that a retry after a crash between two of its notices files
    the missing ones into the same order: GO-XXXX-XXXX in the references' alphabet."""
    digest = hashlib.sha256(f"order:{submission_key}".encode()).digest()
    body = "".join(REFERENCE_ALPHABET[b % 32] for b in digest[:8])
    return f"GO-{body[:4]}-{body[4:]}"
