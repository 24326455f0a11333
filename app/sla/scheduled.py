"""The deadline sweep: records each at-risk and overdue crossing once, as an event (the notifications subscriber
decides which e-mails the event sends); and the calendar recompute job, which moves the due dates a calendar
change affects, a batch of clocks per unit of work.

It never scans items. Every running clock stores `next_check_at`, the instant of its earliest crossing not yet
recorded; the sweep takes the rows with `next_check_at <= now` through an index, oldest first, in batches.
Each crossing is claimed with a conditional UPDATE (`... WHERE at_risk_recorded_at IS NULL`), so it is recorded
exactly once however many processes sweep at the same time; on PostgreSQL the batch is also read with
`FOR UPDATE SKIP LOCKED`, so concurrent sweepers take different rows instead of waiting on each other.
A sweep that did not run for a while (server stopped over a weekend) finds every crossing it missed in the
same query, because a missed crossing is simply a `next_check_at` in the past.
"""

from __future__ import annotations

import logging
import time as pytime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.db import end_read, unit_of_work, utcnow
from app.errors import InvalidTransition
from app.kinds import EventType, State
from app.sla import clock, service
from app.sla.calendar import LOCAL_TZ, WorkingCalendar
from app.sla.models import Clock, SubmissionDeadline
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from app.timefmt import format_datetime

log = logging.getLogger("pakn.sla")

BATCH_SIZE = 500
SQLITE_RETRIES = 5
RECOMPUTE_BATCH_SIZE = 200
# The outbox table, named rather than imported: app/sla imports nothing from app.notifications.
OUTBOX_TABLE = "outbox_messages"


@dataclass
class SweepReport:
    checked: int = 0
    at_risk: int = 0
    overdue: int = 0
    emails: int = 0

    def __str__(self) -> str:
        return (f"Đã kiểm tra {self.checked} thời hạn: {self.at_risk} sắp đến hạn, {self.overdue} quá hạn, "
                f"{self.emails} thư thông báo.")


def _claim(session: Session, row: SubmissionDeadline, column: str, now: datetime) -> bool:
    """Marks one crossing as recorded if nobody has; True when this process won it."""
    attr = getattr(SubmissionDeadline, column)
    result = session.execute(
        update(SubmissionDeadline)
        .where(col(SubmissionDeadline.id) == row.id, attr.is_(None),
               col(SubmissionDeadline.clock) == Clock.RUNNING)
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        set_committed_value(row, column, now)
        return True
    session.refresh(row)
    return False


def _record(session: Session, row: SubmissionDeadline, submission: Submission, kind: EventType, now: datetime,
            crossed_at: datetime, report: SweepReport) -> None:
    """Writes the crossing's event; the notifications subscriber queues its e-mails from the event's data."""
    phase = clock.PHASE_LABELS[row.phase].lower()
    due = format_datetime(row.due_at)
    if kind == EventType.DEADLINE_AT_RISK:
        note = f"Đã dùng 75% thời gian ({phase} {due}) từ {format_datetime(crossed_at)}."
        report.at_risk += 1
    else:
        note = f"Quá {phase} {due}."
        report.overdue += 1
    service._event(session, submission, kind, now=now, actor_role="system", internal_note=note,
                   data={"phase": row.phase, "due_at": row.due_at.isoformat(), "agency_id": row.agency_id})


def _check(session: Session, row: SubmissionDeadline, submission: Submission, now: datetime,
           report: SweepReport) -> None:
    report.checked += 1
    if row.clock == Clock.RUNNING:
        crossed = row.at_risk_at
        if row.at_risk_recorded_at is None and crossed <= now and _claim(session, row, "at_risk_recorded_at", now):
            _record(session, row, submission, EventType.DEADLINE_AT_RISK, now, crossed, report)
        crossed = row.due_at
        if row.overdue_recorded_at is None and crossed <= now and _claim(session, row, "overdue_recorded_at", now):
            _record(session, row, submission, EventType.DEADLINE_OVERDUE, now, crossed, report)
        row.status = clock.status_at(row, now)
    row.next_check_at = clock.next_check(row)
    row.updated_at = now


@contextmanager
def _emails_queued(session: Session) -> Iterator[list[int]]:
    """Counts the e-mails queued (outbox rows added) by this session inside the block, as they are flushed: exact
    even when other processes queue messages at the same time."""
    queued = [0]

    def count(flushed: Session, _context) -> None:
        queued[0] += sum(1 for obj in flushed.new if getattr(obj, "__tablename__", None) == OUTBOX_TABLE
                         and getattr(obj, "channel", None) == "email")

    event.listen(session, "after_flush", count)
    try:
        yield queued
    finally:
        event.remove(session, "after_flush", count)


def _batch(session: Session, now: datetime, batch_size: int, report: SweepReport) -> int:
    due = select(SubmissionDeadline.id).where(SubmissionDeadline.next_check_at <= now)
    if session.exec(due.limit(1)).first() is None:  # an idle sweep only reads: no write lock
        end_read(session)
        return 0
    with _emails_queued(session) as queued, unit_of_work(session):
        rows = session.exec(
            select(SubmissionDeadline)
            .where(SubmissionDeadline.next_check_at <= now)
            .order_by(col(SubmissionDeadline.next_check_at), col(SubmissionDeadline.id))
            .limit(batch_size)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)  # a long-lived session must not act on a stale copy
        ).all()
        ids = {r.submission_id for r in rows}
        submissions = {s.id: s for s in session.exec(select(Submission).where(col(Submission.id).in_(ids))).all()}
        # A clock still waiting for a calendar recompute is brought up to date before its crossings are checked.
        service.settle_pending(session=session, rows=list(rows), now=now, submissions=submissions)
        for row in rows:
            _check(session, row, submissions[row.submission_id], now, report)
    report.emails += queued[0]
    return len(rows)


