"""Statement budgets on the hot paths (deterministic, unlike timings): every statement a request sends to the
database is counted, BEGIN/COMMIT/SAVEPOINT included. Budgets from issue 8: create ≤ 12, item read ≤ 4, citizen
home page ≤ 2 (reference data and the rule set come from the per-process cache). Issue 9 added one statement to the
create: the sender's receipt with the tracking code, one INSERT into the outbox (its recipients, preferences and SMS
opt-outs come from the per-process cache); the create got back within 12 by not reading back the new item's
deadline clock for the answer (it was started in the same transaction: the session holds it)."""

import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.api.conftest import VALID


@contextmanager
def counted(engine, db):
    """Counts what the next request sends. The test's session lives across requests; a server's lives for one, so
    the cache stamp (app/cache.py) is forgotten first and read again, as it would be."""
    db.info.pop("pakn_cache_stamp", None)
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _executemany):
        statements.append(statement.split(None, 1)[0].upper() + " " + statement[:90].replace("\n", " "))

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _business(statements: list[str]) -> list[str]:
    """What the request itself sent: the test's own savepoints (tests run inside a transaction) are not counted."""
    return [s for s in statements if s.split()[0] not in ("SAVEPOINT", "RELEASE", "ROLLBACK")]


@pytest.fixture
def warm(client, auth):
    """One request of each kind first, so the per-process caches are filled as in a running server."""
    client.get("/")
    r = client.post("/api/v1/submissions", json=VALID, headers={**auth, "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201
    client.get(f"/api/v1/submissions/{r.json()['tracking_code']}", headers=auth)
    return r.json()["tracking_code"]


def test_api_create_within_budget(client, auth, engine, db, warm):
    with counted(engine, db) as statements:
        r = client.post("/api/v1/submissions", json=VALID, headers={**auth, "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201
    sent = _business(statements)
    assert len(sent) <= 12, "\n".join(sent)


def test_api_item_read_within_budget(client, auth, engine, db, warm):
    with counted(engine, db) as statements:
        r = client.get(f"/api/v1/submissions/{warm}", headers=auth)
    assert r.status_code == 200 and r.json()["tracking_code"] == warm
    sent = _business(statements)
    assert len(sent) <= 4, "\n".join(sent)


def test_citizen_home_within_budget(client, engine, db, warm):
    with counted(engine, db) as statements:
        r = client.get("/")
    assert r.status_code == 200 and "Gửi ý kiến" in r.text
    sent = _business(statements)
    assert len(sent) <= 2, "\n".join(sent)


def test_the_one_statement_read_returns_only_this_items_history(client, auth, db):
    """The item read loads history, files and clocks in one statement: each belongs to this item and no other."""
    codes = [client.post("/api/v1/submissions", json=VALID, headers={**auth, "Idempotency-Key": str(uuid.uuid4())})
             .json()["tracking_code"] for _ in range(3)]
    for code in codes:
        body = client.get(f"/api/v1/submissions/{code}", headers=auth).json()
        assert body["tracking_code"] == code
        assert [h["type"] for h in body["history"]] == ["submitted", "routed"]
        assert body["attachments"] == [] and body["due_at"] is not None


def test_the_create_answers_with_the_stored_deadline(client, auth):
    """The create's answer takes the new item's deadline from the session, without reading it back: it is the one
    every later read shows."""
    created = client.post("/api/v1/submissions", json=VALID, headers={**auth, "Idempotency-Key": str(uuid.uuid4())})
    assert created.status_code == 201 and created.json()["due_at"] is not None
    read = client.get(f"/api/v1/submissions/{created.json()['tracking_code']}", headers=auth).json()
    assert {k: created.json()[k] for k in ("due_at", "due_paused", "due_days_left")} == \
           {k: read[k] for k in ("due_at", "due_paused", "due_days_left")}
