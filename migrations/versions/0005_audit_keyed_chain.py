"""audit log: digest version 3 (HMAC under a key outside the database) and signed checkpoints

Why (issue 11, "An audit log you can trust"): the chain was unkeyed SHA-256, so whoever could
write to the database could edit an entry (a payment, a decision), recompute every later hash,
and the desk said 完整; deleting the last entries left a valid chain too. And /desk/audit hashed
every entry on each view (4-5 s at 200 000 entries).

- audit_append() now takes the chain key's two HMAC pads (bytea) from the app on each call and
  computes HMAC-SHA256 by its definition with core sha256() (pgcrypto's hmac() needs CREATE
  EXTENSION, which a least-privilege role cannot do); the key is never stored in the database.
  Still one round trip under the advisory lock. Entries get digest_version 3; those already
  written keep their version and verify as before (store/audit.py).
- audit_checkpoints: the verifications run, each signed with a second key derived from the audit
  key; the desk verifies only entries after the last passed one.
The old four-argument function is dropped: a process still running the previous code fails
loudly on PostgreSQL instead of appending unkeyed entries after keyed ones (which verification
would report as rewritten). Restart every worker after this migration.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# Keep in step with store/audit.py: AUDIT_LOCK_KEY, GENESIS_HASH, _canonical, _entry_digest_v3.
# HMAC(K, m) = sha256((K xor opad) || sha256((K xor ipad) || m)), RFC 2104; p_ipad and p_opad
# are K zero-padded to SHA-256's 64-byte block and xored with 0x36 and 0x5c (AuditKey).
AUDIT_APPEND_V3 = r"""
CREATE OR REPLACE FUNCTION audit_append(p_actor text, p_action text, p_notice_id integer, p_details text,
                                        p_ipad bytea, p_opad bytea)
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    prev text;
    at_ts timestamptz;
    at_text text;
    nid text := coalesce(p_notice_id::text, '');
    canonical text;
BEGIN
    IF octet_length(p_ipad) IS DISTINCT FROM 64 OR octet_length(p_opad) IS DISTINCT FROM 64 THEN
        RAISE EXCEPTION 'audit_append: the HMAC pads must be 64 bytes each';
    END IF;
    -- Held to the end of the caller's transaction. Each statement below takes a new snapshot
    -- (READ COMMITTED, volatile function), so it sees the entry the previous holder committed.
    PERFORM pg_advisory_xact_lock(7240301);
    SELECT hash INTO prev FROM audit_log ORDER BY id DESC LIMIT 1;
    prev := coalesce(prev, repeat('0', 64));
    at_ts := clock_timestamp();
    at_text := to_char(at_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US');
    canonical := length(prev) || ':' || prev || '|' || length(at_text) || ':' || at_text || '|'
              || length(p_actor) || ':' || p_actor || '|' || length(p_action) || ':' || p_action || '|'
              || length(nid) || ':' || nid || '|' || length(p_details) || ':' || p_details;
    INSERT INTO audit_log (at, actor, action, notice_id, details_json, prev_hash, hash, digest_version)
    VALUES (at_ts, p_actor, p_action, p_notice_id, p_details, prev,
            encode(sha256(p_opad || sha256(p_ipad || convert_to(canonical, 'UTF8'))), 'hex'), 3);
END
$$;
"""

# Migration 0002's function, for downgrade.
AUDIT_APPEND_V2 = r"""
CREATE OR REPLACE FUNCTION audit_append(p_actor text, p_action text, p_notice_id integer, p_details text)
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    prev text;
    at_ts timestamptz := clock_timestamp();
    at_text text;
    nid text := coalesce(p_notice_id::text, '');
    canonical text;
BEGIN
    PERFORM pg_advisory_xact_lock(7240301);
    SELECT hash INTO prev FROM audit_log ORDER BY id DESC LIMIT 1;
    prev := coalesce(prev, repeat('0', 64));
    at_ts := clock_timestamp();
    at_text := to_char(at_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US');
    canonical := length(prev) || ':' || prev || '|' || length(at_text) || ':' || at_text || '|'
              || length(p_actor) || ':' || p_actor || '|' || length(p_action) || ':' || p_action || '|'
              || length(nid) || ':' || nid || '|' || length(p_details) || ':' || p_details;
    INSERT INTO audit_log (at, actor, action, notice_id, details_json, prev_hash, hash, digest_version)
    VALUES (at_ts, p_actor, p_action, p_notice_id, p_details, prev,
            encode(sha256(convert_to(canonical, 'UTF8')), 'hex'), 2);
END
$$;
"""


def upgrade() -> None:
    op.create_table(
        'audit_checkpoints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('entry_hash', sa.String(length=64), nullable=False),
        sa.Column('entry_count', sa.Integer(), nullable=False),
        sa.Column('digest_version', sa.SmallInteger(), nullable=False),
        sa.Column('full_run', sa.Boolean(), nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.Column('verified_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('verified_by', sa.String(length=80), nullable=False),
        sa.Column('key_id', sa.String(length=16), nullable=False),
        sa.Column('findings_json', sa.Text(), nullable=False),
        sa.Column('mac', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_checkpoints_entry_count'), ['entry_count'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS audit_append(text, text, integer, text)")
        op.execute(AUDIT_APPEND_V3)


def downgrade() -> None:
    # Entries of version 3 stay; the code of revision 0004 cannot verify them (it knows no key).
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS audit_append(text, text, integer, text, bytea, bytea)")
        op.execute(AUDIT_APPEND_V2)
    with op.batch_alter_table('audit_checkpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_checkpoints_entry_count'))
    op.drop_table('audit_checkpoints')
