"""Idempotency-Key: a retry returns the original response; a different body with the same key is refused;
two simultaneous requests with one key create one item."""

import threading
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import delete, func, text
from sqlmodel import Session, SQLModel, col, select

from app.accounts.models import ApiClient
from app.accounts.service import create_api_client
from app.db import utcnow
from app.events.models import ChainHead
from app.integrations.models import ApiSubmission, IdempotencyRecord, RateLimitWindow
from app.main import create_app
from app.submissions.models import Submission
from tests.api.conftest import VALID, bearer


def post(client, auth, key, body=None):
    return client.post("/api/v1/submissions", json=body or VALID, headers={**auth, "Idempotency-Key": key})


def count_items(db):
    return db.exec(select(func.count()).select_from(Submission)).one()


def test_retry_with_same_key_and_body_returns_the_original_response(client, db, auth):
    key = str(uuid.uuid4())
    first = post(client, auth, key)
    before = count_items(db)
    again = post(client, auth, key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert count_items(db) == before


def test_same_key_different_body_is_409(client, auth):
    key = "retry-1"
    assert post(client, auth, key).status_code == 201
    r = post(client, auth, key, {**VALID, "title": "Một tiêu đề khác hẳn"})
    assert r.status_code == 409 and r.json()["type"].endswith("/idempotency-key-reused")
    assert r.headers["content-type"].startswith("application/problem+json")


def test_keys_belong_to_one_client(client, auth, make_client):
    key = "shared-key"
    a = post(client, auth, key).json()["tracking_code"]
    b = post(client, bearer(make_client().key), key).json()["tracking_code"]
    assert a != b


def test_a_failed_request_does_not_burn_the_key(client, auth):
    key = "fix-and-retry"
    assert post(client, auth, key, {**VALID, "commune_code": "khong-co"}).status_code == 422
    assert post(client, auth, key).status_code == 201


def test_invalid_key_is_a_validation_problem(client, auth):
    r = post(client, auth, "has space")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "Idempotency-Key"
    assert post(client, auth, "x" * 256).status_code == 422


def test_keys_are_kept_24_hours_then_may_be_reused(client, db, auth):
    key = "day-old"
    first = post(client, auth, key).json()["tracking_code"]
    record = db.exec(select(IdempotencyRecord).where(IdempotencyRecord.key == key)).one()
    assert record.expires_at - record.created_at >= timedelta(hours=24)
    assert post(client, auth, key).json()["tracking_code"] == first
    record.expires_at = utcnow() - timedelta(seconds=1)
    db.add(record)
    db.commit()
    assert post(client, auth, key).json()["tracking_code"] != first


def test_replay_after_a_crash_before_the_response_was_stored(client, db, auth):
    """The key row commits with the item; if the process died before storing the response, a retry rebuilds it."""
    key = "crash-window"
    code = post(client, auth, key).json()["tracking_code"]
    record = db.exec(select(IdempotencyRecord).where(IdempotencyRecord.key == key)).one()
    record.status_code = None
    record.response_body = None
    db.add(record)
    db.commit()
    again = post(client, auth, key)
    assert again.status_code == 201 and again.json()["tracking_code"] == code


def test_reply_and_rating_accept_idempotency_keys(client, db, auth, make_account):
    from app.submissions import service

    code = client.post("/api/v1/submissions", json=VALID, headers=auth).json()["tracking_code"]
    item = service.get_by_code(session=db, code=code)
    officer = make_account("so-khcn")
    service.accept(session=db, submission=item, actor=officer)
    service.answer(session=db, submission=item, actor=officer, text="Đã lắp thêm trạm phát sóng tại bản.")
    headers = {**auth, "Idempotency-Key": "rate-1"}
    first = client.post(f"/api/v1/submissions/{code}/rating", json={"satisfied": True}, headers=headers)
    again = client.post(f"/api/v1/submissions/{code}/rating", json={"satisfied": True}, headers=headers)
    assert first.status_code == again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    # Without the key the second rating is refused by the lifecycle.
    r = client.post(f"/api/v1/submissions/{code}/rating", json={"satisfied": True}, headers=auth)
    assert r.status_code == 409 and r.json()["type"].endswith("/invalid-transition")


def test_two_simultaneous_posts_with_one_key_create_one_item(engine, initial_credentials):
    """Real concurrency: committed data, two threads, the app's own sessions (no test transaction)."""
    with Session(engine, expire_on_commit=False) as s:
        head = s.get(ChainHead, 1)
        saved_head = (head.last_event_id, head.last_hash, head.last_seq) if head else None
        new = create_api_client(session=s, name=f"concurrency-{uuid.uuid4().hex[:8]}", scopes="submit read-own",
                                rate_limit_per_minute=1000)
        s.commit()
    app = create_app()
    key = str(uuid.uuid4())
    barrier = threading.Barrier(2)
    results = []

    def send():
        with TestClient(app) as c:
            barrier.wait()
            results.append(post(c, bearer(new.key), key))

    try:
        threads = [threading.Thread(target=send) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert [r.status_code for r in results] == [201, 201], [r.text for r in results]
        assert results[0].json()["tracking_code"] == results[1].json()["tracking_code"]
        assert sorted(r.headers.get("idempotent-replayed", "false") for r in results) == ["false", "true"]
        with Session(engine) as s:
            created = s.exec(select(func.count()).select_from(ApiSubmission)
                             .where(ApiSubmission.api_client_id == new.client.id)).one()
            assert created == 1
    finally:
        _cleanup(engine, new.client.id, saved_head)


def _cleanup(engine, client_id: int, saved_head) -> None:
    """Removes what the concurrent test committed (every row that points at its items, children first) and
    rewinds the audit chain head to where it was."""
    with Session(engine) as s:
        ids = list(s.exec(select(ApiSubmission.submission_id).where(ApiSubmission.api_client_id == client_id)).all())
        s.exec(delete(IdempotencyRecord).where(IdempotencyRecord.api_client_id == client_id))
        s.exec(delete(RateLimitWindow).where(RateLimitWindow.api_client_id == client_id))
        if ids:
            for table in reversed(SQLModel.metadata.sorted_tables):
                if "submission_id" in table.c and table.name != "submissions":
                    s.exec(delete(table).where(table.c.submission_id.in_(ids)))
            s.exec(delete(Submission).where(col(Submission.id).in_(ids)))
        s.exec(delete(ApiClient).where(ApiClient.id == client_id))
        if saved_head is not None:
            s.exec(text("UPDATE event_chain_head SET last_event_id = :i, last_hash = :h, last_seq = :n WHERE id = 1")
                   .bindparams(i=saved_head[0], h=saved_head[1], n=saved_head[2]))
        s.commit()
