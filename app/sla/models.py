"""Deadlines as data: policies (per kind, priority and phase, versioned, each with its legal basis), the province's
calendar exceptions, one stored clock per submission and phase, and extension requests.

Nothing here is an in-memory timer: every due instant is a stored UTC timestamp, and the sweep finds crossings
with an indexed query on `submission_deadlines.next_check_at`.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow
from app.events.types import EventType
from app.kinds import Kind, Priority


class Phase(StrEnum):
    ACCEPT = "accept"  # accept or transfer, from assignment
    ANSWER = "answer"  # answer (feedback, petition) or assess (initiative, solution), from acceptance


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"


class Clock(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"  # info_requested: the remaining working time is kept in remaining_seconds
    STOPPED = "stopped"


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"  # >= 75 % of the working time used
    OVERDUE = "overdue"


class EntryKind(StrEnum):
    DAY_OFF = "day_off"  # a normally working day the province (or a late government decision) makes a day off
    WORKING_DAY = "working_day"  # a swapped-in working day, usually a Saturday


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class DeadlinePolicy(SQLModel, table=True):
    """Editing a policy adds a new version and retires the old one; open items keep the version they started with."""

    __tablename__ = "deadline_policies"
    __table_args__ = (
        UniqueConstraint("kind", "priority", "phase", "version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: Kind = Field(sa_type=enum_type(Kind, "kind", length=16))
    priority: Priority = Field(sa_type=enum_type(Priority, "priority", length=16))
    phase: Phase = Field(sa_type=enum_type(Phase, "phase", length=16))  # accept-or-transfer, or answer-or-assess
    amount: int
    unit: Unit = Field(default=Unit.WORKING_DAYS, sa_type=enum_type(Unit, "unit", length=16))
    legal_basis: str = Field(max_length=500)
    version: int = Field(default=1)
    is_current: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")


class CalendarEntry(SQLModel, table=True):
    """A province exception to the national calendar, with the document that decided it."""

    __tablename__ = "calendar_entries"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    kind: EntryKind = Field(sa_type=enum_type(EntryKind, "kind", length=16))
    description: str = Field(max_length=300)
    legal_reference: str = Field(max_length=300)
    created_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CalendarChange(SQLModel, table=True):
    """One change of the province calendar (an entry added or removed), kept as its log: the running clocks it
    affects point at it (`SubmissionDeadline.recompute_from`) until the recompute job has moved their due dates.

    `before_kind` / `after_kind` are the day's entry before and after the change (NULL: no entry, the national
    calendar decides), so the calendar a pending clock was computed under can be rebuilt from today's entries."""

    __tablename__ = "calendar_changes"

    id: int | None = Field(default=None, primary_key=True)
    day: date
    before_kind: str | None = Field(default=None, max_length=16)
    after_kind: str | None = Field(default=None, max_length=16)
    note: str = Field(sa_type=Text)  # names the decision; ends every deadline_changed note it causes
    clocks_marked: int = Field(default=0)  # running clocks marked for the recompute when the change was made
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    changed_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")


class SubmissionDeadline(SQLModel, table=True):
    """One clock of one item: the accept clock (one per agency the item is assigned to) or the answer clock.

    Running: `due_at` and `at_risk_at` are exact instants and `next_check_at` is the earliest crossing not yet
    recorded (NULL when none is left). Paused: `remaining_seconds` of working time are kept and `next_check_at`
    is NULL. Stopped: `outcome` says what stopped it and, when it was met, `on_time` and `margin_seconds`
    (working seconds left at completion; negative = late by that much) are the figures reports rely on.
    """

    __tablename__ = "submission_deadlines"
    __table_args__ = (
        # Partial: only clocks with a crossing still to record are in the index the sweep reads.
        Index("ix_submission_deadlines_next_check_at", "next_check_at",
              postgresql_where=text("next_check_at IS NOT NULL"), sqlite_where=text("next_check_at IS NOT NULL")),
        Index("ix_submission_deadlines_submission_id_clock", "submission_id", "clock"),
        Index("ix_submission_deadlines_clock_at_risk_at", "clock", "at_risk_at"),
        Index("ix_submission_deadlines_agency_id_clock_due_at", "agency_id", "clock", "due_at"),
        # Partial: only clocks waiting for a calendar recompute (normally none).
        Index("ix_submission_deadlines_recompute_from", "recompute_from",
              postgresql_where=text("recompute_from IS NOT NULL"), sqlite_where=text("recompute_from IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submissions.id")
    phase: Phase = Field(sa_type=enum_type(Phase, "phase", length=16))
    agency_id: int | None = Field(default=None, foreign_key="agencies.id")
    policy_id: int = Field(foreign_key="deadline_policies.id")
    policy_version: int

    clock: Clock = Field(default=Clock.RUNNING, sa_type=enum_type(Clock, "clock", length=16))
    status: Status = Field(default=Status.ON_TRACK, sa_type=enum_type(Status, "status", length=16))
    started_at: datetime = Field(sa_type=UTCDateTime)
    original_due_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    at_risk_at: datetime = Field(sa_type=UTCDateTime)
    budget_seconds: int  # working seconds allotted, extensions included
    remaining_seconds: int | None = None  # while paused
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    at_risk_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    overdue_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    extensions_granted: int = 0
    extra_extensions_allowed: int = 0
    # The earliest calendar change this running clock's due date does not yet account for (NULL: up to date).
    recompute_from: int | None = Field(default=None, foreign_key="calendar_changes.id")

    stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The type of the event that stopped the clock.
    outcome: EventType | None = Field(default=None, sa_type=enum_type(EventType, "outcome", length=32))
    on_time: bool | None = None
    margin_seconds: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DeadlineExtension(SQLModel, table=True):
    """An officer asks for more working days with a reason; the coordinator grants or refuses."""

    __tablename__ = "deadline_extensions"
    __table_args__ = (
        CheckConstraint("working_days BETWEEN 1 AND 30", name="working_days"),
        Index("ix_deadline_extensions_status_requested_at", "status", "requested_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(foreign_key="submission_deadlines.id")
    submission_id: int = Field(foreign_key="submissions.id", index=True)
    agency_id: int | None = Field(default=None, foreign_key="agencies.id")
    status: ExtensionStatus = Field(default=ExtensionStatus.PENDING,
                                    sa_type=enum_type(ExtensionStatus, "status", length=16))
    working_days: int
    reason: str = Field(sa_type=Text)
    requested_by_account_id: int = Field(foreign_key="accounts.id")
    requested_at: datetime = Field(sa_type=UTCDateTime)
    decided_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, sa_type=Text)
    old_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    new_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
