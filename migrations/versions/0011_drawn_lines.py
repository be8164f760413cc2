"""drawn_lines: each notice's drawn lines kept beside its stored line setting

Why: the column is drawn straight from the engine's set lines (typesetting/draw.py). A render
worker that had not drawn a notice before shaped every one of its text boxes again with HarfBuzz
and worked out each glyph's TJ numbers, though nothing about them had changed since the notice
was first drawn. The drawer now records each line as it writes it (typesetting.draw.DrawnLine:
its boxes' TJ operators with glyph ids in place of a document's subset codes) and the app keeps
them here, next to the setting they were drawn from, under the same key. Like the setting, a
cache: a row whose fingerprint (fonts, sizes, drawer code) no longer matches is drawn again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 20:25:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('line_settings') as batch:
        batch.add_column(sa.Column('drawn_json', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('line_settings') as batch:
        batch.drop_column('drawn_json')
