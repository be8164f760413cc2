"""The editor desk's writes: accounts, decisions, edits, schedule, payments, export, publish.

Each operation is one write transaction (BEGIN IMMEDIATE on SQLite) that also appends its audit
entry, so a change and its record of who made it commit or vanish together.

Lost updates (reliability.md: SQLAlchemy's version_id_col alone did not catch B loading the
form, A saving, B posting) are caught by carrying Notice.version in every editor form and
changing the row only with `UPDATE notices SET … WHERE id = :id AND version = :v`: a row count of
0 means someone else changed the notice since the editor loaded it, and nothing is written.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field as dc_field
from datetime import date, datetime, timezone
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from notices.checks import CheckResult
from notices.text import find_forbidden, forbidden_message
from store.db import Database
from store.audit import chain_head
from store.models import (APPROVED, CHANGES_REQUESTED, PUBLISHED, REJECTED, SCHEDULED, STATUS_LABELS, SUBMITTED,
                          WITHDRAWN, AuditEntry,
                          Export, IssueState, Notice, NoticeRevision, Payment, Publication, PublishedNotice, User,
                          utcnow)
from store.operations import _revision_payload, append_audit, text_hash, verification_code
from store.settings import Publisher, invalidate_public_settings, load_publisher, save_publisher

# ---------------------------------------------------------------------------------------------
# Errors the desk shows to the editor (messages in Chinese, saying what to do).


NEWSPAPER_NOT_SET = "尚未设置报纸名称：付印版面和见报证明都须写明报纸名称。请管理员在“设置”中填写后再导出。"


class DeskError(Exception):
    """An operation refused for a reason the editor can act on."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field      # the form input the message belongs under, if any


class Conflict(DeskError):
    """The notice changed since the editor loaded it (version mismatch): nothing was written."""

    def __init__(self, notice: Notice | None):
        super().__init__("这则公告在您打开之后已被其他编辑修改，您的操作没有保存。请查看最新内容后再操作。")
        self.notice = notice


# ---------------------------------------------------------------------------------------------
# Accounts

EDITOR, ADMIN = "editor", "admin"
ROLE_LABELS = {EDITOR: "编辑", ADMIN: "管理员"}
USERNAME_MIN, USERNAME_MAX = 2, 30
PASSWORD_MIN = 10       # OWASP ASVS 2.1.1 asks for at least 12 for new systems; 10 + argon2id + throttling
PASSWORD_MAX = 128      # bound the work argon2 does on attacker-chosen input


def normalise_username(value: str) -> str:
    # NFKC: full-width ｚｈａｎｇ typed with a Chinese IME and Kangxi radicals (⽇ U+2F47) become
    # the letters and the 汉字 they look like, so they name the same account.
    return unicodedata.normalize("NFKC", (value or "").strip()).lower()


# An account name is written in ONE script: all 汉字 (digits allowed: 张伟2), or all Latin letters
# a–z with digits and . _ - (zhang.wei). Everything else is refused, naming the character:
# - other letters, above all Cyrillic and Greek, that print like Latin ones ("аdmin" with a
#   Cyrillic а is another account that reads "admin" in the audit log);
# - a mixture of 汉字 and Latin: 一 (yī) prints as a dash, so "zhang一wei" would pass for
#   "zhang-wei"; 丨 for l; 口 for o;
# - bidi, zero-width and control characters (notices.text.find_forbidden).
# An allow-list of two scripts is stricter than a mixed-script check (UTS #39's "highly
# restrictive" level lets Latin mix with Han), needs no confusables table, and is all a Chinese
# newsroom's account names need: pinyin or 汉字.
_LATIN_NAME = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")
_USERNAME_RULE = "账号名只能全用汉字（可带数字），或全用英文字母 a–z、数字和 . _ -，不能有空格，例如：zhang.wei 或 张伟。"
_SCRIPT_NAMES = {"CYRILLIC": "西里尔字母", "GREEK": "希腊字母", "LATIN": "带符号的拉丁字母", "ARMENIAN": "亚美尼亚字母",
                 "HIRAGANA": "日文平假名", "KATAKANA": "日文片假名", "HANGUL": "韩文", "CJK": "汉字部首或符号",
                 "KANGXI": "康熙部首"}


