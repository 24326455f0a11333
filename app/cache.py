"""Per-process copies of data that rarely changes (the routing rules, reference lists, the working calendar and
deadline policies), valid while one stamp in the database is unchanged.

Whoever changes such data calls `bump(session)` in the same unit of work: the stamp gets a new random value, so
every process (and every host) sees the change on its next request and reloads. A session reads the stamp once
(it lives as long as one request, one job pass or one CLI command); a session that bumps reads it again."""

import secrets
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, select

T = TypeVar("T")
_SEEN = "pakn_cache_stamp"


class CacheStamp(SQLModel, table=True):
    __tablename__ = "cache_stamp"

    id: int = Field(default=1, primary_key=True)
    # Random, not a counter: two changes that were later rolled back (tests do this) can never share a value.
    stamp: str = Field(default="", max_length=32)


def stamp(session: Session) -> str:
    if _SEEN not in session.info:
        session.info[_SEEN] = session.exec(select(CacheStamp.stamp).where(CacheStamp.id == 1)).first() or ""
    return session.info[_SEEN]


def bump(session: Session) -> None:
    """Marks the cached data changed (call it in the unit of work that changes it)."""
    session.execute(update(CacheStamp).where(CacheStamp.id == 1).values(stamp=secrets.token_hex(16)))
    session.info.pop(_SEEN, None)


class Cached(Generic[T]):
    """`load(session)` run again only when the stamp changed. The value must be immutable (tuples, frozen
    dataclasses): it is shared by every request of the process."""

    def __init__(self, load: Callable[[Session], T]):
        self._load = load
        self._stamp: str | None = None
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self, session: Session) -> T:
        current = stamp(session)
        if self._stamp != current:
            with self._lock:
                if self._stamp != current:
                    self._value = self._load(session)
                    self._stamp = current
        return self._value  # type: ignore[return-value]
