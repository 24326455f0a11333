"""A submission (hồ sơ PAKN). Its history is in the event table (app/events)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow
from app.kinds import Channel, Kind, NotifyBy, Priority, RejectReason, SenderType, State


class Submission(SQLModel, table=True):
    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint("sender_phone IS NOT NULL OR sender_email IS NOT NULL", name="contact"),
        Index("ix_submissions_agency_id_state_created_at", "agency_id", "state", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tracking_code: str = Field(max_length=20, unique=True, index=True)
    kind: Kind = Field(sa_type=enum_type(Kind, "kind", length=16))
    priority: Priority = Field(default=Priority.NORMAL, sa_type=enum_type(Priority, "priority", length=16))
    field_id: int = Field(foreign_key="fields.id")
    commune_id: int = Field(foreign_key="communes.id")
    title: str = Field(max_length=200)
    content: str = Field(sa_type=Text)

    sender_type: SenderType = Field(default=SenderType.INDIVIDUAL,
                                    sa_type=enum_type(SenderType, "sender_type", length=16))
    sender_name: str = Field(max_length=120)
    sender_phone: str | None = Field(default=None, max_length=16)
    sender_email: str | None = Field(default=None, max_length=254)
    sender_address: str | None = Field(default=None, max_length=300)
    hide_identity: bool = Field(default=False)
    # How the sender is told about each step (app/notifications/flows.py); None: SMS if a phone was given, else e-mail
    notify_by: NotifyBy | None = Field(default=None, sa_type=enum_type(NotifyBy, "notify_by", length=8))
    consented_at: datetime = Field(sa_type=UTCDateTime)
    source: Channel = Field(default=Channel.WEB, sa_type=enum_type(Channel, "source", length=16))

    state: State = Field(default=State.SUBMITTED, sa_type=enum_type(State, "state", length=20), index=True)
    agency_id: int | None = Field(default=None, foreign_key="agencies.id")
    routing_rule_id: int | None = Field(default=None)
    routing_explanation: str | None = Field(default=None, max_length=500)

    reject_reason: RejectReason | None = Field(default=None,
                                               sa_type=enum_type(RejectReason, "reject_reason", length=32))
    reject_detail: str | None = Field(default=None, sa_type=Text)
    duplicate_of: str | None = Field(default=None, max_length=20)
    rating_satisfied: bool | None = Field(default=None)
    rating_comment: str | None = Field(default=None, sa_type=Text)
    rated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    answer_text: str | None = Field(default=None, sa_type=Text)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Folded (no diacritics, đ→d) words of code, title, content and sender name, set by the domain service and
    # indexed for full-text search (app/submissions/search.py; FTS5 on SQLite, GIN tsvector on PostgreSQL).
    search_text: str = Field(default="", sa_type=Text)
