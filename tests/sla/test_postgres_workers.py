"""Two sweeping processes on PostgreSQL record each crossing exactly once.

The processes share a throw-away schema of the test database (committed data is needed across processes, so the
usual rolled-back test transaction cannot be used), start at the same instant and sweep in small batches, so
they really compete for the same rows. Skipped unless DATABASE_URL points at PostgreSQL.
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

from app.accounts.models import Account
from app.db import utcnow
from app.events import chain as audit
from app.events.models import Event
from app.sla.models import SubmissionDeadline
from app.submissions import service as submissions_service
from tests.conftest import submission_data
from tests.databases import scratch_database

DATABASE_URL = os.environ.get("DATABASE_URL", "")
pytestmark = pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"), reason="needs PostgreSQL")

ROOT = Path(__file__).resolve().parents[2]
ITEMS = 120
WORKER = """
import json, os, sys, time
from sqlmodel import Session
from app.db import make_engine
from app.sla.scheduled import sweep
engine = make_engine(os.environ["RACE_URL"])
start_at = float(sys.argv[1])
while time.time() < start_at:
    time.sleep(0.002)
with Session(engine, expire_on_commit=False) as session:
    report = sweep(session=session, batch_size=8)
print(json.dumps(report.__dict__))
"""


@pytest.fixture
def race_schema(tmp_path):
    with scratch_database("sla_race", tmp_path, seed=True) as (url, engine):
        yield url, engine


def test_two_worker_processes_record_each_crossing_once(race_schema, tmp_path):
    url, engine = race_schema
    past = utcnow() - timedelta(days=40)
    with Session(engine, expire_on_commit=False) as session:
        officer = session.exec(select(Account).where(Account.username == "so-khcn")).one()
        for i in range(ITEMS):
            item = submissions_service.submit(session=session, data=submission_data(title=f"Mất sóng ở bản số {i}"),
                                              now=past)
            if i % 2:  # half answer clocks, half accept clocks; every one crossed both points long ago
                submissions_service.accept(session=session, submission=item, actor=officer, now=past)
        session.commit()
        due = session.exec(select(func.count()).select_from(SubmissionDeadline)
                           .where(SubmissionDeadline.next_check_at <= utcnow())).one()
        assert due == ITEMS

    env = {**os.environ, "RACE_URL": url, "PAKN_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    start_at = str(time.time() + 2.0)
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, start_at], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    reports = []
    for w in workers:
        out, err = w.communicate(timeout=120)
        assert w.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))

    assert sum(r["at_risk"] for r in reports) == ITEMS
    assert sum(r["overdue"] for r in reports) == ITEMS
    assert all(r["at_risk"] + r["overdue"] > 0 for r in reports), reports  # both processes did real work
    with Session(engine) as session:
        per_item = session.exec(
            select(Event.submission_id, Event.type, func.count())
            .where(Event.type.in_(["deadline_at_risk", "deadline_overdue"]))
            .group_by(Event.submission_id, Event.type)
        ).all()
        assert len(per_item) == 2 * ITEMS
        assert {n for _, _, n in per_item} == {1}
        checked, broken = audit.verify(session)
        assert broken is None and checked > 2 * ITEMS
        # A third sweep afterwards finds nothing left to record.
        leftover = session.exec(select(func.count()).select_from(SubmissionDeadline)
                                .where(SubmissionDeadline.next_check_at <= utcnow())).one()
        assert leftover == 0
