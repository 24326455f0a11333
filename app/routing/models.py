"""Routing rules are rows, so the coordinator can change routing without a release."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow
from app.kinds import Kind


class RoutingRule(SQLModel, table=True):
    __tablename__ = "routing_rules"

    id: int | None = Field(default=None, primary_key=True)
    priority: int = Field(default=1000, index=True)
    name: str = Field(max_length=300)
    kind: Kind | None = Field(default=None, sa_type=enum_type(Kind, "kind", length=32))
    field_code: str | None = Field(default=None, max_length=64)
    commune_code: str | None = Field(default=None, max_length=64)
    # Comma-separated; matched ignoring case and diacritics.
    keywords: str | None = Field(default=None, max_length=1000)
    target_agency_id: int = Field(foreign_key="agencies.id")
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
