"""Which officer of the holding agency works on an item (at most one; none means "Chưa phân công")."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class ItemAssignment(SQLModel, table=True):
    """One row per item that has an assignee. An assignment counts only while the assignee belongs to the agency
    holding the item: after a transfer it is ignored (and the new agency assigns its own officer)."""

    __tablename__ = "item_assignments"

    submission_id: int = Field(primary_key=True, foreign_key="submissions.id")
    account_id: int = Field(foreign_key="accounts.id", index=True)
    assigned_by_id: int | None = Field(default=None, foreign_key="accounts.id")
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
