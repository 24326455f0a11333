"""Zalo (ZNS) against a local HTTP server implementing the documented request and response: POST
{phone, template_id, template_data, tracking_id} with the OA's `access_token` header; {"error": 0, "message":
"Success", "data": {"msg_id": …}} or a negative error code. A refusal sends the same text by SMS instead."""

import http.server
import json
import threading
import urllib.parse
from datetime import timedelta

import pytest
from sqlmodel import Session, col, delete, select

from app.config import get_settings
from app.db import utcnow
from app.notifications import worker, zalo_tokens
from app.notifications.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from app.notifications.service import enqueue_sms
from app.notifications.zalo_tokens import ZaloToken
from app.throttle import ThrottleCounter
from tests.notifications.kannel import free_port

TOKEN = "zalo-oa-access-token-thu-nghiem"
APP_ID = "1234567890"
SECRET = "zalo-app-secret-thu-nghiem"
NO_ZALO = "84933333333"  # a number without a Zalo account
REJECTED_PHONE = "0933444555"


class FakeZns:
    """ZNS and Zalo's OAuth endpoint: a refresh token works once and its answer carries the next pair."""

    def __init__(self):
        self.requests: list[dict] = []
        self.token = TOKEN
        self.refresh = "zalo-refresh-1"
        self.exchanges: list[dict] = []
        zns = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path.startswith("/v4/oa/access_token"):
                    return self._oauth(dict(urllib.parse.parse_qsl(raw.decode())))
                body = json.loads(raw)
                zns.requests.append({"token": self.headers.get("access_token"), **body})
                if self.headers.get("access_token") != zns.token:
                    answer = {"error": -124, "message": "Access token is invalid"}
                elif body["phone"] == NO_ZALO:
                    answer = {"error": -118, "message": "Zalo account not existed"}
                else:
                    answer = {"error": 0, "message": "Success",
                              "data": {"msg_id": f"m{len(zns.requests)}", "sent_time": "1700000000000",
                                       "quota": {"dailyQuota": "500", "remainingQuota": "499"}}}
                self._answer(answer)

            def _oauth(self, form):
                zns.exchanges.append({"secret_key": self.headers.get("secret_key"), **form})
                if self.headers.get("secret_key") != SECRET or form.get("app_id") != APP_ID:
                    return self._answer({"error": -14002, "error_name": "Invalid app"})
                if form.get("grant_type") != "refresh_token" or form.get("refresh_token") != zns.refresh:
                    return self._answer({"error": -14020, "error_name": "Invalid refresh token"})
                n = len(zns.exchanges)
                zns.token, zns.refresh = f"zalo-access-{n + 1}", f"zalo-refresh-{n + 1}"
                self._answer({"access_token": zns.token, "refresh_token": zns.refresh, "expires_in": "90000"})

            def _answer(self, answer):
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/message/template"
        self.oauth_url = f"http://127.0.0.1:{self.server.server_port}/v4/oa/access_token"


@pytest.fixture
def zns(monkeypatch):
    fake = FakeZns()
    s = get_settings()
    monkeypatch.setattr(s, "zalo_api_url", fake.url)
    monkeypatch.setattr(s, "zalo_access_token", TOKEN)
    monkeypatch.setattr(s, "zalo_app_id", APP_ID)
    monkeypatch.setattr(s, "zalo_templates", "receipt=301001,answered=301002")
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def messages(db, item) -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.submission_id == item.id)
                        .order_by(col(OutboxMessage.id))).all())


def test_the_receipt_goes_by_zalo_template(db, zns, kannel, submit):
    item = submit()
    db.commit()
    [message] = messages(db, item)
    assert message.channel == "zalo"
    worker.run_once(db, jobs=False)
    [request] = zns.requests
    assert request == {"token": TOKEN, "phone": "84912345678", "template_id": "301001",
                       "template_data": {"ma_ho_so": item.tracking_code, "co_quan": "Sở Khoa học và Công nghệ"},
                       "tracking_id": f"pakn-{message.id}"}
    db.refresh(message)
    assert message.status == OutboxStatus.SENT
    assert [m.channel for m in messages(db, item)] == ["zalo"]  # no SMS as well


def test_a_refusal_falls_back_to_sms_once(db, zns, kannel, submit):
    item = submit(sender_phone="0933333333")
    db.commit()
    worker.run_once(db, jobs=False)
    zalo, fallback = messages(db, item)
    assert (zalo.channel, zalo.status, zalo.attempts) == ("zalo", OutboxStatus.DEAD, 1)
    assert "Zalo -118" in zalo.last_error
    assert (fallback.channel, fallback.recipient, fallback.body) == ("sms", "0933333333", zalo.body)
    assert fallback.max_attempts == get_settings().sms_max_attempts  # the SMS's own retries, not Zalo's 3
    got = kannel.wait_messages(1, since=kannel.seen)
    assert got[0].to == NO_ZALO and item.tracking_code in got[0].text


