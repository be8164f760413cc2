"""The audit log: every desk action appends an entry in its own transaction; the keyed hash chain
shows any row changed behind the app's back, even with every hash recomputed; signed checkpoints
and the lengths that exports and publications record show the last rows deleted; the desk
verifies only what is new; the app has no way to change the log."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
from datetime import date

import pytest
from sqlalchemy import func, select, text, update

from store import audit
from store.audit import (
    GENESIS_HASH,
    AuditKey,
    AuditKeyError,
    _at_text,
    _canonical,
    _entry_digest_v2,
    append_audit,
    audit_key,
    chain_head,
    checkpoint_mac,
    load_audit_key,
    verify_audit,
    verify_audit_chain,
)
from store.models import AuditCheckpoint, AuditEntry, Export, Publication
from tests.support.desk import PERSON, editor_client, submit, version
from views.extensions import get_db


@pytest.fixture
def app(desk_test_app):
    """The desk's app (tests/support/desk.py: cheap password hashing, the newspaper named), not conftest's."""
    return desk_test_app


def _entries(app):
    with app.app_context():
        with get_db().session() as s:
            return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _verify(app):
    with app.app_context():
        with get_db().session() as s:
            return verify_audit_chain(s)


def _run(app, *, full=False, key=None):
    with app.extensions["notice_db"].session() as s:
        return verify_audit(s, full=full, key=key)


def _append(app, count, action="approve"):
    db = app.extensions["notice_db"]
    for n in range(count):
        with db.write() as s:
            append_audit(s, "editor:editor1", action, None, {"n": n})


def _sql(app, statement, **params):
    with app.extensions["notice_db"].write() as s:
        s.execute(text(statement), params)


def _rewrite_without_key(app, from_id, *, edit=None, version=None, key=None):
    """What someone with write access to the database but not the audit key does: change the row
    `from_id` (edit: details -> new details), then recompute every hash from it on - with plain
    SHA-256 (digest version 2, or the rows' own version number kept), or, with `key`, an HMAC
    under a key of their own."""
    with app.extensions["notice_db"].write() as s:
        rows = s.execute(select(AuditEntry.id, AuditEntry.at, AuditEntry.actor, AuditEntry.action,
                                AuditEntry.notice_id, AuditEntry.details_json, AuditEntry.hash,
                                AuditEntry.digest_version).order_by(AuditEntry.id)).all()
        prev = GENESIS_HASH
        for row in rows:
            if row.id < from_id:
                prev = row.hash
                continue
            details = edit(row.details_json) if edit and row.id == from_id else row.details_json
            fields = (prev, _at_text(row.at), row.actor, row.action, row.notice_id, details)
            digest = (hmac.new(key.chain, _canonical(*fields), hashlib.sha256).hexdigest() if key
                      else _entry_digest_v2(*fields))
            s.execute(update(AuditEntry).where(AuditEntry.id == row.id).values(
                details_json=details, prev_hash=prev, hash=digest, digest_version=version or row.digest_version))
            prev = digest


def _payment_entry(app, editor=None):
    reference = submit(app, PERSON)
    editor = editor or editor_client(app)
    editor.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    r = editor.post(f"/desk/notices/{reference}/payments", data={
        "version": version(app, reference), "amount": "150.00", "method": "counter", "receipt_no": "R-1"})
    assert r.status_code == 303, r.get_data(as_text=True)
    payment = next(e for e in _entries(app) if e.action == "payment")
    assert json.loads(payment.details_json)["amount_cents"] == 15000
    return editor, payment


def _to_50_yuan(details_json):
    return json.dumps(dict(json.loads(details_json), amount_cents=5000), ensure_ascii=False, sort_keys=True)


def _admin(app):
    return editor_client(app, "boss", role="admin")


# ---------------------------------------------------------------------------------------------
# The chain

def test_chain_verifies_and_page_says_so(app):
    reference = submit(app, PERSON)
    editor = editor_client(app)
    editor.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    assert _verify(app) == []
    page = editor.get("/desk/audit").get_data(as_text=True)
    assert "核验通过" in page and "审核通过" in page and "编辑 editor1" in page


def test_a_row_changed_in_the_database_is_detected(app):
    reference = submit(app, PERSON)
    editor = editor_client(app)
    editor.post(f"/desk/notices/{reference}/reject", data={"version": version(app, reference), "reason": "不符"})
    entries = _entries(app)
    target = next(e for e in entries if e.action == "reject")
    forged = json.dumps({"reference": reference, "reason": "客户要求撤回"}, ensure_ascii=False)
    _sql(app, "UPDATE audit_log SET details_json = :d WHERE id = :id", d=forged, id=target.id)
    assert _verify(app) == [target.id]
    page = editor.get("/desk/audit")
    html = page.get_data(as_text=True)
    assert "核验未通过" in html and f"#{target.id}" in html and 'class="tampered"' in html


def test_a_deleted_row_is_detected(app):
    submit(app, PERSON)
    editor_client(app)
    entries = _entries(app)
    assert len(entries) >= 3
    _sql(app, "DELETE FROM audit_log WHERE id = :id", id=entries[1].id)
    assert _verify(app) == [entries[2].id]


def test_the_app_offers_no_way_to_change_the_log(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule or "history" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_history_page_shows_the_notices_entries_in_order(app):
    reference = submit(app, PERSON)
    other = submit(app, PERSON)
    editor = editor_client(app)
    editor.post(f"/desk/notices/{reference}/request-changes",
                data={"version": version(app, reference), "reason": "请补充房号"})
    editor.post(f"/desk/notices/{other}/approve", data={"version": version(app, other)})
    html = editor.get(f"/desk/notices/{reference}/history").get_data(as_text=True)
    assert html.index("提交") < html.index("要求修改") and "请补充房号" in html
    assert "审核通过" not in html.split("操作记录")[1].split("历次版本")[0]      # the other notice's entry


def test_every_desk_action_is_audited_with_actor_and_utc_time(app):
    reference = submit(app, PERSON)
    editor = editor_client(app)
    editor.post(f"/desk/notices/{reference}/approve", data={"version": version(app, reference)})
    editor.post(f"/desk/notices/{reference}/schedule", data={
        "version": version(app, reference), "issue_date": "2026-11-27", "override_reason": "测试"})
    editor.post(f"/desk/notices/{reference}/unschedule", data={"version": version(app, reference)})
    editor.post("/desk/logout")
    actions = [(e.action, e.actor) for e in _entries(app)]
    for action in ("login", "approve", "schedule-override", "schedule", "unschedule", "logout"):
        assert (action, "editor:editor1") in actions, action
    assert all(e.at is not None for e in _entries(app))


@pytest.mark.parametrize("downgrade", [False, True], ids=["version-kept", "marked-version-2"])
def test_an_edited_payment_with_every_hash_recomputed_is_found(app, downgrade):
    """The finding: with an unkeyed chain, 150 yuan paid became 50 and every later hash was
    recomputed - and the log verified as intact. Without the key the new hashes are plain
    SHA-256; marking the rows as the old unkeyed version 2 does not help either."""
    editor, payment = _payment_entry(app)
    _append(app, 2)
    _rewrite_without_key(app, payment.id, edit=_to_50_yuan, version=2 if downgrade else None)
    assert payment.id in _verify(app)
    html = editor.get("/desk/audit").get_data(as_text=True)
    assert "核验未通过" in html and f"#{payment.id}" in html


def test_hashes_computed_under_another_key_do_not_verify(app):
    """Someone who knows how the hash is made (HMAC-SHA256) but not the key."""
    editor, payment = _payment_entry(app)
    _rewrite_without_key(app, payment.id, edit=_to_50_yuan, key=AuditKey.from_secret("x" * 40))
    bad = _verify(app)
    assert bad and bad[0] == payment.id


def test_hmac_by_its_definition_equals_pythons_hmac():
    """PostgreSQL's audit_append() computes sha256(opad_key || sha256(ipad_key || m)) from the
    two pads it is given (core sha256 only, no pgcrypto): the same as hmac.new(chain key)."""
    key = AuditKey.from_secret("a key for this test, long enough!")
    assert len(key.ipad) == len(key.opad) == 64 and "test" not in repr(key)
    for message in (b"", b"x", "6:api:某|代理\n😀".encode(), bytes(range(256)) * 3):
        inner = hashlib.sha256(key.ipad + message).digest()
        assert hashlib.sha256(key.opad + inner).hexdigest() == hmac.new(key.chain, message, hashlib.sha256).hexdigest()
    other = AuditKey.from_secret("another key for this test, long enough")
    assert other.chain != key.chain and other.checkpoint != key.checkpoint and other.key_id != key.key_id
    assert key.checkpoint != key.chain      # the checkpoint key is never sent to the database


def test_postgresql_and_python_compute_the_same_digest_for_awkward_text(app):
    """On PostgreSQL the entry is hashed by audit_append() (migration 0005), on SQLite in Python;
    each hash here is recomputed with Python's hmac. Separators, newlines and non-BMP text."""
    with app.app_context():
        db = get_db()
        for actor, notice_id, details in [("api:某|代理:1\n二", None, {"k": "a|b:c\nd", "e": "𠀀😀"}),
                                          ("editor:x", 42, {}), ("", 0, {"": ""})]:
            with db.write() as s:
                append_audit(s, actor, "test|action", notice_id, details)
    entries = _entries(app)
    assert [e.digest_version for e in entries[-3:]] == [3, 3, 3]
    assert entries[-3].actor == "api:某|代理:1\n二" and entries[-3].notice_id is None
    key = audit_key()
    for e in entries:
        message = _canonical(e.prev_hash, _at_text(e.at), e.actor, e.action, e.notice_id, e.details_json)
        assert e.hash == hmac.new(key.chain, message, hashlib.sha256).hexdigest()
    assert _verify(app) == []


def test_audit_append_refuses_pads_that_are_not_64_bytes(app):
    db = app.extensions["notice_db"]
    if db.is_sqlite:
        pytest.skip("audit_append() is PostgreSQL's")
    from sqlalchemy.exc import DBAPIError
    with pytest.raises(DBAPIError, match="64 bytes"):
        with db.write() as s:
            s.execute(text("SELECT audit_append('cli', 'x', NULL, '{}', :k, :k)"), {"k": b"short"})


def test_entries_written_before_the_key_still_verify(tmp_path):
    """A database with entries from before migrations 0002 (version 1) and 0005 (version 2)
    keeps them and chains keyed entries after them; a change to an old entry is still found,
    and so is a keyed entry rewritten as an unkeyed one."""
    from datetime import datetime, timezone

    from sqlalchemy import create_engine

    from store import migrate
    from store.audit import _entry_digest
    from store.db import Database
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url, "0001")
    engine = create_engine(url)
    prev = GENESIS_HASH

    def insert_old(conn, minute, digest, version_column):
        nonlocal prev
        at = datetime(2026, 11, 20, 8, minute, tzinfo=timezone.utc)
        value = digest(prev, _at_text(at), "cli", "old", None, "{}")
        conn.execute(text(f"INSERT INTO audit_log (at, actor, action, notice_id, details_json, prev_hash, hash"
                          f"{version_column}) VALUES (:at, 'cli', 'old', NULL, '{{}}', :prev, :hash"
                          f"{', 2' if version_column else ''})"),
                     {"at": at.replace(tzinfo=None), "prev": prev, "hash": value})
        prev = value

    with engine.begin() as conn:
        for minute in range(2):
            insert_old(conn, minute, _entry_digest, "")
    engine.dispose()
    migrate.upgrade(url, "0004")
    engine = create_engine(url)
    with engine.begin() as conn:
        insert_old(conn, 5, _entry_digest_v2, ", digest_version")
    engine.dispose()
    migrate.upgrade(url)
    db = Database(url)
    with db.write() as s:
        append_audit(s, "cli", "new", None, {"after": "upgrade"})
        append_audit(s, "cli", "new", None, {"after": "upgrade", "n": 2})
    with db.session() as s:
        assert [e.digest_version for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))] == [1, 1, 2, 3, 3]
        result = verify_audit(s, full=True)
        assert result.ok and result.legacy == 3
    with db.write() as s:
        s.execute(text("UPDATE audit_log SET actor = 'someone' WHERE id = 1"))
    with db.session() as s:
        assert verify_audit_chain(s) == [1]
    with db.write() as s:
        s.execute(text("UPDATE audit_log SET actor = 'cli' WHERE id = 1"))
        row = s.execute(select(AuditEntry).where(AuditEntry.id == 5)).scalar_one()
        s.execute(update(AuditEntry).where(AuditEntry.id == 5).values(digest_version=2, hash=_entry_digest_v2(
            row.prev_hash, _at_text(row.at), row.actor, row.action, row.notice_id, row.details_json)))
    with db.session() as s:
        assert verify_audit_chain(s) == [5]     # unkeyed after keyed: rewritten without the key
    db.dispose()


