"""An issue of the paper: its notices, the column exported (the PDF kept, with what each notice
printed and where), marked published (a snapshot per notice that proofs and /verify read), and a
publication withdrawn when it was marked in error. Each write is one transaction with its audit
entry; the column itself is rendered by the caller (press/column.py export_column).
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field as dc_field
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from store import mails, outbox
from store.audit import append_audit, chain_head
from store.db import Database
from store.errors import DeskError
from store.models import (
    PUBLISHED,
    SCHEDULED,
    Export,
    IssuedProof,
    IssueState,
    Notice,
    Publication,
    PublishedNotice,
    as_utc,
    local_time_text,
    utcnow,
)
from store.settings import Publisher, invalidate_public_settings, load_publisher
from store.workflow import REFERENCE_ALPHABET, guarded_update, issue_published, lock_issue, text_hash

if TYPE_CHECKING:       # the store does not import the engine at run time: press/ calls it
    from typesetting.column import ColumnResult

NEWSPAPER_NOT_SET = "尚未设置报纸名称：付印版面和见报证明都须写明报纸名称。请管理员在“设置”中填写后再导出。"


def verification_code(secret_key: str, reference: str, revision_hash: str) -> str:
    mac = hmac.new(secret_key.encode(), f"verify:{reference}:{revision_hash}".encode(), hashlib.sha256).digest()
    return "".join(REFERENCE_ALPHABET[b % 32] for b in mac[:10])


IN_ISSUE = (SCHEDULED, PUBLISHED)


def issue_notices(session: Session, issue_date: date) -> list[Notice]:
    """The notices of an issue: scheduled ones, and once published those that were printed."""
    return list(session.scalars(
        select(Notice).where(Notice.issue_date == issue_date, Notice.status.in_(IN_ISSUE))
        .options(selectinload(Notice.revisions), selectinload(Notice.api_key))
        .order_by(Notice.created_at, Notice.id)))


def issue_state(session: Session, issue_date: date) -> IssueState | None:
    return session.get(IssueState, issue_date)


def last_export(session: Session, issue_date: date) -> Export | None:
    return session.scalar(select(Export).where(Export.issue_date == issue_date)
                          .order_by(Export.id.desc()).limit(1))


def live_publication(session: Session, issue_date: date) -> Publication | None:
    """The issue's publication in force (not withdrawn); None while the issue is not published."""
    return session.scalar(select(Publication).where(Publication.issue_date == issue_date,
                                                    Publication.withdrawn_at.is_(None))
                          .order_by(Publication.id.desc()).limit(1))


def publications(session: Session, issue_date: date) -> list[Publication]:
    """Every publication of the issue, the withdrawn ones too, newest first."""
    return list(session.scalars(select(Publication).where(Publication.issue_date == issue_date)
                                .options(selectinload(Publication.notices)).order_by(Publication.id.desc())))


def withdrawn_since(session: Session, issue_date: date, export: Export | None) -> Publication | None:
    """The issue's last withdrawn publication when `export` was made before that withdrawal (or
    there is no export): such an export cannot be published again. A withdrawal says the record
    was wrong; publishing again must rest on a column exported after it, not on an export of
    before (made, say, with settings changed since the first publication)."""
    withdrawn = session.scalar(select(Publication).where(Publication.issue_date == issue_date,
                                                         Publication.withdrawn_at.is_not(None))
                               .order_by(Publication.withdrawn_at.desc()).limit(1))
    if withdrawn is None or withdrawn.withdrawn_at is None:     # the query asks for a withdrawn one
        return None
    if export is None or as_utc(export.created_at) <= as_utc(withdrawn.withdrawn_at):
        return withdrawn
    return None


def published_export(session: Session, issue_date: date) -> Export | None:
    """The export the issue's publication in force was made from; None while not published."""
    publication = live_publication(session, issue_date)
    if publication is None or publication.export_id is None:
        return None
    return session.get(Export, publication.export_id)


def published_notice(session: Session, notice_id: int, *, withdrawn: bool = False) -> PublishedNotice | None:
    """What the proof of this notice states: its snapshot in the publication in force, or (with
    withdrawn=True, when there is none in force) in the last withdrawn one."""
    stmt = (select(PublishedNotice).join(Publication).where(PublishedNotice.notice_id == notice_id)
            .options(selectinload(PublishedNotice.publication)).order_by(Publication.id.desc()).limit(1))
    found = session.scalar(stmt.where(Publication.withdrawn_at.is_(None)))
    if found is None and withdrawn:
        found = session.scalar(stmt)
    return found