def _is_han(ch: str) -> bool:
    # Every CJK Unified Ideographs block (and extension) names its characters so; radicals,
    # compatibility ideographs and 〇 do not (NFKC has already turned the latter two into these).
    return unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH")


def _char_text(ch: str) -> str:
    name = unicodedata.name(ch, "")
    kind = _SCRIPT_NAMES.get(name.split(" ")[0], "字符") if name else "字符"
    return f"“{ch}”（U+{ord(ch):04X}，{kind}）"


def username_problem(username: str) -> str | None:
    """What is wrong with a new account name (already normalise_username'd), in Chinese, or None."""
    username = username or ""
    found = find_forbidden(username)
    if found:
        return forbidden_message(found, "账号名")
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        return f"账号名为{USERNAME_MIN}–{USERNAME_MAX}个字。" + _USERNAME_RULE
    for index, ch in enumerate(username):
        if ch not in _LATIN_NAME and not _is_han(ch):
            what = "空格" if ch.isspace() else _char_text(ch)
            return f"账号名第{index + 1}个字符是{what}，不能用。" + _USERNAME_RULE
    if any(_is_han(ch) for ch in username) and any(not _is_han(ch) and not ch.isdigit() for ch in username):
        return "账号名不能混用汉字和字母或 . _ -（例如“一”与“-”看起来一样）。" + _USERNAME_RULE
    return None


def password_problem(password: str, username: str = "") -> str | None:
    if len(password or "") < PASSWORD_MIN:
        return f"密码至少{PASSWORD_MIN}个字符，建议用一句好记的话，例如：报纸每天三点截稿2026。"
    if len(password) > PASSWORD_MAX:
        return f"密码最多{PASSWORD_MAX}个字符。"
    if username and normalise_username(password) == username:
        return "密码不能与账号名相同。"
    return None


def password_hasher(params: dict | None = None) -> PasswordHasher:
    """argon2id (Werkzeug's default scrypt is below OWASP's minimum, reliability.md). The
    library defaults are RFC 9106's "low memory" profile: t=3, m=64 MiB, p=4."""
    return PasswordHasher(**(params or {}))


def _actor(user: User) -> str:
    return f"editor:{user.username}"


def create_user(db: Database, username: str, password: str, *, role: str = EDITOR, actor: str,
                hasher: PasswordHasher) -> User:
    username = normalise_username(username)
    problem = username_problem(username) or password_problem(password, username)
    if problem:
        raise DeskError(problem)
    if role not in ROLE_LABELS:
        raise DeskError("角色只能是编辑或管理员。")
    password_hash = hasher.hash(password)     # slow: outside the write transaction
    try:
        with db.write() as s:
            if s.scalar(select(User).where(User.username == username)) is not None:
                raise DeskError(f"账号“{username}”已存在。")
            user = User(username=username, password_hash=password_hash, role=role, session_epoch=0, active=True)
            s.add(user)
            s.flush()
            append_audit(s, actor, "editor-created", None, {"username": username, "role": role})
    except IntegrityError:
        raise DeskError(f"账号“{username}”已存在。") from None
    return user