# ---------------------------------------------------------------------------------------------
# Checkpoints: the desk verifies what is new; deleting the last rows is found

def test_the_desk_verifies_only_entries_after_the_last_checkpoint(app):
    editor = editor_client(app)
    _append(app, 4)
    first = editor.get("/desk/audit").get_data(as_text=True)
    assert "核验通过" in first and "全部 6 条记录逐条核验" in first     # create-editor, login and 4
    _append(app, 3)
    result = _run(app)
    assert not result.full and result.since is not None and result.since.entry_count == 6
    assert result.checked == 3 and result.total == 9 and result.ok
    page = editor.get("/desk/audit").get_data(as_text=True)
    assert "核验通过" in page and "日志共 9 条" in page and "此后新增的 3 条逐条核验无误" in page
    assert _run(app).checked == 0
    with app.extensions["notice_db"].session() as s:
        checkpoints = list(s.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))
    assert [(c.entry_count, c.full_run, c.ok, c.verified_by) for c in checkpoints] == [
        (6, True, True, "editor:editor1"), (9, False, True, "editor:editor1")]


def test_an_entry_changed_after_the_checkpoint_is_found_by_the_next_view(app):
    editor = editor_client(app)
    editor.get("/desk/audit")
    editor, payment = _payment_entry(app, editor)
    _rewrite_without_key(app, payment.id, edit=_to_50_yuan)
    result = _run(app)
    assert not result.full and result.bad[0] == payment.id
    html = editor.get("/desk/audit").get_data(as_text=True)
    assert "核验未通过" in html and f"#{payment.id}" in html


