"""The offline queue's doors: a queued submission is created once per Idempotency-Key, whoever sends it and how
often; the installable app's files are served from this site."""

import concurrent.futures
import gzip
import re
import threading
import uuid

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.config import PROJECT_ROOT
from app.db import get_session
from app.kinds import Channel
from app.main import create_app
from app.submissions.models import Submission
from tests.databases import scratch_database
from tests.reach.conftest import ASSISTED_FORM
from tests.web.test_citizen import FORM


def _count(db) -> int:
    return db.exec(select(func.count()).select_from(Submission)).one()


def _token(client) -> str:
    return client.get("/queue/token").json()["csrf"]


def _send(client, data, key, token, endpoint="/queue/submit"):
    return client.post(endpoint, data=data, headers={"Idempotency-Key": key, "X-CSRF-Token": token})


def test_a_queued_submission_sent_twice_makes_one_item(client, db):
    before = _count(db)
    token, key = _token(client), str(uuid.uuid4())
    first = _send(client, FORM, key, token)
    again = _send(client, FORM, key, token)
    assert first.status_code == 201 and again.status_code == 201, first.text
    assert first.json() == again.json() and first.json()["url"] == f"/track/{first.json()['tracking_code']}"
    assert _count(db) == before + 1
    # The browser that sent it may open its status page.
    assert client.get(first.json()["url"]).status_code == 200


def test_the_same_key_with_other_content_is_refused(client, db):
    token, key = _token(client), str(uuid.uuid4())
    assert _send(client, FORM, key, token).status_code == 201
    refused = _send(client, {**FORM, "title": "Một tiêu đề hoàn toàn khác"}, key, token)
    assert refused.status_code == 409 and "Idempotency-Key" in refused.json()["message"]


def test_a_queued_submission_with_errors_says_why_and_stores_nothing(client, db):
    before = _count(db)
    response = _send(client, {**FORM, "sender_phone": "", "sender_email": ""}, str(uuid.uuid4()), _token(client))
    assert response.status_code == 422
    assert "số điện thoại hoặc thư điện tử" in response.json()["message"]
    assert _count(db) == before


def test_the_queue_counts_against_the_forms_limit_and_keeps_the_item_for_later(client, db, monkeypatch):
    from app.config import get_settings
    monkeypatch.setattr(get_settings(), "form_submits_per_hour", 1)
    token = _token(client)
    assert _send(client, FORM, str(uuid.uuid4()), token).status_code == 201
    refused = _send(client, FORM, str(uuid.uuid4()), token)
    assert refused.status_code == 429 and "Retry-After" in refused.headers  # offline.js keeps it queued


def test_no_csrf_token_no_item(client, db):
    before = _count(db)
    response = client.post("/queue/submit", data=FORM, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 403 and _count(db) == before


def test_the_assistant_queue_creates_one_assisted_item(assistant_client, db):
    client, assistant = assistant_client
    token, key = _token(client), str(uuid.uuid4())
    codes = {_send(client, ASSISTED_FORM, key, token, "/assistant/queue").json()["tracking_code"] for _ in range(3)}
    assert len(codes) == 1
    item = db.exec(select(Submission).where(Submission.tracking_code == codes.pop())).one()
    assert item.source == Channel.ASSISTED and item.sender_name == "Giàng A Páo"


def test_installable_app_files(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.json()["start_url"] == "/"
    assert {i["sizes"] for i in manifest.json()["icons"]} >= {"192x192", "512x512"}
    for icon in manifest.json()["icons"]:
        assert client.get(icon["src"]).status_code == 200
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.headers["content-type"].startswith("text/javascript")
    assert 'importScripts("/static/js/offline.js")' in worker.text
    page = client.get("/").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page and 'data-offline-form="/queue/submit"' in page


APP_FILES = ("static/pwa/sw.js", "static/js/offline.js", "static/js/reach.js")
APP_BUDGET = 30 * 1024


def app_weight() -> int:
    """Bytes of the installable app beyond today's pages (service worker and scripts), gzip -9 compressed."""
    return sum(len(gzip.compress((PROJECT_ROOT / f).read_bytes(), 9)) for f in APP_FILES)


def test_the_installable_app_stays_small():
    weight = app_weight()
    assert weight < APP_BUDGET, f"{weight} bytes compressed"
    # No third-party code copied in: our files only, no minified bundles.
    for f in APP_FILES:
        assert not re.search(r"(?i)copyright|@license", (PROJECT_ROOT / f).read_text())


SENDERS = 20


def test_twenty_senders_with_one_key_make_one_item(tmp_path, monkeypatch):
    """The page and the service worker (or several retries) sending the same queued item at the same moment, each
    in its own connection, on a scratch database (SQLite, or PostgreSQL with DATABASE_URL)."""
    from app.config import get_settings
    monkeypatch.setattr(get_settings(), "form_submits_per_hour", 1000)  # 20 sends from one address in a second
    with scratch_database("queue_race", tmp_path, seed=True) as (_url, engine):
        app = create_app()

        def own_session():
            with Session(engine) as session:
                yield session

        app.dependency_overrides[get_session] = own_session
        key, title = str(uuid.uuid4()), "Hàng đợi gửi cùng lúc"
        clients = [TestClient(app) for _ in range(SENDERS)]
        tokens = [_token(c) for c in clients]
        barrier = threading.Barrier(SENDERS)

        def send(i):
            barrier.wait()
            return _send(clients[i], {**FORM, "title": title}, key, tokens[i])

        with concurrent.futures.ThreadPoolExecutor(max_workers=SENDERS) as pool:
            answers = list(pool.map(send, range(SENDERS)))
        assert {a.status_code for a in answers} == {201}, [a.text for a in answers if a.status_code != 201]
        assert len({a.json()["tracking_code"] for a in answers}) == 1
        with Session(engine) as session:
            assert len(session.exec(select(Submission).where(Submission.title == title)).all()) == 1


def test_a_queued_submissions_key_is_kept_for_weeks(client, db):
    from app.integrations.models import IdempotencyRecord

    key = str(uuid.uuid4())
    assert _send(client, FORM, key, _token(client)).status_code == 201
    record = db.exec(select(IdempotencyRecord).where(IdempotencyRecord.key == key)).one()
    assert (record.expires_at - record.created_at).days >= 59
