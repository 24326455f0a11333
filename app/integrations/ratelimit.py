"""Per-client rate limits in fixed one-minute windows, counted in the database so that every worker
process (and every host behind the load balancer) shares one count."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, delete

from app.db import utcnow
from app.integrations.models import RateLimitWindow

WINDOW = timedelta(minutes=1)
KEEP_WINDOWS = timedelta(hours=1)


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the current window ends; the Retry-After of a refusal

    def headers(self) -> dict[str, str]:
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


def window_start(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def hit(*, session: Session, client_id: int, limit: int, now: datetime | None = None) -> RateDecision:
    """Counts one request (atomically: INSERT … ON CONFLICT DO UPDATE … RETURNING); the caller's unit of work
    commits it on its own, before the request's work, so that a refused or failed request still counts."""
    now = now or utcnow()
    start = window_start(now)
    table = RateLimitWindow.__table__
    is_postgres = session.get_bind().dialect.name == "postgresql"
    if is_postgres:
        # A counter lost in a crash costs nothing; not waiting for the WAL flush keeps every API call cheap.
        session.exec(text("SET LOCAL synchronous_commit TO OFF"))
    insert = postgresql.insert if is_postgres else sqlite.insert
    stmt = (
        insert(table)
        .values(api_client_id=client_id, window_start=start, count=1)
        .on_conflict_do_update(index_elements=["api_client_id", "window_start"], set_={"count": table.c.count + 1})
        .returning(table.c.count)
    )
    count = session.execute(stmt).scalar_one()
    if count == 1:  # first request of a new window: drop this client's old windows
        session.exec(
            delete(RateLimitWindow).where(
                RateLimitWindow.api_client_id == client_id, RateLimitWindow.window_start < start - KEEP_WINDOWS
            )
        )
    reset = max(1, int((start + WINDOW - now).total_seconds() + 0.999))
    return RateDecision(allowed=count <= limit, limit=limit, remaining=max(0, limit - count), reset_seconds=reset)
