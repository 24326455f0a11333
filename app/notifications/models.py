"""The transactional outbox (a message is committed with the event that caused it, then sent by a worker) and the
stored schedule of the periodic jobs that the same worker loop runs."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
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


# --- who wants which message, how (issue 9) ---------------------------------------------------------------

class Topic(StrEnum):
    """What an agency inbox or an account may be told about (each: immediate, in the daily digest, or off)."""

    NEW_ITEM = "new_item"  # routed, assigned by the coordinator, transferred in, reopened, sent to triage
    ASSIGNED = "assigned"  # an item assigned to me (officer assignment, issue 14)
    SENDER_REPLIED = "sender_replied"  # the sender gave the information asked for
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    UNSATISFIED = "unsatisfied"  # the sender rated the answer unsatisfactory
    EXTENSION_DECIDED = "extension_decided"  # granted or refused
    EXTENSION_REQUESTED = "extension_requested"  # the coordinator decides


class Mode(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    OFF = "off"


class NotificationPreference(SQLModel, table=True):
    """A choice that differs from the default (agency inbox: immediate; accounts: digest). `owner` is
    "agency:<id>" or "account:<id>"."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("owner", "topic"),)

    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(max_length=40)
    topic: Topic = Field(sa_type=enum_type(Topic, "topic", length=32))
    mode: Mode = Field(sa_type=enum_type(Mode, "mode", length=16))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DigestEntry(SQLModel, table=True):
    """One line waiting for a recipient's next daily digest; `message_id` is set when a digest took it."""

    __tablename__ = "digest_entries"
    __table_args__ = (Index("ix_digest_entries_message_id_created_at", "message_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    recipient: str = Field(max_length=254)
    topic: Topic = Field(sa_type=enum_type(Topic, "topic", length=32))
    line: str = Field(max_length=500)
    submission_id: int | None = Field(default=None, foreign_key="submissions.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    message_id: int | None = Field(default=None, foreign_key="outbox_messages.id")


class SmsOptOut(SQLModel, table=True):
    """A phone number that replied the stop keyword: no SMS goes to it any more (until it sends the start keyword)."""

    __tablename__ = "sms_opt_outs"

    phone: str = Field(primary_key=True, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DeliveryReport(SQLModel, table=True):
    """What the SMS gateway reported about a sent message (Kannel's dlr-url: 1 delivered, 2 failed, 4 buffered,
    8 accepted by the SMSC, 16 rejected by the SMSC)."""

    __tablename__ = "delivery_reports"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="outbox_messages.id", index=True)
    status: int
    detail: str | None = Field(default=None, max_length=300)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SmsDraft(SQLModel, table=True):
    """An SMS that would become an item once we know its commune (app/notifications/sms_intake.py): kept a day for
    the sender's answer to "Bạn ở xã, phường nào?". The phone is the key: one pending text per phone."""

    __tablename__ = "sms_drafts"

    phone: str = Field(primary_key=True, max_length=16)
    text: str = Field(sa_type=Text)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