# A hash to verify against when the account does not exist, so that the answer takes as long
# for an unknown name as for a wrong password (no account enumeration by timing).
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = repr((hasher.time_cost, hasher.memory_cost, hasher.parallelism))
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash("not a password of anyone")
    return _DUMMY_HASHES[key]


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(db: Database, username: str, password: str, *, address: str,
                 hasher: PasswordHasher) -> User | None:
    """Check a login and record it (success or failure) in the audit log."""
    username = normalise_username(username)[:60]
    user = None
    if not find_forbidden(username):   # no account has a NUL (PostgreSQL refuses it in text: a 500)
        with db.session() as s:
            user = s.scalar(select(User).where(User.username == username))
    ok = _verify(hasher, user.password_hash if user else _dummy_hash(hasher), (password or "")[:PASSWORD_MAX])
    ok = ok and user is not None and user.active
    new_hash = hasher.hash(password) if ok and hasher.check_needs_rehash(user.password_hash) else None
    with db.write() as s:
        if not ok:
            reason = "no-such-user" if user is None else ("inactive" if not user.active else "wrong-password")
            append_audit(s, "anonymous", "login-failed", None,
                         {"username": username, "address": address, "reason": reason})
            return None
        row = s.get(User, user.id)
        if new_hash:
            row.password_hash = new_hash
        append_audit(s, _actor(row), "login", None, {"address": address})
        return row


def record_login_throttled(db: Database, username: str, address: str, *, reason: str) -> None:
    """Login throttling started (store/throttle.py: once per address or account and window)."""
    with db.write() as s:
        append_audit(s, "anonymous", "login-throttled", None,
                     {"username": normalise_username(username)[:60], "address": address, "reason": reason})


def record_login_unlocked(db: Database, username: str, *, actor: str) -> None:
    """An administrator cleared an account's login throttle (/desk/editors)."""
    with db.write() as s:
        append_audit(s, actor, "login-unlocked", None, {"username": username})


def end_sessions(db: Database, user_id: int, *, action: str, actor: str, details: dict | None = None) -> User:
    """Bump the user's session epoch: every session minted before stops working (logout)."""
    with db.write() as s:
        user = s.get(User, user_id)
        user.session_epoch += 1
        append_audit(s, actor, action, None, {"username": user.username, **(details or {})})
        return user


def change_password(db: Database, user_id: int, current: str, new: str, *, hasher: PasswordHasher) -> User:
    with db.session() as s:
        user = s.get(User, user_id)
    if not _verify(hasher, user.password_hash, (current or "")[:PASSWORD_MAX]):
        raise DeskError("当前密码不对。")
    problem = password_problem(new, user.username)
    if problem:
        raise DeskError(problem)
    new_hash = hasher.hash(new)
    with db.write() as s:
        row = s.get(User, user_id)
        row.password_hash = new_hash
        row.session_epoch += 1          # every other session of this account ends
        append_audit(s, _actor(row), "password-changed", None, {"username": row.username})
        return row


def reset_password(db: Database, target_id: int, new: str, *, actor: str, hasher: PasswordHasher) -> User:
    with db.session() as s:
        user = s.get(User, target_id)
    if user is None:
        raise DeskError("没有这个账号。")
    problem = password_problem(new, user.username)
    if problem:
        raise DeskError(problem)
    new_hash = hasher.hash(new)
    with db.write() as s:
        row = s.get(User, target_id)
        row.password_hash = new_hash
        row.session_epoch += 1
        append_audit(s, actor, "password-reset", None, {"username": row.username})
        return row


def set_active(db: Database, target_id: int, active: bool, *, actor: str) -> User:
    with db.write() as s:
        row = s.get(User, target_id)
        if row is None:
            raise DeskError("没有这个账号。")
        if not active and row.role == ADMIN:
            others = s.scalar(select(func.count()).select_from(User).where(
                User.role == ADMIN, User.active.is_(True), User.id != row.id))
            if not others:
                raise DeskError("这是唯一可用的管理员账号，不能停用。请先为另一人开设管理员账号。")
        row.active = active
        row.session_epoch += 1          # a deactivated editor is logged out everywhere at once
        append_audit(s, actor, "editor-activated" if active else "editor-deactivated", None,
                     {"username": row.username})
        return row


# ---------------------------------------------------------------------------------------------
# Notices: decisions, edits, schedule, payments


def load_notice(session: Session, reference: str) -> Notice | None:
    return session.scalar(select(Notice).where(Notice.reference == reference)
                          .options(selectinload(Notice.revisions), selectinload(Notice.api_key)))


