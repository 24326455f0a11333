"""Tables of the initiatives domain. An initiative or a solution is a submission (app/submissions); what its
assessment adds lives here, keyed by the submission's id, and is created when first needed (`assessments`)."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow


class Maturity(StrEnum):
    IDEA = "idea"
    PROTOTYPE = "prototype"
    IN_USE = "in_use"  # in use elsewhere


class Decision(StrEnum):
    ADOPTED = "adopted"
    PILOT = "pilot"  # to be piloted (unit and date)
    RECOGNISED = "recognised"  # recognised but not adopted
    NOT_ADOPTED = "not_adopted"


class CodePurpose(StrEnum):
    SUPPORT = "support"
    WITHDRAW = "withdraw"


class CriteriaSet(SQLModel, table=True):
    """A named set of weighted criteria (the coordinator edits sets; one is the default)."""

    __tablename__ = "criteria_sets"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    is_default: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Criterion(SQLModel, table=True):
    __tablename__ = "criteria"
    __table_args__ = (CheckConstraint("weight BETWEEN 1 AND 100", name="weight"),)

    id: int | None = Field(default=None, primary_key=True)
    set_id: int = Field(foreign_key="criteria_sets.id", index=True)
    position: int = Field(default=0)
    name: str = Field(max_length=120)
    weight: int


class Challenge(SQLModel, table=True):
    """A bài toán: a problem the province (or an agency, for its own field) publishes to ask for solutions."""

    __tablename__ = "challenges"
    __table_args__ = (CheckConstraint("closes_on >= opens_on", name="dates"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    problem: str = Field(sa_type=Text)
    expected_outcome: str = Field(sa_type=Text)
    field_id: int = Field(foreign_key="fields.id")
    owner_agency_id: int = Field(foreign_key="agencies.id", index=True)
    criteria_set_id: int = Field(foreign_key="criteria_sets.id")
    # Dates in the province's calendar (Asia/Ho_Chi_Minh): solutions are accepted from the first day through the
    # whole of the last.
    opens_on: date
    closes_on: date
    # Supports that flag a solution for the Steering Committee (NULL: the province setting).
    support_threshold: int | None = Field(default=None)
    outcome: str | None = Field(default=None, sa_type=Text)  # the published outcome, after the decision
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChallengeDocument(SQLModel, table=True):
    """A document published with a challenge; bytes stored like attachments (app/attachments/storage.py)."""

    __tablename__ = "challenge_documents"

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(foreign_key="challenges.id", index=True)
    original_name: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Assessment(SQLModel, table=True):
    """The assessment of one initiative or solution: its solution details, the decision and the support
    count. One row per item, made on first need (INSERT … ON CONFLICT DO NOTHING)."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("support_count >= 0", name="support_count"),
        Index("ix_assessments_challenge_id", "challenge_id"),
    )

    submission_id: int = Field(foreign_key="submissions.id", primary_key=True)
    challenge_id: int | None = Field(default=None, foreign_key="challenges.id")
    criteria_set_id: int = Field(foreign_key="criteria_sets.id")
    # A solution's details (NULL for a free-standing initiative)
    organisation: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, sa_type=Text)
    maturity: Maturity | None = Field(default=None, sa_type=enum_type(Maturity, "maturity", length=16))
    estimated_cost: int | None = Field(default=None, sa_type=BigInteger)  # đồng
    needs: str | None = Field(default=None, sa_type=Text)  # what the authors need from the province
    # Whether the item is public (and may be supported) is app/publication's: the author's consent and the agency's
    # review of the published copy live in `publications` (migration 0025 moved the old columns there).
    shortlisted: bool = Field(default=False)
    decision: Decision | None = Field(default=None, sa_type=enum_type(Decision, "decision", length=16))
    decision_reason: str | None = Field(default=None, sa_type=Text)
    pilot_unit: str | None = Field(default=None, max_length=200)
    pilot_start: date | None = Field(default=None)
    scores_published: bool = Field(default=False)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    decided_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    # Confirmed, not withdrawn supports (kept by the same conditional statements that change `supports`).
    support_count: int = Field(default=0)
    flagged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # reached the support threshold
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AssessorAssignment(SQLModel, table=True):
    __tablename__ = "assessors"
    __table_args__ = (UniqueConstraint("submission_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submissions.id")
    account_id: int = Field(foreign_key="accounts.id")
    assigned_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ScoreSheet(SQLModel, table=True):
    """One assessor's scores for one item, submitted once (the unique constraint decides). `scores` is JSON: a list
    of {criterion_id, name, weight, score, comment}, the criteria as they were when scored."""

    __tablename__ = "score_sheets"
    __table_args__ = (UniqueConstraint("submission_id", "account_id"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submissions.id")
    account_id: int = Field(foreign_key="accounts.id")
    scores: str = Field(sa_type=Text)
    weighted_mean: float
    submitted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Implementation(SQLModel, table=True):
    """How an adopted or piloted initiative was put into practice (evidence files are its attachments)."""

    __tablename__ = "implementations"

    submission_id: int = Field(foreign_key="submissions.id", primary_key=True)
    agency_id: int = Field(foreign_key="agencies.id", index=True)  # the agency that put it into practice
    unit: str = Field(max_length=200)
    started_on: date = Field(index=True)
    what_changed: str = Field(sa_type=Text)
    result: str | None = Field(default=None, sa_type=Text)
    recorded_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Support(SQLModel, table=True):
    """One person's confirmed support for one item. The person is only a keyed hash of their contact (never the
    contact itself); the unique constraint makes it one per person per item."""

    __tablename__ = "supports"
    __table_args__ = (UniqueConstraint("submission_id", "contact_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submissions.id")
    contact_hash: str = Field(max_length=64)
    confirmed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SupportCode(SQLModel, table=True):
    """A one-time code sent to a contact to confirm a support or its withdrawal: only hashes are stored."""

    __tablename__ = "support_codes"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submissions.id", index=True)
    contact_hash: str = Field(max_length=64)
    purpose: CodePurpose = Field(sa_type=enum_type(CodePurpose, "purpose", length=16))
    code_hash: str = Field(max_length=64)
    attempts: int = Field(default=0)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
