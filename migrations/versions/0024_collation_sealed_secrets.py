"""the Vietnamese collation "vi" (ICU) for ORDER BY of names and titles on PostgreSQL (SQLite registers the same
rules on each connection, app/db.py), room for sealed TOTP secrets (app/sealed.py; the plain ones left are sealed
at their next use, the key is not the migration's to read), and the Zalo OA's token pair (sealed, renewed by a job)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.db

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite neither needs the collation stored nor enforces a VARCHAR length (and a batch copy of `accounts` is not
# worth the risk for that): those two changes are PostgreSQL's only.


def upgrade() -> None:
    op.create_table('zalo_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('refresh_token', sa.Text(), nullable=True),
    sa.Column('expires_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('seeded_from', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('refreshed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zalo_tokens')),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE COLLATION IF NOT EXISTS vi (provider = icu, locale = 'vi')")
    op.alter_column('accounts', 'totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=200),
                    existing_nullable=True)


def downgrade() -> None:
    op.drop_table('zalo_tokens')
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column('accounts', 'totp_secret', existing_type=sa.String(length=200), type_=sa.String(length=64),
                    existing_nullable=True)
    op.execute("DROP COLLATION IF EXISTS vi")
