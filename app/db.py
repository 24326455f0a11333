"""Engine, sessions and the shared metadata (with a naming convention, so migrations are stable)."""

import fcntl
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from sqlalchemy import JSON, DateTime, Enum, collate, create_engine, event, func, literal, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from app.config import get_settings
from app.text import collation_key

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend: SQLite drops the zone, so we store UTC and re-attach it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use app.timeutil.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _enum_values(enum_class: type[StrEnum]) -> list[str]:
    return [member.value for member in enum_class]


def enum_type(enum_class: type[StrEnum], name: str, *, length: int | None = None) -> Enum:
    """The column type of a vocabulary: one member of `enum_class`, stored as its value in a VARCHAR (no native
    PostgreSQL ENUM type, so both backends and their migrations look alike) and loaded as the member. A CHECK
    constraint generated from the members guards the column; it is called ck_<table>_<name> by the naming
    convention above, so `name` is the column's name. `length` keeps a VARCHAR longer than the longest value.

    Adding a member changes the constraint: write a migration that drops and re-creates it.
    """
    extra = {"length": length} if length is not None else {}
    return Enum(enum_class, name=name, native_enum=False, create_constraint=True, values_callable=_enum_values,
                **extra)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # pysqlite's own transaction handling skips BEGIN and breaks SAVEPOINTs; we emit BEGIN ourselves.
    dbapi_connection.isolation_level = None
    # WAL lets readers work while one writer commits; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    dbapi_connection.create_collation(VIETNAMESE, _vietnamese_compare)


# ORDER BY a name or title in Vietnamese alphabetical order (a ă â b c d đ …, accents after the letter), not in
# code-point order ("Bình" before "an", "Đ" after "Z"): ICU's "vi" collation on PostgreSQL (created by migration
# 0024) and the same ICU rules registered on every SQLite connection.
VIETNAMESE = "vi"


def _vietnamese_compare(a: str | None, b: str | None) -> int:
    ka, kb = collation_key(a or ""), collation_key(b or "")
    return (ka > kb) - (ka < kb)


def vietnamese(expression):
    """`expression` compared and sorted in Vietnamese order (for ORDER BY of shown names and titles)."""
    return collate(expression, VIETNAMESE)


WRITE = "pakn_write"  # execution option: this transaction will write


def _sqlite_begin(conn) -> None:
    # Reads take a deferred transaction: in WAL mode they never wait for a writer. A unit of work that writes
    # takes the write lock up front with IMMEDIATE (waiting up to busy_timeout): a deferred transaction that
    # reads and then writes would fail at once with SQLITE_BUSY if another connection committed in between.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")


# SQLite's pool never makes a thread wait for a connection. A unit of work queues for the writer lock
# (`_SQLiteWriters`) and only then checks out the connection of its write transaction (its session's read
# transaction, if any, ends and gives its connection back first). With a bounded pool (SQLAlchemy's default: 5 + 10
# overflow) the lock's holder could find the pool empty, every connection held by a request queued behind it for
# the same lock: a deadlock until the pool timeout. Two units in one request (an abuse-limit hit, then the work)
# made it likely past ~15 concurrent requests. So the pool keeps as many connections as the worker threads that
# run routes and jobs (anyio's default limiter: 40), and opens more rather than wait (a SQLite connection is a file
# handle; their number is bounded by the threads using them).
SQLITE_POOL_SIZE = 40


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10},
                               pool_size=SQLITE_POOL_SIZE, max_overflow=-1)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def private_sqlite_files(data_dir: Path, database: Path | None) -> None:
    """The data directory (the database, secrets, uploads) is the service account's alone: 0700, and the SQLite
    file 0600 (its -wal and -shm files take the database file's mode). Existing ones are tightened too; a database
    file outside the data directory gets 0600, its directory is left as it is."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    if database is None:
        return
    if not database.exists():
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        database.touch(mode=0o600)
    for path in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        if path.exists():
            os.chmod(path, 0o600)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    if settings.is_sqlite:
        database = make_url(settings.effective_database_url).database
        private_sqlite_files(settings.data_dir, Path(database) if database and database != ":memory:" else None)
    return make_engine(settings.effective_database_url)


def get_session() -> Iterator[Session]:
    """Request-scoped session. It reads in deferred transactions; the door wraps each change in `unit_of_work`."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


