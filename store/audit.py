"""The audit log: append-only, each entry chained to the previous one by a keyed hash; signed
checkpoints, so that the desk verifies only what is new; and the head (last hash, length) that an
export or a publication records, so that a later rewrite or truncation of the log is found.

Whom it stands against: someone who can write to the database but not read the server's
environment (a leaked database password, a careless administrator with psql). With an unkeyed
chain (digest versions 1 and 2, plain SHA-256) such a person edits a row - a payment's amount, a
decision's reason - recomputes every later hash, and the log verifies as intact. From digest
version 3 on each entry's hash is an HMAC-SHA256 under a key kept outside the database, so an
edited, inserted or deleted entry can no longer be given hashes that verify. What a valid chain
cannot show by itself is that its last entries were deleted: lengths recorded elsewhere show it -
the signed checkpoints (table audit_checkpoints: "up to entry #id, the n-th, whose hash is h, the
log verified") and the (head, length) of every export and publication (migration 0004).

The key: the environment variable AUDIT_KEY (required in production, at least 32 characters,
e.g. the output of `python -c "import secrets; print(secrets.token_hex(32))"`), or for
development a random key made once in instance/audit_key (mode 0600). It is not SECRET_KEY:
that one may be rotated (status links change), this one must stay as it was for the entries it
signed to verify. Every machine writing to the same database needs the same AUDIT_KEY.
Two keys are derived from it: one for the chain, one for the checkpoints. The chain key must
reach PostgreSQL (below); the checkpoint key never leaves this process, so even someone who
captured the chain key from the database server's logs cannot sign a checkpoint.

PostgreSQL appends in one round trip (audit_append(), migration 0005: the lock, the last hash
and the insert in one call - the ceiling of the submission rate, see append_audit). Core
PostgreSQL has sha256(bytea) but no HMAC without pgcrypto, which a least-privilege role cannot
install; so the function computes HMAC by its definition (RFC 2104):
    HMAC(K, m) = sha256((K xor opad) || sha256((K xor ipad) || m))
with the two padded keys passed in as bytea parameters on each call, never stored in the
database. Bind parameters do not appear in pg_stat_activity, but a server logging statements
with their parameters (log_statement = 'all', log_min_duration_statement) writes them to its log:
keep such logging off for the app's role, or give the log the care the key needs.
tests/app/test_audit.py checks that PostgreSQL and Python compute the same digests.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import cast

from sqlalchemy import Integer, LargeBinary, Table, Text, bindparam, func, insert, select
from sqlalchemy.orm import Session

from store.models import AuditCheckpoint, AuditEntry, Export, Publication, local_time_text, utcnow

ROOT = Path(__file__).resolve().parent.parent
GENESIS_HASH = "0" * 64
AUDIT_LOCK_KEY = 7_240_301      # also in migrations/versions/0002 and 0005 (audit_append)
KEYED_VERSION = 3               # the digest version every new entry gets
AUDIT_KEY_ENV = "AUDIT_KEY"
KEY_FILE = "audit_key"          # in the instance folder, for development
MIN_KEY_CHARS = 32
KEY_EXAMPLE = 'python -c "import secrets; print(secrets.token_hex(32))"'


class AuditKeyError(RuntimeError):
    """The audit key is missing or unusable; the message says, in Chinese, how to set it."""


# ---------------------------------------------------------------------------------------------
# The key

@dataclass(frozen=True)
class AuditKey:
    chain: bytes          # HMAC key of digest version 3
    ipad: bytes           # the chain key padded and xored, as HMAC's inner hash takes it (to PostgreSQL)
    opad: bytes           # ... and as the outer hash takes it
    checkpoint: bytes     # HMAC key of checkpoints; never sent anywhere
    key_id: str           # names the key (not secret): a checkpoint says which key signed it

    @classmethod
    def from_secret(cls, secret: str) -> "AuditKey":
        master = secret.encode("utf-8")
        chain = hmac.new(master, b"gonggaotai audit chain v3", hashlib.sha256).digest()
        block = chain.ljust(64, b"\0")     # SHA-256's block is 64 bytes; a 32-byte key is zero-padded
        return cls(chain=chain, ipad=bytes(b ^ 0x36 for b in block), opad=bytes(b ^ 0x5C for b in block),
                   checkpoint=hmac.new(master, b"gonggaotai audit checkpoint v1", hashlib.sha256).digest(),
                   key_id=hmac.new(master, b"gonggaotai audit key id", hashlib.sha256).hexdigest()[:16])

    def __repr__(self) -> str:     # never the key itself in a traceback or a log
        return f"AuditKey(key_id={self.key_id!r})"


@lru_cache(maxsize=8)
def _instance_key(folder: Path) -> str:
    """The development key: made once, readable by the owner only. Made in a temporary file and
    linked into place, so that two processes starting at once read the same complete key.
    Read once per process (every append needs the key)."""
    path = folder / KEY_FILE
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)      # fails if another process was first: its key is kept
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text().strip()


@lru_cache(maxsize=8)
def _key(secret: str) -> AuditKey:
    return AuditKey.from_secret(secret)


def load_audit_key(instance_path: str | Path | None = None) -> AuditKey:
    """AUDIT_KEY from the environment, else the development key in instance/audit_key.
    Raises AuditKeyError (a Chinese message) when AUDIT_KEY is set but too short."""
    secret = os.environ.get(AUDIT_KEY_ENV, "").strip()
    if secret:
        if len(secret) < MIN_KEY_CHARS:
            raise AuditKeyError(
                f"环境变量 {AUDIT_KEY_ENV}（审计日志密钥）太短：至少 {MIN_KEY_CHARS} 个字符。"
                f"可以这样生成一个：{KEY_EXAMPLE}；设置后不要再改（已记录的日志要用它核验）。")
        return _key(secret)
    return _key(_instance_key(Path(instance_path) if instance_path else ROOT / "instance"))


def audit_key() -> AuditKey:
    """The key this process signs and verifies with. The app's instance folder is ROOT/instance
    (app.py lives at the root), so the app and scripts using store/ directly share the key."""
    return load_audit_key()


# ---------------------------------------------------------------------------------------------
# Digests

def _entry_digest(prev_hash: str, at: str, actor: str, action: str, notice_id, details_json: str) -> str:
    """Digest version 1 (the first entries of a database): a JSON array."""
    canonical = json.dumps([prev_hash, at, actor, action, notice_id, details_json], ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _canonical(prev_hash: str, at: str, actor: str, action: str, notice_id, details_json: str) -> bytes:
    """Each field as "length:text", joined by "|": unambiguous whatever the fields hold, and the
    same text PostgreSQL's audit_append() builds (migrations 0002 and 0005)."""
    nid = "" if notice_id is None else str(notice_id)
    # One f-string, not a join over a generator: verification builds this for every entry.
    return (f"{len(prev_hash)}:{prev_hash}|{len(at)}:{at}|{len(actor)}:{actor}|{len(action)}:{action}|"
            f"{len(nid)}:{nid}|{len(details_json)}:{details_json}").encode("utf-8")


