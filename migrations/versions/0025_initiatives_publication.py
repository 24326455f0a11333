"""initiatives publication: issue 12's own consent to publication (assessments.public_consent_at, published_at)
moves to issue 11's `publications`, which alone says what is public

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 12:10:00

Every assessment with the author's consent gets a `publications` row (unless the item already has one, whose status
wins: a consent withdrawn there stays withdrawn): status "published" where the agency had published it (and the
item is not rejected), else "consented". A published row's copy is what the public pages showed until now (the
item's title and text; no answer, which was not shown; no sender label, which shows less than before). No event is
written (the audit chain is not rewritten; the old publication_consented / published_for_support events stay, and
so do their EventType members, so no CHECK constraint changes). Then the two old columns are dropped.

Downgrade puts the columns back and fills them from `publications` (rows stay: they are 0022's table).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db
from app.submissions.search import words

revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

assessments = sa.table(
    'assessments', sa.column('submission_id', sa.Integer), sa.column('public_consent_at', app.db.UTCDateTime()),
    sa.column('published_at', app.db.UTCDateTime()))
submissions = sa.table(
    'submissions', sa.column('id', sa.Integer), sa.column('state', sa.String), sa.column('title', sa.String),
    sa.column('content', sa.Text), sa.column('kind', sa.String), sa.column('field_id', sa.Integer),
    sa.column('commune_id', sa.Integer), sa.column('agency_id', sa.Integer),
    sa.column('created_at', app.db.UTCDateTime()), sa.column('answered_at', app.db.UTCDateTime()))
publications = sa.table(
    'publications', sa.column('id', sa.Integer), sa.column('submission_id', sa.Integer),
    sa.column('status', sa.String), sa.column('consented_at', app.db.UTCDateTime()),
    sa.column('withdrawn_at', app.db.UTCDateTime()), sa.column('published_at', app.db.UTCDateTime()),
    sa.column('updated_at', app.db.UTCDateTime()), sa.column('title', sa.String), sa.column('question', sa.Text),
    sa.column('answer', sa.Text), sa.column('sender_label', sa.String), sa.column('attachment_ids', sa.String),
    sa.column('kind', sa.String), sa.column('field_id', sa.Integer), sa.column('commune_id', sa.Integer),
    sa.column('agency_id', sa.Integer), sa.column('received_at', app.db.UTCDateTime()),
    sa.column('answered_at', app.db.UTCDateTime()), sa.column('search_text', sa.Text))


def upgrade() -> None:
    bind = op.get_bind()
    taken = set(bind.execute(sa.select(publications.c.submission_id)).scalars())
    rows = bind.execute(
        sa.select(assessments.c.submission_id, assessments.c.public_consent_at, assessments.c.published_at,
                  submissions.c.state, submissions.c.title, submissions.c.content, submissions.c.kind,
                  submissions.c.field_id, submissions.c.commune_id, submissions.c.agency_id,
                  submissions.c.created_at, submissions.c.answered_at)
        .join(submissions, submissions.c.id == assessments.c.submission_id)
        .where(assessments.c.public_consent_at.is_not(None))
        .order_by(assessments.c.submission_id)).all()
    for row in rows:
        if row.submission_id in taken:
            continue
        published = row.published_at is not None and row.state != 'rejected'
        title = (row.title or '')[:200]
        values = {'submission_id': row.submission_id, 'consented_at': row.public_consent_at,
                  'withdrawn_at': None, 'updated_at': row.published_at if published else row.public_consent_at,
                  'attachment_ids': '', 'search_text': ''}
        if published:
            values.update(status='published', published_at=row.published_at, title=title, question=row.content,
                          answer='', sender_label=None, kind=row.kind, field_id=row.field_id,
                          commune_id=row.commune_id, agency_id=row.agency_id, received_at=row.created_at,
                          answered_at=row.answered_at,
                          search_text=' '.join(words(f"{title} {row.content or ''}")))
        else:
            values.update(status='consented', published_at=None)
        bind.execute(publications.insert().values(**values))
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_column('published_at')
        batch_op.drop_column('public_consent_at')


def downgrade() -> None:
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_consent_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('published_at', app.db.UTCDateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(publications.c.submission_id, publications.c.status, publications.c.consented_at,
                                  publications.c.published_at)
                        .join(assessments, assessments.c.submission_id == publications.c.submission_id)
                        .where(publications.c.status != 'withdrawn')).all()
    for row in rows:
        bind.execute(assessments.update().where(assessments.c.submission_id == row.submission_id).values(
            public_consent_at=row.consented_at,
            published_at=row.published_at if row.status == 'published' else None))
