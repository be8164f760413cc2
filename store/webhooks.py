"""Agencies' status webhooks (issue 14 item 5): every change of a notice filed with an API key
whose agency gave a webhook URL is POSTed there as JSON, signed, from a durable outbox
(table webhook_outbox, migration 0008), as the advertisers' mails are (store/outbox.py):

- The delivery row is inserted in the transaction of the change (workflow.guarded_update calls
  `notice_changed`), so a change that commits has its POST and one rolled back has none.
- `flask send-webhooks` claims a due row for LEASE (committed) before it connects, POSTs it with
  a timeout, and marks it sent on a 2xx answer; anything else (no connection, a timeout, a 3xx,
  4xx or 5xx) is tried again after 1, 2, 4 … minutes (at most an hour), MAX_ATTEMPTS in all, then
  marked failed. At least once: a sender killed after the agency's 2xx and before the mark sends
  it again, with the same X-Gonggao-Delivery id, by which the agency can tell.
- The body is fixed when written (what was true at the change). Its signature is
  `X-Gonggao-Signature: sha256=<hex HMAC-SHA256 of the raw body under the key's webhook secret>`;
  the body's `at` lets the agency refuse an old one replayed.

The secret is stored as it is (it must be, to sign); an administrator sets the URL and gets the
secret once with `flask set-webhook` (README, "JSON API v1").
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, cast
from urllib.parse import urlsplit

from sqlalchemy import CursorResult, Table, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from store.audit import append_audit
from store.db import Database
from store.errors import DeskError
from store.models import MAIL_FAILED, MAIL_PENDING, MAIL_SENT, ApiKey, Notice, WebhookDelivery, utcnow

log = logging.getLogger("gonggao.webhooks")

EVENT = "notice.updated"
SIGNATURE_HEADER = "X-Gonggao-Signature"
LEASE = timedelta(minutes=5)
TIMEOUT = 10                      # seconds for the whole POST: an agency's slow server holds no one up long
RETRY_BASE = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 10
URL_MAX = 500


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _amount(cents: int) -> dict:
    return {"amount": cents / 100, "currency": "CNY"}


def notice_body(notice: Notice, at: datetime) -> dict:
    """What an agency is told of its notice after a change (the API's notice answer, shortened)."""
    return {"event": EVENT, "at": at.astimezone(timezone.utc).isoformat(timespec="seconds"),
            "reference": notice.reference, "version": notice.version,
            "status": notice.status, "status_label": notice.status_label,
            "requested_date": notice.requested_date.isoformat() if notice.requested_date else None,
            "issue_date": notice.issue_date.isoformat() if notice.issue_date else None,
            "price": _amount(notice.price_cents), "paid": _amount(notice.paid_cents),
            "refund_due": _amount(notice.refund_due_cents),
            "awaiting_price_consent": notice.awaiting_price_consent,
            "reason": notice.decision_reason or None}


# The web layer's clock (views/clock.py, set by views/selfservice.py): a delivery is due from the
# moment of its change as the app counts time, which tests fix. Without it, the real time.
_clock: Callable[[], datetime] | None = None


def set_clock(clock: Callable[[], datetime] | None) -> None:
    global _clock
    _clock = clock


def _now() -> datetime:
    if _clock is not None:
        try:
            return _clock()
        except RuntimeError:        # outside the app (a script using the store alone)
            pass
    return utcnow()


def notice_changed(s: Session, notice: Notice) -> None:
    """In the caller's write transaction: the POST of this change, if the notice's agency wants
    them. One per version of the notice (the dedupe key)."""
    if notice.api_key_id is None:
        return
    key = s.get(ApiKey, notice.api_key_id)
    if key is None or not key.webhook_url or not key.webhook_secret or key.revoked_at is not None:
        return
    now = _utc(_now())
    body = json.dumps(notice_body(notice, now), ensure_ascii=False, sort_keys=True)
    row = dict(api_key_id=key.id, notice_id=notice.id, event=EVENT, dedupe_key=f"{notice.reference}:{notice.version}",
               url=key.webhook_url, body=body, status=MAIL_PENDING, attempts=0, next_attempt_at=now,
               locked_until=None, last_error="", created_at=now, sent_at=None)
    table = cast(Table, WebhookDelivery.__table__)
    dialect = postgresql if s.get_bind().dialect.name == "postgresql" else sqlite
    s.execute(dialect.insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]), row)


# ---------------------------------------------------------------------------------------------
# The administrator's setting

def url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > URL_MAX:
        return (f"网址须以 https:// 开头（测试可用 http://），不超过{URL_MAX}个字符，"
                "例如：https://daili.example.cn/gonggao/webhook")
    return None