def _entry_digest_v2(prev_hash: str, at: str, actor: str, action: str, notice_id, details_json: str) -> str:
    """Digest version 2: SHA-256 of the canonical text (unkeyed: anyone can recompute it)."""
    return hashlib.sha256(_canonical(prev_hash, at, actor, action, notice_id, details_json)).hexdigest()


def _entry_digest_v3(key: AuditKey, prev_hash: str, at: str, actor: str, action: str, notice_id,
                     details_json: str) -> str:
    """Digest version 3: HMAC-SHA256 of the same canonical text under the audit key."""
    return hmac.digest(key.chain, _canonical(prev_hash, at, actor, action, notice_id, details_json), "sha256").hex()


DIGESTS = {1: _entry_digest, 2: _entry_digest_v2}     # the unkeyed versions


def entry_digest(version: int, key: AuditKey, prev_hash: str, at: str, actor: str, action: str, notice_id,
                 details_json: str) -> str | None:
    """The digest of an entry as its version computes it; None for an unknown version."""
    if version == KEYED_VERSION:
        return _entry_digest_v3(key, prev_hash, at, actor, action, notice_id, details_json)
    digest = DIGESTS.get(version)
    return None if digest is None else digest(prev_hash, at, actor, action, notice_id, details_json)


def _at_text(at) -> str:
    # Timestamps are hashed as UTC text with microseconds; SQLite drops the tzinfo on read.
    if at.tzinfo is None:
        return at.isoformat(timespec="microseconds")
    return at.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")


# ---------------------------------------------------------------------------------------------
# Appending

