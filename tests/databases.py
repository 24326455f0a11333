"""Scratch databases for tests that need committed data shared by several connections or processes (the usual
`db` fixture runs each test in a transaction that nobody else can see)."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.cli import alembic_config
from app.db import make_engine
from app.seed.reference import seed_reference

DATABASE_URL = os.environ.get("DATABASE_URL", "")


def migrate(engine: Engine) -> None:
    with engine.connect() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


@contextmanager
def scratch_database(prefix: str, folder: Path, *, seed: bool = False) -> Iterator[tuple[str, Engine]]:
    """(url, engine) of a freshly migrated database, removed afterwards: a schema of its own on the PostgreSQL
    server of DATABASE_URL, else a SQLite file in `folder`. `seed` loads the reference data and accounts."""
    admin = schema = None
    if DATABASE_URL.startswith("postgresql"):
        schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(DATABASE_URL)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = DATABASE_URL + ("&" if "?" in DATABASE_URL else "?") + f"options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{folder / f'{prefix}.db'}"
    engine = make_engine(url)
    try:
        migrate(engine)
        if seed:
            with Session(engine) as session:
                seed_reference(session=session, credentials_path=None)
        yield url, engine
    finally:
        engine.dispose()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            admin.dispose()