def set_webhook(db: Database, prefix: str, url: str, *, actor: str) -> str:
    """Give the key (by its prefix, ggk_…) a webhook URL and a new signing secret, returned once;
    an empty URL turns the webhook off. Audited."""
    url = url.strip()
    if url and (problem := url_problem(url)):
        raise DeskError(problem)
    secret = secrets.token_hex(32) if url else ""
    with db.write() as s:
        key = s.scalar(select(ApiKey).where(ApiKey.prefix == prefix.strip()))
        if key is None or key.revoked_at is not None:
            raise DeskError(f"没有这个有效的 API 密钥：{prefix}（用 flask list-api-keys 查看前缀）。")
        key.webhook_url, key.webhook_secret = url, secret
        append_audit(s, actor, "webhook-set", None, {"key": key.prefix, "url": url})
    return secret


# ---------------------------------------------------------------------------------------------
# The sender

def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def due(session: Session, now: datetime, limit: int = 50) -> list[int]:
    now = _utc(now)
    return list(session.scalars(
        select(WebhookDelivery.id).where(
            WebhookDelivery.status == MAIL_PENDING, WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)))


def claim(db: Database, delivery_id: int, now: datetime) -> tuple[WebhookDelivery, str] | None:
    """Take a due delivery for LEASE (committed before any connection), counting the attempt;
    with the key's secret as it is now. None if another sender has it."""
    now = _utc(now)
    with db.write() as s:
        won = cast(CursorResult, s.execute(
            update(WebhookDelivery).where(
                WebhookDelivery.id == delivery_id, WebhookDelivery.status == MAIL_PENDING,
                WebhookDelivery.next_attempt_at <= now,
                or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until <= now))
            .values(locked_until=now + LEASE, attempts=WebhookDelivery.attempts + 1)
            .execution_options(synchronize_session=False))).rowcount
        if won != 1:
            return None
        row = s.get(WebhookDelivery, delivery_id)
        key = s.get(ApiKey, row.api_key_id) if row is not None else None
        if row is None:
            return None
        s.expunge(row)
        return row, (key.webhook_secret if key is not None and key.revoked_at is None else "")


def retry_delay(attempts: int) -> timedelta:
    return min(RETRY_BASE * 2 ** max(attempts - 1, 0), RETRY_MAX)


def _finish(db: Database, delivery_id: int, now: datetime, error: str | None, *, permanent: bool = False) -> str:
    now = _utc(now)
    with db.write() as s:
        row = s.get(WebhookDelivery, delivery_id)
        if row is None or row.status != MAIL_PENDING:
            return row.status if row is not None else MAIL_FAILED
        row.locked_until = None
        if error is None:
            row.status, row.sent_at, row.last_error = MAIL_SENT, now, ""
        else:
            row.last_error = error[:1000]
            if permanent or row.attempts >= MAX_ATTEMPTS:
                row.status = MAIL_FAILED
            else:
                row.next_attempt_at = now + retry_delay(row.attempts)
        return row.status


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer other than 2xx (tried again later), never followed: a signed body
    goes to the address the administrator set, nowhere else."""
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, secret: str, delivery_id: int) -> str | None:
    """POST the body; None on a 2xx answer, else what went wrong (Chinese, for the desk)."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "gonggao-webhook/1",
        SIGNATURE_HEADER: sign(secret, body), "X-Gonggao-Event": EVENT,
        "X-Gonggao-Delivery": str(delivery_id)})
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            response.read(1024)
            return None if 200 <= response.status < 300 else f"对方回答 {response.status}"
    except urllib.error.HTTPError as exc:
        return f"对方回答 {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return f"连不上：{type(exc).__name__}: {exc}"


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def send_due(db: Database, now: Callable[[], datetime], *, limit: int = 50) -> SendReport:
    """POST every delivery due now, one after another; each claimed, sent, marked."""
    report = SendReport()
    with db.session() as s:
        ids = due(s, now(), limit)
    for delivery_id in ids:
        claimed = claim(db, delivery_id, now())
        if claimed is None:
            continue
        row, secret = claimed
        # A key revoked (or its webhook turned off) since: given up at once, nothing is sent.
        error = post(row.url, row.body.encode("utf-8"), secret, row.id) if secret else "密钥已吊销或已关闭通知"
        state = _finish(db, row.id, now(), error, permanent=not secret)
        if error is None:
            report.sent += 1
        elif state == MAIL_FAILED:
            report.failed += 1
        else:
            report.retried += 1
            log.warning("webhook %s to %s not delivered (attempt %s): %s", row.id, row.url, row.attempts, error)
    return report


def notice_deliveries(session: Session, notice_id: int) -> list[WebhookDelivery]:
    return list(session.scalars(select(WebhookDelivery).where(WebhookDelivery.notice_id == notice_id)
                                .order_by(WebhookDelivery.id)))