def append_audit(session: Session, actor: str, action: str, notice_id: int | None, details: dict) -> None:
    """Append one entry inside the caller's write transaction.

    Appenders must take turns, or two entries would name the same predecessor. On SQLite the
    caller's transaction already holds the database's write lock (BEGIN IMMEDIATE). On
    PostgreSQL, audit_append() (migration 0005) takes an advisory lock held to the commit, reads
    the last hash, computes the HMAC and inserts, in one round trip: every submission takes this
    lock, and with four round trips under it, it was held 10.7 ms at the median at 32
    connections - the ceiling of the submission rate (benchmarks/bench_load.py). The caller's
    own changes are flushed before.
    """
    details_json = json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
    key = audit_key()
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_AUDIT_APPEND, {"actor": actor, "action": action, "notice_id": notice_id,
                                        "details": details_json, "ipad": key.ipad, "opad": key.opad})
        return
    prev = session.execute(_LAST_AUDIT_HASH).scalar()
    prev = prev or GENESIS_HASH
    at = utcnow()
    session.execute(_INSERT_AUDIT, {
        "at": at, "actor": actor, "action": action, "notice_id": notice_id, "details_json": details_json,
        "prev_hash": prev, "hash": _entry_digest_v3(key, prev, _at_text(at), actor, action, notice_id, details_json),
        "digest_version": KEYED_VERSION})


# Constant statements (compiled once): they run while appenders queue for their turn.
_AUDIT_APPEND = select(func.audit_append(
    bindparam("actor", type_=Text), bindparam("action", type_=Text), bindparam("notice_id", type_=Integer),
    bindparam("details", type_=Text), bindparam("ipad", type_=LargeBinary), bindparam("opad", type_=LargeBinary)))
_LAST_AUDIT_HASH = select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
_INSERT_AUDIT = insert(cast(Table, AuditEntry.__table__))     # a Table; typed as any FromClause


def chain_head(session: Session) -> tuple[str, int]:
    """(hash of the last entry, number of entries) as this session sees the log. Called inside
    the write transaction that appends the export or publication, so the pair is exact. One
    statement, so one snapshot: on PostgreSQL (READ COMMITTED) two statements could see an
    entry committed between them, and the pair would name a hash at the wrong length."""
    session.flush()
    row = session.execute(_HEAD).first()
    return (row[0], int(row[1])) if row else (GENESIS_HASH, 0)


_HEAD = select(AuditEntry.hash, select(func.count()).select_from(AuditEntry).scalar_subquery()) \
    .order_by(AuditEntry.id.desc()).limit(1)


# ---------------------------------------------------------------------------------------------
# Verifying

@dataclass
class Mark:
    """Where the log was: the entry `entry_id`, the `count`-th, whose hash is `entry_hash`."""
    entry_id: int
    entry_hash: str
    count: int
    digest_version: int


@dataclass
class Verification:
    full: bool                                   # every entry hashed (else: those after `since`)
    bad: list[int] = field(default_factory=list)          # entries whose hash, link or version is wrong
    problems: list[str] = field(default_factory=list)     # rows missing, checkpoints or records not matched
    notes: list[str] = field(default_factory=list)        # worth knowing, not a failure
    since: AuditCheckpoint | None = None         # the checkpoint an incremental run started from
    checked: int = 0                             # entries hashed in this run
    total: int = 0                               # entries in the log
    head: Mark | None = None                     # the last entry verified
    legacy: int = 0                              # unkeyed entries seen (versions 1 and 2)
    keyed: int = 0                               # keyed entries hashed in this run
    keyed_verified: int = 0                      # ... of which this key verified
    other_key: bool = False                      # this key is not the one the log was written with

    @property
    def ok(self) -> bool:
        return not self.bad and not self.problems and not self.other_key


def checkpoint_mac(key: AuditKey, entry_id: int, entry_hash: str, entry_count: int, digest_version: int,
                   full: bool, ok: bool, verified_at: datetime, verified_by: str, findings_json: str) -> str:
    fields = ("audit-checkpoint-v1", str(entry_id), entry_hash, str(entry_count), str(digest_version),
              "1" if full else "0", "1" if ok else "0", _at_text(verified_at), verified_by, key.key_id,
              findings_json)
    message = "|".join(f"{len(f)}:{f}" for f in fields).encode("utf-8")
    return hmac.new(key.checkpoint, message, hashlib.sha256).hexdigest()


