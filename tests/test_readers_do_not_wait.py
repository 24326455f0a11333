"""Readers never wait for a writer: while another connection holds the database's write lock (an open write
transaction, as a slow writer would), the health check and the citizen home page still answer. On SQLite this
holds because reads take deferred transactions in WAL mode (only units of work that write take BEGIN IMMEDIATE);
on PostgreSQL, because readers never wait for row locks. Before, every transaction began with BEGIN IMMEDIATE
and these requests waited for the lock (busy_timeout 10 s) and then failed with HTTP 500."""

import threading

from fastapi.testclient import TestClient
from sqlalchemy import text

from app.db import WRITE
from app.main import create_app


def test_pages_answer_while_another_connection_holds_the_write_lock(engine, initial_credentials):
    app = create_app()  # the app's own sessions, not the test transaction
    locked, release = threading.Event(), threading.Event()

    def writer():
        with engine.connect().execution_options(**{WRITE: True}) as conn:  # SQLite: BEGIN IMMEDIATE
            conn.execute(text("UPDATE event_chain_head SET last_hash = last_hash WHERE id = 1"))
            locked.set()
            release.wait(30)
            conn.rollback()

    holder = threading.Thread(target=writer)
    holder.start()
    try:
        assert locked.wait(10)
        with TestClient(app) as c:
            health = c.get("/healthz")
            home = c.get("/")
        still_locked = not release.is_set() and holder.is_alive()
    finally:
        release.set()
        holder.join(30)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert home.status_code == 200 and "Gửi ý kiến" in home.text
    assert still_locked  # both answered while the writer still held its lock
