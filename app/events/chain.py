"""The hash-chained audit trail: every event row stores the hash of the one before it.

Appends take a lock on the single chain-head row first (FOR UPDATE on PostgreSQL; SQLite transactions are already
serialised by BEGIN IMMEDIATE), so ids are handed out in chain order and `verify` can walk rows by id.
"""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.events.models import ChainHead, Event

_FIELDS = (
    "id", "submission_id", "subject_account_id", "type", "from_state", "to_state", "actor_account_id",
    "actor_role", "agency_id", "public_note", "internal_note", "data",
)


def event_hash(event: Event, prev_hash: str) -> str:
    record = {name: getattr(event, name) for name in _FIELDS}
    record["created_at"] = event.created_at.isoformat(timespec="microseconds")
    record["prev_hash"] = prev_hash
    canonical = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_head(session: Session) -> ChainHead:
    stmt = select(ChainHead).where(ChainHead.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    head = session.exec(stmt).first()
    if head is None:  # the migration inserts it; this covers a hand-emptied table
        head = ChainHead(id=1)
        session.add(head)
    return head


def append(session: Session, event: Event) -> Event:
    """Adds the event to the session and links it to the chain (the caller commits)."""
    head = _lock_head(session)
    session.add(event)
    session.flush()
    event.prev_hash = head.last_hash
    event.hash = event_hash(event, head.last_hash)
    head.last_hash = event.hash
    head.last_event_id = event.id
    session.add(head)
    session.flush()
    return event


@dataclass
class Break:
    event_id: int
    problem: str


def _rows(session: Session, batch: int = 2000) -> Iterator[Event]:
    last_id = 0
    while True:
        rows = session.exec(
            select(Event).where(Event.id > last_id).order_by(col(Event.id)).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify(session: Session) -> tuple[int, Break | None]:
    """(events checked, first broken link or None)."""
    prev_hash = ""
    count = 0
    for event in _rows(session):
        count += 1
        if event.prev_hash != prev_hash:
            return count, Break(event.id, "prev_hash does not match the previous event (row removed or reordered)")
        if event.hash != event_hash(event, prev_hash):
            return count, Break(event.id, "hash does not match the row's content (row altered)")
        prev_hash = event.hash
    head = session.get(ChainHead, 1)
    if head is not None and count and head.last_hash != prev_hash:
        return count, Break(head.last_event_id or 0, "the newest events were removed")
    return count, None
