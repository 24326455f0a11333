"""A channel without configuration says so on /admin (“chưa cấu hình”) and its messages wait untouched instead of
failing for an hour; they go once it is configured. The officer-assignment flow (issue 14) is wired."""

import json
from types import SimpleNamespace

from sqlmodel import select

from app.accounts.models import Role
from app.config import get_settings
from app.notifications import flows, worker
from app.notifications.models import OutboxMessage, OutboxStatus, Topic
from app.notifications.service import enqueue_email
from tests.notifications.test_outbox import smtp  # noqa: F401 (the aiosmtpd fixture)


def test_unconfigured_channels_wait_and_say_so(db, client, submit, login_as, monkeypatch):
    monkeypatch.setattr(get_settings(), "smtp_host", "")
    monkeypatch.setattr(get_settings(), "sms_gateway", "")
    item = submit(sender_email="nguoi.gui@thu-nghiem.vn", notify_by="both")
    db.commit()
    assert worker.run_once(db, jobs=False) == 0  # nothing attempted
    waiting = db.exec(select(OutboxMessage).where(OutboxMessage.submission_id == item.id)).all()
    assert {(m.channel, m.status, m.attempts) for m in waiting} == {("sms", OutboxStatus.PENDING, 0),
                                                                   ("email", OutboxStatus.PENDING, 0)}
    login_as(None, Role.SYSTEM_ADMIN)
    channels = client.get("/admin").text.split('id="channels"')[1].split("</table>")[0]
    rows = {row.split("</td>")[0].split("<td>")[-1]: row for row in channels.split("<tr>")[2:]}
    assert "chưa cấu hình" in rows["Thư điện tử"] and "chưa cấu hình" in rows["SMS (Kannel)"]
    assert "thư chờ đến khi cấu hình" in rows["SMS (Kannel)"]
    assert "chưa cấu hình" in rows["Zalo (ZNS)"] and "Đã cấu hình" in rows["Webhook"]


def test_once_configured_the_waiting_mail_goes(db, smtp, monkeypatch):  # noqa: F811
    monkeypatch.setattr(get_settings(), "smtp_host", "")
    enqueue_email(session=db, to="cho@thu-nghiem.vn", subject="Thử", body="x")
    db.commit()
    assert worker.run_once(db, jobs=False) == 0
    monkeypatch.setattr(get_settings(), "smtp_host", "127.0.0.1")
    assert worker.run_once(db, jobs=False) == 1
    assert [m["to"] for m in smtp.messages] == [["cho@thu-nghiem.vn"]]


def test_officer_assignment_flow_is_wired_for_issue_14(db, submit, make_account):
    """No event of type `officer_assigned` exists on this branch (issue 14 adds it); the flow answers it."""
    officer = make_account("so-khcn", username="cb-assigned")
    item = submit()
    event = SimpleNamespace(type=flows.OFFICER_ASSIGNED, data=json.dumps({"officer_id": officer.id}),
                            public_note=None, internal_note=None)
    message = flows.staff_message(db, item, event)
    assert message.topic == Topic.ASSIGNED and message.account_ids == (officer.id,)
    assert message.subject == f"[{item.tracking_code}] Hồ sơ được giao cho bạn: {item.title}"
