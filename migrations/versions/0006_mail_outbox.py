"""mail_outbox: the advertiser's progress mails, written with the change that causes them

Why (issue 14, "notifications by email"): the form's email field promised 用于接收进度通知 and
nothing was ever sent; a 需修改 at 14:00 silently missed the 15:00 copy deadline. A mail is a row
of this table, inserted in the same transaction as the workflow change (received, 需修改,
rejected, scheduled, published, missed date), so a change that commits has its mail and one
rolled back has none. A sender outside the request (`flask send-mail`, store/outbox.py) claims a
row for a while (locked_until), sends it by SMTP and marks it sent; a failed attempt is retried
later (next_attempt_at, growing pause) until max attempts, then marked failed. dedupe_key is
unique: an event recorded twice (a sweep for missed dates run again) makes one mail.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'mail_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=True),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('dedupe_key', sa.String(length=160), nullable=False),
        sa.Column('recipient', sa.String(length=120), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['notice_id'], ['notices.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dedupe_key'),
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_outbox_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index('ix_mail_outbox_due', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_outbox_due')
        batch_op.drop_index(batch_op.f('ix_mail_outbox_notice_id'))
    op.drop_table('mail_outbox')
