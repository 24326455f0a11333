"""E-mail through the transactional outbox, delivered to a real SMTP server (aiosmtpd) on loopback."""

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from app.config import get_settings
from app.db import utcnow
from app.errors import Invalid
from app.notifications import worker
from app.notifications.models import DeliveryAttempt, OutboxMessage
from app.notifications.service import enqueue_email, set_preferences
from app.submissions import service
from tests.conftest import agency


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({
            "to": envelope.rcpt_tos,
            "subject": str(message["Subject"]),
            "body": message.get_content(),
        })
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", port)
    yield inbox
    controller.stop()


def pending(db):
    return db.exec(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()


def test_sender_and_agency_get_mail_for_each_step(db, smtp, submit, make_account):
    officer = make_account("so-khcn")
    officer.email = "canbo@so-khcn.example.vn"
    set_preferences(session=db, owner=f"account:{officer.id}", choices={"new_item": "immediate"})
    db.commit()
    sub = submit(sender_email="minh@example.vn", notify_by="email")
    service.accept(session=db, submission=sub, actor=officer)
    service.request_info(session=db, submission=sub, actor=officer, question="Vui lòng cho biết tên bản.")
    service.provide_info(session=db, submission=sub, reply="Bản Huổi Lếch")
    service.answer(session=db, submission=sub, actor=officer, text="Nhà mạng sẽ lắp trạm trong tháng 12.")
    assert worker.run_once(db, jobs=False) == 5
    by_recipient = {}
    for m in smtp.messages:
        by_recipient.setdefault(m["to"][0], []).append(m["subject"])
    assert by_recipient["canbo@so-khcn.example.vn"] == [f"[{sub.tracking_code}] Hồ sơ mới: {sub.title}"]
    assert [s.split("] ")[1] for s in by_recipient["minh@example.vn"]] == [
        "Đã nhận ý kiến của bạn", "Đã được tiếp nhận", "Đề nghị bổ sung thông tin", "Đã có trả lời"]
    answer_mail = smtp.messages[-1]["body"]
    assert "Nhà mạng sẽ lắp trạm trong tháng 12." in answer_mail and sub.tracking_code in answer_mail
    assert not pending(db)


def test_rejection_mail_tells_the_reason(db, smtp, submit, make_account):
    officer = make_account("so-khcn")
    sub = submit(sender_email="minh@example.vn", notify_by="email")
    service.reject(session=db, submission=sub, actor=officer, reason_code="out_of_scope",
                   detail="Việc này thuộc Sở Xây dựng.")
    worker.run_once(db, jobs=False)
    assert "Không thuộc phạm vi tiếp nhận" in smtp.messages[-1]["body"]


def test_message_survives_a_crash_between_commit_and_send(db, smtp):
    enqueue_email(session=db, to="a@example.vn", subject="Thử", body="Nội dung")
    db.commit()
    now = utcnow()
    claimed = worker.claim(db, now)  # the process "dies" here, holding a lease
    assert len(claimed) == 1
    assert worker.run_once(db, now, jobs=False) == 0  # still leased: nobody sends it twice
    assert worker.run_once(db, now + worker.lease_for("email") + timedelta(seconds=1), jobs=False) == 1
    assert [m["to"] for m in smtp.messages] == [["a@example.vn"]]


def test_failing_message_retries_with_backoff_then_stops(db, monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", free_port())  # nothing listens there
    message = enqueue_email(session=db, to="a@example.vn", subject="Thử", body="Nội dung")
    message.max_attempts = 3
    db.commit()
    now = utcnow()
    for _ in range(3):
        worker.run_once(db, now, jobs=False)
        db.refresh(message)
        now = message.next_attempt_at + timedelta(seconds=1)
    assert message.status == "dead" and message.attempts == 3
    attempts = db.exec(select(DeliveryAttempt).where(DeliveryAttempt.message_id == message.id)).all()
    assert len(attempts) == 3 and not any(a.ok for a in attempts)
    assert "Connection" in message.last_error or "refused" in message.last_error.lower()


def test_backoff_grows_and_is_capped():
    assert worker.backoff(1) < worker.backoff(4) < worker.backoff(8)
    assert worker.backoff(50) <= timedelta(hours=6 * 1.2)


def test_nothing_is_queued_when_the_change_rolls_back(db, submit, make_account):
    officer = make_account("so-khcn")
    sub = submit(sender_email="minh@example.vn", notify_by="email")
    before = len(pending(db))
    with pytest.raises(Invalid):
        service.transfer(session=db, submission=sub, actor=officer, to_agency=agency(db, "so-y-te"), reason="")
    assert len(pending(db)) == before


def test_system_admin_sees_dead_messages(client, db, login_as):
    message = enqueue_email(session=db, to="khong-gui-duoc@example.vn", subject="Thử", body="x")
    message.status = "dead"
    message.last_error = "SMTP_HOST is not set"
    db.commit()
    login_as(None, __import__("app.accounts.models", fromlist=["Role"]).Role.SYSTEM_ADMIN)
    page = client.get("/admin")
    assert "k***@example.vn" in page.text and "SMTP_HOST is not set" in page.text
    assert "khong-gui-duoc@example.vn" not in page.text  # the recipient is masked (issue 9)
