"""The outbox worker: claims due messages, sends them, records every attempt, retries with backoff; and the
periodic jobs that the same loop runs.

Runs in a thread of each app process by default and as `pakn worker`, so several processes share the work:

- **Messages** are claimed one at a time. A claim is a conditional UPDATE that gives the message a random
  `claim_token` and a lease (`locked_until`) longer than one attempt can take (`lease_for`: the sender's timeout ×
  the blocking steps of one attempt × a margin); on PostgreSQL the candidate is read with FOR UPDATE SKIP LOCKED
  so concurrent workers take different messages. Before sending, the worker re-reads the row and sends only if
  it still holds the token with at least one attempt's time left on the lease. The result is recorded with
  `UPDATE … WHERE id = :id AND claim_token = :token`: a worker whose lease ran out and whose message another
  worker claimed meanwhile records nothing (its rowcount is 0), so a message is never marked sent twice and
  never gets a second success in its attempt log. A process that dies mid-send leaves a lease that expires, and
  the message is picked up again.
- **Jobs** keep their schedule in `job_schedule` (one row per job), not in memory: a process runs a job only
  after claiming its row (token and lease, renewed while the job runs), so two processes never run one job at
  the same time; the next due time is counted from the start of the run, so a job that fell due while every
  process was down runs once when one comes back, not once per missed period.
"""

import json
import logging
import random
import secrets
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app import throttle
from app.config import get_settings
from app.db import begin_write, get_engine, utcnow
from app.notifications.models import DeliveryAttempt, JobSchedule, OutboxMessage, OutboxStatus
from app.throttle import Limit

log = logging.getLogger("pakn.worker")

# One attempt makes several blocking calls, each bounded by the sender's timeout (SMTP: connect, EHLO, STARTTLS,
# EHLO, AUTH, MAIL, RCPT, DATA; a webhook: DNS, connect, write, read). The lease is twice that budget.
SEND_STEPS = 8
LEASE_MARGIN = 2
LEASE_FLOOR = timedelta(minutes=1)
DEFAULT_SENDER_TIMEOUT = 30.0
JOB_LEASE = timedelta(minutes=2)  # renewed every third of it while the job runs; a crashed run holds it this long
CLAIM_TRIES = 5


@dataclass
class DeliveryResult:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds, when the peer asked for it
    permanent: bool = False  # retrying cannot help (e.g. a disabled webhook subscription): give up now


Sender = Callable[[OutboxMessage], DeliveryResult]
SENDERS: dict[str, Sender] = {}
SENDER_TIMEOUTS: dict[str, Callable[[], float]] = {}
# Whether a channel is set up (e.g. SMTP_HOST given). Messages of a channel that is not wait, untouched (no attempt
# is spent on them) and /admin says "chưa cấu hình"; they go once it is configured.
SENDER_CONFIGURED: dict[str, Callable[[], bool]] = {}
# At most so many messages per recipient and hour on a channel; the rest wait for the next window (app/throttle).
RECIPIENT_LIMITS: dict[str, Callable[[], Limit]] = {}


@dataclass
class Job:
    name: str
    fn: Callable[[Session, datetime], object]
    every: timedelta
    lease: timedelta = JOB_LEASE


JOBS: dict[str, Job] = {}


def register_sender(channel: str, fn: Sender, timeout_seconds: float | Callable[[], float] | None = None, *,
                    configured: Callable[[], bool] | None = None,
                    per_recipient_hour: Callable[[], int] | None = None) -> None:
    """`timeout_seconds`: what bounds each blocking call of the sender (a number, or read from the settings);
    `configured`: whether the channel can send now; `per_recipient_hour`: the per-recipient rate limit."""
    SENDERS[channel] = fn
    if configured is not None:
        SENDER_CONFIGURED[channel] = configured
    if per_recipient_hour is not None:
        RECIPIENT_LIMITS[channel] = lambda: Limit(f"outbox.{channel}", per_recipient_hour(), timedelta(hours=1))
    if timeout_seconds is None:
        timeout_seconds = DEFAULT_SENDER_TIMEOUT
    SENDER_TIMEOUTS[channel] = timeout_seconds if callable(timeout_seconds) else (lambda: float(timeout_seconds))


