"""publications: what was printed and what the proof states, kept as it was; exports keep their PDF

Why (issue 11, "Published is a snapshot"): a proof of publication and the /verify page used to
be made afresh from the current settings, so renaming the newspaper or changing a page label
after publication changed what a proof said had been printed, and /verify confirmed it; the
exported PDF was not kept, only its hash. Now:

- exports.pdf: the exported column's bytes (the sha256 was already in pdf_hash); newspaper: the
  name printed in it; printed_json: per notice the title and text as printed and the rectangles
  it occupies on the pages (points, for cutting it out of the page); audit_head / audit_length:
  the audit log's last hash and length when the export was recorded (store/audit.py chain_head).
- publications: one row per time an issue was marked published: the column PDF (the exact bytes
  of the export it was published from), who, when, the audit head; and, if it was withdrawn,
  by whom, when and why (nothing is deleted).
- publication_notices: per notice what the proof states: newspaper, issue date, page and page
  label, column, revision, text hash, title and text as printed, verification code, crop boxes.

Issues published before this revision get a publication built from what the app showed for them
at the time of the upgrade (the settings then, the text masked as the app printed it); their
column PDF was never kept, so `pdf` stays empty and their proofs carry no cut of the page.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:00:00
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('newspaper', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('printed_json', sa.Text(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('audit_head', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('audit_length', sa.Integer(), nullable=True))

    op.create_table(
        'publications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_date', sa.Date(), nullable=False),
        sa.Column('export_id', sa.Integer(), nullable=True),
        sa.Column('pdf', sa.LargeBinary(), nullable=True),
        sa.Column('pdf_hash', sa.String(length=64), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('newspaper', sa.String(length=200), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('published_by', sa.String(length=80), nullable=False),
        sa.Column('audit_head', sa.String(length=64), nullable=True),
        sa.Column('audit_length', sa.Integer(), nullable=True),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('withdrawn_by', sa.String(length=80), nullable=False, server_default=''),
        sa.Column('withdrawal_reason', sa.Text(), nullable=False, server_default=''),
        sa.ForeignKeyConstraint(['export_id'], ['exports.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_issue_date'), ['issue_date'], unique=False)

    op.create_table(
        'publication_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('publication_id', sa.Integer(), nullable=False),
        sa.Column('notice_id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=16), nullable=False),
        sa.Column('newspaper', sa.String(length=200), nullable=False),
        sa.Column('issue_date', sa.Date(), nullable=False),
        sa.Column('page', sa.Integer(), nullable=True),
        sa.Column('page_label', sa.String(length=80), nullable=False),
        sa.Column('column_number', sa.Integer(), nullable=True),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('text_hash', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=32), nullable=False),
        sa.Column('printed_text', sa.Text(), nullable=False),
        sa.Column('verification_code', sa.String(length=16), nullable=False),
        sa.Column('crop_json', sa.Text(), nullable=False, server_default='[]'),
        sa.ForeignKeyConstraint(['publication_id'], ['publications.id']),
        sa.ForeignKeyConstraint(['notice_id'], ['notices.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('publication_id', 'notice_id'),
    )
    with op.batch_alter_table('publication_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_notices_publication_id'), ['publication_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publication_notices_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_publication_notices_reference'), ['reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_publication_notices_verification_code'), ['verification_code'],
                              unique=False)

    _backfill(op.get_bind())


def _backfill(conn) -> None:
    """A publication for every issue already marked published, from what the app showed then."""
    # Typed, so that SQLite's stored text comes back as dates and times (and goes in as such).
    when = sa.DateTime(timezone=True)
    issues = conn.execute(sa.text(
        "SELECT issue_date, published_at, published_by FROM issues "
        "WHERE status = 'published' AND published_at IS NOT NULL ORDER BY issue_date"
    ).columns(issue_date=sa.Date(), published_at=when, published_by=sa.String())).all()
    if not issues:
        return
    # What the proofs said until now was made with the app's own code from the current settings:
    # the same code states it once more, now to be kept (imported here only when there is data).
    from press.printing import printable_text
    from store.settings import Publisher
    row = conn.execute(sa.text("SELECT value_json FROM settings WHERE key = 'publisher'")).first()
    publisher = Publisher()
    for key, value in (json.loads(row[0]) if row else {}).items():
        if hasattr(publisher, key) and key != "printed_dates":
            setattr(publisher, key, value)
    publications = sa.table(
        'publications', sa.column('id', sa.Integer()), sa.column('issue_date', sa.Date()),
        sa.column('export_id', sa.Integer()), sa.column('pdf', sa.LargeBinary()),
        sa.column('pdf_hash', sa.String()), sa.column('pages', sa.Integer()), sa.column('newspaper', sa.String()),
        sa.column('published_at', sa.DateTime(timezone=True)), sa.column('published_by', sa.String()),
        sa.column('withdrawn_by', sa.String()), sa.column('withdrawal_reason', sa.Text()))
    snapshots = sa.table(
        'publication_notices', sa.column('publication_id', sa.Integer()), sa.column('notice_id', sa.Integer()),
        sa.column('reference', sa.String()), sa.column('newspaper', sa.String()), sa.column('issue_date', sa.Date()),
        sa.column('page', sa.Integer()), sa.column('page_label', sa.String()), sa.column('column_number', sa.Integer()),
        sa.column('revision', sa.Integer()), sa.column('text_hash', sa.String()), sa.column('title', sa.String()),
        sa.column('printed_text', sa.Text()), sa.column('verification_code', sa.String()),
        sa.column('crop_json', sa.Text()))
    for issue_date, published_at, published_by in issues:
        export = conn.execute(sa.text(
            "SELECT id, pdf_hash, pages FROM exports WHERE issue_date = :d AND created_at <= :at "
            "ORDER BY id DESC LIMIT 1").bindparams(sa.bindparam("d", type_=sa.Date()), sa.bindparam("at", type_=when)),
            {"d": issue_date, "at": published_at}).first()
        publication_id = conn.execute(publications.insert().values(
            issue_date=issue_date, export_id=export[0] if export else None, pdf=None,
            pdf_hash=export[1] if export else '', pages=export[2] if export else 1,
            newspaper=publisher.newspaper, published_at=published_at, published_by=published_by or '',
            withdrawn_by='', withdrawal_reason='').returning(publications.c.id)).scalar_one()
        notices = conn.execute(sa.text(
            "SELECT n.id, n.reference, n.title, n.current_revision, n.published_page, n.published_column, "
            "n.verification_code, r.text, r.text_hash FROM notices n JOIN notice_revisions r "
            "ON r.notice_id = n.id AND r.number = n.current_revision "
            "WHERE n.issue_date = :d AND n.status = 'published' ORDER BY n.id"
        ).bindparams(sa.bindparam("d", type_=sa.Date())), {"d": issue_date}).all()
        for nid, reference, title, revision, page, column, code, text, text_hash in notices:
            conn.execute(snapshots.insert().values(
                publication_id=publication_id, notice_id=nid, reference=reference, newspaper=publisher.newspaper,
                issue_date=issue_date, page=page, page_label=publisher.page_text(page), column_number=column,
                revision=revision, text_hash=text_hash, title=title, printed_text=printable_text(publisher, text),
                verification_code=code or '', crop_json='[]'))


def downgrade() -> None:
    with op.batch_alter_table('publication_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_notices_verification_code'))
        batch_op.drop_index(batch_op.f('ix_publication_notices_reference'))
        batch_op.drop_index(batch_op.f('ix_publication_notices_notice_id'))
        batch_op.drop_index(batch_op.f('ix_publication_notices_publication_id'))
    op.drop_table('publication_notices')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_issue_date'))
    op.drop_table('publications')
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_column('audit_length')
        batch_op.drop_column('audit_head')
        batch_op.drop_column('printed_json')
        batch_op.drop_column('newspaper')
        batch_op.drop_column('pdf')
