"""Helpers for deadline tests: local (Asia/Ho_Chi_Minh) instants and the clocks of an item."""

from datetime import UTC, datetime

import pytest
import time_machine
from sqlmodel import col, select

from app.events.models import Event
from app.sla.calendar import LOCAL_TZ
from app.sla.models import SubmissionDeadline


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """An aware UTC instant given as Vietnam wall-clock time."""
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ).astimezone(UTC)


def clocks(db, item, phase: str | None = None) -> list[SubmissionDeadline]:
    stmt = select(SubmissionDeadline).where(SubmissionDeadline.submission_id == item.id)
    if phase:
        stmt = stmt.where(SubmissionDeadline.phase == phase)
    return list(db.exec(stmt.order_by(col(SubmissionDeadline.id))).all())


def events(db, item, *types: str) -> list[Event]:
    stmt = select(Event).where(Event.submission_id == item.id)
    if types:
        stmt = stmt.where(col(Event.type).in_(types))
    return list(db.exec(stmt.order_by(col(Event.id))).all())


@pytest.fixture
def travel():
    """travel(instant) freezes the clock there (no ticking); call again to move it."""
    started: list = []

    def go(moment: datetime):
        if started:
            started[1].move_to(moment)
        else:
            traveller = time_machine.travel(moment, tick=False)
            started.extend([traveller, traveller.start()])
        return moment

    yield go
    if started:
        started[0].stop()


@pytest.fixture
def outbox():
    """outbox(db, item) → the e-mails queued for the item, oldest first."""
    from app.notifications.models import OutboxMessage

    def messages(db, item):
        return list(db.exec(select(OutboxMessage).where(OutboxMessage.submission_id == item.id)
                            .order_by(col(OutboxMessage.id))).all())
    return messages