def register_job(name: str, fn: Callable[[Session, datetime], object], every_seconds: float,
                 lease_seconds: float | None = None) -> None:
    """A periodic job run by the worker loop of whichever process claims it first when it is due."""
    JOBS[name] = Job(name=name, fn=fn, every=timedelta(seconds=every_seconds),
                     lease=timedelta(seconds=lease_seconds) if lease_seconds else JOB_LEASE)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at 6 h, with ±20 % jitter so retries from many messages spread out."""
    base = min(30 * 2 ** max(attempts - 1, 0), 6 * 3600)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not security)


def send_budget(channel: str) -> timedelta:
    """The longest one attempt on `channel` is expected to take."""
    timeout = SENDER_TIMEOUTS.get(channel, lambda: DEFAULT_SENDER_TIMEOUT)()
    return timedelta(seconds=timeout * SEND_STEPS)


def lease_for(channel: str) -> timedelta:
    return max(LEASE_FLOOR, send_budget(channel) * LEASE_MARGIN)


def _forget(session: Session, model: type, ident: object) -> None:
    """After a Core UPDATE: the session's cached copy of that row (if any) is reloaded on next access."""
    instance = session.identity_map.get(session.identity_key(model, ident))
    if instance is not None:
        session.expire(instance)


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# --- messages ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """A worker's hold on one message: only this token may record its attempt, until `until` (or until re-claimed)."""

    message_id: int
    token: str
    until: datetime
    message: OutboxMessage  # a detached copy, read when claimed


def unconfigured_channels() -> list[str]:
    return sorted(channel for channel, configured in SENDER_CONFIGURED.items() if not configured())


def _claimable(now: datetime) -> tuple:
    waiting = unconfigured_channels()
    return (
        OutboxMessage.status == OutboxStatus.PENDING,
        col(OutboxMessage.next_attempt_at) <= now,
        or_(col(OutboxMessage.locked_until).is_(None), col(OutboxMessage.locked_until) < now),
        *((col(OutboxMessage.channel).not_in(waiting),) if waiting else ()),
    )


def claim_next(session: Session, now: datetime | None = None) -> Claim | None:
    """Claims the oldest due message nobody holds, in a transaction of its own; None when nothing is due."""
    now = now or utcnow()
    for _ in range(CLAIM_TRIES):
        stmt = (select(OutboxMessage).where(*_claimable(now))
                .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id)).limit(1)
                .execution_options(populate_existing=True))
        if _is_postgresql(session):
            stmt = stmt.with_for_update(skip_locked=True)
        message = session.exec(stmt).first()
        if message is None:
            session.commit()
            return None
        if not _is_postgresql(session):  # SQLite: the read was deferred; the claim takes the write lock
            session.commit()
            begin_write(session)
        token = secrets.token_hex(16)
        until = now + lease_for(message.channel)
        result = session.exec(
            update(OutboxMessage).where(col(OutboxMessage.id) == message.id, *_claimable(now))
            .values(claim_token=token, locked_until=until).execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # another worker claimed it between our read and our update
            session.rollback()
            continue
        copy = OutboxMessage(**{**message.model_dump(), "claim_token": token, "locked_until": until})
        _forget(session, OutboxMessage, message.id)
        session.commit()
        return Claim(message_id=message.id, token=token, until=until, message=copy)
    session.commit()
    return None


def claim(session: Session, now: datetime, limit: int = 1) -> list[Claim]:
    """Up to `limit` claims (each in its own transaction). The loop claims one message at a time."""
    claims = []
    while len(claims) < limit and (c := claim_next(session, now)) is not None:
        claims.append(c)
    return claims


def holds(session: Session, claimed: Claim, now: datetime | None = None) -> bool:
    """True if `claimed` is still this worker's, with at least one attempt's time left on its lease."""
    now = now or utcnow()
    row = session.exec(select(OutboxMessage.status, OutboxMessage.claim_token, OutboxMessage.locked_until)
                       .where(OutboxMessage.id == claimed.message_id)).first()
    session.commit()
    if row is None:
        return False
    status, token, locked_until = row
    return (status == OutboxStatus.PENDING and token == claimed.token and locked_until is not None
            and locked_until - now >= send_budget(claimed.message.channel))


def _send(message: OutboxMessage) -> tuple[DeliveryResult, int]:
    sender = SENDERS.get(message.channel)
    started = time.monotonic()
    if sender is None:
        result = DeliveryResult(ok=False, error=f"no sender for channel {message.channel!r}")
    else:
        try:
            result = sender(message)
        except Exception as exc:  # a sender bug must not kill the worker; it is recorded as a failed attempt
            log.exception("sender %s failed", message.channel)
            result = DeliveryResult(ok=False, error=f"{type(exc).__name__}: {exc}")
    return result, int((time.monotonic() - started) * 1000)


def record(session: Session, claimed: Claim, result: DeliveryResult, now: datetime | None = None,
           duration_ms: int = 0) -> bool:
    """Records the attempt if `claimed` still holds the message (conditional on its token); False if it lost it."""
    now = now or utcnow()
    message = claimed.message  # nobody else changes a message while we hold its token
    attempts = message.attempts + 1
    values: dict = {"attempts": attempts, "locked_until": None, "claim_token": None}
    if result.ok:
        values |= {"status": OutboxStatus.SENT, "sent_at": now, "last_error": None}
    else:
        values["last_error"] = (result.error or f"HTTP {result.status_code}")[:1000]
        if result.permanent or attempts >= message.max_attempts:
            values["status"] = OutboxStatus.DEAD
            log.warning("message %s gave up after %s attempts: %s", message.id, attempts, values["last_error"])
        else:
            delay = backoff(attempts)
            if result.retry_after:
                delay = max(delay, timedelta(seconds=result.retry_after))
            values["next_attempt_at"] = now + delay
    updated = session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == claimed.message_id, col(OutboxMessage.claim_token) == claimed.token)
        .values(**values).execution_options(synchronize_session=False)
    )
    if updated.rowcount != 1:
        session.rollback()
        log.warning("message %s: lease lost during the attempt (another worker claimed it); result not recorded",
                    claimed.message_id)
        return False
    session.add(DeliveryAttempt(message_id=claimed.message_id, attempted_at=now, ok=result.ok,
                                status_code=result.status_code,
                                error=(result.error or None) and result.error[:1000], duration_ms=duration_ms))
    if values.get("status") == OutboxStatus.DEAD:
        _fall_back(session, message, now)
    _forget(session, OutboxMessage, claimed.message_id)
    session.commit()
    return True