def issued_proof(db: Database, snapshot: PublishedNotice, render: Callable[[], bytes]) -> bytes:
    """The proof of publication of `snapshot` as issued: the bytes kept when it was first
    downloaded; the first time, `render()`'s, kept with their SHA-256 in the audit log. A proof
    never changes once issued, whatever changes in the program later (migration 0010)."""
    with db.session() as s:
        kept = s.get(IssuedProof, snapshot.id)
        if kept is not None:
            return kept.pdf
    pdf = render()
    digest = hashlib.sha256(pdf).hexdigest()
    try:
        with db.write() as s:
            s.add(IssuedProof(published_notice_id=snapshot.id, pdf=pdf, sha256=digest))
            s.flush()
            append_audit(s, "advertiser", "proof-issued", snapshot.notice_id, {
                "reference": snapshot.reference, "publication_id": snapshot.publication_id, "sha256": digest})
    except IntegrityError:
        # Downloaded twice at the same moment: the other request's proof was kept first.
        with db.session() as s:
            kept = s.get(IssuedProof, snapshot.id)
            assert kept is not None
            return kept.pdf
    return pdf


def published_days(session: Session, *, since: date) -> set[date]:
    """The issue dates from `since` on already marked published (no longer offered for scheduling)."""
    return set(session.scalars(select(IssueState.issue_date).where(
        IssueState.status == "published", IssueState.issue_date >= since)))

@dataclass
class PrintedColumn:
    """What the export's `render` returns: the engine's ColumnResult, the newspaper name printed
    in it, and per notice {"title", "text" (as printed), "boxes" (typesetting.placement_boxes)}."""
    column: ColumnResult
    newspaper: str
    printed: dict


@dataclass
class ExportOutcome:
    export: Export
    pdf: bytes
    placed: list[tuple[str, int]]
    overflow: list[str] = dc_field(default_factory=list)
    column: object = None            # the ColumnResult, for callers that show it
    reprint: bool = False            # the published issue's stored PDF, not a new rendering


def placements_by_key(column) -> dict:
    """The engine's placements keyed by notice reference (it gives a tuple of Placement)."""
    placements = column.placements
    if isinstance(placements, dict):
        return dict(placements)
    return {p.key: p for p in placements}


def _placement_fields(p) -> dict:
    # A notice taller than a column continues in the next ones: it is "in" the column it starts in.
    return {"page": int(p.page), "column": int(p.column), "lines": int(getattr(p, "lines", 0) or 0)}


def item_key(item) -> str:
    """A placed or overflowing item's notice reference (the engine gives keys or items)."""
    return item if isinstance(item, str) else getattr(item, "key", str(item))


NO_STORED_PDF = ("这一期在系统开始保存付印PDF之前刊登，没有存档的付印PDF可供重印。"
                 "如需重印，请管理员先撤回刊登记录并写明原因，再重新导出、标记刊登。")


def reprint_publication(db: Database, issue_date: date, *, actor: str) -> ExportOutcome | None:
    """A published issue's "export": the PDF its publication in force keeps, byte for byte
    (audited as a reprint); None when the issue is not published.

    Never a new rendering: settings changed since (the newspaper's name, page labels, columns)
    would give another column, which is not what was printed and must not be offered as it."""
    with db.write() as s:
        lock_issue(s, issue_date)
        publication = live_publication(s, issue_date)
        if publication is None:
            return None
        # A publication from before migration 0004 kept no PDF and names no export: nothing to reprint.
        export = s.get(Export, publication.export_id) if publication.export_id else None
        if publication.pdf is None or export is None:
            raise DeskError(NO_STORED_PDF)
        placed = [(pn.reference, pn.revision) for pn in publication.notices]
        append_audit(s, actor, "reprint", None, {
            "issue_date": issue_date.isoformat(), "publication_id": publication.id,
            "export_id": publication.export_id, "sha256": publication.pdf_hash, "pages": publication.pages})
        return ExportOutcome(export, publication.pdf, placed, [], None, reprint=True)