def _signed(key: AuditKey, cp: AuditCheckpoint) -> bool:
    expected = checkpoint_mac(key, cp.entry_id, cp.entry_hash, cp.entry_count, cp.digest_version, cp.full_run,
                              cp.ok, cp.verified_at, cp.verified_by, cp.findings_json)
    return cp.key_id == key.key_id and hmac.compare_digest(cp.mac, expected)


def _checkpoints(session: Session, key: AuditKey, result: Verification, limit: int | None) -> list[AuditCheckpoint]:
    """The signed, passed checkpoints, furthest along the log first. A checkpoint signed with
    this key whose signature fails was forged or altered: a problem. One from another key is
    only noted (it cannot be trusted, but says AUDIT_KEY may have changed)."""
    stmt = select(AuditCheckpoint).order_by(AuditCheckpoint.entry_count.desc(), AuditCheckpoint.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    good, foreign = [], 0
    for cp in session.scalars(stmt):
        if _signed(key, cp):
            if cp.ok:
                good.append(cp)
        elif cp.key_id != key.key_id:
            foreign += 1
        else:
            result.problems.append(f"核验点 #{cp.id}（{_cn_time(cp.verified_at)}）的签名不符："
                                   "它在应用之外被改动或伪造过。")
    if foreign:
        result.notes.append(f"有 {foreign} 个核验点是用另一把审计密钥签的（本机密钥标识 {key.key_id}），不予采信；"
                            f"如果此后的记录全部不符，请检查环境变量 {AUDIT_KEY_ENV} 是否与写入日志时相同。")
    return good


OTHER_KEY_MESSAGE = "审计密钥与写入日志时的不同：请设置 AUDIT_KEY 为生产环境的值"


def _other_key_problem(key: AuditKey, writers: set[str]) -> str:
    signed_by = f"，日志的核验点由密钥 {'、'.join(sorted(writers))} 签署" if writers else ""
    return (f"{OTHER_KEY_MESSAGE}（本机密钥标识 {key.key_id}{signed_by}）。"
            f"例如：set -a; . /etc/gonggao/env; set +a 后再运行。本次没有核验，也没有记录任何结果。")


def _writer_keys(session: Session) -> set[str]:
    """The key ids of the checkpoints whose run passed over keyed entries. Such a run verified
    HMACs, so its key is the one the log was written with (the log's "key fingerprint"): a
    run under another key fails on every keyed entry and is never recorded as passed. Read
    without checking signatures, which only this key can check: a forged row naming this key
    keeps the run going (and _checkpoints reports its signature)."""
    stmt = select(AuditCheckpoint.key_id).where(AuditCheckpoint.ok.is_(True),
                                                AuditCheckpoint.digest_version >= KEYED_VERSION).distinct()
    return set(session.scalars(stmt))


def _records(session: Session, above: int = 0) -> list[tuple[str, int, str]]:
    """(what, length, head) that exports and publications recorded, for lengths above `above`."""
    out: list[tuple[str, int, str]] = []
    for model, label in ((Export, "导出记录"), (Publication, "刊登记录")):
        stmt = select(model.id, model.audit_length, model.audit_head).where(
            model.audit_head.is_not(None), model.audit_length > above)
        # The statement's WHERE leaves out NULL heads and lengths already.
        out.extend((f"{label} #{rid}", int(length), head) for rid, length, head in session.execute(stmt)
                   if length is not None and head is not None)
    return out


def _cn_time(at: datetime | None) -> str:
    return local_time_text(at) if at else ""


_ROWS = select(AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.notice_id,
               AuditEntry.details_json, AuditEntry.prev_hash, AuditEntry.hash, AuditEntry.digest_version)


def verify_audit(session: Session, *, full: bool = False, key: AuditKey | None = None,
                 checkpoints_considered: int = 20) -> Verification:
    """Verify the log: from the last signed checkpoint on (full=False), or every entry.

    An incremental run first checks that the checkpoint's entry is still there, still the
    n-th, with the same hash - a change to any earlier entry would have changed that hash, as
    every later entry is chained to it and cannot be re-signed without the key; if not, it
    verifies everything. Lengths recorded by exports and publications are compared too: the
    entry at that position must have the recorded hash, and the log must be at least that long.
    What an incremental run does not see: an earlier row edited without recomputing anything
    (its own hash then stays as it was, so only hashing the row shows it): the full run does.
    """
    key = key or audit_key()
    result = Verification(full=full)
    # A run under another key (AUDIT_KEY not set as in production, a development key made in
    # instance/) would call every entry altered and sign that finding with the wrong key: it
    # stops here instead, and record_verification() keeps nothing of it.
    writers = _writer_keys(session)
    if writers and key.key_id not in writers:
        _say_other_key(result, key, writers)
        return result
    # Records and checkpoints are read before the entries: an export committed during the run
    # then names a length the entries read afterwards already reach.
    checkpoints = _checkpoints(session, key, result, None if full else checkpoints_considered)
    start = None if full or not checkpoints else _start_from(session, checkpoints[0], result)
    result.full = start is None
    result.since = start
    _scan(session, key, result, start, _expected_hashes(session, start, checkpoints))
    if not writers and result.keyed and not result.keyed_verified:
        # No passed checkpoint names the writer's key, and not one keyed entry verifies under
        # this key: it is another key (an intruder without the key could rewrite every entry,
        # but the export and publication records would then not match either, and the run
        # still fails). Said first, before the entries it could not verify.
        _say_other_key(result, key, writers)
    return result


def _say_other_key(result: Verification, key: AuditKey, writers: set[str]) -> None:
    """The run is under another key than the log's: said first, and nothing of it is recorded."""
    result.other_key = True
    result.problems.insert(0, _other_key_problem(key, writers))


def _start_from(session: Session, checkpoint: AuditCheckpoint, result: Verification) -> AuditCheckpoint | None:
    """`checkpoint`, if its entry is still there, still the n-th, with the same hash; else None
    (every entry is verified), with the problem said."""
    anchor = session.execute(select(AuditEntry.hash).where(AuditEntry.id == checkpoint.entry_id)).scalar()
    count = session.execute(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.id <= checkpoint.entry_id)).scalar_one()
    if anchor == checkpoint.entry_hash and count == checkpoint.entry_count:
        return checkpoint
    if anchor is None:
        what = "不见了"
    elif anchor != checkpoint.entry_hash:
        what = "的哈希值变了"
    else:
        what = f"之前的记录数变了（核验时 {checkpoint.entry_count - 1} 条，现在 {count - 1} 条）"
    result.problems.append(f"{_cn_time(checkpoint.verified_at)} 核验过的记录 #{checkpoint.entry_id} {what}："
                           f"日志在应用之外被改动或删除过。已改为逐条核验全部记录。")
    return None


