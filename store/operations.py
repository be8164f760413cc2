"""The few writes that matter, each one transaction: submitting a notice, API keys; the audit log's
names, from store/audit.py."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from notices.checks import CheckResult
from store.db import Database
from store.models import ApiKey, Notice, NoticeRevision, SUBMITTED, utcnow

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


def verification_code(secret_key: str, reference: str, revision_hash: str) -> str:
    mac = hmac.new(secret_key.encode(), f"verify:{reference}:{revision_hash}".encode(), hashlib.sha256).digest()
    return "".join(REFERENCE_ALPHABET[b % 32] for b in mac[:10])


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
            labels = {f.name: f.label for f in t.fields}
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
_INSERT_NOTICE = insert(Notice.__table__).returning(Notice.__table__.c.id)
_INSERT_REVISION = insert(NoticeRevision.__table__)


def submit_notice(db: Database, result: CheckResult, advertiser: Advertiser, submission_key: str, *,
                  lines: int, price_cents: int, author: str, api_key_id: int | None = None,
                  date_requested: bool = True) -> Submitted:
    """Store a checked notice exactly once per submission key.

    The unique constraint on submission_key is what makes a retry safe (reliability.md: kill -9
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
                      published_column=None, verification_code="", created_at=now, updated_at=now)
        revision = dict(number=1, lines=lines, price_cents=price_cents, author=author, note="",
                        created_at=now, **payload)
        details = {"reference": values["reference"], "type": values["type_code"],
                   "text_hash": payload["text_hash"], "price_cents": price_cents}
        try:
            with db.write() as s:
                notice_id = s.execute(_INSERT_NOTICE, values).scalar_one()
                s.execute(_INSERT_REVISION, {"notice_id": notice_id, **revision})
                append_audit(s, author, "submit", notice_id, details)
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
# API keys: shown once, stored as a SHA-256 hash (a key is 256 random bits, so no slow hash is needed).
API_KEY_PREFIX = "ggk_"


def create_api_key(db: Database, name: str, credit_account: bool = False) -> str:
    prefix = secrets.token_hex(4)
    key = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with db.write() as s:
        s.add(ApiKey(name=name, prefix=prefix, key_hash=hashlib.sha256(key.encode()).hexdigest(),
                     credit_account=credit_account))
        append_audit(s, "cli", "api-key-created", None, {"name": name, "prefix": prefix})
    return key


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


# Bumped by revoke_api_key: key caches of this process forget what they hold.
revocations = 0


def revoke_api_key(db: Database, prefix: str, actor: str) -> ApiKey | None:
    """Revoke the key with this prefix (the 8 hex digits after ggk_); None if there is none.
    Running web workers stop accepting it within their key cache's lifetime (views/api.py)."""
    with db.write() as s:
        row = s.scalar(select(ApiKey).where(ApiKey.prefix == prefix.strip().lower()))
        if row is None:
            return None
        if row.revoked_at is None:
            global revocations
            revocations += 1
            row.revoked_at = utcnow()
            append_audit(s, actor, "api-key-revoked", None, {"name": row.name, "prefix": row.prefix})
        return row


def find_api_key(session: Session, key: str) -> ApiKey | None:
    parts = (key or "").split("_")
    if len(parts) < 3 or not key.startswith(API_KEY_PREFIX):
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, hashlib.sha256(key.encode()).hexdigest()):
        return None
    return row


# ---------------------------------------------------------------------------------------------
# The audit log lives in store/audit.py (keyed chain, checkpoints); its names stay importable
# from here for the callers that import them from this module.
from store.audit import (AUDIT_LOCK_KEY, DIGESTS, GENESIS_HASH, _at_text, _entry_digest,  # noqa: E402,F401
                         _entry_digest_v2, append_audit, verify_audit_chain)
