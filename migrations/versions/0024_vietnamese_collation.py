"""the Vietnamese collation "vi" (ICU) for ORDER BY of names and titles on PostgreSQL; SQLite registers the same
rules on each connection (app/db.py), so nothing is stored there

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 12:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE COLLATION IF NOT EXISTS vi (provider = icu, locale = 'vi')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP COLLATION IF EXISTS vi")
