"""Webhooks delivered to a real HTTP receiver on loopback, through the outbox worker, signature verified."""

import contextlib
import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.config import get_settings
from app.db import utcnow
from app.integrations import webhooks
from app.notifications import worker
from app.notifications.worker import backoff
from app.submissions import service
from tests.api.conftest import VALID, bearer


class Receiver:
    """A tiny webhook endpoint: records every request; answers with `status` (settable)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 200
        self.location = None  # a redirect target, with a 3xx status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's hook name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": body, "path": self.path})
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/pakn"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def verify(secret: str, request: dict, tolerance: int = 300) -> dict:
    """What a receiver does (docs/api.md): recompute the HMAC over timestamp.body, compare, check freshness."""
    timestamp = request["headers"]["x-pakn-timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + request["body"],
                                    hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, request["headers"]["x-pakn-signature"])
    assert abs(time.time() - int(timestamp)) < tolerance
    return json.loads(request["body"])


@pytest.fixture
def receiver(db, monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)
    monkeypatch.setattr(webhooks, "session_factory", lambda: contextlib.nullcontext(db))
    with Receiver() as r:
        yield r


def run_worker(db, now=None):
    return worker.run_once(db, now, jobs=False)


def subscribe(client, auth, url, events=None):
    r = client.post("/api/v1/webhooks", json={"url": url, "events": events or list(webhooks.EVENT_TYPES)},
                    headers=auth)
    assert r.status_code == 201, r.text
    return r.json()


def test_signed_deliveries_for_each_step_of_an_item(client, db, auth, receiver, make_account):
    hook = subscribe(client, auth, receiver.url)
    assert hook["secret"].startswith("whsec_")
    assert "secret" not in client.get("/api/v1/webhooks", headers=auth).json()[0]
    code = client.post("/api/v1/submissions", json=VALID, headers=auth).json()["tracking_code"]
    officer = make_account("so-khcn")
    item = service.get_by_code(session=db, code=code)
    service.accept(session=db, submission=item, actor=officer)
    service.request_info(session=db, submission=item, actor=officer, question="Bản nào, xã nào? Vui lòng nêu rõ.")
    assert run_worker(db) == 3  # routed, accepted, info requested

    bodies = [verify(hook["secret"], r) for r in receiver.requests]
    assert [b["type"] for b in bodies] == ["submission.state_changed", "submission.state_changed",
                                           "submission.info_requested"]
    last = bodies[-1]
    assert last["data"]["submission"]["tracking_code"] == code
    assert last["data"]["submission"]["info_request"]["question"].startswith("Bản nào")
    assert (last["data"]["event"]["from_state"], last["data"]["event"]["to_state"]) == ("in_progress", "info_requested")
    headers = receiver.requests[-1]["headers"]
    assert headers["x-pakn-event"] == "submission.info_requested"
    assert headers["content-type"].startswith("application/json")
    assert receiver.requests[-1]["path"] == "/hooks/pakn"

    # The sender's reply through the API, then the answer and a rejection-free close: each a delivery.
    r = client.post(f"/api/v1/submissions/{code}/reply", json={"reply": "Bản Huổi Lếch, xã Mường Nhé."}, headers=auth)
    assert r.status_code == 200 and r.json()["state"] == "in_progress"
    service.answer(session=db, submission=item, actor=officer, text="Đã lắp thêm trạm phát sóng tại bản.")
    run_worker(db)
    types = [json.loads(r["body"])["type"] for r in receiver.requests]
    assert types[-2:] == ["submission.state_changed", "submission.answered"]
    answered = verify(hook["secret"], receiver.requests[-1])
    assert answered["data"]["submission"]["answer"]["text"].startswith("Đã lắp")


def test_subscription_gets_only_the_events_it_chose_and_only_its_clients_items(
    client, db, auth, receiver, make_client, make_account
):
    subscribe(client, auth, receiver.url, ["submission.rejected"])
    mine = client.post("/api/v1/submissions", json=VALID, headers=auth).json()["tracking_code"]
    other = client.post("/api/v1/submissions", json=VALID, headers=bearer(make_client().key)).json()["tracking_code"]
    officer = make_account("so-khcn")
    for code in (mine, other):
        item = service.get_by_code(session=db, code=code)
        service.reject(session=db, submission=item, actor=officer, reason_code="out_of_scope",
                       detail="Nội dung không thuộc lĩnh vực khoa học công nghệ.")
    run_worker(db)
    assert len(receiver.requests) == 1
    body = json.loads(receiver.requests[0]["body"])
    assert body["type"] == "submission.rejected" and body["data"]["submission"]["tracking_code"] == mine
    assert body["data"]["submission"]["rejection"]["reason"] == "out_of_scope"


def test_failed_delivery_is_retried_logged_and_can_be_redelivered(client, db, auth, receiver):
    hook = subscribe(client, auth, receiver.url)
    receiver.status = 503
    r = client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=auth)
    assert r.status_code == 202 and r.json()["status"] == "pending"
    run_worker(db)
    log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth).json()["items"]
    assert len(log) == 1
    entry = log[0]
    assert entry["status"] == "pending" and entry["attempts"] == 1 and entry["max_attempts"] >= 16
    assert entry["attempt_log"][0]["status_code"] == 503 and entry["attempt_log"][0]["ok"] is False
    assert entry["attempt_log"][0]["duration_ms"] >= 0
    assert entry["next_attempt_at"] is not None

    receiver.status = 200
    run_worker(db, utcnow() + timedelta(hours=1))  # the retry is due later, not now
    entry = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries/{entry['id']}", headers=auth).json()
    assert entry["status"] == "sent" and [a["status_code"] for a in entry["attempt_log"]] == [503, 200]

    again = client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{entry['id']}/redeliver", headers=auth)
    assert again.status_code == 202 and again.json()["redelivery_of"] == entry["id"]
    run_worker(db)
    first, second = (verify(hook["secret"], r) for r in receiver.requests[-2:])
    assert first["id"] == second["id"] and first["type"] == "ping"  # same event id: receivers can drop duplicates
    assert len(client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth).json()["items"]) == 2


def test_retries_span_more_than_a_day():
    attempts = get_settings().webhook_max_attempts
    # backoff() jitters ±20 %; even the shortest possible schedule must cover 24 hours.
    base = [min(30 * 2 ** max(n - 1, 0), 6 * 3600) for n in range(1, attempts)]
    shortest = sum(b * 0.8 for b in base)
    assert shortest >= 24 * 3600, shortest / 3600
    for n in (1, 5, 15):
        assert 0.8 * base[n - 1] <= backoff(n).total_seconds() <= 1.2 * base[n - 1]


def test_disabled_subscription_stops_pending_deliveries(client, db, auth, receiver):
    hook = subscribe(client, auth, receiver.url)
    client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=auth)
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=auth).status_code == 204
    run_worker(db)
    assert receiver.requests == []
    entry = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth).json()["items"][0]
    assert entry["status"] == "dead"
    assert client.get(f"/api/v1/webhooks/{hook['id']}", headers=auth).json()["active"] is False
    assert client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=auth).status_code == 409


def test_webhook_urls_are_checked(client, auth, monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", False)
    for url, needle in [("ftp://x.example/h", "https"), ("http://hooks.example.vn/h", "https"),
                        ("https://127.0.0.1/h", "nội bộ"), ("https://10.1.2.3/h", "nội bộ"),
                        ("https://user:pw@hooks.example.vn/h", "mật khẩu"), ("https://[::1/h", "hợp lệ")]:
        r = client.post("/api/v1/webhooks", json={"url": url, "events": ["submission.answered"]}, headers=auth)
        assert r.status_code == 422, url
        assert needle in r.json()["errors"][0]["detail"], (url, r.json())
    r = client.post("/api/v1/webhooks", json={"url": "https://hooks.example.vn/h", "events": ["nope"]}, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"].startswith("events")  # events.0: the bad item
    r = client.post("/api/v1/webhooks", json={"url": "https://hooks.example.vn/h", "events": ["submission.answered"]},
                    headers=auth)
    assert r.status_code == 201


def test_send_refuses_names_that_resolve_to_private_addresses(monkeypatch):
    from app.notifications.models import OutboxMessage

    monkeypatch.setattr(get_settings(), "webhook_allow_private", False)
    sub = type("S", (), {"secret": "whsec_x", "active": True})()

    class FakeSession:
        def get(self, *a):
            return sub

        def exec(self, *a):
            return type("R", (), {"first": lambda self: None})()

    monkeypatch.setattr(webhooks, "session_factory", lambda: contextlib.nullcontext(FakeSession()))
    result = webhooks.send_webhook(OutboxMessage(id=1, channel="webhook", recipient="https://localhost/h",
                                                 reference="webhook:1", payload="{}"))
    assert not result.ok and result.permanent and "nội bộ" in result.error


def test_webhook_scope_and_other_clients_subscriptions(client, auth, make_client):
    no_scope = bearer(make_client(scopes="submit read-own").key)
    assert client.get("/api/v1/webhooks", headers=no_scope).status_code == 403
    hook = client.post("/api/v1/webhooks", json={"url": "https://hooks.example.vn/h",
                                                 "events": ["submission.answered"]}, headers=auth).json()
    other = bearer(make_client().key)
    assert client.get(f"/api/v1/webhooks/{hook['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=other).status_code == 404
    assert client.get("/api/v1/webhooks/99999999999", headers=auth).status_code == 422
