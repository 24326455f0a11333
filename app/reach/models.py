"""What reaching villages adds to an item, and the commune assistants."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Text
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow
from app.i18n import N_


class Language(StrEnum):
    """The language the villager spoke (the province's main peoples; 'other' for the rest)."""

    VIETNAMESE = "vi"
    THAI = "thai"
    HMONG = "hmong"
    KHMU = "khmu"
    DAO = "dao"
    LAO = "lao"
    KHANG = "khang"
    HANHI = "hanhi"
    CONG = "cong"
    SILA = "sila"
    OTHER = "other"


LANGUAGE_LABELS = {
    Language.VIETNAMESE: N_("Tiếng Việt"),
    Language.THAI: N_("Tiếng Thái"),
    Language.HMONG: N_("Tiếng H'Mông"),
    Language.KHMU: N_("Tiếng Khơ Mú"),
    Language.DAO: N_("Tiếng Dao"),
    Language.LAO: N_("Tiếng Lào"),
    Language.KHANG: N_("Tiếng Kháng"),
    Language.HANHI: N_("Tiếng Hà Nhì"),
    Language.CONG: N_("Tiếng Cống"),
    Language.SILA: N_("Tiếng Si La"),
    Language.OTHER: N_("Tiếng khác"),
}


class Relay(StrEnum):
    """Whose phone answers reach: the villager's own, a relative's, or none (the assistant relays)."""

    OWN = "own"
    RELATIVE = "relative"
    NONE = "none"


RELAY_LABELS = {
    Relay.OWN: "Số điện thoại của người dân",
    Relay.RELATIVE: "Số điện thoại của người thân",
    Relay.NONE: "Không có điện thoại — tổ công nghệ số chuyển trả lời",
}


class CommuneAssistant(SQLModel, table=True):
    """An account of role commune_assistant, scoped to one commune; the phone villagers and officers call."""

    __tablename__ = "commune_assistants"

    account_id: int = Field(primary_key=True, foreign_key="accounts.id")
    commune_id: int = Field(foreign_key="communes.id", index=True)
    phone: str | None = Field(default=None, max_length=16)
    created_by_account_id: int | None = Field(default=None, foreign_key="accounts.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ItemReach(SQLModel, table=True):
    """One row per item that has any of: an assistant, a village, a point, an urgency reason, a source tag, a voice
    message transcript. Items without any of them have no row."""

    __tablename__ = "item_reach"
    __table_args__ = (
        CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="point"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180)", name="point_range"),
    )

    submission_id: int = Field(primary_key=True, foreign_key="submissions.id")
    # Assisted intake
    assistant_account_id: int | None = Field(default=None, foreign_key="accounts.id", index=True)
    village: str | None = Field(default=None, max_length=120)
    relay: Relay | None = Field(default=None, sa_type=enum_type(Relay, "relay", length=16))
    language: Language | None = Field(default=None, sa_type=enum_type(Language, "language", length=16))
    interpreter_helped: bool = Field(default=False)
    consent_witness: str | None = Field(default=None, max_length=120)
    spoken_consent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Urgency (the priority itself is on the item) and place
    urgent_reason: str | None = Field(default=None, sa_type=Text)
    lat: float | None = Field(default=None)
    lon: float | None = Field(default=None)
    accuracy_m: float | None = Field(default=None)
    # Where the link came from (a QR poster: "poster:<commune>[:<village>]")
    source_tag: str | None = Field(default=None, max_length=80, index=True)
    # Voice messages
    needs_interpreter: bool = Field(default=False)
    transcript: str | None = Field(default=None, sa_type=Text)
    transcript_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
