"""Filters an officer saved under a name, to open the inbox as they like it in one click."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class SavedFilter(SQLModel, table=True):
    __tablename__ = "saved_inbox_filters"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True)
    name: str = Field(max_length=80)
    query: str = Field(max_length=2000)  # the inbox URL's query string, as InboxFilters.query_string() makes it
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
