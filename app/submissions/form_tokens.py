"""One-time form tokens: each rendered citizen form carries a random token, and the first post that carries it
creates the item. A double tap, a retry after a slow answer, or twenty posts at once with the same token create one
item; every later post gets the first item's confirmation.

Decided in the writing transaction by the primary key: `claim` inserts the token with INSERT … ON CONFLICT DO
NOTHING before the item is created. On PostgreSQL a concurrent insert of the same token waits for the first
transaction and then inserts nothing; on SQLite the write lock serialises the units of work. Whoever inserted
nothing reads the item the token already names."""

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from app.db import UTCDateTime, utcnow

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class FormToken(SQLModel, table=True):
    __tablename__ = "form_tokens"

    token: str = Field(primary_key=True, max_length=64)
    submission_id: int | None = Field(default=None, foreign_key="submissions.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def well_formed(token: str | None) -> bool:
    return bool(token) and bool(_TOKEN.match(token))


def claim(*, session: Session, token: str) -> int | None:
    """Inside the unit of work that creates the item: None if this post is the first with `token` (the caller goes
    on and calls `complete`), otherwise the id of the item the first post created."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = FormToken.__table__
    stmt = insert(table).values(token=token, submission_id=None, created_at=utcnow())
    # RETURNING tells whether the row went in (rowcount is not reliable for INSERT on every driver).
    inserted = session.execute(stmt.on_conflict_do_nothing(index_elements=["token"]).returning(table.c.token)).scalar()
    if inserted is not None:
        return None
    return session.exec(select(FormToken.submission_id).where(FormToken.token == token)).one()


def once(*, session: Session, token: str | None, create: Callable[[], int]) -> tuple[int, bool]:
    """Inside a unit of work: runs `create()` (which returns the new item's id) unless `token` was used before.
    Returns (item id, True if created now). Without a token (an old page, a script) every post creates."""
    if not token:
        return create(), True
    earlier = claim(session=session, token=token)
    if earlier is not None:
        return earlier, False
    submission_id = create()
    complete(session=session, token=token, submission_id=submission_id)
    return submission_id, True


def complete(*, session: Session, token: str, submission_id: int) -> None:
    session.execute(update(FormToken).where(col(FormToken.token) == token).values(submission_id=submission_id)
                    .execution_options(synchronize_session=False))


KEEP = timedelta(days=7)


def purge(session: Session, now: datetime) -> int:
    """A periodic job: forgets tokens older than a week (a form posted again after that makes a new item)."""
    removed = session.execute(delete(FormToken).where(col(FormToken.created_at) < now - KEEP)).rowcount or 0
    session.commit()
    return removed
