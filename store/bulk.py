"""The desk's bulk actions on the review queue: approve, record one payment for several notices,
schedule into one issue.

Each ticked row carries the notice's reference and the version the editor saw
("GG-7K3M-Q9XD:4"). Every notice is then done by the same store operation as on its own page
(workflow.approve, record_payment, schedule): one transaction with its audit entry, guarded by
that version, so a notice changed since the page was loaded is refused for that row only and
nothing is half-done for any notice. The answer says, per notice, what was done or why not.

What is wrong with the request as a whole (no receipt number, a day the paper does not appear,
a transfer total that does not add up) refuses it before any notice is touched.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable

from sqlalchemy import select

from notices.deadlines import format_date_cn
from notices.money import format_yuan
from store import workflow
from store.db import Database
from store.errors import Conflict, DeskError
from store.models import APPROVED, SCHEDULED, Notice
from store.workflow import PAYMENT_METHODS, RECEIPT_MAX, clean_reference

MAX_SELECTED = 200      # the queue shows at most this many rows (views/desk/common.py QUEUE_LIMIT)


@dataclass(frozen=True)
class Selected:
    reference: str
    version: int


@dataclass
class Outcome:
    reference: str
    done: bool
    message: str


def parse_selection(values: Iterable[str]) -> tuple[list[Selected], list[Outcome]]:
    """The ticked rows ("REFERENCE:VERSION"), each once, in the order sent; and an outcome for
    each value that is not one (a page altered or cut short)."""
    selected: list[Selected] = []
    bad: list[Outcome] = []
    seen: set[str] = set()
    for raw in values:
        reference, _, version = (raw or "").rpartition(":")
        ref = clean_reference(reference)
        if not ref or not version.isdigit() or len(version) > 9:
            shown = (raw or "")[:40]
            bad.append(Outcome(shown, False, "无法识别所选的这一行（页面可能不完整），请刷新审核队列后重选。"))
            continue
        if ref not in seen:
            seen.add(ref)
            selected.append(Selected(ref, int(version)))
    if len(selected) > MAX_SELECTED:
        raise DeskError(f"一次最多处理 {MAX_SELECTED} 则公告，请分批选择。")
    return selected, bad


def _each(selected: list[Selected], operation: Callable[[Selected], str]) -> list[Outcome]:
    out = []
    for item in selected:
        try:
            out.append(Outcome(item.reference, True, operation(item)))
        except DeskError as exc:
            out.append(Outcome(item.reference, False, exc.message))
    return out


def approve_many(db: Database, selected: list[Selected], *, actor: str) -> list[Outcome]:
    current = _current(db, selected)

    def one(item: Selected) -> str:
        seen = current.get(item.reference)
        if seen is not None and seen.version == item.version and seen.status in (APPROVED, SCHEDULED):
            raise DeskError(f"已是“{seen.status_label}”，无需再批准。")
        workflow.approve(db, item.reference, item.version, actor=actor)
        return "已审核通过。"
    return _each(selected, one)


def _current(db: Database, selected: list[Selected]) -> dict[str, Notice]:
    with db.session() as s:
        refs = [item.reference for item in selected]
        return {n.reference: n for n in s.scalars(select(Notice).where(Notice.reference.in_(refs)))}


def pay_many(db: Database, selected: list[Selected], *, method: str, receipt_no: str, actor: str,
             total_cents: int | None = None) -> list[Outcome]:
    """One transfer (or counter receipt) paying several notices: each notice is paid what it owes
    at the version the editor saw, under the one receipt number, each payment audited on its own.
    `total_cents`, if given, is the transfer's amount: it must equal what the selected notices owe
    together, or nothing is recorded."""
    receipt_no = (receipt_no or "").strip()
    if method not in PAYMENT_METHODS:
        raise DeskError("请选择付款方式：柜台、银行转账或代理记账。", "method")
    if not receipt_no or len(receipt_no) > RECEIPT_MAX:
        raise DeskError(f"请填写收据号或流水号（不超过{RECEIPT_MAX}个字），例如：GZ2026-001234。", "receipt_no")
    current = _current(db, selected)
    if total_cents is not None:
        owed = sum(n.owed_cents for item in selected if (n := current.get(item.reference)) is not None)
        if owed != total_cents:
            raise DeskError(f"所选公告合计尚欠 {format_yuan(owed)}，与填写的到账金额 {format_yuan(total_cents)} "
                            "不符，没有登记任何一笔。请核对所选的公告，或把到账金额留空。", "total")

    def one(item: Selected) -> str:
        notice = current.get(item.reference)
        if notice is None:
            raise DeskError("没有这个编号的公告。")
        if notice.version != item.version:
            raise Conflict(notice)
        if notice.owed_cents == 0:
            raise DeskError(f"已付清（价格 {format_yuan(notice.price_cents)}），无需登记。")
        amount = notice.owed_cents
        # The version guard of record_payment refuses it if the notice (and so what it owes)
        # changed after it was read here.
        workflow.record_payment(db, item.reference, item.version, amount_cents=amount, method=method,
                                receipt_no=receipt_no, actor=actor)
        return f"已登记付款 {format_yuan(amount)}（{PAYMENT_METHODS[method]}，收据号或流水号 {receipt_no}）。"
    return _each(selected, one)


def schedule_many(db: Database, selected: list[Selected], issue_date: date, *, actor: str, override_reason: str,
                  today: date, is_publishing_day: Callable[[date], bool]) -> list[Outcome]:
    """Each notice into `issue_date`, by the rules of scheduling one (workflow.schedule): paid, an
    agency with a credit account, or the override reason given (used for the unpaid ones only)."""
    if issue_date < today:
        raise DeskError(f"{issue_date:%Y-%m-%d} 已经过去，请选今天或以后的出版日。", "issue_date")
    if not is_publishing_day(issue_date):
        raise DeskError(f"{issue_date:%Y-%m-%d} 本报不出版，请另选日期。", "issue_date")
    with db.session() as s:
        if workflow.issue_published(s, issue_date):
            raise DeskError(f"{issue_date:%Y-%m-%d} 这一期已经刊登，不能再排入。", "issue_date")

    current = _current(db, selected)

    def one(item: Selected) -> str:
        seen = current.get(item.reference)
        if seen is not None and seen.version == item.version and seen.status not in (APPROVED, SCHEDULED):
            # Said before the payment rule, which would otherwise answer for a notice not yet approved.
            raise DeskError(f"这则公告当前状态为“{seen.status_label}”，须先审核通过才能排期。")
        notice = workflow.schedule(db, item.reference, item.version, issue_date, actor=actor,
                                   override_reason=override_reason, today=today,
                                   is_publishing_day=is_publishing_day)
        note = f"（尚欠 {format_yuan(notice.owed_cents)}）" if notice.owed_cents else ""
        return f"已排入 {format_date_cn(issue_date)} 刊登{note}。"
    return _each(selected, one)
