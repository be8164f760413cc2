"""A notice's way through the office: submitted (by the form, the API or the demo loader), decided
(approved, rejected, changes requested, resubmitted), edited, scheduled, paid for. Its reference,
status-page secret and text hash are made here too.

Each operation is one write transaction (BEGIN IMMEDIATE on SQLite) that also appends its audit
entry, so a change and its record of who made it commit or vanish together.

Lost updates (docs/reliability.md: SQLAlchemy's version_id_col alone did not catch B loading the
form, A saving, B posting) are caught by carrying Notice.version in every editor form and
changing the row only with `UPDATE notices SET … WHERE id = :id AND version = :v`: a row count of
0 means someone else changed the notice since the editor loaded it, and nothing is written
(guarded_update, also used by store/issues.py when an issue is published or withdrawn).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Callable, Iterable, Mapping, Sequence, cast

from sqlalchemy import ColumnElement, CursorResult, Table, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from notices.catalogue import get_type
from notices.checks import CheckResult
from notices.dates import parse_date
from notices.money import format_yuan
from notices.redated import redated_findings
from store import mails, outbox, webhooks
from store.audit import append_audit
from store.db import Database
from store.errors import Conflict, DeskError
from store.models import (
    APPROVED,
    BEIJING,
    CHANGES_REQUESTED,
    REJECTED,
    SCHEDULED,
    STATUS_LABELS,
    SUBMITTED,
    WITHDRAWN,
    IssueState,
    Notice,
    NoticeRevision,
    Payment,
    utcnow,
)

# Crockford's base32 without I, L, O, U: no 0/O or 1/I confusion when read over the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_PREFIX = "GG"       # 公告
REFERENCE_RANDOM_CHARS = 8    # 40 random bits: not guessable, not sequential


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_RANDOM_CHARS))
    return f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}"


def clean_reference(value: str) -> str:
    """Accept a reference as people type it back: lower case, without dashes, O for 0."""
    value = unicodedata.normalize("NFKC", value or "")      # ＧＧ－… typed with a Chinese IME
    raw = "".join(c for c in value.upper() if c.isascii() and c.isalnum()).replace("O", "0").replace("I", "1")
    raw = raw.replace("L", "1")
    if len(raw) == len(REFERENCE_PREFIX) + REFERENCE_RANDOM_CHARS and raw.startswith(REFERENCE_PREFIX):
        body = raw[len(REFERENCE_PREFIX):]
        return f"{REFERENCE_PREFIX}-{body[:4]}-{body[4:]}"
    return ""    # not a reference: nothing to look up (and nothing odd reaches the database)


def status_secret(secret_key: str, reference: str) -> str:
    """The secret of a notice's status page, derived (HMAC) rather than stored, so that a
    retried submission can show its receipt again. Rotating SECRET_KEY invalidates the links."""
    mac = hmac.new(secret_key.encode(), f"status:{reference}".encode(), hashlib.sha256).digest()
    return "".join(REFERENCE_ALPHABET[b % 32] for b in mac[:16]).lower()


def check_status_secret(secret_key: str, reference: str, candidate: str) -> bool:
    """The candidate as typed back from a receipt: full-width, spaced or in groups is fine."""
    typed = unicodedata.normalize("NFKC", candidate or "")
    typed = "".join(c for c in typed if c.isascii() and c.isalnum()).lower()
    return hmac.compare_digest(status_secret(secret_key, reference), typed)



# ---------------------------------------------------------------------------------------------
# Submission

@dataclass
class Advertiser:
    name: str
    phone: str
    email: str = ""


@dataclass
class Submitted:
    notice: Notice
    created: bool          # False: an earlier submission with the same key was found
    # For a replay: what this request has that differs from the stored one, in Chinese (empty:
    # the same request again, answered with the same notice).
    differences: tuple[str, ...] = ()

    @property
    def same_content(self) -> bool:
        return not self.differences


def request_differences(notice: Notice, result: CheckResult, advertiser: Advertiser, *,
                        date_requested: bool = True) -> tuple[str, ...]:
    """What differs between a replayed submission and the notice its key stored: the WHOLE
    request (type, fields, text, publication date, contact), each as the checks normalised it,
    against what submit_notice stored of the first request (revision 1 and the notice's own
    columns; later editors' revisions do not count). A key compared on the text alone let a
    retry with another contact or date get the first notice's 200, its changes silently lost.

    `date_requested=False`: the request named no date and was given the earliest open issue, a
    date that moves with the clock; the stored notice's date then stands for it."""
    first = next(r for r in notice.revisions if r.number == 1)
    out: list[str] = []
    code = result.notice_type.code if result.notice_type else ""
    if notice.type_code != code:
        out.append(f"公告类型（原为 {notice.type_code}，现为 {code}）")
    else:
        stored = json.loads(first.fields_json)
        changed = sorted(k for k in stored.keys() | result.fields.keys() if stored.get(k) != result.fields.get(k))
        if changed:
            t = result.notice_type
            labels = {f.name: f.label for f in t.fields} if t else {}
            out.append("字段" + "、".join(f"“{labels.get(k, k)}”（{k}）" for k in changed))
    if first.text_hash != text_hash(result.text):
        out.append("正文")
    if date_requested and notice.requested_date != result.publication_date:
        def shown(d):
            return d.isoformat() if d else "未指定"
        out.append(f"刊登日期（原为 {shown(notice.requested_date)}，现为 {shown(result.publication_date)}）")
    for label, before, after in (("联系人姓名", notice.advertiser_name, advertiser.name),
                                 ("联系电话", notice.advertiser_phone, advertiser.phone),
                                 ("电子邮箱", notice.advertiser_email, advertiser.email)):
        if (before or "") != (after or ""):
            out.append(label)
    return tuple(out)


def _revision_payload(result: CheckResult) -> dict:
    return {"fields_json": json.dumps(result.fields, ensure_ascii=False, sort_keys=True),
            "text": result.text, "text_hash": text_hash(result.text),
            "findings_json": json.dumps([f.as_json() for f in result.findings], ensure_ascii=False),
            "windows_json": json.dumps(result.as_json()["windows"], ensure_ascii=False)}


# Core statements with their parameters apart (compiled once), not the ORM's unit of work: the
# insert runs while the writers' lock is held (SQLite: the writers' queue; PostgreSQL: the audit
# chain's lock, to the commit), and every millisecond of CPU there is a millisecond all other
# submissions wait.
_INSERT_NOTICE = insert(cast(Table, Notice.__table__)).returning(Notice.__table__.c.id)   # __table__: a Table
_INSERT_REVISION = insert(cast(Table, NoticeRevision.__table__))


def submit_notice(db: Database, result: CheckResult, advertiser: Advertiser, submission_key: str, *,
                  lines: int, price_cents: int, author: str, api_key_id: int | None = None,
                  date_requested: bool = True, order_key: str | None = None) -> Submitted:
    """Store a checked notice exactly once per submission key.

    The unique constraint on submission_key is what makes a retry safe (docs/reliability.md: kill -9
    during a storm left 22 committed-but-unacknowledged rows; a retry with the same key and a
    unique constraint made 0 duplicates). The caller has already refused results with errors.
    A replay says what it changed (request_differences; `date_requested` is passed on to it).
    """
    assert result.ok and result.notice_type is not None
    payload = _revision_payload(result)
    # No look-up first: the insert itself finds a retry (the unique key refuses it), which spares
    # every first submission a query; a retry costs one refused insert instead.
    for _attempt in range(5):
        now = utcnow()
        values = dict(reference=new_reference(), submission_key=submission_key,
                      type_code=result.notice_type.code, title=result.title, status=SUBMITTED,
                      requested_date=result.publication_date, issue_date=None,
                      advertiser_name=advertiser.name, advertiser_phone=advertiser.phone,
                      advertiser_email=advertiser.email, api_key_id=api_key_id, current_revision=1,
                      version=1, price_cents=price_cents, lines=lines, paid_cents=0,
                      schedule_override="", decision_reason="", published_page=None,
                      published_column=None, verification_code="", created_at=now, updated_at=now,
                      agreed_price_cents=price_cents,   # the price the advertiser confirmed
                      refund_due_cents=0, refunded_cents=0, order_key=order_key)   # an order of several dates
        revision = dict(number=1, lines=lines, price_cents=price_cents, author=author, note="",
                        created_at=now, **payload)
        details = {"reference": values["reference"], "type": values["type_code"],
                   "text_hash": payload["text_hash"], "price_cents": price_cents}
        # The 已受理 mail, composed before the writers' lock is taken and written with the notice.
        mail = outbox.prepare(db, Notice(**values), mails.received) if advertiser.email else None
        try:
            with db.write() as s:
                notice_id = s.execute(_INSERT_NOTICE, values).scalar_one()
                s.execute(_INSERT_REVISION, {"notice_id": notice_id, **revision})
                append_audit(s, author, "submit", notice_id, details)
                outbox.write(s, mail, notice_id=notice_id)
        except IntegrityError:
            existing = find_submission(db, submission_key)
            if existing is not None:   # a retry (or a concurrent one won the race): that notice
                return Submitted(existing, False, request_differences(existing, result, advertiser,
                                                                      date_requested=date_requested))
            continue  # otherwise a reference collision (1 in 2^40 per pair): draw again
        # The rows as stored, as objects (detached), for the caller's answer.
        notice = Notice(id=notice_id, **values)
        notice.revisions = [NoticeRevision(notice_id=notice_id, **revision)]
        return Submitted(notice, True)
    raise RuntimeError("could not allocate a unique reference")


def order_fields(type_code: str, fields: Mapping[str, str], day: str, dates: Sequence[str]) -> dict[str, str]:
    """The fields to check and file for the date `day` of an order of several `dates` (ISO days).

    An order is one publication printed on several dates, but each date is checked as a notice of
    its own with the order's fields. A type printed more than once by law names its other printing
    in a date field (catalogue `order_date_field`: 环评公示's second_date, 环境影响评价公众参与办法
    Art. 11): for each date it is filled with the order's nearest other date where the client left
    it blank or gave one of the order's own dates (the same value on every date would name one of
    them as its own second printing). A date outside the order stays as given: a printing booked
    apart, or in another paper. POST /api/v1/orders calls this; the web form's further dates
    (views/submit.py _more_dates) are to call it too."""
    t = get_type(type_code)
    name = t.order_date_field if t else ""
    own = parse_date(day)
    ordered = {d for d in (parse_date(x) for x in dates) if d is not None}
    others = sorted(ordered - {own}) if own else []
    if not name or own is None or not others:
        return dict(fields)
    given = parse_date(str(fields.get(name) or ""))
    if str(fields.get(name) or "").strip() and given not in ordered:
        return dict(fields)
    nearest = min(others, key=lambda d: (abs((d - own).days), d))
    return {**fields, name: nearest.isoformat()}


def find_submission(db: Database, submission_key: str) -> Notice | None:
    """The notice stored under a submission key, with its revisions; None if there is none."""
    with db.session() as s:
        notice = s.scalar(select(Notice).where(Notice.submission_key == submission_key))
        if notice is not None:
            _ = notice.revisions  # load while the session is open
        return notice


def get_notice(session: Session, reference: str) -> Notice | None:
    return session.scalar(select(Notice).where(Notice.reference == clean_reference(reference)))



# ---------------------------------------------------------------------------------------------
# The desk: decisions, edits, schedule, payments

def load_notice(session: Session, reference: str) -> Notice | None:
    return session.scalar(select(Notice).where(Notice.reference == reference)
                          .options(selectinload(Notice.revisions), selectinload(Notice.api_key)))


def guarded_update(s: Session, notice: Notice, version: int, allowed: Iterable[str] | None, **values) -> Notice:
    """UPDATE notices SET … WHERE id = :id AND version = :v (AND status IN allowed).

    Nothing is written unless the row is still the one the editor saw; then the ORM object is
    refreshed from the database so that callers see what was stored."""
    stmt = (update(Notice).where(Notice.id == notice.id, Notice.version == version)
            .values(version=version + 1, updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False))
    if allowed is not None:
        stmt = stmt.where(Notice.status.in_(list(allowed)))
    if cast(CursorResult, s.execute(stmt)).rowcount != 1:      # an UPDATE's result: a CursorResult
        s.refresh(notice)
        if notice.version != version:
            raise Conflict(notice)
        raise DeskError(f"这则公告当前状态为“{notice.status_label}”，不能进行此操作。")
    s.refresh(notice)
    webhooks.notice_changed(s, notice)      # an agency's status webhook, in this transaction
    return notice


def redate_findings(notice: Notice, old: date | None, new: date | None, *, now: datetime) -> None:
    """The current revision's findings and windows, made for `old`, said again for `new` when a
    notice moves (notices/redated.py): the desk reads them there (the creditors' period from the
    new date, a window kept or missed). Its text, fields and hash stay: no new revision. Called in
    the transaction that moves the notice, after its guarded update."""
    if new is None or new == old:
        return
    revision = notice.revision
    findings, windows = redated_findings(notice.type_code, revision.fields, revision.text, revision.findings,
                                         old, new, now=now)
    revision.findings_json = json.dumps(findings, ensure_ascii=False)
    revision.windows_json = json.dumps(windows, ensure_ascii=False)


def _notice_for_write(s: Session, reference: str) -> Notice:
    notice = load_notice(s, reference)
    if notice is None:
        raise DeskError("没有这个编号的公告。")
    return notice


DECIDABLE = (SUBMITTED, CHANGES_REQUESTED, APPROVED)


def approve(db: Database, reference: str, version: int, *, actor: str) -> Notice:
    with db.write() as s:
        notice = _notice_for_write(s, reference)
        guarded_update(s, notice, version, (SUBMITTED, CHANGES_REQUESTED), status=APPROVED, decision_reason="")
        append_audit(s, actor, "approve", notice.id, {"reference": reference, "revision": notice.current_revision})
        return notice


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DeskError("请写明原因，广告客户会在进度页上看到，例如：营业执照编号与执照不符，请核对后重新提交。")
    return reason


def _decide_with_reason(db: Database, reference: str, version: int, reason: str, status: str, action: str,
                        actor: str) -> Notice:
    reason = _reason(reason)
    with db.write() as s:
        notice = _notice_for_write(s, reference)
        guarded_update(s, notice, version, DECIDABLE, status=status, decision_reason=reason)
        append_audit(s, actor, action, notice.id, {"reference": reference, "reason": reason})
        outbox.add(s, db, notice, mails.rejected if status == REJECTED else mails.changes_requested)
        return notice


def reject(db: Database, reference: str, version: int, reason: str, *, actor: str) -> Notice:
    return _decide_with_reason(db, reference, version, reason, REJECTED, "reject", actor)


def request_changes(db: Database, reference: str, version: int, reason: str, *, actor: str) -> Notice:
    return _decide_with_reason(db, reference, version, reason, CHANGES_REQUESTED, "request-changes", actor)


def resubmit_after_changes(db: Database, reference: str, version: int, result: CheckResult, *, lines: int,
                           price_cents: int) -> Notice:
    """The advertiser's revised notice after 需修改: a new revision, back in the review queue.
    Guarded like an editor's edit: if the desk changed the notice meanwhile, nothing is written."""
    assert result.ok
    payload = _revision_payload(result)
    with db.write() as s:
        notice = _notice_for_write(s, reference)
        previous = notice.revision
        number = notice.current_revision + 1
        guarded_update(s, notice, version, (CHANGES_REQUESTED,), current_revision=number, lines=lines,
                        price_cents=price_cents, title=result.title, status=SUBMITTED, decision_reason="",
                        requested_date=result.publication_date, agreed_price_cents=price_cents)
        s.add(NoticeRevision(notice_id=notice.id, number=number, lines=lines, price_cents=price_cents,
                             author="advertiser", note="客户按编辑意见修改后重新提交", **payload))
        s.flush()
        append_audit(s, "advertiser", "resubmit", notice.id, {
            "reference": reference, "revision": number, "previous_text_hash": previous.text_hash,
            "text_hash": payload["text_hash"], "lines": lines, "price_cents": price_cents})
        outbox.add(s, db, notice, mails.received)
        return notice


EDITABLE = (SUBMITTED, CHANGES_REQUESTED, APPROVED, SCHEDULED)


def edit_text(db: Database, reference: str, version: int, result: CheckResult, *, lines: int, price_cents: int,
              note: str, actor: str) -> Notice:
    """A new revision (number + 1) with the re-checked text; revision 1 is never touched."""
    assert result.ok
    payload = _revision_payload(result)
    with db.write() as s:
        notice = _notice_for_write(s, reference)
        if notice.issue_date and issue_published(s, notice.issue_date):
            raise DeskError("这则公告所在的一期已经刊登，不能再修改。")
        previous = notice.revision
        number = notice.current_revision + 1
        # A price above what the advertiser accepted waits for their consent (status page): a
        # scheduled notice leaves its issue until then (issue 14: ¥700 → ¥750, no consent asked).
        rise = notice.agreed_price_cents is not None and price_cents > notice.agreed_price_cents
        back = {"status": APPROVED, "issue_date": None} if rise and notice.status == SCHEDULED else {}
        guarded_update(s, notice, version, EDITABLE, current_revision=number, lines=lines,
                        price_cents=price_cents, title=result.title, **back)
        s.add(NoticeRevision(notice_id=notice.id, number=number, lines=lines, price_cents=price_cents,
                             author=actor, note=(note or "").strip(), **payload))
        s.flush()
        append_audit(s, actor, "edit", notice.id, {
            "reference": reference, "revision": number, "previous_text_hash": previous.text_hash,
            "text_hash": payload["text_hash"], "lines": lines, "price_cents": price_cents,
            "note": (note or "").strip(), **({"awaiting_consent": True} if rise else {}),
            **({"unscheduled": True} if back else {})})
        if rise:
            outbox.add(s, db, notice, mails.price_changed)
        s.refresh(notice, ["revisions"])
        return notice


ISSUE_LOCK_SPACE = 7_240_302


def lock_issue(s: Session, issue_date: date) -> None:
    """Serialise scheduling into, exporting and publishing one issue. SQLite's BEGIN IMMEDIATE
    already holds the database's write lock; on PostgreSQL a transaction-scoped advisory lock per
    issue date keeps a notice from being scheduled into an issue while it is being published."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(select(func.pg_advisory_xact_lock(ISSUE_LOCK_SPACE, issue_date.toordinal())))


def issue_published(s: Session, issue_date: date) -> bool:
    state = s.get(IssueState, issue_date)
    return state is not None and state.status == "published"


def can_schedule_unpaid(notice: Notice) -> bool:
    return notice.owed_cents == 0 or bool(notice.api_key and notice.api_key.credit_account)


def schedule(db: Database, reference: str, version: int, issue_date: date, *, actor: str,
             override_reason: str = "", today: date, is_publishing_day: Callable[[date], bool]) -> Notice:
    """Approved (or already scheduled) → scheduled for `issue_date`.

    Only paid notices or those of an agency with a credit account go into print, unless the
    editor gives a reason (an override, audited). Editors may schedule into an issue already
    closed for advertisers (copy deadline passed) until it is published."""
    override_reason = (override_reason or "").strip()
    if issue_date < today:
        raise DeskError(f"{issue_date:%Y-%m-%d} 已经过去，请选今天或以后的出版日。", "issue_date")
    if not is_publishing_day(issue_date):
        raise DeskError(f"{issue_date:%Y-%m-%d} 本报不出版，请另选日期。", "issue_date")
    with db.write() as s:
        lock_issue(s, issue_date)
        notice = _notice_for_write(s, reference)
        if issue_published(s, issue_date):
            raise DeskError(f"{issue_date:%Y-%m-%d} 这一期已经刊登，不能再排入。", "issue_date")
        if notice.status == SCHEDULED and notice.issue_date and issue_published(s, notice.issue_date):
            raise DeskError("这则公告所在的一期已经刊登。", "issue_date")
        if notice.awaiting_price_consent:
            raise DeskError(f"等待客户确认新价格：编辑修改后价格为 {format_yuan(notice.price_cents)}，"
                            f"客户同意的是 {format_yuan(notice.agreed_price_cents or 0)}。"
                            "客户在进度页上同意后才能排期。", "issue_date")
        values = {"status": SCHEDULED, "issue_date": issue_date}
        override = False
        if not can_schedule_unpaid(notice):
            if not override_reason:
                raise DeskError(f"这则公告尚欠 {format_yuan(notice.owed_cents)}，付款后才能排期。"
                                "如确需先刊登后付款，请在“不付款先排期的理由”中写明原因。", "override_reason")
            values["schedule_override"] = override_reason
            override = True
        previous = notice.issue_date if notice.status == SCHEDULED else None
        checked_for = previous or notice.requested_date
        guarded_update(s, notice, version, (APPROVED, SCHEDULED), **values)
        redate_findings(notice, checked_for, issue_date, now=datetime.combine(today, time(12), BEIJING))
        if override:
            append_audit(s, actor, "schedule-override", notice.id, {
                "reference": reference, "reason": override_reason, "owed_cents": notice.owed_cents})
        append_audit(s, actor, "schedule", notice.id, {
            "reference": reference, "issue_date": issue_date.isoformat(),
            "previous_issue_date": previous.isoformat() if previous else None})
        if previous != issue_date:
            outbox.add(s, db, notice, mails.scheduled, previous)
        return notice


def unschedule(db: Database, reference: str, version: int, *, actor: str) -> Notice:
    with db.write() as s:
        notice = _notice_for_write(s, reference)
        previous = notice.issue_date
        if previous and issue_published(s, previous):
            raise DeskError("这一期已经刊登，不能撤出。")
        guarded_update(s, notice, version, (SCHEDULED,), status=APPROVED, issue_date=None)
        redate_findings(notice, previous, notice.requested_date, now=utcnow().astimezone(BEIJING))
        append_audit(s, actor, "unschedule", notice.id, {
            "reference": reference, "previous_issue_date": previous.isoformat() if previous else None})
        return notice


PAYMENT_METHODS = {"counter": "柜台", "bank": "银行转账", "agency": "代理记账"}
RECEIPT_MAX = 60


def record_payment(db: Database, reference: str, version: int, *, amount_cents: int, method: str,
                   receipt_no: str, actor: str) -> Notice:
    receipt_no = (receipt_no or "").strip()
    if method not in PAYMENT_METHODS:
        raise DeskError("请选择付款方式：柜台、银行转账或代理记账。")
    if not receipt_no or len(receipt_no) > RECEIPT_MAX:
        raise DeskError(f"请填写收据号或流水号（不超过{RECEIPT_MAX}个字），例如：GZ2026-001234。")
    if amount_cents <= 0:
        raise DeskError("金额须大于零，例如：320 或 320.50。")
    with db.write() as s:
        notice = _notice_for_write(s, reference)
        if notice.status in (REJECTED, WITHDRAWN):
            # Nothing will print: money taken for it would have to be paid back.
            raise DeskError(f"这则公告的状态是“{STATUS_LABELS[notice.status]}”，不会刊登，不能登记付款。"
                            "如客户已付款，请按退款手续办理；如要刊登，请客户重新提交。")
        if amount_cents > notice.owed_cents:
            raise DeskError(f"金额超过尚欠的 {format_yuan(notice.owed_cents)}，请核对。")
        # A double-clicked form carries the same receipt number: record it once.
        if s.scalar(select(Payment).where(Payment.notice_id == notice.id, Payment.receipt_no == receipt_no)):
            raise DeskError(f"收据号 {receipt_no} 已为这则公告登记过。")
        guarded_update(s, notice, version, None, paid_cents=Notice.paid_cents + amount_cents)
        s.add(Payment(notice_id=notice.id, amount_cents=amount_cents, method=method, receipt_no=receipt_no,
                      recorded_by=actor))
        append_audit(s, actor, "payment", notice.id, {
            "reference": reference, "amount_cents": amount_cents, "method": method, "receipt_no": receipt_no,
            "paid_cents": notice.paid_cents})
        return notice


# ---------------------------------------------------------------------------------------------
# Reads for the desk's pages (views/desk/)

def queue_notices(session: Session, *, statuses: Iterable[str] | None, type_code: str = "",
                  issue: date | None = None, limit: int, where: ColumnElement[bool] | None = None) -> list[Notice]:
    """The review queue: notices in `statuses` (None: all), of one type, for one issue (scheduled
    for it, or asking for it while not yet scheduled), oldest request first, at most `limit`;
    `where` narrows it further (the desk's search: store/search.py)."""
    stmt = select(Notice).options(selectinload(Notice.revisions), selectinload(Notice.api_key))
    if where is not None:
        stmt = stmt.where(where)
    if statuses is not None:
        stmt = stmt.where(Notice.status.in_(tuple(statuses)))
    if type_code:
        stmt = stmt.where(Notice.type_code == type_code)
    if issue:
        stmt = stmt.where(or_(Notice.issue_date == issue,
                              (Notice.issue_date.is_(None)) & (Notice.requested_date == issue)))
    return list(session.scalars(stmt.order_by(Notice.requested_date, Notice.created_at).limit(limit)))


def status_counts(session: Session) -> dict[str, int]:
    """How many notices are in each status (a status with none is absent)."""
    return {status: count for status, count in session.execute(
        select(Notice.status, func.count()).group_by(Notice.status)).all()}


def notice_payments(session: Session, notice_id: int) -> list[Payment]:
    """A notice's payments in the order they were recorded."""
    return list(session.scalars(select(Payment).where(Payment.notice_id == notice_id).order_by(Payment.id)))


def references_by_id(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Notice id → reference, for the ids given (the audit log stores the id)."""
    return {nid: ref for nid, ref in session.execute(
        select(Notice.id, Notice.reference).where(Notice.id.in_(set(ids)))).all()}
