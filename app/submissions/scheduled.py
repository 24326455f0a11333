"""Periodic work on submissions, run by the outbox worker loop (idempotent: every process may run it)."""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.kinds import State
from app.sla.calendar import LOCAL_TZ, add_working_days
from app.submissions import service
from app.submissions.models import Submission

RATING_WINDOW_WORKING_DAYS = 10


def close_unrated_answers(session: Session, now: datetime) -> int:
    """Answered items nobody rated within 10 working days close by themselves (DESIGN.md, Lifecycle)."""
    # 10 working days are at least 10 calendar days: the index on state narrows, the calendar decides.
    candidates = session.exec(
        select(Submission).where(
            Submission.state == State.ANSWERED, col(Submission.answered_at) <= now - timedelta(days=10)
        ).limit(500)
    ).all()
    closed = 0
    today = now.astimezone(LOCAL_TZ).date()
    for submission in candidates:
        answered_day = submission.answered_at.astimezone(LOCAL_TZ).date()
        if add_working_days(answered_day, RATING_WINDOW_WORKING_DAYS) < today:
            service.close(session=session, submission=submission, now=now)
            closed += 1
    return closed
