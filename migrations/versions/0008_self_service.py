"""Self-service: refunds owed, the price the advertiser agreed to, orders of several dates, and
agencies' signed status webhooks

Why (issue 14 item 5): an advertiser could neither withdraw a notice, nor change its date, nor
book several dates in one order; an editor's edit raised a paid notice from ¥700 to ¥750 with
no consent asked; agencies learnt of a status change only by polling.

- notices.refund_due_cents / refunded_cents: what the paper owes back after a withdrawal (by
  the paper's cancellation rule, store/selfservice.py) and what the desk has recorded as paid
  back; the refund itself happens at the counter or the bank.
- notices.agreed_price_cents: the price the advertiser accepted (at filing, at a resubmission,
  or on the status page after an editor's change). A notice whose price is above it waits for
  the advertiser's consent before it can be scheduled. Existing notices: their current price.
- notices.order_key: the notices of one order of several dates share it (the first one's
  reference); each is priced and decided on its own, the order shows the total.
- api_keys.webhook_url / webhook_secret: where an agency wants status changes POSTed, and the
  key of their HMAC-SHA256 signature.
- webhook_outbox: those POSTs, written in the transaction of the change (as mail_outbox) and
  sent by `flask send-webhooks`, with retries.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 18:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refund_due_cents', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('refunded_cents', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('agreed_price_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('order_key', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_notices_order_key'), ['order_key'], unique=False)
    op.execute("UPDATE notices SET agreed_price_cents = price_cents")
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webhook_url', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('webhook_secret', sa.String(length=64), nullable=False, server_default=''))
    op.create_table(
        'webhook_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('api_key_id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=True),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('dedupe_key', sa.String(length=160), nullable=False),
        sa.Column('url', sa.String(length=500), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['api_key_id'], ['api_keys.id']),
        sa.ForeignKeyConstraint(['notice_id'], ['notices.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dedupe_key'),
    )
    with op.batch_alter_table('webhook_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_outbox_notice_id'), ['notice_id'], unique=False)


def downgrade() -> None:
    op.drop_table('webhook_outbox')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_column('webhook_secret')
        batch_op.drop_column('webhook_url')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_order_key'))
        batch_op.drop_column('order_key')
        batch_op.drop_column('agreed_price_cents')
        batch_op.drop_column('refunded_cents')
        batch_op.drop_column('refund_due_cents')
