"""How long the audit chain's head lock is held, with concurrent writers on PostgreSQL.

Each writer thread creates items through the domain service (`submissions.service.submit`: SUBMITTED and ROUTED
events, deadline clocks, outbox messages, one commit). For every commit we measure
  wait   asking for the head lock → getting it
  hold   getting the head lock → COMMIT returned (the lock is released by the commit)
  span   the transaction's first event → COMMIT returned: how long the old append (lock at the first event,
         held until commit) kept the head locked for the same unit of work
`--old` puts the old behaviour back for comparison (the head locked FOR UPDATE at the first event).

Run (a throw-away schema is created and dropped in the given database):
  bash scripts/start-postgres
  DATABASE_URL=postgresql+psycopg://pakn:pakn@127.0.0.1:54329/pakn_test .venv/bin/python bench/chain_lock.py
  … bench/chain_lock.py --old              (the previous behaviour, for comparison)
  … bench/chain_lock.py --processes        (writers are processes, as uvicorn workers are; default: threads)
"""

import argparse
import multiprocessing
import os
import threading
import time
import uuid

os.environ.setdefault("PAKN_ARGON2_TIME_COST", "1")
os.environ.setdefault("PAKN_ARGON2_MEMORY_KIB", "1024")
os.environ.setdefault("PAKN_WORKER_IN_APP", "false")

from alembic import command  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy.orm import Session as OrmSession  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.cli import alembic_config  # noqa: E402
from app.db import make_engine  # noqa: E402
from app.events import chain  # noqa: E402
from app.events.models import ChainHead  # noqa: E402
from app.seed.reference import seed_reference  # noqa: E402
from app.submissions import service  # noqa: E402
from app.submissions.schemas import SubmissionCreate  # noqa: E402
from app.wiring import register_subscribers  # noqa: E402

FIRST_EVENT_KEY = "bench_first_event"
samples: dict[str, list[float]] = {"wait": [], "hold": [], "span": []}
lock = threading.Lock()


def instrument(old: bool) -> None:
    original = chain.append

    def append(session, event):
        if FIRST_EVENT_KEY not in session.info:
            session.info[FIRST_EVENT_KEY] = time.perf_counter()
            if old:  # the previous implementation: the head locked at the first event, until commit
                session.connection().execute(select(ChainHead.__table__.c.id).where(ChainHead.id == 1)
                                             .with_for_update())
        return original(session, event)

    chain.append = append

    @sa_event.listens_for(OrmSession, "after_commit")
    def measure(session):
        now = time.perf_counter()
        info = session.info
        first = info.pop(FIRST_EVENT_KEY, None)
        asked, got = info.pop(chain.LOCK_REQUESTED_KEY, None), info.pop(chain.LOCKED_AT_KEY, None)
        with lock:
            if first is not None:
                samples["span"].append(now - first)
            if asked is not None and got is not None:
                samples["wait"].append(got - asked)
                samples["hold"].append(now - got)


def submission_data(title: str) -> SubmissionCreate:
    return SubmissionCreate(kind="feedback", field_code="ha-tang-so", commune_code="xa-muong-nhe", title=title,
                            content="Từ tháng trước sóng điện thoại rất yếu, không gọi được.",
                            sender_name="Lò Văn Minh", sender_phone="0912345678", consent=True)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def _write(engine, n: int, items: int) -> None:
    with Session(engine, expire_on_commit=False) as session:
        for i in range(items):
            service.submit(session=session, data=submission_data(title=f"Mất sóng ở bản số {n}-{i}"))


def _process(url: str, n: int, items: int, old: bool, start_at: float, out) -> None:
    """One writer process (spawned): its own engine, no GIL shared with the other writers."""
    register_subscribers()
    instrument(old)
    engine = make_engine(url)
    while time.time() < start_at:
        time.sleep(0.002)
    _write(engine, n, items)
    engine.dispose()
    out.put(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--items", type=int, default=40, help="items per writer")
    parser.add_argument("--processes", action="store_true", help="writers are processes (default: threads)")
    parser.add_argument("--old", action="store_true", help="lock the head at the first event (old behaviour)")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    assert url.startswith("postgresql"), "PostgreSQL only (SQLite serialises writers anyway)"

    register_subscribers()
    schema = f"bench_chain_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    schema_url = url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    engine = make_engine(schema_url)
    try:
        with engine.connect() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        with Session(engine) as session:
            seed_reference(session=session, credentials_path=None)
        if args.processes:
            ctx = multiprocessing.get_context("spawn")
            out = ctx.Queue()
            start_at = time.time() + 3
            procs = [ctx.Process(target=_process, args=(schema_url, n, args.items, args.old, start_at, out))
                     for n in range(args.writers)]
            for p in procs:
                p.start()
            results = [out.get(timeout=600) for _ in procs]
            elapsed = time.time() - start_at
            for p in procs:
                p.join()
            for result in results:
                for name, values in result.items():
                    samples[name].extend(values)
        else:
            instrument(args.old)
            barrier = threading.Barrier(args.writers)

            def writer(n: int) -> None:
                barrier.wait()
                _write(engine, n, args.items)

            threads = [threading.Thread(target=writer, args=(n,)) for n in range(args.writers)]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
        with Session(engine) as session:
            count, broken = chain.verify(session)
        total = args.writers * args.items
        mode = "old: head locked at the first event" if args.old else "new: linked at commit"
        print(f"{mode}; {args.writers} writer {'processes' if args.processes else 'threads'} × {args.items} items "
              f"= {total} commits in {elapsed:.1f} s ({total / elapsed:.0f} items/s); chain of {count} events "
              f"{'OK' if broken is None else broken}")
        for name in ("wait", "hold", "span"):
            values = samples[name]
            if values:
                print(f"  {name:5} p50 {pct(values, .5):6.2f} ms  p95 {pct(values, .95):6.2f} ms  "
                      f"p99 {pct(values, .99):6.2f} ms  max {max(values) * 1000:6.2f} ms  (n={len(values)})")
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


if __name__ == "__main__":
    main()
