"""The transactional outbox (a message is committed with the event that caused it, then sent by a worker) and the
stored schedule of the periodic jobs that the same worker loop runs."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt (or held by a worker's claim)
    SENT = "sent"
    DEAD = "dead"  # attempts used up; an administrator may retry it


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # email | webhook | …: open, each channel is a sender registered with the worker (app/wiring.py).
    channel: str = Field(max_length=16)
    recipient: str = Field(max_length=1000)
    subject: str = Field(default="", max_length=300)
    body: str = Field(default="", sa_type=Text)
    payload: str | None = Field(default=None, sa_type=Text)  # JSON for webhooks
    submission_id: int | None = Field(default=None, foreign_key="submissions.id", index=True)
    reference: str | None = Field(default=None, max_length=100)  # e.g. webhook subscription id
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=enum_type(OutboxStatus, "status", length=16))
    attempts: int = Field(default=0)
    max_attempts: int = Field(default=8)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # A worker's claim: a random token and a lease. Only the holder of the token may record the attempt.
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claim_token: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryAttempt(SQLModel, table=True):
    __tablename__ = "delivery_attempts"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="outbox_messages.id", index=True)
    attempted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ok: bool
    status_code: int | None = Field(default=None)
    error: str | None = Field(default=None, max_length=1000)
    duration_ms: int = Field(default=0)


class JobSchedule(SQLModel, table=True):
    """One row per periodic job, shared by every process: when it is due next, and who runs it now.

    A process runs a job only after claiming its row (a conditional UPDATE that sets `claim_token` and the lease
    `locked_until`); `next_due_at` is set from the start of the run, so a job that fell due while every process
    was down runs once when one comes back, not once per missed period.
    """

    __tablename__ = "job_schedule"

    name: str = Field(primary_key=True, max_length=100)
    next_due_at: datetime = Field(sa_type=UTCDateTime)
    last_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=1000)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claim_token: str | None = Field(default=None, max_length=32)
