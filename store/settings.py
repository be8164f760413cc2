"""Publisher settings: stored as JSON in the settings table, merged over these defaults."""
from __future__ import annotations

import copy
import json
import threading
import time as _clock
from dataclasses import asdict, dataclass, field
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from notices.catalogue import DEFAULT_TYPE_ORDER
from notices.deadlines import PublishingCalendar
from notices.selfservice import CancellationRule
from store.audit import append_audit
from store.db import Database
from store.models import Setting

PUBLISHER_KEY = "publisher"


@dataclass
class Publisher:
    # No default name: a proof of publication that does not name the paper is worthless, so the
    # desk refuses to export or publish until an administrator has set it.
    newspaper: str = ""
    office_phone: str = "87750217 87133731"        # shown to advertisers (status page, messages)
    # Who the paper is, on every public page (views/paper.py): its 国内统一连续出版物号
    # (CN44-0001), its level (国家级 | 省级 | 市级: some registries ask it of a 减资, 清算 or 合并
    # notice), its address and office hours. Blank until the administrator says.
    cn_number: str = ""
    level: str = ""
    address: str = ""
    office_hours: str = ""
    # The area code of office_phone's local numbers: 020-87750217, tel:+862087750217. The
    # default numbers are the seed page's, a Guangzhou paper's (its notices are 4401… companies).
    area_code: str = "020"
    # The newspaper's page labels of the classified column: page 1 of an export is page_labels[0].
    page_labels: list[str] = field(default_factory=list)
    # The contact box that closes the classified column (lines from the seed page).
    contact_lines: list[str] = field(default_factory=lambda: ["欢迎刊登 各类公告", "联系电话：87750217 87133731"])
    weekdays: list[int] = field(default_factory=lambda: list(range(7)))   # daily
    copy_deadline: str = "15:00"
    days_before: int = 1
    closed_dates: list[str] = field(default_factory=list)
    # ID numbers in notices print masked unless the newspaper decides otherwise (privacy).
    print_id_numbers: str = "masked"    # masked | full
    # Where the paper wants it, a notice with a creditors' period states its last day, computed
    # from the issue it prints in (notices/printed.py with_creditor_last_day): "…四十五日内（即至
    # 2027年1月21日）". Off by default: the statute asks for the period, not the date.
    print_creditor_last_day: bool = False
    type_order: list[str] = field(default_factory=lambda: list(DEFAULT_TYPE_ORDER))
    layout: dict = field(default_factory=dict)      # typesetting.LayoutSettings fields overriding defaults
    rate_card: dict = field(default_factory=dict)   # typesetting.RateCard fields overriding defaults
    # Payment and documents (/desk/settings/paperwork, views/desk/documents.py): the account for
    # 对公转账 shown on the status page (none set: "contact the paper"); the transfer must arrive
    # this many hours before the issue's copy deadline (notices/payment.py); the documents each
    # notice asks for, {entry key: [kinds]} where it differs from notices/documents.py; the days
    # after publication when the files are deleted (`flask purge-documents`).
    payee_name: str = ""
    payee_bank: str = ""
    payee_account: str = ""
    payment_hours_before: int = 0
    documents: dict = field(default_factory=dict)
    document_retention_days: int = 90
    # A withdrawal after the copy deadline of an accepted notice's date (notices/selfservice.py):
    # "refuse" (not possible) or "refund" late_refund_percent of the price; before it, free.
    late_withdrawal: str = "refuse"
    late_refund_percent: int = 0
    # Not a setting: the issues the desk has marked published, filled in for the advertisers'
    # pages (PublisherCache) so that nobody can book them any more. Never saved.
    printed_dates: list[str] = field(default_factory=list)

    @property
    def calendar(self) -> PublishingCalendar:
        from notices.dates import parse_date
        hh, mm = (int(x) for x in self.copy_deadline.split(":"))
        return PublishingCalendar(weekdays=frozenset(self.weekdays), copy_deadline=time(hh, mm),
                                  days_before=self.days_before,
                                  closed_dates=frozenset(d for d in map(parse_date, self.closed_dates) if d),
                                  printed_dates=frozenset(d for d in map(parse_date, self.printed_dates) if d))

    @property
    def cancellation_rule(self) -> CancellationRule:
        try:
            return CancellationRule(self.late_withdrawal, int(self.late_refund_percent))
        except (TypeError, ValueError):
            return CancellationRule()       # a stored value no longer valid: the strictest rule

    def page_text(self, page: int | None) -> str:
        """Where a notice printed, as a proof states it: "A12版", or the page of the column."""
        if page is None:
            return ""
        if 0 < page <= len(self.page_labels) and self.page_labels[page - 1]:
            return f"{self.page_labels[page - 1]}版"
        return f"分类广告第{page}页"

    def as_dict(self) -> dict:
        stored = asdict(self)
        del stored["printed_dates"]
        return stored