def export_issue(db: Database, issue_date: date, *, actor: str,
                 render: Callable[[list[Notice]], PrintedColumn]) -> ExportOutcome:
    """Render the issue's column and record the export: the PDF itself and its sha256, revisions,
    placements, what each notice printed and where (for the proofs), and the audit log's head.

    `render(notices)` returns a PrintedColumn (the typesetting ColumnResult: pdf, placements,
    overflow, pages). Rendering happens outside the write transaction (it takes a second); the
    transaction then checks that no notice of the issue changed meanwhile, so the record
    describes the PDF exactly. A published issue is not rendered: it gets its stored PDF
    (reprint_publication).
    """
    with db.session() as s:
        published = live_publication(s, issue_date) is not None
        notices = issue_notices(s, issue_date)
        newspaper = load_publisher(s).newspaper
    if published:
        reprint = reprint_publication(db, issue_date, actor=actor)
        if reprint is not None:
            return reprint
    if not newspaper:
        raise DeskError(NEWSPAPER_NOT_SET)
    if not notices:
        raise DeskError(f"{issue_date:%Y-%m-%d} 没有排期的公告，无可导出。")
    for n in notices:
        # The confirmed text never changes silently: checked on every read for print.
        if text_hash(n.revision.text) != n.revision.text_hash:
            raise DeskError(f"公告 {n.reference} 第{n.current_revision}版的正文与其校验值不符，已停止导出。"
                            "请联系技术人员。")
    printed_column = render(notices)
    column = printed_column.column
    pdf = column.pdf
    placements = {key: _placement_fields(p) for key, p in placements_by_key(column).items()}
    rendered = {n.reference: n.current_revision for n in notices}
    placed = [(n.reference, n.current_revision) for n in notices if n.reference in placements]
    as_printed = {ref: printed_column.printed[ref] for ref, _ in placed}
    overflow = [item_key(o) for o in (column.overflow or [])]
    digest = hashlib.sha256(pdf).hexdigest()
    with db.write() as s:
        lock_issue(s, issue_date)
        now_in_issue = {reference: revision for reference, revision in s.execute(
            select(Notice.reference, Notice.current_revision)
            .where(Notice.issue_date == issue_date, Notice.status.in_(IN_ISSUE)))}
        if now_in_issue != rendered:
            raise DeskError("导出期间这一期的排期或正文有变动，请重新导出。")
        if live_publication(s, issue_date) is not None:
            # Marked published while this column was being set: it may not be what was printed.
            raise DeskError("导出期间这一期被标记为刊登，刚才排出的版面未记录、未下载。"
                            "请再点一次导出：已刊登的一期下载的是见报所用的付印PDF本身。")
        export = Export(issue_date=issue_date, pdf_hash=digest, revisions_json=json.dumps(placed, ensure_ascii=False),
                        placements_json=json.dumps(placements, ensure_ascii=False, sort_keys=True),
                        pages=int(column.pages), actor=actor, pdf=pdf, newspaper=printed_column.newspaper,
                        printed_json=json.dumps(as_printed, ensure_ascii=False, sort_keys=True))
        s.add(export)
        s.flush()
        append_audit(s, actor, "export", None, {
            "issue_date": issue_date.isoformat(), "export_id": export.id, "sha256": digest,
            "revisions": placed, "overflow": overflow, "pages": int(column.pages)})
        # The log as it stands with this export's own entry: a later rewrite or truncation of
        # it no longer matches (issue 11, the keyed chain compares against these).
        export.audit_head, export.audit_length = chain_head(s)
    return ExportOutcome(export, pdf, placed, overflow, column)


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def publish_issue(db: Database, issue_date: date, *, actor: str, secret_key: str, today: date,
                  export_id: int | None = None) -> list[Notice]:
    """Mark the issue published: its scheduled notices become 已刊登 with the page and column of
    the last export and a verification code. Refused unless the last export is exactly what is
    scheduled now (every notice, at its current revision, placed in the PDF), and before the
    issue date (`today`: the date in Beijing, the caller's clock): published means printed.

    The publication keeps the export's PDF (the same bytes) and, per notice, what its proof
    states (PublishedNotice): proofs, /verify and the status page read that, never the
    settings of a later day.

    `export_id`: the export the editor was shown on the publish form; refused if it is no longer
    the last one. After a withdrawal only an export made after it can be published."""
    if issue_date > today:
        raise DeskError(f"{_cn_date(issue_date)}这一期尚未出版，出版当天（北京时间）才能标记刊登。"
                        f"今天是{_cn_date(today)}。")
    with db.write() as s:
        lock_issue(s, issue_date)
        export = _export_to_publish(s, issue_date, export_id)
        notices = issue_notices(s, issue_date)
        _require_export_of(export, notices)
        publisher = load_publisher(s)
        publication = Publication(
            issue_date=issue_date, export_id=export.id, pdf=export.pdf, pdf_hash=export.pdf_hash,
            pages=export.pages, newspaper=export.newspaper or publisher.newspaper, published_at=utcnow(),
            published_by=actor)
        s.add(publication)
        s.flush()
        placements = json.loads(export.placements_json or "{}")
        printed = json.loads(export.printed_json or "{}")
        published = []
        for n in notices:
            snapshot = _publish_notice(s, n, publication, placements.get(n.reference) or {}, printed[n.reference],
                                       publisher, secret_key)
            outbox.add(s, db, n, mails.published, snapshot)      # with the proof's link
            published.append(n)
        # Those who asked for this date and are not in it: told so with the publication.
        outbox.write_missed_for_issue(s, db, issue_date)
        state = s.get(IssueState, issue_date)
        if state is None:
            state = IssueState(issue_date=issue_date)
            s.add(state)
        state.status = "published"
        state.published_at = publication.published_at
        state.published_by = actor
        append_audit(s, actor, "publish", None, {
            "issue_date": issue_date.isoformat(), "export_id": export.id, "sha256": export.pdf_hash,
            "publication_id": publication.id,
            "revisions": [[n.reference, n.current_revision] for n in published]})
        for n in published:
            append_audit(s, actor, "published", n.id, {
                "reference": n.reference, "issue_date": issue_date.isoformat(), "page": n.published_page,
                "column": n.published_column, "revision": n.current_revision, "export_id": export.id,
                "publication_id": publication.id, "verification_code": n.verification_code})
        publication.audit_head, publication.audit_length = chain_head(s)
    # Committed: the issue is closed to advertisers now (at once in this worker, within the
    # settings cache's 2 s in the others).
    invalidate_public_settings()
    return published


