"""The outbox worker: claims due messages, sends them, records every attempt, retries with backoff.

Runs in a thread of each app process by default and as `pakn worker`. Claims use a lease (`locked_until`) and,
on PostgreSQL, FOR UPDATE SKIP LOCKED, so several processes never send the same message at once; a process that
dies mid-send leaves a lease that expires, and the message is picked up again.
"""

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import get_engine, utcnow
from app.notifications.models import DeliveryAttempt, OutboxMessage

log = logging.getLogger("pakn.worker")

LEASE = timedelta(minutes=2)
BATCH = 20


@dataclass
class DeliveryResult:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds, when the peer asked for it
    permanent: bool = False  # retrying cannot help (e.g. a disabled webhook subscription): give up now


Sender = Callable[[OutboxMessage], DeliveryResult]
SENDERS: dict[str, Sender] = {}


@dataclass
class Job:
    name: str
    fn: Callable[[Session, datetime], object]
    every: timedelta
    next_run: datetime | None = None


JOBS: dict[str, Job] = {}


def register_sender(channel: str, fn: Sender) -> None:
    SENDERS[channel] = fn


def register_job(name: str, fn: Callable[[Session, datetime], object], every_seconds: float) -> None:
    """A periodic job run by the same loop. Jobs must be idempotent: every process runs them."""
    JOBS[name] = Job(name=name, fn=fn, every=timedelta(seconds=every_seconds))


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at 6 h, with ±20 % jitter so retries from many messages spread out."""
    base = min(30 * 2 ** max(attempts - 1, 0), 6 * 3600)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not security)


def claim(session: Session, now: datetime, limit: int = BATCH) -> list[int]:
    stmt = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
            or_(col(OutboxMessage.locked_until).is_(None), col(OutboxMessage.locked_until) < now),
        )
        .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    messages = session.exec(stmt).all()
    for message in messages:
        message.locked_until = now + LEASE
        session.add(message)
    ids = [m.id for m in messages]
    session.commit()
    return ids


def deliver(session: Session, message_id: int, now: datetime | None = None) -> bool:
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status != "pending":
        session.commit()
        return False
    sender = SENDERS.get(message.channel)
    message = OutboxMessage(**message.model_dump())  # a detached copy: no transaction or lock is held while sending
    session.commit()

    started = time.monotonic()
    if sender is None:
        result = DeliveryResult(ok=False, error=f"no sender for channel {message.channel!r}")
    else:
        try:
            result = sender(message)
        except Exception as exc:  # a sender bug must not kill the worker; it is recorded as a failed attempt
            log.exception("sender %s failed", message.channel)
            result = DeliveryResult(ok=False, error=f"{type(exc).__name__}: {exc}")
    duration_ms = int((time.monotonic() - started) * 1000)

    now = now or utcnow()
    row = session.get(OutboxMessage, message_id)
    row.attempts += 1
    row.locked_until = None
    session.add(DeliveryAttempt(message_id=row.id, attempted_at=now, ok=result.ok, status_code=result.status_code,
                                error=(result.error or None) and result.error[:1000], duration_ms=duration_ms))
    if result.ok:
        row.status = "sent"
        row.sent_at = now
        row.last_error = None
    else:
        row.last_error = (result.error or f"HTTP {result.status_code}")[:1000]
        if result.permanent or row.attempts >= row.max_attempts:
            row.status = "dead"
            log.warning("message %s gave up after %s attempts: %s", row.id, row.attempts, row.last_error)
        else:
            delay = backoff(row.attempts)
            if result.retry_after:
                delay = max(delay, timedelta(seconds=result.retry_after))
            row.next_attempt_at = now + delay
    session.add(row)
    session.commit()
    return result.ok


def run_due_jobs(session: Session, now: datetime) -> None:
    for job in JOBS.values():
        if job.next_run is None or job.next_run <= now:
            try:
                job.fn(session, now)
                session.commit()
            except Exception:
                session.rollback()
                log.exception("job %s failed", job.name)
            job.next_run = now + job.every


def run_once(session: Session, now: datetime | None = None, *, jobs: bool = True) -> int:
    """One pass: due jobs, then every due message. Returns how many messages were attempted."""
    _register_builtin()
    now = now or utcnow()
    if jobs:
        run_due_jobs(session, now)
    attempted = 0
    while ids := claim(session, now):
        for message_id in ids:
            deliver(session, message_id)
            attempted += 1
        if len(ids) < BATCH:
            break
    return attempted


def _register_builtin() -> None:
    from app.integrations.webhooks import send_webhook
    from app.notifications.email import send_email

    SENDERS.setdefault("email", send_email)
    SENDERS.setdefault("webhook", send_webhook)


class WorkerThread(threading.Thread):
    """The in-app worker: one per process; stops when the app shuts down."""

    def __init__(self, poll_seconds: float):
        super().__init__(name="pakn-outbox", daemon=True)
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                with Session(get_engine(), expire_on_commit=False) as session:
                    run_once(session)
            except Exception:
                log.exception("outbox pass failed")
            self.stopping.wait(self.poll_seconds)

    def stop(self) -> None:
        self.stopping.set()


def run_forever() -> None:
    """`pakn worker`: the same loop in the foreground."""
    thread = WorkerThread(get_settings().worker_poll_seconds)
    thread.run()