def _fall_back(session: Session, message: OutboxMessage, now: datetime) -> None:
    """A message that carries a fallback (Zalo → SMS) is queued again on that channel when it gives up, in the
    transaction that records the last attempt (so exactly once)."""
    try:
        fallback = json.loads(message.payload or "{}").get("fallback")
    except (ValueError, AttributeError):
        fallback = None
    if not fallback:
        return
    session.add(OutboxMessage(channel=fallback["channel"], recipient=message.recipient, subject=message.subject,
                              body=fallback.get("body", message.body), submission_id=message.submission_id,
                              reference=f"fallback:{message.id}",
                              max_attempts=fallback.get("max_attempts", message.max_attempts),
                              next_attempt_at=now, created_at=now))


def _within_rate(session: Session, claimed: Claim, now: datetime) -> bool:
    """Counts this send against the recipient's hourly limit (committed on its own, so it holds whatever happens
    next); over the limit, the message is released untried until the window ends."""
    limit_of = RECIPIENT_LIMITS.get(claimed.message.channel)
    if limit_of is None:
        return True
    begin_write(session)
    decision = throttle.hit(session, limit_of(), claimed.message.recipient, now=now)
    session.commit()
    if decision.allowed:
        return True
    begin_write(session)
    session.exec(update(OutboxMessage).where(col(OutboxMessage.id) == claimed.message_id,
                                             col(OutboxMessage.claim_token) == claimed.token)
                 .values(next_attempt_at=now + timedelta(seconds=decision.retry_after), locked_until=None,
                         claim_token=None).execution_options(synchronize_session=False))
    _forget(session, OutboxMessage, claimed.message_id)
    session.commit()
    log.info("message %s: recipient over the %s rate limit, waits %s s", claimed.message_id,
             claimed.message.channel, decision.retry_after)
    return False


def deliver(session: Session, claimed: Claim, now: datetime | None = None) -> bool | None:
    """One attempt at a claimed message, outside any transaction. True: sent; False: a failed attempt was
    recorded; None: the claim was no longer ours, so nothing was sent (or nothing recorded)."""
    if not holds(session, claimed, now):
        log.info("message %s: claim no longer held, not sending", claimed.message_id)
        return None
    if not _within_rate(session, claimed, now or utcnow()):
        return None
    result, duration_ms = _send(claimed.message)
    if not record(session, claimed, result, now, duration_ms):
        return None
    return result.ok


def run_messages(session: Session, now: datetime | None = None) -> int:
    """Claims and sends due messages one at a time; returns how many attempts were recorded."""
    attempted = 0
    while (claimed := claim_next(session, now)) is not None:
        if deliver(session, claimed, now) is not None:
            attempted += 1
    return attempted


# --- periodic jobs ----------------------------------------------------------------------------------------

def _ensure_scheduled(session: Session, name: str, now: datetime) -> None:
    """A job seen for the first time is due now (inserted once, whoever gets there first)."""
    insert = postgresql_insert if _is_postgresql(session) else sqlite_insert
    session.exec(insert(JobSchedule).values(name=name, next_due_at=now).on_conflict_do_nothing(
        index_elements=["name"]))
    session.commit()


