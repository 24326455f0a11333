"""Periodic clean-up of the upload folder (idempotent: every process may run it)."""

from datetime import datetime

from sqlmodel import Session

from app.attachments import storage


def sweep_upload_temp(session: Session, now: datetime) -> int:
    """Temp files older than an hour belong to a request that crashed before its transaction: delete them."""
    return storage.sweep_temp(max_age_seconds=3600)