def test_an_entry_changed_before_the_checkpoint_with_hashes_recomputed_is_found_by_the_view(app):
    editor, payment = _payment_entry(app)
    _append(app, 3)
    editor.get("/desk/audit")                       # checkpoint after the payment
    _rewrite_without_key(app, payment.id, edit=_to_50_yuan, version=2)
    result = _run(app)
    assert result.full and payment.id in result.bad      # the checkpoint's entry changed: all rehashed
    assert any("哈希值变了" in p for p in result.problems)
    html = editor.get("/desk/audit").get_data(as_text=True)
    assert "核验未通过" in html and f"#{payment.id}" in html


def test_an_old_row_edited_without_rehashing_is_found_by_the_full_run_and_stays_reported(app):
    """A view hashes only entries after its checkpoint: a row before it, edited and left with its
    old hash, is found when an administrator (or `flask verify-audit`) rehashes everything -
    and the desk keeps saying so, though later views verify their new entries."""
    editor, payment = _payment_entry(app)
    editor.get("/desk/audit")
    _sql(app, "UPDATE audit_log SET details_json = :d WHERE id = :id", d=_to_50_yuan(payment.details_json),
         id=payment.id)
    assert "核验通过" in editor.get("/desk/audit").get_data(as_text=True)     # not rehashed here
    assert editor.get("/desk/audit?full=1").status_code == 403               # administrators only
    admin = _admin(app)
    html = admin.get("/desk/audit?full=1").get_data(as_text=True)
    assert "核验未通过" in html and f"#{payment.id}" in html
    _append(app, 2)
    html = editor.get("/desk/audit").get_data(as_text=True)
    assert "上次完整核验未通过" in html and f"#{payment.id}" in html and "核验通过：" not in html
    _sql(app, "UPDATE audit_log SET details_json = :d WHERE id = :id", d=payment.details_json, id=payment.id)
    assert "全部" in admin.get("/desk/audit?full=1").get_data(as_text=True)
    html = editor.get("/desk/audit").get_data(as_text=True)
    assert "核验通过" in html and "未通过" not in html