def _expected_hashes(session: Session, start: AuditCheckpoint | None,
                     checkpoints: list[AuditCheckpoint]) -> dict[int, list[tuple[str, str]]]:
    """Position -> [(what, hash)]: what exports and publications recorded beyond `start`; in a
    run over every entry, what the passed checkpoints recorded too."""
    expected: dict[int, list[tuple[str, str]]] = {}
    for label, length, head in _records(session, start.entry_count if start else 0):
        expected.setdefault(length, []).append((label, head))
    if start is None:
        for cp in checkpoints:
            expected.setdefault(cp.entry_count, []).append(
                (f"{_cn_time(cp.verified_at)} 的核验点（记录 #{cp.entry_id}）", cp.entry_hash))
    return expected


def _scan(session: Session, key: AuditKey, result: Verification, start: AuditCheckpoint | None,
          expected: dict[int, list[tuple[str, str]]]) -> None:
    stmt = _ROWS.order_by(AuditEntry.id)
    if start is None:
        prev, position, min_version = GENESIS_HASH, 0, 1
    else:
        stmt = stmt.where(AuditEntry.id > start.entry_id)
        prev, position, min_version = start.entry_hash, start.entry_count, start.digest_version
        result.head = Mark(start.entry_id, start.entry_hash, start.entry_count, start.digest_version)
    bad, legacy, at_text, canonical, chain_key, one_shot = result.bad, 0, _at_text, _canonical, key.chain, hmac.digest
    keyed = keyed_verified = 0
    digest: str | None      # None: a version this code does not know (entry_digest)
    # Core rows streamed from the session's connection (not the ORM's row loading), and
    # hmac.digest (OpenSSL in one call): with hmac.new and ORM rows a full run took twice as
    # long (benchmarks/bench_audit.py; 200 000 entries: 2.8-3.4 s on a busy 2-core machine).
    rows = session.connection().execute(stmt.execution_options(stream_results=True, yield_per=5000))
    for entry_id, at, actor, action, notice_id, details_json, prev_hash, hash_, version in rows:
        position += 1
        if version == KEYED_VERSION:
            digest = one_shot(chain_key, canonical(prev_hash, at_text(at), actor, action, notice_id, details_json),
                              "sha256").hex()
            keyed += 1
            keyed_verified += digest == hash_
        else:
            # Versions only grow along the chain: an unkeyed entry after a keyed one is a row
            # rewritten by someone without the key (who could otherwise recompute version 2).
            digest = entry_digest(version, key, prev_hash, at_text(at), actor, action, notice_id, details_json)
            legacy += 1
        if digest != hash_ or prev_hash != prev or version < min_version:
            bad.append(entry_id)
        if digest == hash_ and version > min_version:    # a keyed entry that verifies is authentic
            min_version = version
        for label, recorded in expected.get(position, ()):
            if recorded != hash_:
                result.problems.append(f"{label} 记载第 {position} 条记录的哈希值是 {recorded[:12]}…，"
                                       f"现在第 {position} 条（#{entry_id}）是 {hash_[:12]}…：日志被改动或删除过。")
        prev = hash_
        result.head = Mark(entry_id, hash_, position, version)
    result.checked = position - (start.entry_count if start else 0)
    result.total = position
    result.legacy = legacy
    result.keyed, result.keyed_verified = keyed, keyed_verified
    for length in sorted(n for n in expected if n > position):
        for label, _recorded in expected[length]:
            result.problems.append(f"{label} 记载日志当时已有 {length} 条记录，现在只有 {position} 条："
                                   f"末尾的记录被删除了。")


