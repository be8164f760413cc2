"""What an advertiser may do with a notice by themselves (issue 14 item 5): withdraw it, and at
what refund; move it to another date; and whether its date has gone by without it. No Flask, no
database: the store (store/selfservice.py) and the pages ask these functions, with the paper's
calendar, its cancellation rule and the app's clock.

The rules, as docs/self-service.md explains them to the desk:
- Withdrawing is free (everything paid is owed back) before the copy deadline of the notice's
  date; while the desk has not yet accepted it (待审核, 需修改: no issue was planned with it);
  when its date has gone by without it; and while an editor's price rise waits for the
  advertiser's consent (they never agreed to the new terms).
- After the copy deadline of an accepted notice's date (已通过, 已排期) the paper's cancellation
  rule applies: no withdrawal at all ("refuse"), or a refund of a share of the price ("refund",
  the paper keeps the rest out of what was paid).
- The date can be changed before the copy deadline of the current one, or once the date has gone
  by without the notice; the new date must still be open (before its own copy deadline), and the
  notice must stay as lawful on it as on its current date (date_problems: a 减资公告 moved past
  its thirty days, a 拍卖公告 moved into the last seven days before the sale).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Mapping

from notices.checks import ERROR, WARNING, check_notice
from notices.deadlines import PublishingCalendar, copy_deadline_for, format_date_cn, is_open
from notices.money import format_yuan

__all__ = ["CANCELLATION_RULES", "CancellationRule", "DateChange", "Withdrawal", "date_change_terms",
           "date_problems", "date_rules", "day_cn", "digits_of_phone", "is_missed", "moment_cn", "open_for_change",
           "withdrawal_terms"]

# Statuses as store/models.py names them (the domain does not import the store).
SUBMITTED, CHANGES_REQUESTED, APPROVED, SCHEDULED = "submitted", "changes_requested", "approved", "scheduled"
PUBLISHED, REJECTED, WITHDRAWN = "published", "rejected", "withdrawn"
ACCEPTED = (APPROVED, SCHEDULED)
WAITING = (SUBMITTED, CHANGES_REQUESTED, APPROVED)

REFUSE, REFUND = "refuse", "refund"
CANCELLATION_RULES = {REFUSE: "截稿后不能撤回", REFUND: "截稿后撤回，按比例退款"}


@dataclass(frozen=True)
class CancellationRule:
    """The paper's rule for a withdrawal after the copy deadline (a publisher setting)."""
    after_deadline: str = REFUSE          # REFUSE | REFUND
    refund_percent: int = 0               # with REFUND: the share of the price paid back, 0–100

    def __post_init__(self) -> None:
        if self.after_deadline not in CANCELLATION_RULES:
            raise ValueError(f"after_deadline must be one of {sorted(CANCELLATION_RULES)}")
        if not 0 <= self.refund_percent <= 100:
            raise ValueError("refund_percent must be 0 to 100")


@dataclass(frozen=True)
class Withdrawal:
    allowed: bool
    refund_cents: int        # owed back to the advertiser if they withdraw now
    free: bool               # everything paid comes back
    explanation: str         # Chinese, for the status page and the API


@dataclass(frozen=True)
class DateChange:
    allowed: bool
    explanation: str


WEEKDAYS = "一二三四五六日"


def day_cn(d: date) -> str:
    return f"{format_date_cn(d)}（周{WEEKDAYS[d.weekday()]}）"


def moment_cn(calendar: PublishingCalendar, at: datetime) -> str:
    local = at.astimezone(calendar.tz)
    return f"{format_date_cn(local.date())} {local:%H:%M}"


def _today(calendar: PublishingCalendar, now: datetime) -> date:
    return now.astimezone(calendar.tz).date()


def is_missed(status: str, day: date | None, calendar: PublishingCalendar, now: datetime) -> bool:
    """The notice's date has gone by (before today, in the paper's time zone) and it was not
    printed: still waiting (待审核, 需修改, 已通过) or scheduled in an issue never marked published."""
    if day is None or status not in (*WAITING, SCHEDULED):
        return False
    return day < _today(calendar, now)


def _closed(status: str) -> str | None:
    return {PUBLISHED: "这则公告已经刊登", REJECTED: "这则公告未通过审核，不会刊登",
            WITHDRAWN: "这则公告已经撤回"}.get(status)


