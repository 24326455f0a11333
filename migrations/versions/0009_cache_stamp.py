"""cache_stamp: one row whose value changes whenever cached reference data changes (app/cache.py)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cache_stamp',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stamp', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cache_stamp'))
    )
    op.execute("INSERT INTO cache_stamp (id, stamp) VALUES (1, 'initial')")


def downgrade() -> None:
    op.drop_table('cache_stamp')
