"""notice_documents and invoice_requests: what an advertiser sends besides the notice

Why (issue 14, "documents" and "payment as it is done"): anyone could file a 减资 or 注销 for any
company with nothing but a valid code, so the editor had nothing to check; and an advertiser
could neither send the transfer slip of a 对公转账 nor ask for a 发票. A document row names the
notice, what the file is (营业执照, 身份证, 授权委托书, 股东会决议, 报警回执, 转账凭证), and the
SHA-256 of the bytes kept on disk outside the web root (store/documents.py: content-addressed,
no name the advertiser chose ever reaches a path). purged_at: the file was deleted a set time
after publication (`flask purge-documents`); the row stays, so the desk can say it was there.
An invoice request is one per notice (抬头, 税号, where to send it), changed in place.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notice_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('media_type', sa.String(length=32), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=True),
        sa.Column('uploaded_by', sa.String(length=80), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['notice_id'], ['notices.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('notice_id', 'kind', 'sha256'),
    )
    with op.batch_alter_table('notice_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_documents_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_documents_sha256'), ['sha256'], unique=False)
    op.create_table(
        'invoice_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=100), nullable=False),
        sa.Column('tax_number', sa.String(length=20), nullable=False),
        sa.Column('email', sa.String(length=120), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['notice_id'], ['notices.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('notice_id'),
    )


def downgrade() -> None:
    op.drop_table('invoice_requests')
    with op.batch_alter_table('notice_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_documents_sha256'))
        batch_op.drop_index(batch_op.f('ix_notice_documents_notice_id'))
    op.drop_table('notice_documents')