def test_messages_without_a_template_go_by_sms(db, zns, submit, make_account):
    officer = make_account("so-khcn", username="cb-zalo")
    item = submit()
    from app.submissions import service as submissions_service

    submissions_service.accept(session=db, submission=item, actor=officer)
    submissions_service.request_info(session=db, submission=item, actor=officer,
                                     question="Vui lòng cho biết tên bản.")
    assert [m.channel for m in messages(db, item)] == ["zalo", "sms"]  # receipt by template; no template for this


@pytest.fixture
def renewable(zns, monkeypatch, engine):
    """The OA set up as an administrator would: the first pair and the app secret in the environment. The token row
    is committed (the senders read it in a session of their own), and removed afterwards."""
    s = get_settings()
    monkeypatch.setattr(s, "zalo_secret", SECRET)
    monkeypatch.setattr(s, "zalo_refresh_token", zns.refresh)
    monkeypatch.setattr(s, "zalo_oauth_url", zns.oauth_url)
    yield zns
    with Session(engine) as session:
        session.exec(delete(ZaloToken))
        ids = select(OutboxMessage.id).where(OutboxMessage.recipient == REJECTED_PHONE)
        session.exec(delete(DeliveryAttempt).where(col(DeliveryAttempt.message_id).in_(ids)))
        session.exec(delete(OutboxMessage).where(OutboxMessage.recipient == REJECTED_PHONE))
        session.exec(delete(ThrottleCounter))  # the per-recipient send limit the worker counted
        session.commit()


def refresh(engine, now) -> ZaloToken:
    """One run of the job, as the worker runs it (its own unit of work); the row as it is afterwards."""
    with Session(engine, expire_on_commit=False) as session:
        zalo_tokens.refresh_job(session, now)
        session.commit()
        return session.get(ZaloToken, 1)


def test_the_token_is_renewed_before_it_expires_and_each_refresh_token_is_spent_once(renewable, db, engine,
                                                                                     submit):
    now = utcnow()
    row = refresh(engine, now)  # first run: the environment's pair, expiry unknown → renewed at once
    assert renewable.exchanges == [{"secret_key": SECRET, "app_id": APP_ID, "refresh_token": "zalo-refresh-1",
                                    "grant_type": "refresh_token"}]
    assert row.expires_at == now + timedelta(seconds=90000) and row.last_error is None
    assert "zalo-access-2" not in row.access_token and "zalo-refresh-2" not in row.refresh_token  # sealed
    assert zalo_tokens.access_token() == "zalo-access-2"

    refresh(engine, now + timedelta(hours=20))  # not yet due
    assert len(renewable.exchanges) == 1
    refresh(engine, now + timedelta(hours=24, minutes=30))  # within the hour before expiry
    assert [e["refresh_token"] for e in renewable.exchanges] == ["zalo-refresh-1", "zalo-refresh-2"]

    item = submit()
    db.commit()
    worker.run_once(db, jobs=False)
    assert renewable.requests[-1]["token"] == "zalo-access-3"  # the receipt went with the renewed token
    assert db.exec(select(OutboxMessage).where(OutboxMessage.submission_id == item.id)).one().status == \
        OutboxStatus.SENT


def test_a_rejected_token_is_renewed_at_the_next_run_and_the_message_goes_by_sms(renewable, engine):
    refresh(engine, utcnow())
    renewable.token = "revoked-by-zalo"  # e.g. the OA revoked it
    with Session(engine, expire_on_commit=False) as session:  # committed: the sender's own session sees it
        message = enqueue_sms(session=session, to=REJECTED_PHONE, body="PAKN: ma tra cuu DB-2026-ABCDEF",
                              via_zalo=True, payload={"template_id": "301001", "template_data": {},
                                                      "fallback": {"channel": "sms", "body": "PAKN: ma tra cuu",
                                                                   "max_attempts": 6}})
        session.commit()
        worker.run_once(session, jobs=False)
        session.refresh(message)
        assert "Zalo -124" in message.last_error
        assert session.exec(select(OutboxMessage).where(OutboxMessage.recipient == REJECTED_PHONE,
                                                        OutboxMessage.channel == "sms")).one()  # the SMS fallback
        assert session.get(ZaloToken, 1).expires_at <= utcnow()  # due now
    refresh(engine, utcnow())
    assert len(renewable.exchanges) == 2 and zalo_tokens.access_token() == renewable.token


def test_a_refused_renewal_is_kept_for_the_admin_and_a_new_pair_from_the_environment_wins(renewable, engine,
                                                                                          monkeypatch):
    renewable.refresh = "not-what-we-hold"  # e.g. spent by a copy of the service elsewhere
    row = refresh(engine, utcnow())
    assert "Invalid refresh token" in row.last_error and zalo_tokens.access_token() == TOKEN
    monkeypatch.setattr(get_settings(), "zalo_refresh_token", "not-what-we-hold")  # the admin authorised again
    row = refresh(engine, utcnow())
    assert row.last_error is None and zalo_tokens.access_token() == renewable.token != TOKEN