def withdrawal_terms(*, status: str, day: date | None, price_cents: int, paid_cents: int,
                     calendar: PublishingCalendar, now: datetime, rule: CancellationRule,
                     price_unagreed: bool = False) -> Withdrawal:
    """Whether the notice can be withdrawn now, and what is then owed back. `day`: the issue it
    is scheduled in, else the date asked for."""
    closed = _closed(status)
    if closed:
        return Withdrawal(False, 0, False, f"{closed}，不能再撤回。")
    paid = f"已付的 {format_yuan(paid_cents)} 全部退还" if paid_cents else "尚未付款，无需再付"
    if price_unagreed:
        return Withdrawal(True, paid_cents, True, f"编辑修改后的价格您尚未同意，现在撤回不收费：{paid}。")
    if day is None or status not in ACCEPTED:
        return Withdrawal(True, paid_cents, True, f"报社尚未安排刊登，现在撤回不收费：{paid}。")
    if is_missed(status, day, calendar, now):
        return Withdrawal(True, paid_cents, True, f"公告未能在{day_cn(day)}见报，撤回不收费：{paid}。")
    deadline = copy_deadline_for(calendar, day)
    if now < deadline:
        return Withdrawal(True, paid_cents, True,
                          f"{day_cn(day)}一期在{moment_cn(calendar, deadline)}截稿，截稿前撤回不收费：{paid}。")
    passed = f"{day_cn(day)}一期已于{moment_cn(calendar, deadline)}截稿"
    if rule.after_deadline == REFUSE:
        return Withdrawal(False, 0, False, f"{passed}，按本报规定，截稿后不能撤回。如有特殊情况，请致电报社。")
    back = price_cents * rule.refund_percent // 100
    kept = price_cents - back
    refund = max(paid_cents - kept, 0)
    return Withdrawal(True, refund, refund == paid_cents,
                      f"{passed}。按本报规定，截稿后撤回退还价格的 {rule.refund_percent}%"
                      f"（{format_yuan(back)}），报社留下 {format_yuan(kept)}；您已付 {format_yuan(paid_cents)}，"
                      f"撤回后退还 {format_yuan(refund)}。")


def date_change_terms(*, status: str, day: date | None, calendar: PublishingCalendar,
                      now: datetime) -> DateChange:
    """Whether the advertiser may move the notice to another date now (the new date is checked
    apart: open_for_change)."""
    closed = _closed(status)
    if closed:
        return DateChange(False, f"{closed}，不能再改日期。")
    if status == CHANGES_REQUESTED:
        return DateChange(False, "编辑要求修改：请在修改页上改正后另选日期，一并重新提交。")
    if day is None or is_missed(status, day, calendar, now):
        return DateChange(True, "")
    deadline = copy_deadline_for(calendar, day)
    if now < deadline:
        return DateChange(True, f"{day_cn(day)}一期在{moment_cn(calendar, deadline)}截稿，截稿前可以改到其他日期。")
    return DateChange(False, f"{day_cn(day)}一期已于{moment_cn(calendar, deadline)}截稿，不能再改日期。"
                             "如有特殊情况，请致电报社。")


def open_for_change(calendar: PublishingCalendar, new: date, now: datetime) -> str | None:
    """None if `new` can be chosen; else why not, in Chinese, with what to do."""
    if is_open(calendar, new, now):
        return None
    return (f"{day_cn(new)}不能选：这天本报不出版，或这一期已经截稿。请从列出的日期中选择。")


def date_problems(type_code: str, fields: Mapping[str, object], text: str, current: date | None, new: date, *,
                  calendar: PublishingCalendar, now: datetime) -> list[str]:
    """What the notice's own date rules say against `new` that they do not say against its current
    date: a statutory window it would miss (减资公告: thirty days from the resolution, a warning on
    the form, which the desk then sees), an event it must come before (拍卖日七日前) or after, a
    date in its fields that must be earlier. Empty: the move keeps the notice as it was. A problem
    the current date has too (a notice already late, or whose date went by) does not stop a move:
    a later date is then the only way to print it. The form warns and the desk decides; a move by
    the advertiser or an agency reaches no editor (a scheduled notice goes straight to the new
    issue), so what it would newly break is refused instead. Chinese messages, as the form's."""
    return date_rules(type_code, fields, text, current, calendar=calendar, now=now)(new)


def date_rules(type_code: str, fields: Mapping[str, object], text: str, current: date | None, *,
               calendar: PublishingCalendar, now: datetime) -> Callable[[date], list[str]]:
    """date_problems for many dates of one notice: its current date is checked once."""
    def problems(day: date) -> list[tuple[str, str | None, str]]:
        result = check_notice(type_code, fields, text, day, calendar=calendar, now=now, require_open=False)
        return [(f.code, f.field, f.message) for f in result.findings if f.level in (ERROR, WARNING)]

    known = {(code, name) for code, name, _ in problems(current)} if current else set()
    return lambda new: [message for code, name, message in problems(new) if (code, name) not in known]


def digits_of_phone(value: str) -> str:
    """A phone number as digits only, the country code dropped: "+86 138-0013-8000",
    "8613800138000" and "13800138000" are the same number; "020-87750217" is 02087750217."""
    digits = "".join(c for c in value if c.isdecimal())
    digits = "".join(chr(ord("0") + int(c)) for c in digits)       # full-width ０-９ typed with an IME
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits
