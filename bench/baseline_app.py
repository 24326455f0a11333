"""The bare baseline for `make bench`: the least a FastAPI app can do per request on the same stack as `pakn serve`.

One endpoint inserts one row (the same JSON body as an API submission, validated by pydantic), one reads a row by
its key; plain `def` endpoints (FastAPI's thread pool) with SQLAlchemy Core, no ORM, no session, no middleware.
The database is the same kind as the app's: a SQLite file in WAL mode with the pragmas of app/db.py (writes take
`BEGIN IMMEDIATE` as the app's do; reads use a deferred transaction), or a table in the PostgreSQL database of the
run, with the app's pool size. It does not import `app`, so it keeps working whatever happens to the app's code.

bench/run.py creates the table (`init_db`) and starts it as
  BENCH_BASELINE_DB=URL uvicorn baseline_app:app --app-dir bench --workers 2 --http httptools --loop uvloop
"""

import os
import secrets
from datetime import UTC, datetime
from functools import lru_cache

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
)

metadata = MetaData()
items = Table(
    "bench_baseline_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("kind", String(20), nullable=False),
    Column("field_code", String(60), nullable=False),
    Column("commune_code", String(60), nullable=False),
    Column("title", String(200), nullable=False),
    Column("content", Text, nullable=False),
    Column("sender_name", String(200), nullable=False),
    Column("sender_phone", String(30), nullable=False),
    Column("consent", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # The same as app/db.py: we emit BEGIN ourselves, WAL, foreign keys, 10 s busy timeout, synchronous=NORMAL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


@lru_cache
def engine() -> Engine:
    return make_engine(os.environ["BENCH_BASELINE_DB"])


def seed_code(i: int) -> str:
    return f"B{i:08d}"


def init_db(url: str, rows: int) -> list[str]:
    """(Re)create the table with `rows` rows; their codes are what the read scenario asks for."""
    eng = make_engine(url)
    try:
        metadata.drop_all(eng)
        metadata.create_all(eng)
        now = datetime.now(UTC)
        codes = [seed_code(i) for i in range(rows)]
        with eng.execution_options(write=True).begin() as conn:
            conn.execute(insert(items), [
                {"code": code, "kind": "feedback", "field_code": "ha-tang-so", "commune_code": "xa-muong-nhe",
                 "title": f"Hàng mẫu {code}", "content": "Nội dung mẫu.", "sender_name": "Lò Văn Minh",
                 "sender_phone": "0912345678", "consent": True, "created_at": now} for code in codes])
        return codes
    finally:
        eng.dispose()


class ItemIn(BaseModel):
    kind: str = Field(max_length=20)
    field_code: str = Field(max_length=60)
    commune_code: str = Field(max_length=60)
    title: str = Field(min_length=1, max_length=200)
    content: str = Field(min_length=1, max_length=20_000)
    sender_name: str = Field(max_length=200)
    sender_phone: str = Field(max_length=30)
    consent: bool


app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}


@app.post("/items", status_code=201)
def create_item(item: ItemIn) -> dict:
    row = {**item.model_dump(), "code": secrets.token_hex(6).upper(), "created_at": datetime.now(UTC)}
    with engine().execution_options(write=True).begin() as conn:
        row["id"] = conn.execute(insert(items).returning(items.c.id), row).scalar_one()
    return {"id": row["id"], "code": row["code"], "title": row["title"], "created_at": row["created_at"]}


@app.get("/items/{code}")
def read_item(code: str) -> dict:
    with engine().connect() as conn:
        row = conn.execute(select(items).where(items.c.code == code)).mappings().first()
    if row is None:
        raise HTTPException(404)
    return dict(row)
