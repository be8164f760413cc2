"""audit log: digest version 2, appended on PostgreSQL by one server-side function

Why: every submission appends to the hash-chained audit log, and appenders take one lock in
turn. With the lock, a read of the last hash, an insert and the commit as separate round trips,
the lock was held 10.7 ms at the median under load (benchmarks/bench_load.py, 32 connections):
busy all the time, and the ceiling of the submission rate. audit_append() takes the lock, reads
the last hash and inserts in one call. Digest version 2 is a length-prefixed text that SQL and
Python compute alike (store/audit.py, _entry_digest_v2); entries already written keep
version 1 and verify as before.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 01:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# Keep in step with store/audit.py: AUDIT_LOCK_KEY, GENESIS_HASH, _entry_digest_v2.
AUDIT_APPEND = r"""
CREATE OR REPLACE FUNCTION audit_append(p_actor text, p_action text, p_notice_id integer, p_details text)
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    prev text;
    at_ts timestamptz := clock_timestamp();
    at_text text;
    nid text := coalesce(p_notice_id::text, '');
    canonical text;
BEGIN
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
            encode(sha256(convert_to(canonical, 'UTF8')), 'hex'), 2);
END
$$;
"""


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_version', sa.SmallInteger(), nullable=False, server_default='1'))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(AUDIT_APPEND)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION IF EXISTS audit_append(text, text, integer, text)")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('digest_version')