def load_publisher(session: Session) -> Publisher:
    row = session.scalar(select(Setting).where(Setting.key == PUBLISHER_KEY))
    publisher = Publisher()
    if row is not None:
        stored = json.loads(row.value_json)
        for key, value in stored.items():
            if hasattr(publisher, key) and key != "printed_dates":
                setattr(publisher, key, value)
    return publisher


def save_publisher(session: Session, publisher: Publisher) -> None:
    global _generation
    _generation += 1   # every PublisherCache of this process re-reads
    row = session.get(Setting, PUBLISHER_KEY)
    value = json.dumps(publisher.as_dict(), ensure_ascii=False, sort_keys=True)
    if row is None:
        session.add(Setting(key=PUBLISHER_KEY, value_json=value))
    else:
        row.value_json = value


# Bumped by save_publisher (and invalidate_public_settings): a cache in the process re-reads at once.
_generation = 0


def invalidate_public_settings() -> None:
    global _generation
    _generation += 1


def save_settings(db: Database, before: Publisher, after: Publisher, *, actor: str) -> list[str]:
    """Store the settings (an administrator at /desk/settings); the audit entry names each changed
    setting with its old and new values."""
    old, new = before.as_dict(), after.as_dict()
    changed = sorted(k for k in new if old.get(k) != new.get(k))
    if not changed:
        return []
    with db.write() as s:
        save_publisher(s, after)
        append_audit(s, actor, "settings", None, {k: {"from": old.get(k), "to": new.get(k)} for k in changed})
    invalidate_public_settings()   # again after the commit: nothing read in between is kept
    return changed


def _public_publisher(session: Session) -> Publisher:
    """The settings with the issues already published (the last 60 days' and later) closed."""
    from datetime import date, timedelta

    from store.models import IssueState
    publisher = load_publisher(session)
    since = date.today() - timedelta(days=60)
    publisher.printed_dates = [d.isoformat() for d in session.scalars(
        select(IssueState.issue_date).where(IssueState.published_at.is_not(None), IssueState.issue_date >= since))]
    return publisher


class PublisherCache:
    """The publisher's settings as advertisers see them (the pages and the API: with the issues
    already published closed), read at most every `ttl` s.

    Why: every form view, check and submission reads them, two or three times, and each read
    was two queries and a JSON parse - on the path that benchmarks/bench_load.py drives at 80
    submissions/s. A change saved in this process is seen at once; one saved in another worker
    within `ttl` seconds - as if the editor had saved that much later. The desk reads them fresh.
    Each caller gets its own copy, so nothing it does to it leaks into another request.
    """

    def __init__(self, ttl: float = 2.0):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._entry: tuple[float, int, Publisher] | None = None

    def get(self, session: Session) -> Publisher:
        now = _clock.monotonic()
        with self._lock:
            entry = self._entry
        if entry is None or entry[0] <= now or entry[1] != _generation:
            generation = _generation
            entry = (now + self.ttl, generation, _public_publisher(session))
            with self._lock:
                self._entry = entry
        return copy.deepcopy(entry[2])

    def clear(self) -> None:
        with self._lock:
            self._entry = None
