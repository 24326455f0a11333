"""Zalo (ZNS) against a local HTTP server implementing the documented request and response: POST
{phone, template_id, template_data, tracking_id} with the OA's `access_token` header; {"error": 0, "message":
"Success", "data": {"msg_id": …}} or a negative error code. A refusal sends the same text by SMS instead."""

import http.server
import json
import threading

import pytest
from sqlmodel import col, select

from app.config import get_settings
from app.notifications import worker
from app.notifications.models import OutboxMessage, OutboxStatus
from tests.notifications.kannel import free_port

TOKEN = "zalo-oa-access-token-thu-nghiem"
NO_ZALO = "84933333333"  # a number without a Zalo account


class FakeZns:
    def __init__(self):
        self.requests: list[dict] = []
        zns = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                zns.requests.append({"token": self.headers.get("access_token"), **body})
                if self.headers.get("access_token") != TOKEN:
                    answer = {"error": -124, "message": "Access token is invalid"}
                elif body["phone"] == NO_ZALO:
                    answer = {"error": -118, "message": "Zalo account not existed"}
                else:
                    answer = {"error": 0, "message": "Success",
                              "data": {"msg_id": f"m{len(zns.requests)}", "sent_time": "1700000000000",
                                       "quota": {"dailyQuota": "500", "remainingQuota": "499"}}}
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


@pytest.fixture
def zns(monkeypatch):
    fake = FakeZns()
    s = get_settings()
    monkeypatch.setattr(s, "zalo_api_url", fake.url)
    monkeypatch.setattr(s, "zalo_access_token", TOKEN)
    monkeypatch.setattr(s, "zalo_app_id", "1234567890")
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