def _export_to_publish(s: Session, issue_date: date, export_id: int | None) -> Export:
    """The issue's last export, if it may be published: the issue not yet published, the export
    the one the editor was shown, and made after any withdrawal of an earlier publication."""
    if issue_published(s, issue_date):
        raise DeskError(f"{issue_date:%Y-%m-%d} 这一期已标记为刊登。")
    export = last_export(s, issue_date)
    if export is None:
        raise DeskError("这一期还没有导出付印PDF。请先导出，核对无误后再标记刊登。")
    if export_id is not None and export.id != export_id:
        raise DeskError(f"页面上写的是导出记录 #{export_id}，其后又导出了 #{export.id}（{export.pages} 页，"
                        f"SHA-256 {export.pdf_hash[:12]}…）。请刷新页面，核对最后导出的PDF后再标记刊登。")
    withdrawn = withdrawn_since(s, issue_date, export)
    if withdrawn is not None and withdrawn.withdrawn_at is not None:
        raise DeskError(f"刊登记录 #{withdrawn.id} 已于 {local_time_text(withdrawn.withdrawn_at)} 撤回，"
                        f"最后一次导出 #{export.id} 是在撤回之前做的。请改正后重新导出付印PDF，"
                        "核对无误、付印后再标记刊登。")
    return export


def _require_export_of(export: Export, notices: list[Notice]) -> None:
    """Refused unless the export is exactly what is scheduled now: every notice, at its current
    revision, with what it printed kept (exports before migration 0004 kept only a hash)."""
    if not notices:
        raise DeskError("这一期没有排期的公告。")
    exported = {ref: rev for ref, rev in json.loads(export.revisions_json)}
    current = {n.reference: n.current_revision for n in notices}
    if exported != current:
        missing = sorted(set(current) - set(exported))
        changed = sorted(r for r in set(current) & set(exported) if current[r] != exported[r])
        gone = sorted(set(exported) - set(current))
        parts = []
        if missing:
            parts.append("未在最后导出的PDF中（排不下或导出后才排入）：" + "、".join(missing))
        if changed:
            parts.append("导出后正文有修改：" + "、".join(changed))
        if gone:
            parts.append("导出后已撤出或改期：" + "、".join(gone))
        raise DeskError("最后一次导出的PDF与当前排期不一致，请重新导出后再标记刊登。" + "；".join(parts))
    printed = json.loads(export.printed_json or "{}")
    if export.pdf is None or any(n.reference not in printed for n in notices):
        raise DeskError("最后一次导出没有保存付印PDF本身（系统升级前导出的），无法据此出具见报证明。"
                        "请重新导出一次（内容不变），再标记刊登。")


