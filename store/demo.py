"""The demo data `flask load-demo` puts into an empty database, and taking it out again
(`flask remove-demo`).

A demo notice is recognised by its submission key: load_demo (demo_data.py) has always stored
"demo:seed:N", and no other way in makes a key starting with "demo:" (the form's are "web:…", the
API's "api:<key id>:…"); its first revision's author is "demo" too, which is checked as well.

Removing them deletes the notices and every row that belongs to one of them (whatever table
has a foreign key to notices: revisions, payments, mails, documents, 发票 requests, webhooks …),
the files of their documents that no other notice shares, the line-setting cache (it may hold
their text; a cache, rebuilt on the next typesetting), and the newspaper name the loader set
(演示日报) if it is still that. It is refused, with nothing removed, when something real has
happened to one of them or they are tied to real notices:
- a demo notice was published (or published and the publication withdrawn): the proof and
  /verify rest on that record;
- a demo notice's payment carries a receipt number also recorded for a real notice (one
  transfer paid both: removing half of it would leave the books wrong);
- a demo notice belongs to one order with real notices (several dates booked together).
The audit log is append-only (on PostgreSQL the app's role cannot delete from it,
deploy/postgres-grants.sql): nothing in it is deleted or changed; one entry is appended saying
what was removed. Notice ids are never reused (migration 0009), so the demo notices' old entries
can never be read as a real notice's history.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from store.audit import append_audit
from store.db import Database
from store.errors import DeskError
from store.models import (
    PUBLISHED,
    Base,
    LineSetting,
    Notice,
    NoticeDocument,
    NoticeRevision,
    Payment,
    PublishedNotice,
)
from store.settings import invalidate_public_settings, load_publisher, save_publisher

DEMO_KEY_PREFIX = "demo:"
DEMO_AUTHOR = "demo"
DEMO_NEWSPAPER = "演示日报"
SHOWN = 5          # references named in a refusal, at most


def demo_key(n: int) -> str:
    """The submission key of the seed page's n-th notice loaded as demo data."""
    return f"{DEMO_KEY_PREFIX}seed:{n}"


class NothingToRemove(DeskError):
    """There are no demo notices (never loaded, or removed already)."""


@dataclass
class Removal:
    references: list[str] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)       # table → rows deleted
    files: list[str] = field(default_factory=list)           # document files (SHA-256) no longer used
    newspaper_cleared: bool = False

    def summary(self) -> str:
        parts = [f"{table} {count} 行" for table, count in self.rows.items() if count]
        return "、".join(parts) or "无"


def _names(references: list[str]) -> str:
    shown = "、".join(references[:SHOWN])
    return shown + (f" 等 {len(references)} 则" if len(references) > SHOWN else "")


def demo_notices(s: Session) -> list[Notice]:
    """The demo notices: key "demo:…" and first revision by "demo" (both, to be sure)."""
    first_by_demo = select(NoticeRevision.notice_id).where(NoticeRevision.number == 1,
                                                          NoticeRevision.author == DEMO_AUTHOR)
    return list(s.scalars(select(Notice).where(Notice.submission_key.startswith(DEMO_KEY_PREFIX, autoescape=True),
                                               Notice.id.in_(first_by_demo)).order_by(Notice.id)))


def _refusals(s: Session, notices: list[Notice]) -> list[str]:
    ids = [n.id for n in notices]
    out = []
    printed = sorted({n.reference for n in notices if n.status == PUBLISHED} | set(s.scalars(
        select(PublishedNotice.reference).where(PublishedNotice.notice_id.in_(ids)))))
    if printed:
        out.append(f"示例公告 {_names(printed)} 已经刊登过（见报证明和核验都以刊登记录为准，不能删除）。")
    receipts = select(Payment.receipt_no).where(Payment.notice_id.in_(ids))
    shared = s.execute(select(Payment.receipt_no, Notice.reference).join(Notice, Notice.id == Payment.notice_id)
                       .where(Payment.receipt_no.in_(receipts), Payment.notice_id.not_in(ids))
                       .order_by(Payment.receipt_no)).all()
    if shared:
        out.append("收据号或流水号 " + "、".join(sorted({r for r, _ in shared})[:SHOWN]) + " 同时登记在正式公告 "
                   + _names(sorted({ref for _, ref in shared})) + " 上（一笔款付了示例和正式公告），"
                   "删除示例公告会使这笔款的记录不全。")
    orders = {n.order_key for n in notices if getattr(n, "order_key", None)}
    if orders:
        mixed = list(s.scalars(select(Notice.reference).where(Notice.order_key.in_(orders), Notice.id.not_in(ids))
                               .order_by(Notice.reference)))
        if mixed:
            out.append(f"示例公告与正式公告 {_names(mixed)} 属于同一订单（一次预订多个日期）。")
    return out


def _tables_of_notices() -> list[Table]:
    """Every table with a foreign key to notices.id, children first."""
    out = []
    for table in reversed(Base.metadata.sorted_tables):
        if any(fk.column.table.name == "notices" for fk in table.foreign_keys):
            out.append(table)
    return out


def remove_demo(db: Database, *, actor: str, dry_run: bool = False) -> Removal:
    """Delete the demo notices and what belongs to them, in one transaction with its audit
    entry; DeskError (Chinese, saying what to do) if there are none or removing them would be
    wrong. `dry_run`: say what would go, change nothing. The caller deletes `files` from the
    document store after this returned."""
    removal = Removal()
    with (db.session() if dry_run else db.write()) as s:
        notices = demo_notices(s)
        if not notices:
            raise NothingToRemove("数据库中没有示例公告（flask load-demo 载入的样张公告），无需删除。")
        refusals = _refusals(s, notices)
        if refusals:
            raise DeskError("示例数据没有删除：" + "".join(refusals) +
                            "这些公告已与真实业务相连，请保留；如确需清理，请先与管理员核对。")
        ids = [n.id for n in notices]
        removal.references = [n.reference for n in notices]
        shas = set(s.scalars(select(NoticeDocument.sha256).where(NoticeDocument.notice_id.in_(ids))))
        for table in _tables_of_notices():
            column = next(fk.parent for fk in table.foreign_keys if fk.column.table.name == "notices")
            count = s.scalar(select(func.count()).select_from(table).where(column.in_(ids))) or 0
            removal.rows[table.name] = count
            if count and not dry_run:
                s.execute(delete(table).where(column.in_(ids)))
        removal.rows["line_settings"] = s.scalar(select(func.count()).select_from(LineSetting)) or 0
        removal.rows["notices"] = len(ids)
        publisher = load_publisher(s)
        removal.newspaper_cleared = publisher.newspaper == DEMO_NEWSPAPER
        if dry_run:
            return removal
        s.execute(delete(LineSetting))
        s.execute(delete(Notice).where(Notice.id.in_(ids)))
        still_used = set(s.scalars(select(NoticeDocument.sha256).where(NoticeDocument.sha256.in_(shas))))
        removal.files = sorted(shas - still_used)
        if removal.newspaper_cleared:
            publisher.newspaper = ""
            save_publisher(s, publisher)
        append_audit(s, actor, "demo-removed", None, {
            "references": removal.references, "removed_rows": removal.summary(),
            "documents": len(removal.files), "newspaper_cleared": DEMO_NEWSPAPER if removal.newspaper_cleared else ""})
    if removal.newspaper_cleared:
        invalidate_public_settings()
    return removal
