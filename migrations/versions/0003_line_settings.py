"""line settings: each notice's lines as the engine broke them, kept for the next render

Why: setting a notice's lines (typesetting/linebreak.py) costs ~2 ms, and a desk with several web
workers sets them again in whichever process exports: 0.4 s of a 200-notice export. The setting
is stored once, keyed by the text and a fingerprint of the settings, fonts and engine code
(SetNotice.to_dict), and any process reuses it. A cache: losing a row only costs the time.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 03:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'line_settings',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('setting_json', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('line_settings')
