"""Reports at scale: fill a database with N realistic items (default 1,000,000) in bulk, then time the public
pages (/thong-ke, /cong-khai, /du-lieu-mo), the coordinator's dashboard and the quarterly report through the app.

Run (SQLite, a throw-away file; --db keeps it for a second run with --skip-fill):
    .venv/bin/python bench/reports.py --count 1000000 [--db /tmp/pakn-reports.db] [--skip-fill]
PostgreSQL (DROPS SCHEMA public of that database first; point it at a scratch database):
    DATABASE_URL=postgresql+psycopg://pakn:pakn@127.0.0.1:54329/pakn_bench \\
        .venv/bin/python bench/reports.py --count 1000000 --reset-postgres

What is generated: items spread over 1/2024 … today (more on weekdays), 130 agencies (a few busy, a long tail),
45 communes, 4 kinds, 18 fields, 3 channels; per item its stored deadline clocks as app/sla writes them
(accept clock stopped by acceptance or a transfer, answer clock stopped by the answer with `on_time` and
`margin_seconds`, or still running for open items), ratings, rejections, and a published copy for ~3 % of the
answered items. No events are written: no figure reads them. Rows go straight to the driver in chunks of 20,000
(executemany on SQLite, COPY on PostgreSQL), ids given by the generator so clocks and items are linked without
reading back.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's `app`

parser = argparse.ArgumentParser()
parser.add_argument("--count", type=int, default=1_000_000)
parser.add_argument("--runs", type=int, default=20)
parser.add_argument("--db", help="SQLite file to create (or reuse with --skip-fill)")
parser.add_argument("--skip-fill", action="store_true", help="measure an already filled database")
parser.add_argument("--reset-postgres", action="store_true")
parser.add_argument("--no-snapshots", action="store_true", help="measure without running the snapshot job first")
args = parser.parse_args()

if not os.environ.get("DATABASE_URL"):
    data_dir = Path(args.db).parent if args.db else Path(tempfile.mkdtemp(prefix="pakn-reports-"))
    os.environ["PAKN_DATA_DIR"] = str(data_dir)
    if args.db:
        os.environ["DATABASE_URL"] = f"sqlite:///{args.db}"
os.environ.setdefault("PAKN_ARGON2_TIME_COST", "1")
os.environ.setdefault("PAKN_ARGON2_MEMORY_KIB", "1024")
os.environ["PAKN_WORKER_IN_APP"] = "false"

import re  # noqa: E402

from alembic import command  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app.accounts.models import Account, Role  # noqa: E402
from app.accounts.service import create_account  # noqa: E402
from app.agencies.models import Agency, Commune, Field  # noqa: E402
from app.cli import alembic_config  # noqa: E402
from app.db import get_engine  # noqa: E402
from app.main import create_app  # noqa: E402
from app.publication.models import Publication  # noqa: E402
from app.reports import queries, snapshots  # noqa: E402
from app.seed.reference import seed_reference  # noqa: E402
from app.sla.models import DeadlinePolicy, SubmissionDeadline  # noqa: E402
from app.submissions.contact import CODE_ALPHABET  # noqa: E402
from app.submissions.models import Submission  # noqa: E402
from app.text import fold  # noqa: E402

CHUNK = 20_000
PASSWORD = "Bench-Password-2026!"  # noqa: S105 (a throw-away account of the bench database)
DAY = 27_000  # working seconds in a working day (7.5 h)
START = datetime(2024, 1, 1, 1, 0, tzinfo=UTC)
KINDS = (("feedback", 50), ("petition", 30), ("initiative", 12), ("solution", 8))
CHANNELS = (("web", 60), ("api", 30), ("open311", 10))
TITLES = ("Sóng 4G yếu ở bản {}", "Đề nghị hỗ trợ chữ ký số cho hợp tác xã {}", "Cổng dịch vụ công chậm tại {}",
          "Sáng kiến số hoá sổ hộ nghèo ở {}", "Lắp wifi miễn phí cho trường {}", "Thanh toán không tiền mặt ở chợ {}")
PLACES = ("Huổi Lếch", "Mường Nhé", "Sín Thầu", "Nậm Kè", "Mường Toong", "Pá Mỳ", "Chung Chải", "Leng Su Sìn")


def code(i: int, year: int) -> str:
    chars = []
    for _ in range(6):
        i, r = divmod(i, 31)
        chars.append(CODE_ALPHABET[r])
    return f"DB-{year}-{''.join(reversed(chars))}"  # increasing with i: the unique index is appended to


def prepare(engine) -> None:
    if engine.dialect.name == "postgresql":
        if not args.reset_postgres:
            sys.exit("PostgreSQL: pass --reset-postgres (drops schema public of DATABASE_URL's database)")
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    command.upgrade(alembic_config(), "head")


def weighted(rng: random.Random, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def fill(session: Session, count: int, now: datetime) -> None:
    started = time.perf_counter()
    seed_reference(session=session, credentials_path=None)
    session.commit()
    print(f"  reference data seeded in {time.perf_counter() - started:.1f} s", flush=True)
    rng = random.Random(57)
    agencies = [a.id for a in session.exec(select(Agency).order_by(Agency.id)).all()]
    weights = [max(1.0, 400 / (i + 1)) for i in range(len(agencies))]  # a few busy agencies, a long tail
    communes = [c.id for c in session.exec(select(Commune)).all()]
    fields = [f.id for f in session.exec(select(Field)).all()]
    policies = {(p.kind, p.phase): (p.id, p.amount) for p in session.exec(
        select(DeadlinePolicy).where(DeadlinePolicy.priority == "normal", DeadlinePolicy.is_current == True))}  # noqa: E712
    span = (now - timedelta(days=1) - START).total_seconds()
    sub_table, clock_table, pub_table = Submission.__table__, SubmissionDeadline.__table__, Publication.__table__
    subs, clocks, pubs = [], [], []
    clock_id = 0

    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:  # 256 MB of page cache for the load (this connection only)
        session.connection().connection.dbapi_connection.execute("PRAGMA cache_size = -262144")

    def sqlite_value(v):
        if isinstance(v, datetime):
            return v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return int(v) if isinstance(v, bool) else v

    def write(table, rows):
        """Straight to the driver: executemany on SQLite, COPY on PostgreSQL (the ORM's per-value type
        processing would cost more than the database's own work)."""
        if not rows:
            return
        # Through the session's connection, inside its transaction (BEGIN emitted by app/db.py's listener): one
        # commit per chunk, not one per row.
        raw = session.connection().connection.dbapi_connection
        columns = list(rows[0])
        names = ", ".join(columns)
        if sqlite:
            marks = ", ".join("?" for _ in columns)
            raw.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 (fixed names)
                            [tuple(sqlite_value(r[c]) for c in columns) for r in rows])
        else:
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row([r[c] for c in columns])

    def flush():
        write(sub_table.name, subs)
        write(clock_table.name, clocks)
        write(pub_table.name, pubs)
        session.commit()
        subs.clear(), clocks.clear(), pubs.clear()

    def clock(sid, phase, agency, kind, started, *, stopped=None, outcome=None, used=None, budget_days=None):
        nonlocal clock_id
        clock_id += 1
        policy_id, amount = policies[(kind, phase)]
        budget = (budget_days or amount) * DAY
        due = started + timedelta(days=amount * 1.4)
        row = dict(id=clock_id, submission_id=sid, phase=phase, agency_id=agency, policy_id=policy_id,
                   policy_version=1, clock="running", status="on_track", started_at=started, original_due_at=due,
                   due_at=due, at_risk_at=started + timedelta(days=amount * 1.05), budget_seconds=budget,
                   remaining_seconds=None, paused_at=None, next_check_at=None, at_risk_recorded_at=None,
                   overdue_recorded_at=None, extensions_granted=0, extra_extensions_allowed=0, recompute_from=None,
                   stopped_at=None, outcome=None, on_time=None, margin_seconds=None, created_at=started,
                   updated_at=stopped or started)
        if stopped is not None:
            margin = budget - (used or 0)
            row.update(clock="stopped", stopped_at=stopped, outcome=outcome, on_time=margin >= 0,
                       margin_seconds=margin, status="on_track" if margin >= 0 else "overdue")
        else:
            row["next_check_at"] = row["at_risk_at"]
        clocks.append(row)

    for i in range(1, count + 1):
        # In time order (as a live system writes them): every time index is appended to, not split at random.
        created = START + timedelta(seconds=span * (i - rng.random()) / count)
        if created.weekday() >= 5 and rng.random() < 0.6:  # fewer on weekends
            created -= timedelta(days=2)
        kind = weighted(rng, KINDS)
        agency = rng.choices(agencies, weights=weights)[0]
        commune = rng.choice(communes)
        title = rng.choice(TITLES).format(rng.choice(PLACES))
        age = (now - created).days
        roll = rng.random()
        state, accepted_at, answered_at, rated_at, satisfied = "assigned", None, None, None, None
        if roll < 0.05 and age > 3:
            state = "rejected"
        elif age > 2 and roll < (0.93 if age > 30 else 0.55):
            accepted_at = created + timedelta(hours=rng.uniform(1, 60))
            budget_days = 30 if kind in ("initiative", "solution") else 10
            used = int(rng.lognormvariate(1.4, 0.6) * DAY * (2.5 if budget_days == 30 else 1))
            answered_at = accepted_at + timedelta(seconds=used * 3.2 + 3600)
            if answered_at >= now:
                answered_at, state = None, "in_progress"
            else:
                state = "answered"
                if rng.random() < 0.6:
                    rated_at = answered_at + timedelta(days=rng.uniform(0.2, 8))
                    satisfied = rng.random() < 0.8
                    state = "closed"
                    if rated_at >= now:
                        rated_at, satisfied, state = None, None, "answered"
        elif age > 2 and roll < 0.97:
            accepted_at = created + timedelta(hours=rng.uniform(1, 60))
            state = "in_progress"
        year = created.year
        subs.append(dict(
            id=i, tracking_code=code(i, year), kind=kind, priority="normal", field_id=rng.choice(fields),
            commune_id=commune, title=title, content=f"{title}. Nội dung chi tiết của người gửi số {i}.",
            sender_type="individual", sender_name="Người gửi thử", sender_phone="0912345678", sender_email=None,
            sender_address=None, hide_identity=rng.random() < 0.1, consented_at=created,
            source=weighted(rng, CHANNELS), state=state, agency_id=agency, routing_rule_id=None,
            routing_explanation=None, reject_reason="out_of_scope" if state == "rejected" else None,
            reject_detail="Không thuộc phạm vi." if state == "rejected" else None, duplicate_of=None,
            rating_satisfied=satisfied, rating_comment=None, rated_at=rated_at,
            answer_text="Cơ quan đã trả lời." if answered_at else None, answered_at=answered_at,
            accepted_at=accepted_at, created_at=created,
            updated_at=rated_at or answered_at or accepted_at or (created + timedelta(days=2)
                                                                  if state == "rejected" else created),
            search_text=fold(title),
        ))
        if rng.random() < 0.05 and accepted_at:  # handed on once before the agency that accepted
            other = rng.choices(agencies, weights=weights)[0]
            clock(i, "accept", other, kind, created, stopped=created + timedelta(hours=5), outcome="transferred",
                  used=DAY // 2)
        if state == "rejected":
            clock(i, "accept", agency, kind, created, stopped=created + timedelta(days=2), outcome="rejected",
                  used=DAY)
        elif accepted_at is None:
            clock(i, "accept", agency, kind, created)
        else:
            clock(i, "accept", agency, kind, created, stopped=accepted_at, outcome="accepted",
                  used=int((accepted_at - created).total_seconds() / 3.2))
            if answered_at:
                clock(i, "answer", agency, kind, accepted_at, stopped=answered_at, outcome="answered", used=used,
                      budget_days=budget_days)
                if rng.random() < 0.03:
                    pubs.append(dict(
                        submission_id=i, status="published", consented_at=created, withdrawn_at=None,
                        published_at=answered_at + timedelta(days=1), published_by_account_id=None,
                        updated_at=answered_at, title=title, question=f"{title}: nội dung đã xoá thông tin cá nhân.",
                        answer="Cơ quan đã trả lời.", sender_label="N.V.A.", attachment_ids="", kind=kind,
                        field_id=subs[-1]["field_id"], commune_id=commune, agency_id=agency, received_at=created,
                        answered_at=answered_at, on_time=used <= budget_days * DAY,
                        search_text=fold(f"{title} {title} co quan da tra loi")))
            else:
                clock(i, "answer", agency, kind, accepted_at)
        if len(subs) >= CHUNK:
            flush()
            if i % 100_000 == 0:
                print(f"  {i:,} items …", flush=True)
    flush()
    if session.get_bind().dialect.name == "postgresql":
        for table in ("submissions", "submission_deadlines", "publications"):
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                                 f"(SELECT coalesce(max(id), 1) FROM {table}))"))
        session.execute(text("ANALYZE"))
    else:
        session.execute(text("ANALYZE"))
    session.commit()