def _publish_notice(s: Session, n: Notice, publication: Publication, place: dict, entry: dict,
                    publisher: Publisher, secret_key: str) -> PublishedNotice:
    """One notice marked 已刊登 where the export placed it, with its verification code, and the
    snapshot of what its proof states (added to the session)."""
    code = verification_code(secret_key, n.reference, n.revision.text_hash)
    if s.scalar(select(PublishedNotice.id).where(PublishedNotice.notice_id == n.id).limit(1)):
        # Published again after a withdrawal: a code of its own, so that a proof of the
        # withdrawn publication does not check out against the new one.
        code = verification_code(secret_key, n.reference, f"{n.revision.text_hash}:{publication.id}")
    guarded_update(s, n, n.version, (SCHEDULED,), status=PUBLISHED, published_page=place.get("page"),
                   published_column=place.get("column"), verification_code=code)
    snapshot = PublishedNotice(
        publication_id=publication.id, notice_id=n.id, reference=n.reference,
        newspaper=publication.newspaper, issue_date=publication.issue_date, page=place.get("page"),
        page_label=publisher.page_text(place.get("page")), column_number=place.get("column"),
        revision=n.current_revision, text_hash=n.revision.text_hash, title=entry["title"],
        printed_text=entry["text"], verification_code=code,
        crop_json=json.dumps(entry.get("boxes") or {}, sort_keys=True))
    s.add(snapshot)
    return snapshot

WITHDRAW_REASON_EXAMPLE = "例如：第3页的公告排错了日期，报纸已更正重印，需重新刊登。"


def withdraw_publication(db: Database, issue_date: date, reason: str, *, actor: str) -> Publication:
    """Withdraw a publication marked in error (administrators only; the view checks the role).

    Nothing is deleted: the publication and its snapshots stay, marked withdrawn (by whom,
    when, why), so /verify says that the record was withdrawn instead of vouching for it. The
    notices go back to 已排期 in the same issue: it can be exported and published again, which
    makes a new publication."""
    reason = (reason or "").strip()
    if not reason:
        raise DeskError("请写明撤回原因，核验页和客户的进度页都会显示，" + WITHDRAW_REASON_EXAMPLE, "reason")
    if len(reason) > 500:
        raise DeskError("撤回原因最多500个字。", "reason")
    with db.write() as s:
        lock_issue(s, issue_date)
        publication = live_publication(s, issue_date)
        if publication is None:
            raise DeskError(f"{_cn_date(issue_date)}这一期没有有效的刊登记录，无可撤回。")
        publication.withdrawn_at = utcnow()
        publication.withdrawn_by = actor
        publication.withdrawal_reason = reason
        references = []
        for snapshot in publication.notices:
            notice = s.get(Notice, snapshot.notice_id)
            if notice is not None and notice.status == PUBLISHED:       # notices are never deleted
                guarded_update(s, notice, notice.version, (PUBLISHED,), status=SCHEDULED, published_page=None,
                                published_column=None, verification_code="")
            references.append(snapshot.reference)
        state = s.get(IssueState, issue_date)
        if state is not None:
            state.status = "open"
            state.published_at = None
            state.published_by = ""
        append_audit(s, actor, "withdraw-publication", None, {
            "issue_date": issue_date.isoformat(), "publication_id": publication.id, "reason": reason,
            "references": references})
        for snapshot in publication.notices:
            append_audit(s, actor, "publication-withdrawn", snapshot.notice_id, {
                "reference": snapshot.reference, "issue_date": issue_date.isoformat(),
                "publication_id": publication.id, "reason": reason})
    invalidate_public_settings()
    return publication


# ---------------------------------------------------------------------------------------------
# Reads for the desk's issue pages (views/desk/issues.py)

def scheduled_counts(session: Session) -> dict[date, int]:
    """Per issue date, how many notices are scheduled for it or were published in it."""
    return {day: count for day, count in session.execute(
        select(Notice.issue_date, func.count()).where(Notice.status.in_(IN_ISSUE), Notice.issue_date.is_not(None))
        .group_by(Notice.issue_date)).all() if day is not None}


def issue_states(session: Session, dates: list[date]) -> dict[date, IssueState]:
    return {st.issue_date: st for st in session.scalars(select(IssueState).where(IssueState.issue_date.in_(dates)))}


def last_export_times(session: Session, dates: list[date]) -> dict[date, datetime]:
    """Per issue date, when its column was last exported (dates never exported are absent)."""
    return {day: at for day, at in session.execute(
        select(Export.issue_date, func.max(Export.created_at)).where(Export.issue_date.in_(dates))
        .group_by(Export.issue_date)).all()}


def issue_exports(session: Session, issue_date: date) -> list[Export]:
    """An issue's exports, the latest first."""
    return list(session.scalars(select(Export).where(Export.issue_date == issue_date).order_by(Export.id.desc())))


def publication_pdf(session: Session, publication_id: int) -> bytes | None:
    """The PDF a publication printed, read on its own (None: published before it was kept)."""
    return session.scalar(select(Publication.pdf).where(Publication.id == publication_id))