_WROTE = "pakn_wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session, _context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def end_read(session: Session) -> None:
    """Ends a read-only transaction (on SQLite a long-lived reader would pin an old snapshot of the WAL)."""
    if session.in_transaction() and not session.info.get(_WROTE):
        session.rollback()


def begin_write(session: Session) -> None:
    """Starts the session's write transaction (BEGIN IMMEDIATE on SQLite). A read-only transaction before it is
    rolled back and its objects expire, so every state check inside the unit of work runs on fresh data. A
    transaction that already wrote (a test's set-up, a job's earlier step) is a write transaction already: the
    unit of work joins it."""
    if session.in_transaction():
        if session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
            return
        session.rollback()
    session.connection(execution_options={WRITE: True})


class _SQLiteWriters:
    """SQLite has one writer at a time. Writers queue here, in the kernel (an exclusive `flock` on a file beside the
    database, shared by every process; a lock per process in front of it), instead of in SQLite's busy handler,
    which sleeps in growing steps (up to 100 ms) and lets newcomers overtake: with `make bench` that gave creates a
    median of tens of milliseconds and a p99 of seconds. Reentrant: a unit inside a unit joins it."""

    def __init__(self) -> None:
        self._threads = threading.RLock()
        self._depth = threading.local()
        self._file = None

    def __enter__(self) -> None:
        self._threads.acquire()
        depth = getattr(self._depth, "n", 0)
        if depth == 0:
            if self._file is None:
                path = get_settings().data_dir / "pakn.db.writer-lock"
                self._file = open(path, "a+b")  # noqa: SIM115 (held for the life of the process)
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX)
        self._depth.n = depth + 1

    def __exit__(self, *_exc) -> None:
        self._depth.n -= 1
        if self._depth.n == 0:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        self._threads.release()


_SQLITE_WRITERS = _SQLiteWriters()


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    """One unit of work: the door (route, CLI command, job) opens it and it commits once at the end; the services
    called inside only flush. Any exception rolls everything back."""
    queue = _SQLITE_WRITERS if session.get_bind().dialect.name == "sqlite" else nullcontext()
    with queue:
        begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def child_rows(fk, parent_key, *, dialect: str):
    """A scalar subquery: every row whose foreign key `fk` equals `parent_key`, as one JSON array (so a parent and
    all its children come back in one statement; correlated in the WHERE clause). `rows_from_json` turns it back
    into objects, in order."""
    pairs = [part for column in fk.table.columns for part in (literal(column.name), column)]
    if dialect == "postgresql":
        rows = func.coalesce(func.json_agg(func.json_build_object(*pairs)), literal("[]").cast(JSON))
    else:
        rows = func.json_group_array(func.json_object(*pairs))
    return select(rows).where(fk == parent_key).scalar_subquery()


def rows_from_json(model, raw, *, order_by: tuple[str, ...] = ("id",)) -> list:
    """Objects of `model` (not in any session) from `child_rows`' JSON, sorted by `order_by`; times come back
    aware UTC."""
    items = json.loads(raw) if isinstance(raw, str) else (raw or [])
    times = {c.name for c in model.__table__.columns if isinstance(c.type, UTCDateTime)}
    rows = []
    for item in items:
        for name in times & item.keys():
            if item[name] is not None:
                value = datetime.fromisoformat(item[name])
                item[name] = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        rows.append(model(**item))
    return sorted(rows, key=lambda row: tuple(getattr(row, name) for name in order_by))