def login(client: TestClient, session: Session) -> None:
    account = session.exec(select(Account).where(Account.username == "bench-coordinator")).first()
    if account is None:  # a second run on the same database (--skip-fill) reuses it
        coordinator = session.exec(select(Agency.id).where(Agency.is_coordinator == True)).one()  # noqa: E712
        account = create_account(session=session, username="bench-coordinator", display_name="Điều phối",
                                 role=Role.COORDINATOR, agency_id=coordinator, password=PASSWORD)
    account.must_change_password = False
    session.commit()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"username": account.username, "password": PASSWORD,
                                    "csrf_token": token})
    assert r.status_code == 303, r.text[:300]


def measure(client: TestClient, url: str) -> tuple[float, float, float, float, float]:
    """Wall-clock ms (cold, p50, p95, max) and the median CPU ms of this process per request: the app, the test
    client and the database driver, not the PostgreSQL server (on a shared machine wall time includes waiting for
    a core; CPU time does not)."""
    start = time.perf_counter()
    r = client.get(url)
    cold = (time.perf_counter() - start) * 1000
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    samples, cpu = [], []
    for _ in range(args.runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        r = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert r.status_code == 200
    samples.sort()
    p95 = samples[max(0, int(round(len(samples) * 0.95)) - 1)]
    return cold, statistics.median(samples), p95, samples[-1], statistics.median(cpu)


def main() -> None:
    engine = get_engine()
    now = datetime.now(UTC)
    with Session(engine) as session:
        if not args.skip_fill:
            prepare(engine)
            start = time.perf_counter()
            fill(session, args.count, now)
            print(f"{engine.dialect.name}: {args.count:,} items (+ clocks, publications) loaded in "
                  f"{time.perf_counter() - start:.0f} s")
        if not args.no_snapshots:
            start = time.perf_counter()
            written = snapshots.refresh(session, now)
            print(f"report_snapshots job: {written} snapshots computed in {time.perf_counter() - start:.1f} s "
                  "(what the job does every 5 minutes for the current periods, hourly for past ones)", flush=True)
        items = session.execute(text("SELECT count(*) FROM submissions")).scalar()
        clocks = session.execute(text("SELECT count(*) FROM submission_deadlines")).scalar()
        published = session.execute(text("SELECT count(*) FROM publications")).scalar()
        busiest = session.execute(text("SELECT a.code FROM submissions s JOIN agencies a ON a.id = s.agency_id "
                                       "GROUP BY a.code ORDER BY count(*) DESC LIMIT 1")).scalar()
        pub_id = session.execute(text("SELECT max(id) FROM publications")).scalar()
        quarter = queries.quarter_code(queries.current_quarter(now))
        past = queries.quarter_code(queries.previous_quarters(2, now)[1])
        print(f"{engine.dialect.name}: {items:,} items, {clocks:,} clocks, {published:,} published; "
              f"{args.runs} timed requests per page after one cold request (in-process TestClient, one at a time)")
        app = create_app()
        with TestClient(app, follow_redirects=False) as client:
            pages = [
                ("public", f"/thong-ke (this quarter, {quarter})", "/thong-ke"),
                ("public", f"/thong-ke?ky={past}", f"/thong-ke?ky={past}"),
                ("public", f"/thong-ke?ky={now.year} (the year)", f"/thong-ke?ky={now.year}"),
                ("public", "/cong-khai", "/cong-khai"),
                ("public", "/cong-khai?q=song 4g", "/cong-khai?q=song+4g"),
                ("public", "/cong-khai/{id}", f"/cong-khai/{pub_id}"),
                ("public", "/du-lieu-mo/thong-ke-don-vi.json", "/du-lieu-mo/thong-ke-don-vi.json"),
            ]
            login(client, session)
            pages += [
                ("staff", "dashboard, all agencies, this quarter", "/officer/thong-ke"),
                ("staff", "dashboard, all agencies, the year", f"/officer/thong-ke?ky={now.year}"),
                ("staff", f"dashboard, busiest agency ({busiest})", f"/officer/thong-ke?agency={busiest}"),
                ("staff", "dashboard, all agencies, 1–31 Oct (no snapshot: live)",
                 f"/officer/thong-ke?from={now.year}-10-01&to={now.year}-10-31"),
                ("staff", f"quarterly report {past}", f"/bao-cao/quy?quy={past}"),
                ("staff", f"quarterly report {past} .xlsx", f"/bao-cao/quy.xlsx?quy={past}"),
            ]
            print(f"{'page':<52}{'cold ms':>8}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}{'cpu ms':>8}  target",
                  flush=True)
            for audience, label, url in pages:
                cold, p50, p95, worst, cpu = measure(client, url)
                target = 100 if audience == "public" else 500
                verdict = "met" if p95 < target else "MISSED"
                print(f"{label:<52}{cold:>8.0f}{p50:>8.0f}{p95:>8.0f}{worst:>8.0f}{cpu:>8.0f}  p95<{target}: {verdict}",
                      flush=True)


if __name__ == "__main__":
    main()
