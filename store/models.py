"""SQLAlchemy models. Schema changes go through Alembic (migrations/versions/)."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from store.search_text import search_default


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns (they are stored in UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


BEIJING = ZoneInfo("Asia/Shanghai")


def local_time_text(at: datetime) -> str:
    """Stored in UTC (SQLite returns it naive); shown in Beijing time, which the editors live in."""
    return as_utc(at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


class Base(DeclarativeBase):
    pass


# Notice statuses, in the order a notice moves through them.
SUBMITTED, CHANGES_REQUESTED, REJECTED, APPROVED, SCHEDULED, PUBLISHED, WITHDRAWN = (
    "submitted", "changes_requested", "rejected", "approved", "scheduled", "published", "withdrawn")
STATUS_LABELS = {
    SUBMITTED: "待审核", CHANGES_REQUESTED: "需修改", REJECTED: "未通过", APPROVED: "已通过",
    SCHEDULED: "已排期", PUBLISHED: "已刊登", WITHDRAWN: "已撤回",
}


class Notice(Base):
    __tablename__ = "notices"
    # SQLite: ids are never used again (AUTOINCREMENT, migration 0009). The audit log names notices
    # by id; after `flask remove-demo` deleted the newest ones, the next notice would otherwise
    # get a removed demo notice's id and show its history.
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    # One submission, one notice: a retried or double-clicked form carries the same key.
    submission_key: Mapped[str] = mapped_column(String(160), unique=True)
    type_code: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), index=True, default=SUBMITTED)
    requested_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    issue_date: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    advertiser_name: Mapped[str] = mapped_column(String(60), default="")
    advertiser_phone: Mapped[str] = mapped_column(String(30), default="")
    advertiser_email: Mapped[str] = mapped_column(String(120), default="")
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)
    current_revision: Mapped[int] = mapped_column(Integer, default=1)
    # Carried in the editor's form; an UPDATE … WHERE version = :v catches a lost update.
    version: Mapped[int] = mapped_column(Integer, default=1)
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    schedule_override: Mapped[str] = mapped_column(Text, default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    published_page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    published_column: Mapped[int | None] = mapped_column(Integer, nullable=True)
    verification_code: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Self-service (migration 0008, store/selfservice.py): owed back after a withdrawal, and what
    # the desk recorded as paid back; the price the advertiser accepted (above it, an editor's
    # change waits for their consent); the order of several dates this notice belongs to.
    refund_due_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    agreed_price_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    order_key: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)

    revisions: Mapped[list["NoticeRevision"]] = relationship(
        back_populates="notice", order_by="NoticeRevision.number", cascade="all, delete-orphan")
    api_key: Mapped["ApiKey | None"] = relationship()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def revision(self) -> "NoticeRevision":
        return next(r for r in self.revisions if r.number == self.current_revision)

    @property
    def owed_cents(self) -> int:
        return max(self.price_cents - self.paid_cents, 0)

    @property
    def awaiting_price_consent(self) -> bool:
        """An editor's change raised the price above what the advertiser accepted (0008)."""
        return self.agreed_price_cents is not None and self.price_cents > self.agreed_price_cents

    @property
    def refund_outstanding_cents(self) -> int:
        return max(self.refund_due_cents - self.refunded_cents, 0)