def test_deleting_the_last_entries_is_found_by_the_checkpoint(app):
    """The finding: deleting the last rows left a valid chain, and the log verified as intact."""
    editor = editor_client(app)
    _append(app, 5)
    editor.get("/desk/audit")
    last = _entries(app)[-3].id
    _sql(app, "DELETE FROM audit_log WHERE id >= :id", id=last)
    assert _verify(app) == []                         # the chain itself is still whole
    result = _run(app)
    assert result.full and not result.ok and any("末尾的记录被删除" in p for p in result.problems)
    html = editor.get("/desk/audit").get_data(as_text=True)
    assert "核验未通过" in html and " 不见了" in html and "末尾的记录被删除" in html     # "记录 #40 不见了"
    # Every view says so again: no checkpoint is signed over a log that failed.
    assert "核验未通过" in editor.get("/desk/audit").get_data(as_text=True)


def test_a_row_deleted_before_the_checkpoint_is_found_by_the_view(app):
    """The view does not read entries before its checkpoint: the count up to it shows the gap."""
    editor = editor_client(app)
    _append(app, 4)
    editor.get("/desk/audit")
    middle = _entries(app)[2]
    _sql(app, "DELETE FROM audit_log WHERE id = :id", id=middle.id)
    result = _run(app)
    assert result.full and any("之前的记录数变了（核验时 5 条，现在 4 条）" in p for p in result.problems)
    assert result.bad == [_entries(app)[2].id]          # the next entry no longer links
    assert "核验未通过" in editor.get("/desk/audit").get_data(as_text=True)


