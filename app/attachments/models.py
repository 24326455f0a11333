"""A file attached to a submission: by the sender (photos, documents) or by an agency (answer documents).

The bytes live on disk under a random storage key (see storage.py); the row holds what we checked about them.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow


class Owner(StrEnum):
    SENDER = "sender"
    AGENCY = "agency"


class Attachment(SQLModel, table=True):
    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("size > 0", name="size"),
        Index("ix_attachments_submission_id_owner", "submission_id", "owner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submissions.id")
    # The ATTACHMENT_ADDED event that recorded it (its data holds the SHA-256, so the audit chain covers the file).
    event_id: int | None = Field(default=None, foreign_key="events.id")
    owner: Owner = Field(sa_type=enum_type(Owner, "owner", length=8))
    # Display name only (sanitised); never used to build a path.
    original_name: str = Field(max_length=255)
    # Detected from the content, never taken from the client.
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=64, unique=True)
    # A small JPEG for images, stored the same way; NULL for documents.
    thumbnail_key: str | None = Field(default=None, max_length=64)
    thumbnail_width: int | None = Field(default=None)
    thumbnail_height: int | None = Field(default=None)
    uploaded_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def size_label(self) -> str:
        return human_size(self.size)

    @property
    def is_audio(self) -> bool:
        return self.content_type.startswith("audio/")

    @property
    def is_image(self) -> bool:
        return self.thumbnail_key is not None


def human_size(n: int) -> str:
    """1,5 MB · 10 MB · 240 KB (Vietnamese decimal comma)."""
    if n >= 1024 * 1024:
        value = n / (1024 * 1024)
        return (f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")) + " MB"
    return f"{max(1, -(-n // 1024))} KB"
