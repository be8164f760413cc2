"""The mail outbox (table mail_outbox, migration 0006): progress mails to advertisers, written in
the transaction of the change they report and sent later, outside any request, by
`flask send-mail` (mailer.py).

Delivery, as tests/app/test_mail.py shows it:
- A change that commits has its mail; one that is rolled back has none (same transaction).
- A sender claims a mail before it talks to the SMTP server: `locked_until` = now + LEASE,
  committed, by a conditional UPDATE that only one sender can win. Then it sends and marks the
  mail sent. A sender killed after the claim leaves the mail claimed; when the lease runs out
  another pass sends it. So none is lost, and while senders live none is sent twice.
- At least once, not exactly once: a sender that dies after the SMTP server accepted the mail
  (250) and before it marked it sent leaves a claimed, unsent row, and the mail goes again after
  the lease, with the same Message-ID (fixed when written), by which mail programs can tell.
- A failed attempt (server down, 4xx) waits RETRY_BASE·2^(n-1), at most RETRY_MAX, and is tried
  again, MAX_ATTEMPTS in all (about 4 h 40 min of outage); a 5xx refusal of the recipient is
  final. Then the mail is `failed`, with the last error, shown on the status page.
"""
from __future__ import annotations

import uuid
import weakref
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Concatenate, ParamSpec, cast

from sqlalchemy import CursorResult, Table, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store import mails
from store.db import Database
from store.mails import Mail, MailContext
from store.models import (
    APPROVED,
    CHANGES_REQUESTED,
    MAIL_FAILED,
    MAIL_PENDING,
    MAIL_SENT,
    SUBMITTED,
    Notice,
    OutboxMail,
)

LEASE = timedelta(minutes=5)          # far longer than one SMTP conversation (mailer.SMTP_TIMEOUT a step)
RETRY_BASE = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 10

P = ParamSpec("P")
ContextFactory = Callable[[], "MailContext | None"]

# Per database: how the web layer makes a MailContext (views/mail.py installs it at start). The
# store knows no Flask; without a factory (a script using the store alone) no mail is written.
_factories: "weakref.WeakKeyDictionary[Database, ContextFactory]" = weakref.WeakKeyDictionary()


def set_context_factory(db: Database, factory: ContextFactory | None) -> None:
    if factory is None:
        _factories.pop(db, None)
    else:
        _factories[db] = factory


def context(db: Database) -> MailContext | None:
    factory = _factories.get(db)
    return factory() if factory is not None else None


def _utc(moment: datetime) -> datetime:
    """Stored and compared in UTC, as every time of the schema (SQLite keeps no offset: a
    Beijing time stored as it is would be read back 8 hours off)."""
    return moment.astimezone(timezone.utc)


def _row(ctx: MailContext, notice_id: int | None, recipient: str, mail: Mail) -> dict:
    now = _utc(ctx.now)
    return dict(notice_id=notice_id, event=mail.event, dedupe_key=mail.dedupe_key, recipient=recipient,
                subject=mail.subject, body=mail.body,
                message_id=f"<{uuid.uuid4().hex}.{mail.event}@{ctx.message_domain}>",
                status=MAIL_PENDING, attempts=0, next_attempt_at=now, locked_until=None,
                last_error="", created_at=now, sent_at=None)


def _insert(s: Session, row: dict) -> None:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING: an event already written (a sweep and a
    publication finding the same missed date at once) is one mail, and never makes the change
    it rides with fail."""
    table = cast(Table, OutboxMail.__table__)
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    s.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]), row)


def prepare(db: Database, notice: Notice,
            compose: Callable[Concatenate[MailContext, Notice, P], Mail], *args: P.args, **kwargs: P.kwargs
            ) -> dict | None:
    """The outbox row of one mail about `notice`, composed now (outside the write lock); None if
    the notice has no email or the app makes no mails. Its notice_id is filled in by `write`."""
    if not notice.advertiser_email:
        return None
    ctx = context(db)
    if ctx is None:
        return None
    return _row(ctx, notice.id, notice.advertiser_email, compose(ctx, notice, *args, **kwargs))


def write(s: Session, row: dict | None, *, notice_id: int | None = None) -> None:
    """Insert a prepared row in the caller's transaction (its change and its mail commit together)."""
    if row is None:
        return
    if notice_id is not None:
        row = {**row, "notice_id": notice_id}
    _insert(s, row)


def add(s: Session, db: Database, notice: Notice,
        compose: Callable[Concatenate[MailContext, Notice, P], Mail], *args: P.args, **kwargs: P.kwargs) -> None:
    """Compose and insert a mail about `notice` in the caller's write transaction."""
    write(s, prepare(db, notice, compose, *args, **kwargs))


# ---------------------------------------------------------------------------------------------
# Reads

def notice_mails(session: Session, notice_id: int) -> list[OutboxMail]:
    """A notice's mails, oldest first (the status page lists them)."""
    return list(session.scalars(select(OutboxMail).where(OutboxMail.notice_id == notice_id)
                                .order_by(OutboxMail.created_at, OutboxMail.id)))


