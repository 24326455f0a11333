"""Abuse limits for anonymous and staff doors (tracking-code guesses, lost-code requests, sign-in failures, public
forms, support confirmations): counts per (scope, key) in fixed windows, kept in the database so that every worker
process and host shares one count.

Keys are hashed before they are stored: the table never holds a phone number, an e-mail or an address. A caller
that counts only failures asks `exceeded()` before the attempt and `hit()` after a failure. A hit must outlive the
request that made it (a refused or failed request still counts), so a door commits it in a unit of work of its own.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import UniqueConstraint, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, delete, select

from app.db import UTCDateTime, utcnow

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
KEEP = timedelta(days=2)  # longer than the longest window in use


class ThrottleCounter(SQLModel, table=True):
    """Attempts of one key (hashed) in one scope in one fixed window."""

    __tablename__ = "throttle_counters"
    __table_args__ = (UniqueConstraint("scope", "key_hash", "window_start"),)

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=40)
    key_hash: str = Field(max_length=64)
    window_start: datetime = Field(sa_type=UTCDateTime, index=True)
    count: int = Field(default=0)


@dataclass(frozen=True)
class Limit:
    """At most `limit` attempts per key in each `window` of one `scope` (e.g. "track.code", 10 per day)."""
    scope: str
    limit: int
    window: timedelta


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends (the Retry-After of a refusal)


def _key_hash(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}\x00{key.strip().lower()}".encode()).hexdigest()


def _window(limit: Limit, now: datetime) -> tuple[datetime, int]:
    span = limit.window.total_seconds()
    elapsed = (now - EPOCH).total_seconds()
    start = EPOCH + timedelta(seconds=(elapsed // span) * span)
    retry = max(1, int((start + limit.window - now).total_seconds() + 0.999))
    return start, retry


def hit(session: Session, limit: Limit, key: str, *, now: datetime | None = None) -> Decision:
    """Counts one attempt (atomically: INSERT … ON CONFLICT DO UPDATE … RETURNING) and says whether it is within
    the limit."""
    now = now or utcnow()
    start, retry = _window(limit, now)
    table = ThrottleCounter.__table__
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .values(scope=limit.scope, key_hash=_key_hash(limit.scope, key), window_start=start, count=1)
        .on_conflict_do_update(index_elements=["scope", "key_hash", "window_start"],
                               set_={"count": table.c.count + 1})
        .returning(table.c.count)
    )
    count = session.execute(stmt).scalar_one()
    return Decision(allowed=count <= limit.limit, count=count, retry_after=retry)


def exceeded(session: Session, limit: Limit, key: str, *, now: datetime | None = None) -> Decision:
    """Whether the key has used up its window, without counting an attempt (for limits on failures only)."""
    now = now or utcnow()
    start, retry = _window(limit, now)
    count = session.exec(
        select(func.coalesce(func.sum(ThrottleCounter.count), 0)).where(
            ThrottleCounter.scope == limit.scope, ThrottleCounter.key_hash == _key_hash(limit.scope, key),
            ThrottleCounter.window_start == start)
    ).one()
    return Decision(allowed=count < limit.limit, count=count, retry_after=retry)


def purge(session: Session, now: datetime) -> int:
    """Drops windows that ended long ago (a periodic job; the caller commits)."""
    return session.exec(delete(ThrottleCounter).where(ThrottleCounter.window_start < now - KEEP)).rowcount or 0