class NoticeRevision(Base):
    """A version of a notice's text. Revision 1 is what the advertiser confirmed; it is kept forever."""
    __tablename__ = "notice_revisions"
    __table_args__ = (UniqueConstraint("notice_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    fields_json: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    # sha256 of the text: the confirmed text never changes silently (checked on every read for print).
    text_hash: Mapped[str] = mapped_column(String(64))
    findings_json: Mapped[str] = mapped_column(Text, default="[]")
    windows_json: Mapped[str] = mapped_column(Text, default="[]")
    lines: Mapped[int] = mapped_column(Integer, default=0)
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    author: Mapped[str] = mapped_column(String(80), default="")   # "advertiser", "api:NAME", "editor:NAME"
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The fields and text normalised for the desk's search (store/search.py, migration 0009),
    # made from the row itself when it is inserted.
    search_text: Mapped[str] = mapped_column(Text, default=search_default, server_default="")

    notice: Mapped[Notice] = relationship(back_populates="revisions")

    @property
    def fields(self) -> dict:
        return json.loads(self.fields_json)

    @property
    def findings(self) -> list[dict]:
        return json.loads(self.findings_json)

    @property
    def windows(self) -> list[dict]:
        return json.loads(self.windows_json)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    credit_account: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Status webhooks (migration 0008, store/webhooks.py): where to POST, and the HMAC key.
    webhook_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    webhook_secret: Mapped[str] = mapped_column(String(64), default="", server_default="")


class User(Base):
    """An editor (role editor) or administrator (role admin) of the newspaper."""
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="editor")
    # Bumped at logout and password change: every session minted before it stops working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Append-only, hash-chained: each hash covers the entry and the previous hash; from digest
    version 3 on it is an HMAC under a key kept outside the database (store/audit.py)."""
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40), index=True)
    notice_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    details_json: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # 1: JSON-array digest (the first entries); 2: length-prefixed text, computable in SQL too;
    # 3: HMAC-SHA256 of that text under the audit key (migration 0005).
    digest_version: Mapped[int] = mapped_column(SmallInteger, default=3, server_default="1")


class AuditCheckpoint(Base):
    """A run of the audit log's verification, signed with the audit key (store/audit.py): up to
    entry `entry_id`, the `entry_count`-th, whose hash is `entry_hash`, the log verified (ok) or
    not (findings_json says what was wrong). The desk verifies only entries after the last
    passed checkpoint; the signature means a checkpoint cannot be forged (migration 0005)."""
    __tablename__ = "audit_checkpoints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))
    entry_count: Mapped[int] = mapped_column(Integer, index=True)
    digest_version: Mapped[int] = mapped_column(SmallInteger)
    full_run: Mapped[bool] = mapped_column(Boolean)     # every entry hashed (else: those after a checkpoint)
    ok: Mapped[bool] = mapped_column(Boolean)
    verified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    verified_by: Mapped[str] = mapped_column(String(80))
    key_id: Mapped[str] = mapped_column(String(16))
    findings_json: Mapped[str] = mapped_column(Text, default="")
    mac: Mapped[str] = mapped_column(String(64))


class Payment(Base):
    __tablename__ = "payments"
    # A double-submitted payment form carries the same receipt number: it is recorded once.
    __table_args__ = (UniqueConstraint("notice_id", "receipt_no"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(24))
    receipt_no: Mapped[str] = mapped_column(String(60))
    recorded_by: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Export(Base):
    __tablename__ = "exports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    pdf_hash: Mapped[str] = mapped_column(String(64))
    revisions_json: Mapped[str] = mapped_column(Text)     # [[notice reference, revision number], …]
    # {reference: {"page": 1, "column": 2, "lines": 5}}: publishing takes page and column from here.
    placements_json: Mapped[str] = mapped_column(Text, default="{}")
    pages: Mapped[int] = mapped_column(Integer, default=1)
    actor: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Migration 0004: the PDF itself (a publication takes these exact bytes), the newspaper name
    # printed in it, per notice what was printed and where ({reference: {"title", "text",
    # "boxes"}}, see store/issues.py export_issue), and the audit log's head when recorded.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    newspaper: Mapped[str] = mapped_column(String(200), default="", server_default="")
    printed_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    audit_head: Mapped[str | None] = mapped_column(String(64), nullable=True)
    audit_length: Mapped[int | None] = mapped_column(Integer, nullable=True)


class IssueState(Base):
    __tablename__ = "issues"
    issue_date: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="open")   # open | published
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    published_by: Mapped[str] = mapped_column(String(80), default="")


class LineSetting(Base):
    """A notice's lines as the engine set them (typesetting SetNotice.to_dict), for reuse by any
    process; key: typesetting.setting_key(title, body, settings). A cache, see migration 0003."""
    __tablename__ = "line_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    setting_json: Mapped[str] = mapped_column(Text)
    # Its lines as the drawer wrote them (typesetting.draw.drawn_to_data), once a column drew
    # them; migration 0011.
    drawn_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


Index("ix_notices_status_issue", Notice.status, Notice.issue_date)


class Publication(Base):
    """An issue marked published: the column PDF as printed and who marked it, kept as it was.
    Withdrawn (by an administrator, with a reason) it stays, marked; see migration 0004."""
    __tablename__ = "publications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    export_id: Mapped[int | None] = mapped_column(ForeignKey("exports.id"), nullable=True)
    # None only for issues published before migration 0004 (their PDF was never kept).
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    pdf_hash: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(Integer, default=1)
    newspaper: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by: Mapped[str] = mapped_column(String(80))
    audit_head: Mapped[str | None] = mapped_column(String(64), nullable=True)
    audit_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    withdrawn_by: Mapped[str] = mapped_column(String(80), default="", server_default="")
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    notices: Mapped[list["PublishedNotice"]] = relationship(
        back_populates="publication", order_by="PublishedNotice.id")

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def withdrawal_clause(self) -> str:
        """The reason as a clause for "原因：{…}。据此…": without its own closing punctuation,
        or a reason typed as a sentence ("…再标记。") would print "…再标记。。"."""
        return self.withdrawal_reason.strip().rstrip(REASON_END).rstrip()


# Closing punctuation an editor may end a reason with (full- and half-width).
REASON_END = "。．.！!？?；;，,、 \u3000"


class PublishedNotice(Base):
    """What a proof of one notice states, as it was when the issue was marked published: the
    proof, /verify and the status page read this, never the settings of today."""
    __tablename__ = "publication_notices"
    __table_args__ = (UniqueConstraint("publication_id", "notice_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publications.id"), index=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    reference: Mapped[str] = mapped_column(String(16), index=True)
    newspaper: Mapped[str] = mapped_column(String(200))
    issue_date: Mapped[date] = mapped_column(Date)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    page_label: Mapped[str] = mapped_column(String(80))        # "A12版" or "分类广告第2页"
    column_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    revision: Mapped[int] = mapped_column(Integer)
    text_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(32))
    printed_text: Mapped[str] = mapped_column(Text)             # as printed: ID numbers masked
    verification_code: Mapped[str] = mapped_column(String(16), index=True)
    # [[page index (0-based), x0, y0, x1, y1], …]: where the notice is on the PDF's pages, in
    # points from the lower-left corner; one box per column it runs in. Empty before 0004.
    crop_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")

    publication: Mapped[Publication] = relationship(back_populates="notices")

    @property
    def crop_boxes(self) -> list[list[float]]:
        return json.loads(self.crop_json or "[]")

    @property
    def withdrawn(self) -> bool:
        return self.publication.withdrawn


class IssuedProof(Base):
    """A proof of publication as first issued (downloaded): every later download is these bytes,
    whatever has changed in the program since (migration 0010)."""
    __tablename__ = "issued_proofs"
    published_notice_id: Mapped[int] = mapped_column(ForeignKey("publication_notices.id"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# Outbox mails' states (store/outbox.py): waiting to be sent (or retried), sent, given up.
MAIL_PENDING, MAIL_SENT, MAIL_FAILED = "pending", "sent", "failed"


class OutboxMail(Base):
    """A mail to an advertiser, inserted in the transaction of the change it reports; sent later
    by `flask send-mail` (store/outbox.py). See migration 0006."""
    __tablename__ = "mail_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"), nullable=True, index=True)
    event: Mapped[str] = mapped_column(String(32))      # received, changes_requested, … (store/outbox.py)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    recipient: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200))   # fixed when written: a re-send keeps it
    status: Mapped[str] = mapped_column(String(16), default=MAIL_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


Index("ix_mail_outbox_due", OutboxMail.status, OutboxMail.next_attempt_at)


class NoticeDocument(Base):
    """A file an advertiser sent with a notice (营业执照, 身份证 … 转账凭证): its bytes are kept
    outside the database and the web root under their SHA-256 (store/documents.py); purged_at
    once deleted a set time after publication (migration 0007)."""
    __tablename__ = "notice_documents"
    __table_args__ = (UniqueConstraint("notice_id", "kind", "sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    purged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class InvoiceRequest(Base):
    """The 发票 an advertiser asked for: one per notice, changed in place (migration 0007)."""
    __tablename__ = "invoice_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    tax_number: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebhookDelivery(Base):
    """A status change POSTed to an agency's webhook URL, signed (store/webhooks.py): inserted in
    the transaction of the change, sent later by `flask send-webhooks` with retries, as the mail
    outbox is. See migration 0008."""
    __tablename__ = "webhook_outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id"), nullable=True, index=True)
    event: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=MAIL_PENDING)   # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


Index("ix_webhook_outbox_due", WebhookDelivery.status, WebhookDelivery.next_attempt_at)
