"""notice_revisions.search_text, and notice ids never used again on SQLite

Why (issue 14, "the desk at speed"): editors look notices up by a company's name, a phone number,
a 统一社会信用代码 or a reference, typed as people type them (full-width digits from a Chinese input
method, lower case, spaces). SQL cannot fold full-width characters (NFKC) on both SQLite and
PostgreSQL, so each revision keeps its fields and text normalised in search_text (store/search.py),
written with the revision (a column default) and filled here for the revisions there are.

`flask remove-demo` deletes the demo notices. SQLite gives a new row the largest id plus one, so
after the newest notices were removed the next real notice would get a removed one's id, and the
audit log (which names notices by id, and is never changed) would show the demo notice's history
as the real one's. AUTOINCREMENT (a rebuild of the table on SQLite) makes SQLite remember the
largest id ever used; PostgreSQL's sequences never go back anyway.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 18:00:00
"""
import sqlalchemy as sa
from alembic import op

from store.search_text import revision_search_text

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    with op.batch_alter_table('notice_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    conn = op.get_bind()
    revisions = sa.table('notice_revisions', sa.column('id', sa.Integer()), sa.column('fields_json', sa.Text()),
                         sa.column('text', sa.Text()), sa.column('search_text', sa.Text()))
    last = 0
    while True:
        rows = conn.execute(sa.select(revisions.c.id, revisions.c.fields_json, revisions.c.text)
                            .where(revisions.c.id > last).order_by(revisions.c.id).limit(BATCH)).all()
        if not rows:
            break
        conn.execute(revisions.update().where(revisions.c.id == sa.bindparam('rid'))
                     .values(search_text=sa.bindparam('st')),
                     [{'rid': r.id, 'st': revision_search_text(r.fields_json, r.text)} for r in rows])
        last = rows[-1].id
    if conn.dialect.name == 'sqlite':
        with op.batch_alter_table('notices', recreate='always',
                                  table_kwargs={'sqlite_autoincrement': True}) as batch_op:
            batch_op.alter_column('id', existing_type=sa.Integer(), autoincrement=True)


def downgrade() -> None:
    with op.batch_alter_table('notice_revisions', schema=None) as batch_op:
        batch_op.drop_column('search_text')