def _guarded_update(s: Session, notice: Notice, version: int, allowed: Iterable[str] | None, **values) -> Notice:
    """UPDATE notices SET … WHERE id = :id AND version = :v (AND status IN allowed).

    Nothing is written unless the row is still the one the editor saw; then the ORM object is
    refreshed from the database so that callers see what was stored."""
    stmt = (update(Notice).where(Notice.id == notice.id, Notice.version == version)
            .values(version=version + 1, updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False))
    if allowed is not None:
        stmt = stmt.where(Notice.status.in_(list(allowed)))
    if s.execute(stmt).rowcount != 1:
        s.refresh(notice)
        if notice.version != version:
            raise Conflict(notice)
        raise DeskError(f"这则公告当前状态为“{notice.status_label}”，不能进行此操作。")
    s.refresh(notice)
    return notice


def _notice_for_write(s: Session, reference: str) -> Notice:
    notice = load_notice(s, reference)
    if notice is None:
        raise DeskError("没有这个编号的公告。")
    return notice


DECIDABLE = (SUBMITTED, CHANGES_REQUESTED, APPROVED)


def approve(db: Database, reference: str, version: int, *, actor: str) -> Notice:
    with db.write() as s:
        notice = _notice_for_write(s, reference)
        _guarded_update(s, notice, version, (SUBMITTED, CHANGES_REQUESTED), status=APPROVED, decision_reason="")
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
        _guarded_update(s, notice, version, DECIDABLE, status=status, decision_reason=reason)
        append_audit(s, actor, action, notice.id, {"reference": reference, "reason": reason})
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
        _guarded_update(s, notice, version, (CHANGES_REQUESTED,), current_revision=number, lines=lines,
                        price_cents=price_cents, title=result.title, status=SUBMITTED, decision_reason="",
                        requested_date=result.publication_date)
        s.add(NoticeRevision(notice_id=notice.id, number=number, lines=lines, price_cents=price_cents,
                             author="advertiser", note="客户按编辑意见修改后重新提交", **payload))
        s.flush()
        append_audit(s, "advertiser", "resubmit", notice.id, {
            "reference": reference, "revision": number, "previous_text_hash": previous.text_hash,
            "text_hash": payload["text_hash"], "lines": lines, "price_cents": price_cents})
        return notice


EDITABLE = (SUBMITTED, CHANGES_REQUESTED, APPROVED, SCHEDULED)


def edit_text(db: Database, reference: str, version: int, result: CheckResult, *, lines: int, price_cents: int,
              note: str, actor: str) -> Notice:
    """A new revision (number + 1) with the re-checked text; revision 1 is never touched."""
    assert result.ok
    payload = _revision_payload(result)
    with db.write() as s:
        notice = _notice_for_write(s, reference)
        if notice.issue_date and _issue_published(s, notice.issue_date):
            raise DeskError("这则公告所在的一期已经刊登，不能再修改。")
        previous = notice.revision
        number = notice.current_revision + 1
        _guarded_update(s, notice, version, EDITABLE, current_revision=number, lines=lines,
                        price_cents=price_cents, title=result.title)
        s.add(NoticeRevision(notice_id=notice.id, number=number, lines=lines, price_cents=price_cents,
                             author=actor, note=(note or "").strip(), **payload))
        s.flush()
        append_audit(s, actor, "edit", notice.id, {
            "reference": reference, "revision": number, "previous_text_hash": previous.text_hash,
            "text_hash": payload["text_hash"], "lines": lines, "price_cents": price_cents,
            "note": (note or "").strip()})
        s.refresh(notice, ["revisions"])
        return notice


ISSUE_LOCK_SPACE = 7_240_302


def _lock_issue(s: Session, issue_date: date) -> None:
    """Serialise scheduling into, exporting and publishing one issue. SQLite's BEGIN IMMEDIATE
    already holds the database's write lock; on PostgreSQL a transaction-scoped advisory lock per
    issue date keeps a notice from being scheduled into an issue while it is being published."""
    if s.bind.dialect.name == "postgresql":
        s.execute(select(func.pg_advisory_xact_lock(ISSUE_LOCK_SPACE, issue_date.toordinal())))


