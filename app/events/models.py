"""The one append-only, hash-chained event table: item events, and account, login and rule events
(submission_id NULL). Each row stores the hash of the previous row and its position in the chain, both set when
its transaction commits (app/events/chain.py)."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow
from app.events.types import EventType


class Event(SQLModel, table=True):
    __tablename__ = "events"

    id: int | None = Field(default=None, primary_key=True)
    # Foreign keys name tables, not classes: this module imports no domain.
    submission_id: int | None = Field(default=None, foreign_key="submissions.id", index=True)
    subject_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    type: EventType = Field(sa_type=enum_type(EventType, "type", length=32))
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str | None = Field(default=None, max_length=20)
    actor_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    actor_role: str = Field(max_length=32)  # sender | system | agency_admin | officer | coordinator | …
    agency_id: int | None = Field(default=None, foreign_key="agencies.id")
    # Shown to the sender; internal_note is for handling agencies only.
    public_note: str | None = Field(default=None, sa_type=Text)
    internal_note: str | None = Field(default=None, sa_type=Text)
    # Structured detail (from/to agency, reason code…), JSON text so both backends store it alike.
    data: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set at commit, under the chain-head lock: the position in the chain (1, 2, 3…; NULL only between the insert
    # and the commit), the previous row's hash and this row's. On PostgreSQL ids are not in commit order: `seq` is.
    seq: int | None = Field(default=None, unique=True, index=True)
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)


class ChainHead(SQLModel, table=True):
    """One row: the position and hash of the newest linked event. Locking it serialises the linking of events at
    commit time across processes (held for a few statements, not for the whole transaction)."""

    __tablename__ = "event_chain_head"

    id: int = Field(default=1, primary_key=True)
    last_event_id: int | None = Field(default=None)
    last_hash: str = Field(default="", max_length=64)
    last_seq: int = Field(default=0)
