"""One row per item whose sender consented to publication (Luật Bảo vệ dữ liệu cá nhân 2025, Điều 9).

The published text is an edited copy (personal details removed by the reviewing officer); the item's own title,
content and answer stay intact. The public read model (kind, field, commune, agency, answer date, on time) is copied
onto the row when it is published, so the public pages read this table alone."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow
from app.kinds import Kind


class PublicationStatus(StrEnum):
    CONSENTED = "consented"  # the sender allows it; waiting for an answer and an officer's review
    PUBLISHED = "published"  # on /cong-khai, the API and Open311
    WITHDRAWN = "withdrawn"  # the sender withdrew consent: never shown again (final)


class Publication(SQLModel, table=True):
    __tablename__ = "publications"
    __table_args__ = (
        Index("ix_publications_status_published_at", "status", "published_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submissions.id", unique=True)
    status: PublicationStatus = Field(default=PublicationStatus.CONSENTED,
                                      sa_type=enum_type(PublicationStatus, "status", length=16))
    consented_at: datetime = Field(sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    # The reviewed copy (NULL until the first review).
    title: str | None = Field(default=None, max_length=200)
    question: str | None = Field(default=None, sa_type=Text)
    answer: str | None = Field(default=None, sa_type=Text)
    sender_label: str | None = Field(default=None, max_length=200)  # initials + commune; NULL if hidden
    attachment_ids: str = Field(default="", max_length=500)  # ids of the files the officer ticked, comma-separated

    # Public read model, copied at publication.
    kind: Kind | None = Field(default=None, sa_type=enum_type(Kind, "kind", length=16))
    field_id: int | None = Field(default=None, foreign_key="fields.id")
    commune_id: int | None = Field(default=None, foreign_key="communes.id")
    agency_id: int | None = Field(default=None, foreign_key="agencies.id")
    received_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    on_time: bool | None = None
    # Folded words of the published title, question and answer only (never the original text or the sender).
    search_text: str = Field(default="", sa_type=Text)
