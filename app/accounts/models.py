"""Accounts of people who handle items, their server-side sessions, login attempts and API clients."""

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow


class Role(StrEnum):
    AGENCY_ADMIN = "agency_admin"
    OFFICER = "officer"
    COORDINATOR = "coordinator"
    SYSTEM_ADMIN = "system_admin"
    # A member of a commune's community digital-technology team (app/reach): submits for villagers.
    COMMUNE_ASSISTANT = "commune_assistant"


ROLE_LABELS = {
    Role.AGENCY_ADMIN: "Quản trị đơn vị",
    Role.OFFICER: "Cán bộ xử lý",
    Role.COORDINATOR: "Cơ quan thường trực",
    Role.SYSTEM_ADMIN: "Quản trị hệ thống",
    Role.COMMUNE_ASSISTANT: "Tổ công nghệ số cộng đồng",
}


class Account(SQLModel, table=True):
    __tablename__ = "accounts"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=200)
    role: Role = Field(sa_type=enum_type(Role, "role", length=32))
    agency_id: int | None = Field(default=None, foreign_key="agencies.id", index=True)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=16)
    password_hash: str = Field(max_length=255)
    must_change_password: bool = Field(default=True)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Two-factor sign-in (TOTP, RFC 6238; app/accounts/twofactor.py): the shared secret (base32) once enrolled,
    # and the last time step used, so that a code is accepted once only.
    totp_secret: str | None = Field(default=None, max_length=200)  # sealed (app/sealed.py)
    totp_enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    totp_last_step: int | None = Field(default=None)


class AuthSession(SQLModel, table=True):
    """A login. The cookie holds a random token; only its hash is stored, so a leaked table logs no one in."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: int = Field(foreign_key="accounts.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """Kept in the database so throttling holds across several worker processes."""

    __tablename__ = "login_attempts"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    ip: str = Field(max_length=64)
    succeeded: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class RecoveryCode(SQLModel, table=True):
    """A one-time code that replaces the authenticator once (a lost phone). Only its SHA-256 is stored: the codes
    are long random strings, shown once when issued."""

    __tablename__ = "recovery_codes"

    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id", index=True)
    code_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiScope(StrEnum):
    SUBMIT = "submit"  # create items, reply to information requests, rate answers
    READ_OWN = "read-own"  # read the items it created (or whose sender's contact it proves)
    WEBHOOKS = "webhooks"  # manage webhook subscriptions and read their deliveries


API_SCOPE_LABELS = {
    ApiScope.SUBMIT: "Gửi hồ sơ, trả lời yêu cầu bổ sung, đánh giá",
    ApiScope.READ_OWN: "Xem hồ sơ do ứng dụng gửi",
    ApiScope.WEBHOOKS: "Nhận thông báo (webhook)",
}


class ApiClient(SQLModel, table=True):
    __tablename__ = "api_clients"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    key_prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=64)
    scopes: str = Field(default="submit read-own", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Requests per minute; None means the default (PAKN_API_RATE_LIMIT).
    rate_limit_per_minute: int | None = Field(default=None)
    rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # After a rotation the old key may keep working for a grace period, so a deployed app can switch over.
    previous_key_prefix: str | None = Field(default=None, max_length=16, index=True)
    previous_key_hash: str | None = Field(default=None, max_length=64)
    previous_key_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())