def sweep(*, session: Session, now: datetime | None = None, batch_size: int = BATCH_SIZE,
          calendar: WorkingCalendar | None = None) -> SweepReport:
    """Records every crossing due at `now` (and any missed before), batch by batch; commits each batch."""
    now = now or utcnow()
    report = SweepReport()
    sqlite = session.get_bind().dialect.name == "sqlite"
    retries = 0
    while True:
        partial = SweepReport()
        try:
            n = _batch(session, now, batch_size, partial)
        except OperationalError:
            # SQLite: another process committed since this one began reading; start the batch again.
            session.rollback()
            retries += 1
            if not sqlite or retries > SQLITE_RETRIES:
                raise
            pytime.sleep(0.05 * retries)
            continue
        for name in ("checked", "at_risk", "overdue", "emails"):
            setattr(report, name, getattr(report, name) + getattr(partial, name))
        if n < batch_size:
            break
    if report.at_risk or report.overdue:
        log.info("sla sweep: %s", report)
    return report


def sweep_job(session: Session, now: datetime) -> SweepReport:
    """The periodic job run by the worker loop (app/notifications/worker.py) in each process and in `pakn worker`."""
    return sweep(session=session, now=now)


@dataclass
class RecomputeReport:
    clocks: int = 0  # marked clocks settled
    moved: int = 0  # due dates that moved (one deadline_changed event each)

    def __str__(self) -> str:
        return f"Đã tính lại {self.clocks} thời hạn đang chạy: {self.moved} thời hạn thay đổi."


def recompute_calendar(*, session: Session, now: datetime | None = None,
                       batch_size: int = RECOMPUTE_BATCH_SIZE) -> RecomputeReport:
    """Settles every clock a calendar change marked, `batch_size` clocks per unit of work (each commits), until
    none is left. Idempotent: a settled clock loses its mark, so a second run finds nothing. On PostgreSQL the
    batch is read FOR UPDATE SKIP LOCKED, so two processes take different clocks."""
    now = now or utcnow()
    report = RecomputeReport()
    pending = select(SubmissionDeadline.id).where(col(SubmissionDeadline.recompute_from).is_not(None)).limit(1)
    while True:
        if session.exec(pending).first() is None:  # nothing pending: a read, no write lock
            end_read(session)
            break
        with unit_of_work(session):
            n, moved = service.recompute_batch(session=session, now=now, batch_size=batch_size)
        report.clocks += n
        report.moved += moved
        if n < batch_size:
            break
    if report.clocks:
        log.info("calendar recompute: %s", report)
    return report


def recompute_job(session: Session, now: datetime) -> RecomputeReport:
    """The periodic job (`sla_calendar_recompute`, app/main.py) that finishes what a calendar change started."""
    return recompute_calendar(session=session, now=now)


RATING_WINDOW_WORKING_DAYS = 10


def close_unrated_answers(session: Session, now: datetime) -> int:
    """Answered items nobody rated within 10 working days of the province's calendar (its days off included)
    close by themselves (DESIGN.md, Lifecycle). Each close is its own unit of work; an item someone rated or
    closed meanwhile is left alone."""
    # 10 working days are at least 10 calendar days: the index on state narrows, the calendar decides.
    candidates = session.exec(
        select(Submission.id, Submission.answered_at).where(
            Submission.state == State.ANSWERED, col(Submission.answered_at) <= now - timedelta(days=10)
        ).limit(500)
    ).all()
    calendar = service.working_calendar(session=session)
    today = now.astimezone(LOCAL_TZ).date()
    due = [sid for sid, answered_at in candidates
           if calendar.add_working_days(answered_at.astimezone(LOCAL_TZ).date(), RATING_WINDOW_WORKING_DAYS) < today]
    closed = 0
    for submission_id in due:
        try:
            with unit_of_work(session):
                submissions_service.close(session=session, submission=session.get(Submission, submission_id),
                                          now=now)
            closed += 1
        except InvalidTransition:
            continue
    return closed
