"""Alembic environment: the app's own engine and metadata; batch mode on SQLite (no ALTER support)."""

from alembic import context
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table)
from app.db import get_engine, make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    engine = make_engine(url) if url else get_engine()
    with engine.connect() as conn:
        _run(conn)


def _include_name(name, type_, parent_names) -> bool:
    # Search structures made by hand in 0005_search (SQLite FTS5 table and its shadow tables; PostgreSQL's generated
    # tsvector column): autogenerate must not drop them.
    if type_ == "table" and name and name.startswith("submissions_fts"):
        return False
    if type_ == "index" and name == "ix_submissions_search_vector":
        return False
    return not (type_ == "column" and name == "search_vector" and parent_names.get("table_name") == "submissions")


def _sqlite_foreign_keys(connection, on: bool) -> None:
    # A PRAGMA on the driver's connection, outside any transaction (inside one SQLite ignores foreign_keys).
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _run(connection) -> None:
    # SQLite: a batch operation that recreates a table (copy, DROP, rename) cannot drop a table other rows refer
    # to while foreign keys are enforced, so they are off during the migrations (SQLite's own procedure for
    # changing a table) and every reference is checked afterwards.
    sqlite = connection.dialect.name == "sqlite" and not connection.in_transaction()
    if sqlite:
        _sqlite_foreign_keys(connection, on=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_name=_include_name,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken after the migration: {broken[:10]}")
        if connection.in_transaction():
            connection.commit()
    finally:
        if sqlite:
            if connection.in_transaction():
                connection.rollback()
            _sqlite_foreign_keys(connection, on=True)


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `pakn db upgrade`.")
run_migrations_online()
