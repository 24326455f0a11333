"""Many requests at once that each commit twice (the abuse-limit hit in a unit of its own, then the work in
another) all go through, on the production engine (app.db.make_engine): with SQLite's old bounded pool, the writer
lock's holder could wait for a connection held by a request queued behind it for the lock, until the pool timed
out (docs/architecture.md, "SQLite connections and the writer lock")."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.db import get_session
from app.main import create_app
from app.submissions.models import Submission
from tests.conftest import csrf_from
from tests.databases import scratch_database
from tests.web.test_citizen import FORM

REQUESTS = 30  # more than the old pool's 15 connections, fewer than the worker threads of one process (40)


def test_thirty_concurrent_two_unit_requests_all_succeed_promptly(tmp_path, monkeypatch):
    from app.config import get_settings
    monkeypatch.setattr(get_settings(), "form_submits_per_hour", 1000)  # 30 posts from one address in a second
    with scratch_database("two_units", tmp_path, seed=True) as (_url, engine):
        app = create_app()

        def own_session():
            with Session(engine, expire_on_commit=False) as session:
                yield session

        app.dependency_overrides[get_session] = own_session
        clients = [TestClient(app, raise_server_exceptions=False) for _ in range(REQUESTS)]
        # Half through the citizen form, half through the offline queue: both count a hit, then create the item.
        tokens = [csrf_from(c.get("/").text) if i % 2 else c.get("/queue/token").json()["csrf"]
                  for i, c in enumerate(clients)]
        title = f"Gửi cùng lúc {uuid.uuid4().hex[:8]}"
        barrier = threading.Barrier(REQUESTS)

        def send(i):
            client, data = clients[i], {**FORM, "title": title}
            barrier.wait()
            started = time.monotonic()
            if i % 2:
                response = client.post("/", data={**data, "csrf_token": tokens[i]}, follow_redirects=False)
            else:
                response = client.post("/queue/submit", data=data,
                                       headers={"Idempotency-Key": str(uuid.uuid4()), "X-CSRF-Token": tokens[i]})
            return response.status_code, time.monotonic() - started

        with ThreadPoolExecutor(REQUESTS) as pool:
            answers = list(pool.map(send, range(REQUESTS)))
        assert sorted(status for status, _ in answers) == [201] * (REQUESTS // 2) + [303] * (REQUESTS // 2)
        # None of them waited for a connection until the pool gave up (SQLAlchemy's default pool timeout: 30 s).
        assert max(seconds for _, seconds in answers) < 30
        with Session(engine) as session:
            stored = session.exec(select(func.count()).select_from(Submission).where(Submission.title == title))
            assert stored.one() == REQUESTS
