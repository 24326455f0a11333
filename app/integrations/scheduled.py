"""Periodic clean-up of what the API keeps only for a while (idempotent; every process may run it)."""

from datetime import datetime

from sqlmodel import Session, delete

from app import throttle
from app.integrations.models import IdempotencyRecord, RateLimitWindow
from app.integrations.ratelimit import KEEP_WINDOWS


def purge_expired(session: Session, now: datetime) -> int:
    """Idempotency keys past their expiry (≥ 24 h after use), rate-limit windows older than an hour and abuse-limit
    counters older than two days."""
    keys = session.exec(delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now)).rowcount or 0
    windows = session.exec(delete(RateLimitWindow).where(RateLimitWindow.window_start < now - KEEP_WINDOWS)).rowcount
    counters = throttle.purge(session, now)
    session.commit()
    return keys + (windows or 0) + counters
