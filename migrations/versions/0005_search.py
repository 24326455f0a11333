"""full-text search over submissions (folded text; FTS5 on SQLite, GIN tsvector on PostgreSQL)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:00:00

`submissions.search_text` holds the folded words of code, title, content and sender name (app/submissions/search.py).
SQLite: an external-content FTS5 table kept in sync by triggers. A later batch migration that *recreates*
`submissions` on SQLite drops these triggers with the old table: call `create_sqlite_fts_triggers()` from this
module again at its end (tests/submissions/test_search.py checks that the triggers exist at head).
PostgreSQL: a stored generated tsvector column `search_vector` (not in the SQLModel model: PostgreSQL only) with a
GIN index. Stored rather than an expression index: with a generic plan for a prepared statement (psycopg prepares
after 5 runs) PostgreSQL may walk another index and check the search per row; recomputing to_tsvector for each row
made that 100× slower than reading the stored vector.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FTS = "submissions_fts"
PG_COLUMN = "search_vector"
PG_INDEX = "ix_submissions_search_vector"


def create_sqlite_fts_triggers() -> None:
    op.execute(f"""
        CREATE TRIGGER IF NOT EXISTS {FTS}_ai AFTER INSERT ON submissions BEGIN
            INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text);
        END""")
    op.execute(f"""
        CREATE TRIGGER IF NOT EXISTS {FTS}_ad AFTER DELETE ON submissions BEGIN
            INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
        END""")
    op.execute(f"""
        CREATE TRIGGER IF NOT EXISTS {FTS}_au AFTER UPDATE OF search_text ON submissions BEGIN
            INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
            INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text);
        END""")


def _backfill() -> None:
    from app.submissions.search import index_text

    conn = op.get_bind()
    last_id = 0
    while True:
        rows = conn.execute(sa.text(
            "SELECT id, tracking_code, title, content, sender_name FROM submissions WHERE id > :last"
            " ORDER BY id LIMIT 1000"), {"last": last_id}).mappings().all()
        if not rows:
            return
        conn.execute(sa.text("UPDATE submissions SET search_text = :t WHERE id = :id"), [
            {"id": r["id"], "t": index_text(tracking_code=r["tracking_code"], title=r["title"], content=r["content"],
                                            sender_name=r["sender_name"])}
            for r in rows])
        last_id = rows[-1]["id"]


def upgrade() -> None:
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    _backfill()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"CREATE VIRTUAL TABLE {FTS} USING fts5(search_text, content='submissions', content_rowid='id',"
                   " tokenize='unicode61 remove_diacritics 2')")
        create_sqlite_fts_triggers()
        op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute(f"ALTER TABLE submissions ADD COLUMN {PG_COLUMN} tsvector"
                   " GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED")
        op.execute(f"CREATE INDEX {PG_INDEX} ON submissions USING gin ({PG_COLUMN})")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {FTS}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    elif dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
        op.execute(f"ALTER TABLE submissions DROP COLUMN IF EXISTS {PG_COLUMN}")
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('search_text')