def _record(app, model, **values):
    """An export or publication row recording the log's head, as store/issues.py records them:
    in the transaction of its own audit entry, with chain_head."""
    with app.extensions["notice_db"].write() as s:
        append_audit(s, "editor:editor1", "export" if model is Export else "publish", None, {})
        head, length = chain_head(s)
        row = model(issue_date=date(2026, 11, 27), pdf_hash="0" * 64, audit_head=head, audit_length=length,
                    **values)
        s.add(row)
        s.flush()
        return row.id, head, length


def test_deleting_the_last_entries_is_found_by_export_and_publication_records(app):
    _append(app, 3)
    export_id, head, length = _record(app, Export, revisions_json="[]", actor="editor:editor1")
    assert (head, length) == (_entries(app)[-1].hash, 4)
    _append(app, 2)
    publication_id, _, publication_length = _record(app, Publication, pages=1, newspaper="测试日报",
                                                    published_by="editor:editor1")
    _append(app, 1)
    assert _run(app, full=True).ok
    _sql(app, "DELETE FROM audit_log WHERE id > :id", id=_entries(app)[4].id)      # 5 of 8 left
    result = _run(app)
    assert result.full and [p for p in result.problems if "末尾的记录被删除" in p] == [
        f"刊登记录 #{publication_id} 记载日志当时已有 {publication_length} 条记录，现在只有 5 条：末尾的记录被删除了。"]
    # Rewriting the whole log as unkeyed entries (nothing keyed left to fail) does not match
    # the hash the export recorded at its position.
    _rewrite_without_key(app, _entries(app)[0].id, edit=lambda d: d, version=2)
    result = _run(app, full=True)
    assert result.bad == [] and any(p.startswith(f"导出记录 #{export_id} 记载第 4 条记录的哈希值")
                                    for p in result.problems)


