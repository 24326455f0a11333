"""Deadline policies are data, per kind, priority and phase, each with its legal basis."""

from datetime import datetime

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class DeadlinePolicy(SQLModel, table=True):
    __tablename__ = "deadline_policies"
    __table_args__ = (
        UniqueConstraint("kind", "priority", "phase", "version"),
        CheckConstraint("phase IN ('accept','answer')", name="phase"),
        CheckConstraint("unit IN ('working_days','working_hours')", name="unit"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    priority: str = Field(max_length=16)
    phase: str = Field(max_length=16)  # accept: accept-or-transfer; answer: answer or assess
    amount: int
    unit: str = Field(default="working_days", max_length=16)
    legal_basis: str = Field(max_length=500)
    version: int = Field(default=1)
    is_current: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