def _issue_published(s: Session, issue_date: date) -> bool:
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
        _lock_issue(s, issue_date)
        notice = _notice_for_write(s, reference)
        if _issue_published(s, issue_date):
            raise DeskError(f"{issue_date:%Y-%m-%d} 这一期已经刊登，不能再排入。", "issue_date")
        if notice.status == SCHEDULED and notice.issue_date and _issue_published(s, notice.issue_date):
            raise DeskError("这则公告所在的一期已经刊登。", "issue_date")
        values = {"status": SCHEDULED, "issue_date": issue_date}
        override = False
        if not can_schedule_unpaid(notice):
            if not override_reason:
                raise DeskError(f"这则公告尚欠 ¥{notice.owed_cents / 100:.2f}，付款后才能排期。"
                                "如确需先刊登后付款，请在“不付款先排期的理由”中写明原因。", "override_reason")
            values["schedule_override"] = override_reason
            override = True
        previous = notice.issue_date if notice.status == SCHEDULED else None
        _guarded_update(s, notice, version, (APPROVED, SCHEDULED), **values)
        if override:
            append_audit(s, actor, "schedule-override", notice.id, {
                "reference": reference, "reason": override_reason, "owed_cents": notice.owed_cents})
        append_audit(s, actor, "schedule", notice.id, {
            "reference": reference, "issue_date": issue_date.isoformat(),
            "previous_issue_date": previous.isoformat() if previous else None})
        return notice


def unschedule(db: Database, reference: str, version: int, *, actor: str) -> Notice:
    with db.write() as s:
        notice = _notice_for_write(s, reference)
        previous = notice.issue_date
        if previous and _issue_published(s, previous):
            raise DeskError("这一期已经刊登，不能撤出。")
        _guarded_update(s, notice, version, (SCHEDULED,), status=APPROVED, issue_date=None)
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
            raise DeskError(f"金额超过尚欠的 ¥{notice.owed_cents / 100:.2f}，请核对。")
        # A double-clicked form carries the same receipt number: record it once.
        if s.scalar(select(Payment).where(Payment.notice_id == notice.id, Payment.receipt_no == receipt_no)):
            raise DeskError(f"收据号 {receipt_no} 已为这则公告登记过。")
        _guarded_update(s, notice, version, None, paid_cents=Notice.paid_cents + amount_cents)
        s.add(Payment(notice_id=notice.id, amount_cents=amount_cents, method=method, receipt_no=receipt_no,
                      recorded_by=actor))
        append_audit(s, actor, "payment", notice.id, {
            "reference": reference, "amount_cents": amount_cents, "method": method, "receipt_no": receipt_no,
            "paid_cents": notice.paid_cents})
        return notice


