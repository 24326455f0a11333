"""Two worker processes on one database: each message is sent once, each due job runs once and never twice at once.

Committed data is needed across processes, so these tests use a database of their own (a SQLite file, or a
throw-away schema when DATABASE_URL points at PostgreSQL) instead of the rolled-back test transaction. The
processes wait for the same instant before starting, so they really compete.
"""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from app.db import utcnow
from app.notifications.models import DeliveryAttempt, JobSchedule, OutboxMessage
from tests.databases import scratch_database

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 60

COMMON = """
import json, os, sys, time
from sqlmodel import Session
from app.db import make_engine, utcnow
from app.notifications import worker
engine = make_engine(os.environ["RACE_URL"])
start_at = float(sys.argv[1])
"""

SEND = COMMON + """
sent = []
def send(message):
    sent.append(message.id)
    time.sleep(0.005)
    return worker.DeliveryResult(ok=True, status_code=250)
worker.register_sender("test", send, 1.0)
while time.time() < start_at:
    time.sleep(0.002)
with Session(engine, expire_on_commit=False) as session:
    attempted = worker.run_once(session, jobs=False)
print(json.dumps({"attempted": attempted, "sent": sent}))
"""

JOBS = COMMON + """
def job(session, now):
    time.sleep(2.0)  # longer than its lease: only the lease renewal keeps the other process out
worker.register_job("race", job, every_seconds=3600, lease_seconds=0.6)
while time.time() < start_at:
    time.sleep(0.002)
ran = []
until = start_at + 3.5
while time.time() < until:
    with Session(engine, expire_on_commit=False) as session:
        ran += worker.run_due_jobs(session, utcnow())
    time.sleep(0.05)
print(json.dumps({"ran": ran}))
"""



@pytest.fixture
def shared_db(tmp_path):
    """(url, engine) of a freshly migrated database that several processes can share."""
    with scratch_database("outbox_race", tmp_path) as (url, engine):
        yield url, engine


def run_processes(script: str, url: str, tmp_path: Path, n: int = 2) -> list[dict]:
    env = {**os.environ, "RACE_URL": url, "PAKN_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    start_at = str(time.time() + 3.0)
    procs = [subprocess.Popen([sys.executable, "-c", script, start_at], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(n)]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def test_two_workers_with_expired_leases_send_each_message_once(shared_db, tmp_path):
    url, engine = shared_db
    now = utcnow()
    with Session(engine) as session:
        # A worker claimed every message and died: its leases have expired.
        for i in range(MESSAGES):
            session.add(OutboxMessage(channel="test", recipient=f"r{i}@example.vn", subject="Thử", body="x",
                                      next_attempt_at=now - timedelta(hours=1), claim_token="d" * 32,
                                      locked_until=now - timedelta(minutes=1)))
        session.commit()
        ids = set(session.exec(select(OutboxMessage.id)).all())

    reports = run_processes(SEND, url, tmp_path)

    sent = [message_id for r in reports for message_id in r["sent"]]
    assert sorted(sent) == sorted(ids)  # every message once, none twice
    assert sum(r["attempted"] for r in reports) == MESSAGES
    assert all(r["sent"] for r in reports), reports  # both processes did real work
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage)).all()
        assert {(m.status, m.attempts, m.claim_token) for m in rows} == {("sent", 1, None)}
        per_message = session.exec(select(DeliveryAttempt.message_id, func.count())
                                   .group_by(DeliveryAttempt.message_id)).all()
        assert len(per_message) == MESSAGES and {n for _, n in per_message} == {1}


def test_two_processes_run_a_due_job_once_and_never_at_the_same_time(shared_db, tmp_path):
    url, engine = shared_db
    reports = run_processes(JOBS, url, tmp_path)
    assert sorted(name for r in reports for name in r["ran"]) == ["race"]
    with Session(engine) as session:
        row = session.exec(select(JobSchedule).where(JobSchedule.name == "race")).one()
        assert row.claim_token is None and row.locked_until is None and row.last_error is None
        assert row.last_finished_at - row.last_started_at >= timedelta(seconds=2)
        assert row.next_due_at == row.last_started_at + timedelta(hours=1)
