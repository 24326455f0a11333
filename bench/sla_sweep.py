"""How fast the deadline sweep is with many open items: idle, steady (every 5 minutes) and catch-up after downtime.

Run from the project root:
      .venv/bin/python bench/sla_sweep.py [--items 10000]               (throw-away SQLite file)
      DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/sla_sweep.py   (uses a throw-away schema)

Items and their answer clocks are inserted directly (10 000 submissions through the full service would mostly
measure routing); crossings are then recorded by the real sweep: hash-chained events and outbox e-mails included.
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

os.environ.setdefault("PAKN_DATA_DIR", tempfile.mkdtemp(prefix="pakn-bench-"))
os.environ.setdefault("PAKN_ARGON2_TIME_COST", "1")  # the seed hashes 132 initial passwords
os.environ.setdefault("PAKN_ARGON2_MEMORY_KIB", "1024")

from alembic import command  # noqa: E402
from sqlalchemy import create_engine, func, text  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app.agencies.models import Agency, Commune, Field  # noqa: E402
from app.cli import alembic_config  # noqa: E402
from app.db import get_engine, make_engine  # noqa: E402
from app.events.models import Event
from app.notifications.models import OutboxMessage  # noqa: E402
from app.seed.reference import seed_reference  # noqa: E402
from app.sla import clock, service  # noqa: E402
from app.sla.calendar import LOCAL_TZ  # noqa: E402
from app.sla.models import SubmissionDeadline  # noqa: E402
from app.sla.scheduled import sweep  # noqa: E402
from app.submissions.models import Submission  # noqa: E402
from app.wiring import register_subscribers  # noqa: E402

BASE = datetime(2026, 3, 16, 7, 30, tzinfo=LOCAL_TZ).astimezone(UTC)  # a Monday morning
SWEEP_SQL = "SELECT id FROM submission_deadlines WHERE next_check_at <= :now ORDER BY next_check_at, id LIMIT 500"


def engine_for_run():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        engine = get_engine()
        command.upgrade(alembic_config(), "head")
        return engine, None
    schema = f"bench_sla_{os.getpid()}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}")
    with engine.connect() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return engine, (admin, schema)


def populate(session: Session, n: int) -> None:
    seed_reference(session=session, credentials_path=None)
    agencies = session.exec(select(Agency)).all()
    for a in agencies:
        a.email = f"{a.code}@dienbien.gov.vn"
    field_id = session.exec(select(Field.id)).first()
    commune_id = session.exec(select(Commune.id)).first()
    policy = service.current_policy(session=session, kind="feedback", priority="normal", phase="answer")
    calendar = service.working_calendar(session=session)
    session.commit()
    for start in range(0, n, 1000):
        subs = []
        for i in range(start, min(n, start + 1000)):
            started = BASE - timedelta(minutes=37 * i % (30 * 24 * 60))  # spread over the previous 30 days
            subs.append(Submission(
                tracking_code=f"DB-2026-B{i:06d}", kind="feedback", priority="normal", field_id=field_id,
                commune_id=commune_id, title=f"Hồ sơ thử {i}", content="Nội dung thử nghiệm hiệu năng.",
                sender_name="Người gửi", sender_phone="0912345678", consented_at=started, state="in_progress",
                agency_id=agencies[i % len(agencies)].id, created_at=started, updated_at=started,
                accepted_at=started))
        session.add_all(subs)
        session.flush()
        for s in subs:
            due, budget = clock.plan(amount=policy.amount, unit=policy.unit, start=s.created_at, calendar=calendar)
            row = SubmissionDeadline(submission_id=s.id, phase="answer", agency_id=s.agency_id, policy_id=policy.id,
                                     policy_version=policy.version, started_at=s.created_at, original_due_at=due,
                                     due_at=due, at_risk_at=due, budget_seconds=budget, created_at=s.created_at,
                                     updated_at=s.created_at)
            clock.arm(row, s.created_at, calendar)
            session.add(row)
        session.commit()


def timed(session: Session, now: datetime):
    started = time.perf_counter()
    report = sweep(session=session, now=now)
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    register_subscribers()  # the crossings' e-mails are queued by the notifications subscriber, as in the app
    engine, cleanup = engine_for_run()
    try:
        with Session(engine, expire_on_commit=False) as session:
            t = time.perf_counter()
            populate(session, args.items)
            print(f"backend {engine.dialect.name}: {args.items:,} open items with running answer clocks "
                  f"(set up in {time.perf_counter() - t:.1f} s)")

            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))  # as autovacuum would; a fresh table has no statistics
                conn.commit()
                plan_sql = ("EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ") + SWEEP_SQL
                plan = conn.execute(text(plan_sql), {"now": BASE - timedelta(days=60)}).all()
                print("sweep query plan: " + " | ".join(str(r[-1]) for r in plan))

            idle = [timed(session, BASE - timedelta(days=60))[0] for _ in range(50)]
            print(f"idle sweep (nothing due): median {statistics.median(idle) * 1000:.2f} ms over 50 runs")

            seconds, report = timed(session, BASE)
            done = report.at_risk + report.overdue
            print(f"catch-up after downtime (first sweep on Monday morning): {done:,} crossings "
                  f"({report.at_risk:,} at risk, {report.overdue:,} overdue) with {report.emails:,} e-mails "
                  f"in {seconds:.1f} s = {done / seconds:,.0f} crossings/s")

            steady, crossings = [], 0
            now = BASE
            for _ in range(12 * 10):  # every 5 minutes over the working day that follows
                now += timedelta(minutes=5)
                seconds, report = timed(session, now)
                steady.append(seconds)
                crossings += report.at_risk + report.overdue
            print(f"steady sweeps every 5 min for 10 hours: {crossings:,} crossings, "
                  f"median {statistics.median(steady) * 1000:.1f} ms, max {max(steady) * 1000:.1f} ms per sweep")

            seconds, report = timed(session, BASE + timedelta(days=60))
            done = report.at_risk + report.overdue
            print(f"everything else at once: {done:,} crossings in {seconds:.1f} s = {done / seconds:,.0f} crossings/s")
            events = session.exec(select(func.count()).select_from(Event)
                                  .where(Event.type.in_(["deadline_at_risk", "deadline_overdue"]))).one()
            mails = session.exec(select(func.count()).select_from(OutboxMessage)).one()
            print(f"check: {events:,} crossing events for {args.items:,} clocks (2 each), {mails:,} outbox e-mails")
            again, report = timed(session, BASE + timedelta(days=60))
            print(f"second sweep at the same instant: {report.at_risk + report.overdue} crossings "
                  f"in {again * 1000:.2f} ms")
    finally:
        if cleanup:
            admin, schema = cleanup
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


if __name__ == "__main__":
    main()
