"""Outbox claims: a token and a lease per message; only the holder of the token sends and records.

Time is driven with the `now` parameter, as in test_outbox.py; two "workers" are two claims on one session, in
the order the race would interleave them. Runs on SQLite, and on PostgreSQL when DATABASE_URL points there.
"""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from app.config import get_settings
from app.db import utcnow
from app.notifications import worker
from app.notifications.models import DeliveryAttempt, OutboxMessage
from app.notifications.service import enqueue


class FakeSender:
    """Channel "test": counts every message it is asked to send; `during` runs inside a send (once)."""

    def __init__(self):
        self.sent: list[int] = []
        self.during = None

    def __call__(self, message: OutboxMessage) -> worker.DeliveryResult:
        self.sent.append(message.id)
        during, self.during = self.during, None
        if during is not None:
            during(message)
        return worker.DeliveryResult(ok=True, status_code=250)


@pytest.fixture
def sender(monkeypatch):
    fake = FakeSender()
    monkeypatch.setitem(worker.SENDERS, "test", fake)
    monkeypatch.setitem(worker.SENDER_TIMEOUTS, "test", lambda: 10.0)
    return fake


def queue(db, n: int) -> list[int]:
    messages = [enqueue(session=db, channel="test", recipient=f"r{i}@example.vn", subject="Thử", body="x")
                for i in range(n)]
    db.commit()
    return [m.id for m in messages]


def attempts_of(db, message_id: int) -> list[DeliveryAttempt]:
    return list(db.exec(select(DeliveryAttempt).where(DeliveryAttempt.message_id == message_id)
                        .order_by(col(DeliveryAttempt.id))).all())


def fresh(db, message_id: int) -> OutboxMessage:
    return db.exec(select(OutboxMessage).where(OutboxMessage.id == message_id)
                   .execution_options(populate_existing=True)).one()


def test_the_lease_outlasts_an_attempt():
    settings = get_settings()
    for channel, timeout in (("email", settings.smtp_timeout_seconds), ("webhook", settings.webhook_timeout_seconds)):
        assert worker.send_budget(channel) >= timedelta(seconds=timeout * worker.SEND_STEPS)
        assert worker.lease_for(channel) >= worker.send_budget(channel) * worker.LEASE_MARGIN


def test_a_claim_has_a_random_token_and_a_held_message_is_not_claimed_again(db, sender):
    [message_id] = queue(db, 1)
    now = utcnow()
    first = worker.claim_next(db, now)
    assert first.message_id == message_id and len(first.token) == 32
    row = fresh(db, message_id)
    assert row.claim_token == first.token and row.locked_until == first.until
    assert first.until - now == worker.lease_for("test")
    assert worker.claim_next(db, now) is None  # a second worker finds nothing to claim
    assert worker.claim_next(db, first.until - timedelta(seconds=1)) is None
    second = worker.claim_next(db, first.until + timedelta(seconds=1))  # the first worker died: lease expired
    assert second.message_id == message_id and second.token != first.token


def test_two_workers_with_expired_leases_send_each_message_once(db, sender):
    ids = queue(db, 3)
    t0 = utcnow()
    # Worker A claims every message, then stalls (GC pause, lost network…) past its leases.
    a = worker.claim(db, t0, limit=3)
    assert sorted(c.message_id for c in a) == sorted(ids)
    # Worker B sees the expired leases and claims the same messages with new tokens.
    t1 = t0 + worker.lease_for("test") + timedelta(seconds=1)
    b = worker.claim(db, t1, limit=5)
    assert sorted(c.message_id for c in b) == sorted(ids)
    # A wakes up: it re-checks its claims before sending, finds them taken, sends nothing, records nothing.
    assert [worker.deliver(db, c, t0 + timedelta(seconds=5)) for c in a] == [None, None, None]
    assert sender.sent == []
    # B sends each message once.
    assert [worker.deliver(db, c, t1) for c in b] == [True, True, True]
    # And whoever comes next finds nothing left, even with every lease long expired.
    assert worker.run_once(db, t1 + timedelta(days=1), jobs=False) == 0
    assert sorted(sender.sent) == sorted(ids)
    for message_id in ids:
        row = fresh(db, message_id)
        assert (row.status, row.attempts, row.claim_token, row.locked_until) == ("sent", 1, None, None)
        assert [a.ok for a in attempts_of(db, message_id)] == [True]


def test_an_expired_claim_is_not_sent_even_if_nobody_took_it(db, sender):
    [message_id] = queue(db, 1)
    t0 = utcnow()
    a = worker.claim_next(db, t0)
    # Less than one attempt's time left on the lease: sending now could overlap with a worker that claims it
    # when the lease ends, so the worker does not start.
    late = a.until - worker.send_budget("test") + timedelta(seconds=1)
    assert worker.deliver(db, a, late) is None
    assert sender.sent == [] and attempts_of(db, message_id) == []
    assert worker.run_once(db, a.until + timedelta(seconds=1), jobs=False) == 1
    assert sender.sent == [message_id]


def test_a_worker_that_outlived_its_lease_does_not_record_a_second_success(db, sender):
    """The lease is meant to outlast any attempt; if one still runs past it (a peer trickling its answer) and
    another worker claims and sends the message meanwhile, the late worker's result is not recorded."""
    [message_id] = queue(db, 1)
    t0 = utcnow()
    a = worker.claim_next(db, t0)
    t1 = t0 + worker.lease_for("test") + timedelta(seconds=1)
    outcome = {}

    def worker_b_runs_meanwhile(_message):
        b = worker.claim_next(db, t1)
        assert b is not None and b.message_id == message_id
        outcome["b"] = worker.deliver(db, b, t1)

    sender.during = worker_b_runs_meanwhile
    assert worker.deliver(db, a, t0) is None  # A's send returned ok, but A no longer held the claim
    assert outcome["b"] is True
    row = fresh(db, message_id)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, t1)
    assert [(x.ok, x.attempted_at) for x in attempts_of(db, message_id)] == [(True, t1)]


def test_a_failed_attempt_is_recorded_only_by_the_holder(db, sender, monkeypatch):
    [message_id] = queue(db, 1)
    t0 = utcnow()
    a = worker.claim_next(db, t0)
    t1 = t0 + worker.lease_for("test") + timedelta(seconds=1)
    b = worker.claim_next(db, t1)
    failed = worker.DeliveryResult(ok=False, status_code=503, error="HTTP 503")
    assert worker.record(db, a, failed, t0) is False
    assert worker.record(db, b, failed, t1) is True
    row = fresh(db, message_id)
    assert (row.status, row.attempts, row.claim_token) == ("pending", 1, None)
    assert row.next_attempt_at > t1
    assert len(attempts_of(db, message_id)) == 1