def verify_audit_chain(session: Session) -> list[int]:
    """Ids of entries whose hash, link or version does not verify (empty: intact), every entry
    hashed. verify_audit() says more: rows missing at the end, checkpoints, export records.
    Raises AuditKeyError under another key than the log's: no list would be true then."""
    result = verify_audit(session, full=True)
    if result.other_key:
        raise AuditKeyError(result.problems[0])
    return result.bad


def record_verification(db, result: Verification, verified_by: str, *, key: AuditKey | None = None,
                        at: datetime | None = None) -> AuditCheckpoint | None:
    """Sign and keep what a run found: a checkpoint the next run starts from when it passed;
    a full run is kept either way, so that the desk still says a full run failed after later
    incremental runs (which do not rehash old entries) pass. Nothing to keep for an empty log
    or an incremental run that found nothing new or failed (the next run finds that again),
    and nothing of a run under another key than the log's (its findings are about the key)."""
    key = key or audit_key()
    head = result.head
    if result.other_key or head is None or (not result.full and (result.checked == 0 or not result.ok)):
        return None
    at = at or utcnow()
    findings_json = "" if result.ok else json.dumps({"bad": result.bad[:100], "bad_count": len(result.bad),
                                                     "problems": result.problems[:20]}, ensure_ascii=False)
    checkpoint = AuditCheckpoint(
        entry_id=head.entry_id, entry_hash=head.entry_hash, entry_count=head.count,
        digest_version=head.digest_version, full_run=result.full, ok=result.ok, verified_at=at,
        verified_by=verified_by, key_id=key.key_id, findings_json=findings_json,
        mac=checkpoint_mac(key, head.entry_id, head.entry_hash, head.count, head.digest_version, result.full,
                           result.ok, at, verified_by, findings_json))
    with db.write() as s:
        s.add(checkpoint)
    return checkpoint


def last_full_verification(session: Session, key: AuditKey | None = None) -> AuditCheckpoint | None:
    """The latest full run whose record is signed with this key (passed or not)."""
    key = key or audit_key()
    stmt = (select(AuditCheckpoint).where(AuditCheckpoint.full_run.is_(True))
            .order_by(AuditCheckpoint.id.desc()).limit(20))
    return next((cp for cp in session.scalars(stmt) if _signed(key, cp)), None)


# ---------------------------------------------------------------------------------------------
# Reading the log (the app has no way to change it: no update, no delete anywhere)

def audit_entries(session: Session, *, notice_id: int | None = None, before_id: int | None = None,
                  limit: int = 100) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if notice_id is not None:
        stmt = stmt.where(AuditEntry.notice_id == notice_id)
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    return list(session.scalars(stmt))


def recent_details(session: Session, action: str, *, limit: int) -> list[tuple[datetime, str]]:
    """(when, details JSON) of the latest entries of one action, newest first."""
    return [(at, details) for at, details in session.execute(
        select(AuditEntry.at, AuditEntry.details_json).where(AuditEntry.action == action)
        .order_by(AuditEntry.id.desc()).limit(limit)).all()]
