"""The audit chain's order is stored, not implied by the id: events.seq (unique, set at commit under the head lock)
and event_chain_head.last_seq. Existing rows get seq in chain order, which up to now was id order (appends took the
head lock before the row got its id).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('events', sa.Column('seq', sa.Integer(), nullable=True))
    op.add_column('event_chain_head', sa.Column('last_seq', sa.Integer(), nullable=False, server_default='0'))
    # UPDATE … FROM: PostgreSQL, and SQLite since 3.33.
    op.execute("UPDATE events SET seq = r.n FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM events) AS r "
               "WHERE r.id = events.id")
    op.execute("UPDATE event_chain_head SET last_seq = (SELECT COUNT(*) FROM events) WHERE id = 1")
    op.create_index(op.f('ix_events_seq'), 'events', ['seq'], unique=True)


def downgrade() -> None:
    op.drop_index(op.f('ix_events_seq'), table_name='events')
    with op.batch_alter_table('event_chain_head', schema=None) as batch_op:
        batch_op.drop_column('last_seq')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('seq')
