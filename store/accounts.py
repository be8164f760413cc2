"""Accounts: editors (names, passwords, login, sessions, active or not) and the agencies' API keys.

Each write is one transaction with its audit entry (store/audit.py). Login throttling is
store/throttle.py; the login page and sessions are views/auth.py.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from notices.text import find_forbidden, forbidden_message
from store.audit import append_audit
from store.db import Database
from store.errors import DeskError
from store.models import ApiKey, User, utcnow

# ---------------------------------------------------------------------------------------------
# Editors

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
_USERNAME_RULE = ("账号名只能全用汉字（可带数字），或全用英文字母 a–z、数字和 . _ -，不能有空格，"
                  "例如：zhang.wei 或 张伟。")
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
    """argon2id (Werkzeug's default scrypt is below OWASP's minimum, docs/reliability.md). The
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
    new_hash = (hasher.hash(password) if ok and user is not None and hasher.check_needs_rehash(user.password_hash)
                else None)
    with db.write() as s:
        if not ok or user is None:      # (ok implies a user: the second test is for the type checker)
            reason = "no-such-user" if user is None else ("inactive" if not user.active else "wrong-password")
            append_audit(s, "anonymous", "login-failed", None,
                         {"username": username, "address": address, "reason": reason})
            return None
        row = s.get_one(User, user.id)
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
        user = s.get_one(User, user_id)
        user.session_epoch += 1
        append_audit(s, actor, action, None, {"username": user.username, **(details or {})})
        return user


def change_password(db: Database, user_id: int, current: str, new: str, *, hasher: PasswordHasher) -> User:
    with db.session() as s:
        user = s.get_one(User, user_id)
    if not _verify(hasher, user.password_hash, (current or "")[:PASSWORD_MAX]):
        raise DeskError("当前密码不对。")
    problem = password_problem(new, user.username)
    if problem:
        raise DeskError(problem)
    new_hash = hasher.hash(new)
    with db.write() as s:
        row = s.get_one(User, user_id)
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
        row = s.get_one(User, target_id)
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


def all_users(session: Session) -> list[User]:
    """Every editor account, by username (the editors page)."""
    return list(session.scalars(select(User).order_by(User.username)))
