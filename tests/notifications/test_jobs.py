"""Periodic jobs keep their schedule in the database (`job_schedule`), not in each process's memory.

Time is driven with the `now` parameter; a second "process" is a second claim on the same table.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.notifications import worker
from app.notifications.models import JobSchedule

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def jobs(monkeypatch):
    """An empty job registry for the test; returns the list of (job name, now) runs."""
    monkeypatch.setattr(worker, "JOBS", {})
    runs: list[tuple[str, datetime]] = []

    def register(name: str, every: timedelta = HOUR, fail: bool = False, lease: timedelta | None = None):
        def fn(session, now):
            runs.append((name, now))
            if fail:
                raise RuntimeError("hỏng")
        worker.register_job(name, fn, every_seconds=every.total_seconds(),
                            lease_seconds=lease.total_seconds() if lease else None)
        return worker.JOBS[name]

    return register, runs


def schedule(db, name: str) -> JobSchedule:
    return db.exec(select(JobSchedule).where(JobSchedule.name == name)
                   .execution_options(populate_existing=True)).one()


def test_a_new_job_runs_at_once_then_every_period(db, jobs):
    register, runs = jobs
    register("dem")
    assert worker.run_due_jobs(db, T0) == ["dem"]
    row = schedule(db, "dem")
    assert (row.next_due_at, row.last_started_at, row.locked_until, row.claim_token) == (T0 + HOUR, T0, None, None)
    assert row.last_finished_at >= T0 and row.last_error is None
    assert worker.run_due_jobs(db, T0 + 30 * timedelta(minutes=1)) == []
    assert worker.run_due_jobs(db, T0 + HOUR) == ["dem"]
    assert [now for _, now in runs] == [T0, T0 + HOUR]


def test_a_job_missed_while_every_process_was_down_runs_once(db, jobs):
    register, runs = jobs
    register("dem")
    worker.run_due_jobs(db, T0)
    # Every process was down for ten periods; the first one back runs the job once, not ten times.
    back = T0 + 10 * HOUR + timedelta(minutes=7)
    assert worker.run_due_jobs(db, back) == ["dem"]
    assert worker.run_due_jobs(db, back + timedelta(seconds=1)) == []
    assert worker.run_due_jobs(db, back + 30 * timedelta(minutes=1)) == []
    assert schedule(db, "dem").next_due_at == back + HOUR
    assert worker.run_due_jobs(db, back + HOUR) == ["dem"]
    assert [now for _, now in runs] == [T0, back, back + HOUR]


def test_the_schedule_is_shared_not_per_process(db, jobs, monkeypatch):
    """A process that starts (an empty registry, as after a restart) does not run a job another ran recently."""
    register, runs = jobs
    register("dem")
    worker.run_due_jobs(db, T0)
    monkeypatch.setattr(worker, "JOBS", {})  # "another process" starts and registers its jobs
    register("dem")
    assert worker.run_due_jobs(db, T0 + timedelta(minutes=1)) == []
    assert len(runs) == 1


def test_two_processes_never_run_a_job_at_the_same_time(db, jobs):
    register, runs = jobs
    job = register("dem")
    worker.run_due_jobs(db, T0)
    # Process A claims the job when it falls due and is running it …
    token_a = worker.claim_job(db, job, T0 + HOUR)
    assert token_a is not None
    # … so process B, at the same instant or later within A's lease, does not start it.
    assert worker.claim_job(db, job, T0 + HOUR) is None
    assert worker.run_due_jobs(db, T0 + HOUR + job.lease - timedelta(seconds=1)) == []
    # A finishes: the next run is one period after A started.
    assert worker.finish_job(db, job, token_a, T0 + HOUR, T0 + HOUR + timedelta(seconds=3)) is True
    assert worker.run_due_jobs(db, T0 + HOUR + timedelta(minutes=5)) == []
    assert schedule(db, "dem").next_due_at == T0 + 2 * HOUR
    assert [now for _, now in runs] == [T0]


def test_a_crashed_run_is_taken_over_after_its_lease_and_the_late_finish_changes_nothing(db, jobs):
    register, runs = jobs
    job = register("dem", lease=timedelta(minutes=5))
    token_a = worker.claim_job(db, job, T0)  # process A claims, then dies without finishing
    assert worker.run_due_jobs(db, T0 + timedelta(minutes=4)) == []
    later = T0 + timedelta(minutes=6)
    assert worker.run_due_jobs(db, later) == ["dem"]  # B takes it over once A's lease has expired
    assert worker.finish_job(db, job, token_a, T0, T0 + timedelta(minutes=7)) is False  # A's ghost
    assert schedule(db, "dem").next_due_at == later + HOUR
    assert [now for _, now in runs] == [later]


def test_a_failing_job_is_recorded_and_waits_for_its_next_period(db, jobs):
    register, runs = jobs
    register("hong", fail=True)
    register("tot")
    assert worker.run_due_jobs(db, T0) == ["hong", "tot"]  # one job failing does not stop the others
    row = schedule(db, "hong")
    assert row.last_error == "RuntimeError: hỏng" and row.next_due_at == T0 + HOUR and row.claim_token is None
    assert worker.run_due_jobs(db, T0 + timedelta(minutes=1)) == []
    assert worker.run_due_jobs(db, T0 + HOUR) == ["hong", "tot"]
    assert len(runs) == 4


def test_a_shortened_period_applies_without_waiting_for_the_old_one(db, jobs, monkeypatch):
    register, runs = jobs
    register("dem", every=timedelta(days=1))
    worker.run_due_jobs(db, T0)
    register("dem", every=HOUR)  # e.g. PAKN_SLA_SWEEP_SECONDS lowered, process restarted
    assert worker.run_due_jobs(db, T0 + 30 * timedelta(minutes=1)) == []
    assert worker.run_due_jobs(db, T0 + HOUR) == ["dem"]