def due(session: Session, now: datetime, limit: int = 50) -> list[int]:
    """Ids of the mails a sender may claim now: pending, their time come, not claimed (or the
    claim's lease run out)."""
    now = _utc(now)
    return list(session.scalars(
        select(OutboxMail.id).where(OutboxMail.status == MAIL_PENDING, OutboxMail.next_attempt_at <= now,
                                    or_(OutboxMail.locked_until.is_(None), OutboxMail.locked_until <= now))
        .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)))


# ---------------------------------------------------------------------------------------------
# The sender's steps, each its own committed transaction

def claim(db: Database, mail_id: int, now: datetime) -> OutboxMail | None:
    """Take a due mail for LEASE (committed before any SMTP), counting the attempt; None if another
    sender has it or it is no longer due."""
    now = _utc(now)
    with db.write() as s:
        claimed = cast(CursorResult, s.execute(
            update(OutboxMail).where(
                OutboxMail.id == mail_id, OutboxMail.status == MAIL_PENDING, OutboxMail.next_attempt_at <= now,
                or_(OutboxMail.locked_until.is_(None), OutboxMail.locked_until <= now))
            .values(locked_until=now + LEASE, attempts=OutboxMail.attempts + 1)
            .execution_options(synchronize_session=False))).rowcount
        if claimed != 1:
            return None
        mail = s.get(OutboxMail, mail_id)
        if mail is not None:
            s.expunge(mail)
        return mail


def mark_sent(db: Database, mail_id: int, now: datetime) -> None:
    now = _utc(now)
    with db.write() as s:
        s.execute(update(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.status == MAIL_PENDING)
                  .values(status=MAIL_SENT, sent_at=now, locked_until=None, last_error="")
                  .execution_options(synchronize_session=False))


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_MAX)


def mark_failed_attempt(db: Database, mail_id: int, now: datetime, error: str, *, permanent: bool = False) -> str:
    """Record a failed attempt: retried later (with the delay) or, after MAX_ATTEMPTS or a final
    refusal, given up. Returns the mail's status."""
    now = _utc(now)
    with db.write() as s:
        mail = s.get(OutboxMail, mail_id)
        if mail is None or mail.status != MAIL_PENDING:
            return mail.status if mail is not None else MAIL_FAILED
        mail.last_error = error[:1000]
        mail.locked_until = None
        if permanent or mail.attempts >= MAX_ATTEMPTS:
            mail.status = MAIL_FAILED
        else:
            mail.next_attempt_at = now + retry_delay(mail.attempts)
        return mail.status


# ---------------------------------------------------------------------------------------------
# Missed dates: no change of the notice marks them, so a sweep finds them (and publish_issue
# writes them for its own date in its transaction). The dedupe key makes each one mail.

MISSABLE = (SUBMITTED, CHANGES_REQUESTED, APPROVED)
# How far back the sweep looks: a date missed weeks ago (before mails were sent at all, say) is
# not news to mail about; the desk deals with such a notice.
MISSED_LOOKBACK = timedelta(days=7)
SWEEP_BATCH = 200


@dataclass
class MissedSweep:
    written: int = 0


def _missed_rows(s: Session, ctx: MailContext, notices: list[Notice], day_of: Callable[[Notice], date]) -> int:
    keys = {f"{n.reference}:missed:{day_of(n).isoformat()}": n for n in notices if n.advertiser_email}
    if not keys:
        return 0
    known = set(s.scalars(select(OutboxMail.dedupe_key).where(OutboxMail.dedupe_key.in_(list(keys)))))
    written = 0
    for key, n in keys.items():
        if key not in known:
            _insert(s, _row(ctx, n.id, n.advertiser_email, mails.missed(ctx, n, day_of(n))))
            written += 1
    return written


def write_missed_for_issue(s: Session, db: Database, issue_date: date) -> None:
    """In publish_issue's transaction: the notices that asked for this date and were not printed in it."""
    ctx = context(db)
    if ctx is None:
        return
    waiting = list(s.scalars(select(Notice).where(Notice.requested_date == issue_date,
                                                  Notice.status.in_(MISSABLE), Notice.advertiser_email != "")))
    _missed_rows(s, ctx, waiting, lambda n: issue_date)


def sweep_missed(db: Database) -> MissedSweep:
    """Every notice whose wished-for date has passed (before today, in the paper's time zone, and
    within MISSED_LOOKBACK) while it was still waiting (submitted, 需修改, approved, not scheduled)."""
    ctx = context(db)
    if ctx is None:
        return MissedSweep()
    today = ctx.now.astimezone(ctx.publisher.calendar.tz).date()
    sweep, after = MissedSweep(), 0
    while True:      # in batches, by id: a long list of old notices does not hide the newer ones
        with db.write() as s:
            late = list(s.scalars(select(Notice).where(
                Notice.id > after, Notice.requested_date < today,
                Notice.requested_date >= today - MISSED_LOOKBACK, Notice.status.in_(MISSABLE),
                Notice.advertiser_email != "").order_by(Notice.id).limit(SWEEP_BATCH)))
            if not late:
                return sweep
            sweep.written += _missed_rows(s, ctx, late, lambda n: cast(date, n.requested_date))
            after = late[-1].id
