"""What integrators leave behind: which client created which item, idempotency keys, rate-limit windows,
webhook subscriptions and deliveries, and the Open311 details of a request."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, enum_type, utcnow
from app.kinds import Channel


class ApiChannel(StrEnum):
    """The channels of app.kinds.Channel that come through an API client."""

    API = Channel.API.value
    OPEN311 = Channel.OPEN311.value


class WebhookEvent(StrEnum):
    """What a webhook delivery announces (the `type` of its payload); subscriptions choose among all but PING."""

    STATE_CHANGED = "submission.state_changed"
    ANSWERED = "submission.answered"
    INFO_REQUESTED = "submission.info_requested"
    REJECTED = "submission.rejected"
    PING = "ping"


class ApiSubmission(SQLModel, table=True):
    """The API client that created an item (kept apart from `submissions` so that table stays the domain's)."""

    __tablename__ = "api_submissions"
    __table_args__ = (
        Index("ix_api_submissions_api_client_id_submission_id", "api_client_id", "submission_id"),
    )

    submission_id: int = Field(primary_key=True, foreign_key="submissions.id")
    api_client_id: int = Field(foreign_key="api_clients.id")
    channel: ApiChannel = Field(default=ApiChannel.API, sa_type=enum_type(ApiChannel, "channel", length=16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IdempotencyRecord(SQLModel, table=True):
    """One `Idempotency-Key` of one client. Inserted in the same transaction as the work it guards, so a
    concurrent retry with the same key waits on the unique index and then finds the finished result."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("api_client_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    api_client_id: int = Field(foreign_key="api_clients.id")
    key: str = Field(max_length=255)
    endpoint: str = Field(max_length=100)
    fingerprint: str = Field(max_length=64)
    resource_id: int | None = Field(default=None)
    status_code: int | None = Field(default=None)
    response_body: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class RateLimitWindow(SQLModel, table=True):
    """Requests of one client in one fixed window; shared by every worker process through the database."""

    __tablename__ = "api_rate_limits"
    __table_args__ = (UniqueConstraint("api_client_id", "window_start"),)

    id: int | None = Field(default=None, primary_key=True)
    api_client_id: int = Field(foreign_key="api_clients.id")
    window_start: datetime = Field(sa_type=UTCDateTime)
    count: int = Field(default=0)


class WebhookSubscription(SQLModel, table=True):
    __tablename__ = "webhook_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    api_client_id: int = Field(foreign_key="api_clients.id", index=True)
    url: str = Field(max_length=1000)
    events: str = Field(max_length=300)  # space-separated event types
    # Signs every delivery (HMAC-SHA256); the client got it once, at creation. Needed in clear to sign.
    secret: str = Field(max_length=100)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event sent to one subscription; the sending itself (attempts, retries) is an outbox message."""

    __tablename__ = "webhook_deliveries"

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="webhook_subscriptions.id", index=True)
    message_id: int = Field(foreign_key="outbox_messages.id", index=True)
    event_id: str = Field(max_length=64)  # the same for a redelivery, so receivers can drop duplicates
    event_type: WebhookEvent = Field(sa_type=enum_type(WebhookEvent, "event_type", length=64))
    submission_id: int | None = Field(default=None, foreign_key="submissions.id")
    redelivery_of: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Open311Request(SQLModel, table=True):
    """What an Open311 client sent besides the submission itself: location, device, token."""

    __tablename__ = "open311_requests"

    submission_id: int = Field(primary_key=True, foreign_key="submissions.id")
    token: str = Field(max_length=64, unique=True, index=True)
    lat: float | None = Field(default=None)
    long: float | None = Field(default=None)
    address_string: str | None = Field(default=None, max_length=300)
    address_id: str | None = Field(default=None, max_length=100)
    device_id: str | None = Field(default=None, max_length=100)
    account_id: str | None = Field(default=None, max_length=100)
    media_url: str | None = Field(default=None, max_length=1000)