# ---------------------------------------------------------------------------------------------
# Issues: export and publish

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


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns (they are stored in UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass
class PrintedColumn:
    """What the export's `render` returns: the engine's ColumnResult, the newspaper name printed
    in it, and per notice {"title", "text" (as printed), "boxes" (typesetting.placement_boxes)}."""
    column: object
    newspaper: str
    printed: dict


@dataclass
class ExportOutcome:
    export: Export
    pdf: bytes
    placed: list[tuple[str, int]]
    overflow: list[str] = dc_field(default_factory=list)
    column: object = None            # the ColumnResult, for callers that show it


def placements_by_key(column) -> dict:
    """The engine's placements keyed by notice reference (it gives a tuple of Placement)."""
    placements = column.placements
    if isinstance(placements, dict):
        return dict(placements)
    return {p.key: p for p in placements}


def _placement_fields(p) -> dict:
    # A notice taller than a column continues in the next ones: it is "in" the column it starts in.
    return {"page": int(p.page), "column": int(p.column), "lines": int(getattr(p, "lines", 0) or 0)}


def _key(item) -> str:
    return item if isinstance(item, str) else getattr(item, "key", str(item))


def export_issue(db: Database, issue_date: date, *, actor: str,
                 render: Callable[[list[Notice]], PrintedColumn]) -> ExportOutcome:
    """Render the issue's column and record the export: the PDF itself and its sha256, revisions,
    placements, what each notice printed and where (for the proofs), and the audit log's head.

    `render(notices)` returns a PrintedColumn (the typesetting ColumnResult: pdf, placements,
    overflow, pages). Rendering happens outside the write transaction (it takes a second); the
    transaction then checks that no notice of the issue changed meanwhile, so the record
    describes the PDF exactly.
    """
    with db.session() as s:
        notices = issue_notices(s, issue_date)
        newspaper = load_publisher(s).newspaper
    if not newspaper:
        raise DeskError(NEWSPAPER_NOT_SET)
    if not notices:
        raise DeskError(f"{issue_date:%Y-%m-%d} 没有排期的公告，无可导出。")
    for n in notices:
        # The confirmed text never changes silently: checked on every read for print.
        if text_hash(n.revision.text) != n.revision.text_hash:
            raise DeskError(f"公告 {n.reference} 第{n.current_revision}版的正文与其校验值不符，已停止导出。请联系技术人员。")
    printed_column = render(notices)
    column = printed_column.column
    pdf = column.pdf
    placements = {key: _placement_fields(p) for key, p in placements_by_key(column).items()}
    rendered = {n.reference: n.current_revision for n in notices}
    placed = [(n.reference, n.current_revision) for n in notices if n.reference in placements]
    as_printed = {ref: printed_column.printed[ref] for ref, _ in placed}
    overflow = [_key(o) for o in (column.overflow or [])]
    digest = hashlib.sha256(pdf).hexdigest()
    with db.write() as s:
        _lock_issue(s, issue_date)
        now_in_issue = {n.reference: n.current_revision for n in s.scalars(
            select(Notice).where(Notice.issue_date == issue_date, Notice.status.in_(IN_ISSUE)))}
        if now_in_issue != rendered:
            raise DeskError("导出期间这一期的排期或正文有变动，请重新导出。")
        printed = published_export(s, issue_date)
        if printed is not None:
            # After publication an export is a reprint: it must be the published column.
            same_notices = dict(placed) == {r: v for r, v in json.loads(printed.revisions_json)}
            if not same_notices or placements != json.loads(printed.placements_json or "{}"):
                why = (f"只排下 {len(placed)} 则，见报的有 {len(json.loads(printed.revisions_json))} 则"
                       if not same_notices else "版面位置不同（刊登后改过版面设置？）")
                raise DeskError(
                    f"这一期已刊登，见报所用的是导出记录 #{printed.id}（{printed.pages} 页）。刚才的导出与它不同"
                    f"（{why}），未记录、未下载。重印请用与见报时相同的设置导出，例如勾选“排不下的续排到下一页”。")
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


def publish_issue(db: Database, issue_date: date, *, actor: str, secret_key: str, today: date) -> list[Notice]:
    """Mark the issue published: its scheduled notices become 已刊登 with the page and column of
    the last export and a verification code. Refused unless the last export is exactly what is
    scheduled now (every notice, at its current revision, placed in the PDF), and before the
    issue date (`today`: the date in Beijing, the caller's clock): published means printed.

    The publication keeps the export's PDF (the same bytes) and, per notice, what its proof
    states (PublishedNotice): proofs, /verify and the status page read that, never the
    settings of a later day."""
    if issue_date > today:
        raise DeskError(f"{_cn_date(issue_date)}这一期尚未出版，出版当天（北京时间）才能标记刊登。"
                        f"今天是{_cn_date(today)}。")
    with db.write() as s:
        _lock_issue(s, issue_date)
        if _issue_published(s, issue_date):
            raise DeskError(f"{issue_date:%Y-%m-%d} 这一期已标记为刊登。")
        export = last_export(s, issue_date)
        if export is None:
            raise DeskError("这一期还没有导出付印PDF。请先导出，核对无误后再标记刊登。")
        notices = issue_notices(s, issue_date)
        if not notices:
            raise DeskError("这一期没有排期的公告。")
        exported = {ref: rev for ref, rev in json.loads(export.revisions_json)}
        placements = json.loads(export.placements_json or "{}")
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
            # An export recorded before migration 0004 kept only the PDF's hash.
            raise DeskError("最后一次导出没有保存付印PDF本身（系统升级前导出的），无法据此出具见报证明。"
                            "请重新导出一次（内容不变），再标记刊登。")
        publisher = load_publisher(s)
        publication = Publication(
            issue_date=issue_date, export_id=export.id, pdf=export.pdf, pdf_hash=export.pdf_hash,
            pages=export.pages, newspaper=export.newspaper or publisher.newspaper, published_at=utcnow(),
            published_by=actor)
        s.add(publication)
        s.flush()
        published = []
        for n in notices:
            place = placements.get(n.reference) or {}
            code = verification_code(secret_key, n.reference, n.revision.text_hash)
            if s.scalar(select(PublishedNotice.id).where(PublishedNotice.notice_id == n.id).limit(1)):
                # Published again after a withdrawal: a code of its own, so that a proof of the
                # withdrawn publication does not check out against the new one.
                code = verification_code(secret_key, n.reference, f"{n.revision.text_hash}:{publication.id}")
            _guarded_update(s, n, n.version, (SCHEDULED,), status=PUBLISHED, published_page=place.get("page"),
                            published_column=place.get("column"), verification_code=code)
            entry = printed[n.reference]
            s.add(PublishedNotice(
                publication_id=publication.id, notice_id=n.id, reference=n.reference,
                newspaper=publication.newspaper, issue_date=issue_date, page=place.get("page"),
                page_label=publisher.page_text(place.get("page")), column_number=place.get("column"),
                revision=n.current_revision, text_hash=n.revision.text_hash, title=entry["title"],
                printed_text=entry["text"], verification_code=code,
                crop_json=json.dumps(entry.get("boxes") or {}, sort_keys=True)))
            published.append(n)
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
        _lock_issue(s, issue_date)
        publication = live_publication(s, issue_date)
        if publication is None:
            raise DeskError(f"{_cn_date(issue_date)}这一期没有有效的刊登记录，无可撤回。")
        publication.withdrawn_at = utcnow()
        publication.withdrawn_by = actor
        publication.withdrawal_reason = reason
        references = []
        for snapshot in publication.notices:
            notice = s.get(Notice, snapshot.notice_id)
            if notice.status == PUBLISHED:
                _guarded_update(s, notice, notice.version, (PUBLISHED,), status=SCHEDULED, published_page=None,
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
# Publisher settings

def save_settings(db: Database, before: Publisher, after: Publisher, *, actor: str) -> list[str]:
    """Store the settings; the audit entry names each changed setting with old and new values."""
    old, new = before.as_dict(), after.as_dict()
    changed = sorted(k for k in new if old.get(k) != new.get(k))
    if not changed:
        return []
    with db.write() as s:
        save_publisher(s, after)
        append_audit(s, actor, "settings", None, {k: {"from": old.get(k), "to": new.get(k)} for k in changed})
    invalidate_public_settings()   # again after the commit: nothing read in between is kept
    return changed


# ---------------------------------------------------------------------------------------------
# Reading the audit log (the app has no way to change it: no update, no delete anywhere)

def audit_entries(session: Session, *, notice_id: int | None = None, before_id: int | None = None,
                  limit: int = 100) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if notice_id is not None:
        stmt = stmt.where(AuditEntry.notice_id == notice_id)
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    return list(session.scalars(stmt))


BEIJING = ZoneInfo("Asia/Shanghai")


def local_time_text(at: datetime) -> str:
    """Stored in UTC (SQLite returns it naive); shown in Beijing time, which the editors live in."""
    return as_utc(at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
