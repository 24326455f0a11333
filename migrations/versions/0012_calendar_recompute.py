"""Calendar changes are recomputed by a job: `calendar_changes` (the log of province calendar changes: the day, its
entry before and after, the note, who and when) and `submission_deadlines.recompute_from` (the earliest change a
running clock's due date does not yet account for; NULL when up to date), with a partial index so the job and the
calendar page find the pending clocks without scanning.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('calendar_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('before_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('after_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('clocks_marked', sa.Integer(), nullable=False),
    sa.Column('changed_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by_account_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by_account_id'], ['accounts.id'],
                            name=op.f('fk_calendar_changes_changed_by_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_changes'))
    )
    with op.batch_alter_table('submission_deadlines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recompute_from', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_submission_deadlines_recompute_from_calendar_changes'),
                                    'calendar_changes', ['recompute_from'], ['id'])
        batch_op.create_index('ix_submission_deadlines_recompute_from', ['recompute_from'], unique=False,
                              postgresql_where=sa.text('recompute_from IS NOT NULL'),
                              sqlite_where=sa.text('recompute_from IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('submission_deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_deadlines_recompute_from',
                            postgresql_where=sa.text('recompute_from IS NOT NULL'),
                            sqlite_where=sa.text('recompute_from IS NOT NULL'))
        batch_op.drop_constraint(batch_op.f('fk_submission_deadlines_recompute_from_calendar_changes'),
                                 type_='foreignkey')
        batch_op.drop_column('recompute_from')
    op.drop_table('calendar_changes')