def test_records_made_after_the_checkpoint_are_compared_by_the_view(app):
    editor = editor_client(app)
    editor.get("/desk/audit")
    _append(app, 2)
    export_id, _, length = _record(app, Export, revisions_json="[]", actor="editor:editor1")
    _sql(app, "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    result = _run(app)
    assert not result.full and result.problems == [
        f"导出记录 #{export_id} 记载日志当时已有 {length} 条记录，现在只有 {length - 1} 条：末尾的记录被删除了。"]


def test_deleting_the_checkpoints_falls_back_to_full_verification(app):
    editor, payment = _payment_entry(app)
    editor.get("/desk/audit")
    _sql(app, "UPDATE audit_log SET details_json = :d WHERE id = :id", d=_to_50_yuan(payment.details_json),
         id=payment.id)
    _sql(app, "DELETE FROM audit_checkpoints")
    result = _run(app)
    assert result.full and result.since is None and result.bad == [payment.id]
    assert "核验未通过" in editor.get("/desk/audit").get_data(as_text=True)


def test_a_checkpoint_does_not_verify_a_log_rewritten_without_the_key(app):
    """The whole log rewritten as unkeyed entries has nothing keyed left to fail; the signed
    checkpoint's hash no longer matches."""
    editor, payment = _payment_entry(app)
    editor.get("/desk/audit")
    _rewrite_without_key(app, _entries(app)[0].id, edit=lambda d: d, version=2)
    assert _verify(app) == []
    result = _run(app)
    assert result.full and any("哈希值变了" in p for p in result.problems)
    assert any("的核验点（记录 #" in p for p in result.problems)


def test_a_forged_checkpoint_is_not_trusted(app):
    editor = editor_client(app)
    editor.get("/desk/audit")
    _append(app, 3)
    target = _entries(app)[-2]
    _rewrite_without_key(app, target.id, edit=lambda d: '{"n": 99}')
    last = _entries(app)[-1]
    key, other = audit_key(), AuditKey.from_secret("y" * 40)
    with app.extensions["notice_db"].write() as s:
        s.execute(text("INSERT INTO audit_checkpoints (entry_id, entry_hash, entry_count, digest_version, full_run, "
                       "ok, verified_at, verified_by, key_id, findings_json, mac) "
                       "VALUES (:id, :hash, :count, 3, :t, :t, :at, 'editor:x', :key_id, '', :mac)"),
                  [{"id": last.id, "hash": last.hash, "count": len(_entries(app)), "t": True, "at": last.at,
                    "key_id": key.key_id, "mac": "0" * 64},
                   {"id": last.id, "hash": last.hash, "count": len(_entries(app)), "t": True, "at": last.at,
                    "key_id": other.key_id, "mac": checkpoint_mac(other, last.id, last.hash, len(_entries(app)), 3,
                                                                  True, True, last.at, "editor:x", "")}])
    result = _run(app)
    assert target.id in result.bad
    assert any("签名不符" in p for p in result.problems)
    assert any("另一把审计密钥" in n for n in result.notes)
    html = editor.get("/desk/audit").get_data(as_text=True)
    assert "核验未通过" in html and "签名不符" in html and "另一把审计密钥" in html


def test_full_verification_from_the_command_line(app):
    submit(app, PERSON)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["verify-audit"])
    assert ok.exit_code == 0 and "核验通过" in ok.output and "全部 1 条记录" in ok.output, ok.output
    _append(app, 2)
    incremental = runner.invoke(args=["verify-audit", "--incremental"])
    assert incremental.exit_code == 0 and "新增的 2 条" in incremental.output, incremental.output
    first = _entries(app)[0]
    _sql(app, "UPDATE audit_log SET actor = 'editor:someone' WHERE id = :id", id=first.id)
    bad = runner.invoke(args=["verify-audit"])
    assert bad.exit_code == 1 and "核验未通过" in bad.output and f"#{first.id}" in bad.output, bad.output


# ---------------------------------------------------------------------------------------------
# The key

def test_the_audit_key_comes_from_the_environment_or_once_from_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    first = load_audit_key(tmp_path / "instance")
    path = tmp_path / "instance" / "audit_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and len(path.read_text().strip()) == 64
    assert load_audit_key(tmp_path / "instance") == first           # made once, kept
    assert list((tmp_path / "instance").iterdir()) == [path]        # no temporary file left
    monkeypatch.setenv("AUDIT_KEY", "k" * 32)
    from_env = load_audit_key(tmp_path / "instance")
    assert from_env.key_id != first.key_id and from_env == AuditKey.from_secret("k" * 32)
    monkeypatch.setenv("AUDIT_KEY", "short")
    with pytest.raises(AuditKeyError, match="AUDIT_KEY.*至少 32 个字符"):
        load_audit_key(tmp_path / "instance")


def _checkpoint_count(app):
    with app.extensions["notice_db"].session() as s:
        return s.scalar(select(func.count()).select_from(AuditCheckpoint))


def test_the_log_verifies_only_with_the_key_it_was_written_with(app, monkeypatch):
    editor = editor_client(app)
    editor.get("/desk/audit")                           # a passed checkpoint: the log's key
    monkeypatch.setenv("AUDIT_KEY", "z" * 40)           # AUDIT_KEY set wrongly on the server
    assert audit.audit_key().key_id == AuditKey.from_secret("z" * 40).key_id
    for full in (False, True):
        result = _run(app, full=full)
        assert result.other_key and not result.ok and result.bad == []
        assert result.problems[0].startswith("审计密钥与写入日志时的不同：请设置 AUDIT_KEY 为生产环境的值")
        assert audit.record_verification(app.extensions["notice_db"], result, "editor:x") is None
    with pytest.raises(AuditKeyError, match="审计密钥与写入日志时的不同"):
        _verify(app)
    assert _checkpoint_count(app) == 1


