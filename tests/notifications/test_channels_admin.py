"""A channel without configuration says so on /admin (“chưa cấu hình”) and its messages wait untouched instead of
failing for an hour; they go once it is configured. Officer assignment reaches the assignee."""

from sqlmodel import select

from app.accounts.models import Role
from app.assignments import service as assignments
from app.config import get_settings
from app.notifications import worker
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.service import enqueue_email, set_preferences
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


def test_an_officer_hears_of_an_assignment_by_their_choice_and_not_of_taking_an_item_themselves(db, submit,
                                                                                                make_account):
    """Officer assignment (app/assignments) reaches the assignee under the topic "assigned": at once when they chose
    it, in the digest by default, never when they took the item themselves."""
    admin = make_account("so-khcn", Role.AGENCY_ADMIN, username="ld-assigns")
    officer = make_account("so-khcn", username="cb-assigned")
    officer.email = "cb.assigned@so-khcn.dienbien.gov.vn"
    item = submit()
    set_preferences(session=db, owner=f"account:{officer.id}", choices={"assigned": "immediate"})
    db.commit()
    assignments.assign(session=db, submission=item, actor=admin, officer=officer)
    db.flush()
    sent = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == officer.email)).all()
    assert [m.subject for m in sent] == [f"[{item.tracking_code}] Hồ sơ được giao cho bạn: {item.title}"]
    db.refresh(item)
    assignments.assign(session=db, submission=item, actor=officer, officer=officer)
    db.flush()
    assert len(db.exec(select(OutboxMessage).where(OutboxMessage.recipient == officer.email)).all()) == 1