def claim_job(session: Session, job: Job, now: datetime) -> str | None:
    """Claims `job` if it is due and nobody holds it; returns the claim token, or None. A job without a row yet
    (first seen) is due now."""
    token = secrets.token_hex(16)
    for _ in range(2):
        result = session.exec(
            update(JobSchedule).where(
                col(JobSchedule.name) == job.name,
                # due; or, if its period was shortened since, due by the new period
                or_(col(JobSchedule.next_due_at) <= now, col(JobSchedule.last_started_at) <= now - job.every),
                or_(col(JobSchedule.locked_until).is_(None), col(JobSchedule.locked_until) < now),
            ).values(claim_token=token, locked_until=now + job.lease, last_started_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            _forget(session, JobSchedule, job.name)
            session.commit()
            return token
        exists = session.exec(select(JobSchedule.name).where(JobSchedule.name == job.name)).first()
        session.commit()
        if exists:
            return None
        _ensure_scheduled(session, job.name, now)
    return None


def finish_job(session: Session, job: Job, token: str, now: datetime, finished_at: datetime,
               error: str | None = None) -> bool:
    """Releases the claim and schedules the next run one period after this run's start."""
    result = session.exec(
        update(JobSchedule).where(col(JobSchedule.name) == job.name, col(JobSchedule.claim_token) == token)
        .values(next_due_at=now + job.every, last_finished_at=finished_at, last_error=error and error[:1000],
                locked_until=None, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    done = result.rowcount == 1
    _forget(session, JobSchedule, job.name)
    session.commit()
    if not done:
        log.warning("job %s: its lease was lost while it ran; schedule left to the process that took it", job.name)
    return done


class _LeaseKeeper(threading.Thread):
    """Renews a running job's lease every third of it, so a long run is not taken over by another process.

    Uses its own connection, so only when the worker's session is bound to an engine (tests run jobs on one
    shared connection, which another thread must not use; their jobs are short)."""

    def __init__(self, engine: Engine, job: Job, token: str, now: datetime):
        super().__init__(name=f"pakn-lease-{job.name}", daemon=True)
        self.engine, self.job, self.token, self.now = engine, job, token, now
        self.started = time.monotonic()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(self.job.lease.total_seconds() / 3):
            until = self.now + timedelta(seconds=time.monotonic() - self.started) + self.job.lease
            try:
                with Session(self.engine) as session:
                    result = session.exec(
                        update(JobSchedule).where(col(JobSchedule.name) == self.job.name,
                                                  col(JobSchedule.claim_token) == self.token)
                        .values(locked_until=until).execution_options(synchronize_session=False)
                    )
                    session.commit()
                if result.rowcount != 1:
                    log.warning("job %s: lease lost while running", self.job.name)
                    return
            except Exception:
                log.warning("job %s: could not renew its lease", self.job.name, exc_info=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.join()


def _may_claim(row: JobSchedule, job: Job, now: datetime) -> bool:
    """The read-only pre-check of claim_job's conditions, so a pass where nothing is due writes nothing."""
    if row.locked_until is not None and row.locked_until >= now:
        return False  # running elsewhere (or a crashed run's lease has not expired yet)
    return row.next_due_at <= now or (row.last_started_at is not None and row.last_started_at <= now - job.every)


def run_due_jobs(session: Session, now: datetime) -> list[str]:
    """Runs every registered job that is due and not running elsewhere, each as its own unit of work.
    Returns the names of the jobs this call ran."""
    if not JOBS:
        return []
    rows = {row.name: row for row in session.exec(
        select(JobSchedule).execution_options(populate_existing=True)).all()}
    session.commit()
    ran = []
    bind = session.get_bind()
    for job in list(JOBS.values()):
        row = rows.get(job.name)  # None: first seen, due now (claim_job adds its row)
        if row is not None and not _may_claim(row, job, now):
            continue
        token = claim_job(session, job, now)
        if token is None:
            continue
        started = time.monotonic()
        error = None
        with _LeaseKeeper(bind, job, token, now) if isinstance(bind, Engine) else nullcontext():
            try:
                job.fn(session, now)
                session.commit()
            except Exception as exc:
                session.rollback()
                error = f"{type(exc).__name__}: {exc}"
                log.exception("job %s failed", job.name)
        finish_job(session, job, token, now, now + timedelta(seconds=time.monotonic() - started), error)
        ran.append(job.name)
    return ran


# --- the loop ---------------------------------------------------------------------------------------------

def run_once(session: Session, now: datetime | None = None, *, jobs: bool = True) -> int:
    """One pass: due jobs, then every due message. Returns how many message attempts were recorded."""
    if jobs:
        run_due_jobs(session, now or utcnow())
    return run_messages(session, now)


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