def test_verify_audit_under_another_key_refuses_and_records_nothing(app, monkeypatch):
    """The finding: `flask verify-audit` run without the production AUDIT_KEY called every entry
    altered and saved that failed run, signed with the other key, among the checkpoints."""
    submit(app, PERSON)
    editor = editor_client(app)
    runner = app.test_cli_runner()
    monkeypatch.setenv("AUDIT_KEY", "w" * 40)
    # No checkpoint yet: told by the entries, not one of which verifies under this key.
    before = runner.invoke(args=["verify-audit"])
    assert before.exit_code == 2 and "审计密钥与写入日志时的不同：请设置 AUDIT_KEY 为生产环境的值" in before.output
    assert "核验未通过" not in before.output and _checkpoint_count(app) == 0
    monkeypatch.delenv("AUDIT_KEY")
    assert runner.invoke(args=["verify-audit"]).exit_code == 0 and _checkpoint_count(app) == 1
    editor.get("/desk/audit")
    # With checkpoints: told by the key that signed them, before any entry is hashed.
    monkeypatch.setenv("AUDIT_KEY", "w" * 40)
    for args in (["verify-audit"], ["verify-audit", "--incremental"]):
        refused = runner.invoke(args=args)
        assert refused.exit_code == 2 and "审计密钥与写入日志时的不同" in refused.output, refused.output
    assert _checkpoint_count(app) == 1
    monkeypatch.delenv("AUDIT_KEY")
    assert runner.invoke(args=["verify-audit"]).exit_code == 0


def test_the_cli_on_postgresql_without_audit_key_refuses_rather_than_invent_one(app, monkeypatch):
    """The instance folder's key is a development convenience (SQLite, or APP_ENV=development):
    on the paper's PostgreSQL database a command signing or verifying the log needs AUDIT_KEY."""
    if app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("the instance key is meant for SQLite")
    submit(app, PERSON)
    monkeypatch.delenv("AUDIT_KEY", raising=False)
    app.config["APP_ENV"] = ""                  # as an operator's shell with only DATABASE_URL set
    invented = []
    monkeypatch.setattr(audit, "_instance_key", lambda folder: invented.append(folder) or "i" * 64)
    runner = app.test_cli_runner()
    before = len(_entries(app))
    for args in (["verify-audit"], ["create-editor", "zhao.bian", "--password-stdin"], ["create-api-key", "某代理"]):
        refused = runner.invoke(args=args, input="一个足够长的密码2026\n")
        assert refused.exit_code == 1 and "没有设置 AUDIT_KEY" in refused.output, (args, refused.output)
        assert "set -a" in refused.output
    assert invented == [] and _checkpoint_count(app) == 0 and len(_entries(app)) == before
    monkeypatch.setenv("AUDIT_KEY", "p" * 40)     # the production key: the command runs
    assert runner.invoke(args=["create-api-key", "某代理"]).exit_code == 0


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_migration_0005_goes_down_and_up_again(kind, tmp_path):
    """A rollback to 0004 restores its four-argument audit_append() (PostgreSQL) and drops the
    checkpoints; upgrading again brings the keyed function back."""
    import contextlib

    from sqlalchemy import create_engine

    from store import migrate
    from tests.conftest import PG_BASE_URL
    schema = (migrate.postgres_schema(PG_BASE_URL, "mig") if kind == "postgresql"
              else contextlib.nullcontext(f"sqlite:///{tmp_path / 'mig.db'}"))
    with schema as url:
        if kind == "sqlite":
            migrate.upgrade(url)
        migrate.downgrade(url, "0004")
        engine = create_engine(url)
        with engine.begin() as conn:
            tables = set(conn.dialect.get_table_names(conn))
            assert "audit_checkpoints" not in tables and "audit_log" in tables
            if kind == "postgresql":
                conn.execute(text("SELECT audit_append('cli', 'old', NULL, '{}')"))
                assert conn.execute(text("SELECT digest_version FROM audit_log")).scalar_one() == 2
        engine.dispose()
        migrate.upgrade(url)
        engine = create_engine(url)
        with engine.begin() as conn:
            assert "audit_checkpoints" in set(conn.dialect.get_table_names(conn))
            if kind == "postgresql":
                key = audit_key()
                conn.execute(text("SELECT audit_append('cli', 'new', NULL, '{}', :i, :o)"),
                             {"i": key.ipad, "o": key.opad})
                assert conn.execute(text(  # the four-argument one is gone
                    "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE p.proname = 'audit_append' AND n.nspname = current_schema()")).scalar_one() == 1
        engine.dispose()
        if kind == "postgresql":
            from store.db import Database
            db = Database(url)
            with db.session() as s:
                assert verify_audit_chain(s) == []          # version 2, then version 3 after it
            db.dispose()
