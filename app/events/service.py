"""Writing an event: build the row, link it into the hash chain, publish it to the subscribed domains.
The caller's unit of work commits (or rolls back) the event together with everything its handlers wrote."""

import json
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session

from app.db import utcnow
from app.events import bus, chain
from app.events.models import Event


class Actor(Protocol):
    id: int | None
    role: str


def record(
    session: Session,
    type_: str,
    *,
    submission: Any | None = None,
    now: datetime | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    actor: Actor | None = None,
    actor_role: str | None = None,
    agency_id: int | None = None,
    subject_account_id: int | None = None,
    public_note: str | None = None,
    internal_note: str | None = None,
    data: dict | None = None,
) -> Event:
    """Appends one event (about `submission`, an item with id, state and agency_id, or about an account or
    rule when None) and runs the subscribed handlers in this transaction; the caller commits."""
    event = Event(
        submission_id=submission.id if submission is not None else None,
        subject_account_id=subject_account_id,
        type=str(type_),
        from_state=from_state,
        to_state=to_state or (submission.state if submission is not None else None),
        actor_account_id=actor.id if actor is not None else None,
        actor_role=actor.role if actor is not None else (actor_role or "system"),
        agency_id=agency_id if agency_id is not None else (submission.agency_id if submission is not None else None),
        public_note=public_note,
        internal_note=internal_note,
        data=json.dumps(data, ensure_ascii=False, sort_keys=True) if data else None,
        created_at=now or utcnow(),
    )
    chain.append(session, event)
    bus.publish(session, event, submission)
    return event


def data_of(event: Event) -> dict:
    return json.loads(event.data) if event.data else {}
