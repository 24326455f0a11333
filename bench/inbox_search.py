"""How long one inbox query takes (search, filters, sort, one page + count) over N items, default 10 000.

Run: .venv/bin/python bench/inbox_search.py [--count 10000]          (throw-away SQLite database)
     DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/inbox_search.py --reset-postgres
       (PostgreSQL: DROPS SCHEMA public of that database first; point it at a scratch database)

Items get realistic Vietnamese text from the demo generator and the agency the routing engine picks; they are
inserted in bulk (not through `submit`, which would take minutes), with `search_text` filled as `submit` does.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's `app`, not an installed one

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, default=10_000)
parser.add_argument("--runs", type=int, default=30)
parser.add_argument("--reset-postgres", action="store_true")
args = parser.parse_args()

if not os.environ.get("DATABASE_URL"):
    os.environ["PAKN_DATA_DIR"] = tempfile.mkdtemp(prefix="pakn-bench-")
os.environ.setdefault("PAKN_ARGON2_TIME_COST", "1")
os.environ.setdefault("PAKN_ARGON2_MEMORY_KIB", "1024")

from alembic import command  # noqa: E402
from app.submissions.inbox import InboxFilters  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from app.agencies.models import Agency, Commune, Field  # noqa: E402
from app.cli import alembic_config  # noqa: E402
from app.db import get_engine  # noqa: E402
from app.inbox import service as inbox_service  # noqa: E402
from app.routing.engine import RoutingInput, decide  # noqa: E402
from app.routing.service import load_rule_specs  # noqa: E402
from app.seed import demo  # noqa: E402
from app.seed.reference import seed_reference  # noqa: E402
from app.submissions import search  # noqa: E402
from app.submissions.contact import new_tracking_code  # noqa: E402
from app.submissions.models import Submission  # noqa: E402


def prepare(engine) -> None:
    if engine.dialect.name == "postgresql":
        if not args.reset_postgres:
            sys.exit("PostgreSQL: pass --reset-postgres (drops schema public of DATABASE_URL's database)")
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    command.upgrade(alembic_config(), "head")


def fill(session: Session, count: int) -> None:
    seed_reference(session=session, credentials_path=None)
    rng = random.Random(57)
    fields = list(session.exec(select(Field).order_by(Field.sort_order)).all())
    communes = list(session.exec(select(Commune).order_by(Commune.id)).all())
    specs = load_rule_specs(session=session)
    agencies = {a.code: a.id for a in session.exec(select(Agency)).all()}
    coordinator = session.exec(select(Agency.id).where(Agency.is_coordinator == True)).one()  # noqa: E712
    field_ids, commune_ids = {f.code: f.id for f in fields}, {c.code: c.id for c in communes}
    plans = demo._plans(rng, count=count, now=datetime.now(UTC), fields=fields, communes=communes, specs=specs)
    codes: set[str] = set()
    batch = []
    for plan in plans:
        d, created = plan.data, plan.times["created"]
        code = new_tracking_code(created)
        while code in codes:
            code = new_tracking_code(created)
        codes.add(code)
        decision = decide(RoutingInput(kind=d.kind.value, field_code=d.field_code, commune_code=d.commune_code,
                                       text=f"{d.title}\n{d.content}"), specs)
        s = Submission(
            tracking_code=code, kind=d.kind.value, priority=d.priority.value, field_id=field_ids[d.field_code],
            commune_id=commune_ids[d.commune_code], title=d.title, content=d.content, sender_type=d.sender_type.value,
            sender_name=d.sender_name, sender_phone=d.sender_phone, sender_email=d.sender_email,
            consented_at=created, created_at=created, updated_at=created,
            state="assigned" if decision.agency_code else "triage",
            agency_id=agencies[decision.agency_code] if decision.agency_code else coordinator,
            routing_rule_id=decision.rule_id, routing_explanation=decision.explanation,
        )
        search.fill(s)
        batch.append(s)
        if len(batch) == 1000:
            session.add_all(batch)
            session.commit()
            batch = []
    session.add_all(batch)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("ANALYZE submissions"))
        session.commit()


def timed(session: Session, agency_id: int, filters: InboxFilters) -> tuple[int, float, float]:
    samples = []
    for _ in range(args.runs):
        start = time.perf_counter()
        page = inbox_service.inbox(session=session, agency_id=agency_id, filters=filters)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return page.total, statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    engine = get_engine()
    prepare(engine)
    with Session(engine) as session:
        start = time.perf_counter()
        fill(session, args.count)
        loaded = time.perf_counter() - start
        busiest, n = session.exec(select(Submission.agency_id, func.count()).group_by(Submission.agency_id)
                                  .order_by(func.count().desc())).first()
        name = session.get(Agency, busiest).name
        some_code = session.exec(select(Submission.tracking_code).where(Submission.agency_id == busiest)).first()
        print(f"{engine.dialect.name}: {args.count:,} items loaded in {loaded:.1f} s; busiest agency {name}: "
              f"{n:,} items. One inbox query = count + one page of 25, {args.runs} runs.")
        print(f"{'query':<52}{'matches':>9}{'median ms':>11}{'p95 ms':>9}")
        cases = [
            ("no filter, newest first", InboxFilters()),
            ("state=assigned, sort=urgency", InboxFilters(state="assigned", sort="urgency")),
            ("q='muong nhe'", InboxFilters(q="muong nhe")),
            ("q='Mường Nhé' (with diacritics)", InboxFilters(q="Mường Nhé")),
            ("q='duong' (đường)", InboxFilters(q="duong")),
            ("q='song 4g yeu' + kind=feedback", InboxFilters(q="song 4g yeu", kind="feedback")),
            (f"q='{some_code}' (tracking code)", InboxFilters(q=some_code)),
            ("q='dich vu cong' + from/to dates, oldest first",
             InboxFilters(q="dich vu cong", created_from=datetime.now(UTC).date().replace(day=1),
                          created_to=datetime.now(UTC).date(), sort="oldest")),
        ]
        for label, filters in cases:
            total, median, p95 = timed(session, busiest, filters)
            print(f"{label:<52}{total:>9,}{median:>11.2f}{p95:>9.2f}")
        if engine.dialect.name == "postgresql":
            where = search.condition("muong nhe", engine.dialect)
            stmt = select(Submission.id).where(Submission.agency_id == busiest, where)
            sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
            plan = [r[0] for r in session.exec(text("EXPLAIN " + sql)).all()]
            print("plan for q='muong nhe':\n  " + "\n  ".join(plan))


if __name__ == "__main__":
    main()
