"""issued_proofs: a proof of publication, once issued, is kept and served as it was

Why: the proof (见报证明) was rendered again at every download from the publication's snapshot.
What it states never changed, but its bytes did whenever the program did (a template, a font, the
PDF library): a proof an advertiser downloaded last month and one downloaded today differed, and
nothing recorded which one the paper had issued. Now the first download renders it and keeps it
here (with its SHA-256, also written to the audit log); every later download is those bytes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 18:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'issued_proofs',
        sa.Column('published_notice_id', sa.Integer(), sa.ForeignKey('publication_notices.id'), primary_key=True),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('issued_proofs')
