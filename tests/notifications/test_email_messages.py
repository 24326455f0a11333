"""Every message to a sender who chose e-mail, and the agency's own messages, delivered to a real SMTP server
(aiosmtpd): what each says, that each links to the item (the link alone opens nothing), and who gets what by
default (the agency inbox at once, people in the daily digest)."""

from sqlmodel import select

from app.config import get_settings
from app.notifications import worker
from app.notifications.models import DigestEntry, OutboxMessage
from app.notifications.service import set_preferences
from app.submissions import service as submissions_service
from tests.conftest import agency
from tests.notifications.steps import ANSWER, QUESTION, walk_every_step
from tests.notifications.test_outbox import smtp  # noqa: F401 (the aiosmtpd fixture)

EMAIL = "lo.van.minh@thu-nghiem.vn"


def test_each_step_reaches_the_sender_by_email(db, client, smtp, submit, make_account):  # noqa: F811
    walked = walk_every_step(db, submit, make_account, sender_email=EMAIL, notify_by="email")
    item, moved, refused = walked.item, walked.moved, walked.refused
    code = item.tracking_code
    silent = submit(title="Không muốn nhận thông báo", sender_email=EMAIL, notify_by="none")
    submissions_service.accept(session=db, submission=silent, actor=make_account("so-khcn", username="cb-silent"))
    db.commit()
    worker.run_once(db, jobs=False)

    mails = [m for m in smtp.messages if m["to"] == [EMAIL]]
    subjects = [m["subject"] for m in mails]
    assert subjects == [
        f"[{code}] Đã nhận ý kiến của bạn", f"[{code}] Đã được tiếp nhận", f"[{code}] Đề nghị bổ sung thông tin",
        f"[{code}] Thời hạn trả lời được gia hạn", f"[{code}] Đã có trả lời", f"[{code}] Hồ sơ đã đóng",
        f"[{moved.tracking_code}] Đã nhận ý kiến của bạn",
        f"[{moved.tracking_code}] Đã chuyển đến cơ quan có thẩm quyền",
        f"[{refused.tracking_code}] Đã nhận ý kiến của bạn", f"[{refused.tracking_code}] Không được tiếp nhận",
    ]  # nothing about the item whose sender chose no notifications
    base = get_settings().public_base_url.rstrip("/")
    receipt = mails[0]["body"]
    assert f"Mã tra cứu: {code}" in receipt and f"Tra cứu: {base}/track?code={code}" in receipt
    assert QUESTION in mails[2]["body"]
    assert "Thời hạn xử lý tạm dừng cho đến khi bạn trả lời." in mails[2]["body"]
    assert ANSWER in mails[4]["body"]
    assert "Sở Y tế" in mails[7]["body"]
    assert "Lý do: Không thuộc phạm vi tiếp nhận." in mails[9]["body"] and "Sở Xây dựng" in mails[9]["body"]
    for mail in mails:
        assert "/track?code=DB-" in mail["body"]
    # the link alone opens nothing: the status page asks for the phone or e-mail first
    page = client.get(f"/track/{code}")
    assert page.status_code == 303 and page.headers["location"] == f"/track?code={code}"
    # "both": the transfer also went by SMS (waiting: SMS is not configured in this test)
    assert db.exec(select(OutboxMessage).where(OutboxMessage.channel == "sms",
                                               OutboxMessage.submission_id == moved.id)).all()


def test_agency_inbox_hears_at_once_and_officers_in_the_digest(db, smtp, submit, make_account):  # noqa: F811
    health = agency(db, "so-y-te")
    health.email = "tiepnhan@soyte.thu-nghiem.vn, vanthu@soyte.thu-nghiem.vn"
    officer = make_account("so-y-te", username="cb-yte-digest")
    officer.email = "canbo@soyte.thu-nghiem.vn"
    keen = make_account("so-y-te", username="cb-yte-keen")
    keen.email = "nhanh@soyte.thu-nghiem.vn"
    set_preferences(session=db, owner=f"account:{keen.id}", choices={"new_item": "immediate"})
    quiet = make_account("so-y-te", username="cb-yte-quiet")
    quiet.email = "im@soyte.thu-nghiem.vn"
    set_preferences(session=db, owner=f"account:{quiet.id}", choices={"new_item": "off"})
    db.commit()
    item = submit(field_code="y-te-so", title="Đặt lịch khám trực tuyến bị lỗi")
    worker.run_once(db, jobs=False)
    at_once = {m["to"][0] for m in smtp.messages if m["subject"] == f"[{item.tracking_code}] Hồ sơ mới: {item.title}"}
    assert at_once == {"tiepnhan@soyte.thu-nghiem.vn", "vanthu@soyte.thu-nghiem.vn", "nhanh@soyte.thu-nghiem.vn"}
    lines = db.exec(select(DigestEntry).where(DigestEntry.submission_id == item.id)).all()
    assert [(e.recipient, e.line) for e in lines] == [
        ("canbo@soyte.thu-nghiem.vn", f"{item.tracking_code} — Hồ sơ mới: Đặt lịch khám trực tuyến bị lỗi")]


def test_sender_replied_and_unsatisfied_reach_the_agency(db, smtp, submit, make_account):  # noqa: F811
    agency(db, "so-khcn").email = "vanthu@sokhcn.thu-nghiem.vn"
    officer = make_account("so-khcn", username="cb-khcn-r")
    db.commit()
    item = submit()
    submissions_service.accept(session=db, submission=item, actor=officer)
    submissions_service.request_info(session=db, submission=item, actor=officer, question="Vui lòng cho biết tên bản.")
    submissions_service.provide_info(session=db, submission=item, reply="Bản Huổi Lếch.")
    submissions_service.answer(session=db, submission=item, actor=officer, text="Đã xử lý xong.")
    submissions_service.rate(session=db, submission=item, satisfied=False, comment="Sóng vẫn yếu.")
    db.commit()
    worker.run_once(db, jobs=False)
    subjects = [m["subject"] for m in smtp.messages if m["to"] == ["vanthu@sokhcn.thu-nghiem.vn"]]
    assert f"[{item.tracking_code}] Người gửi đã bổ sung thông tin" in subjects
    assert f"[{item.tracking_code}] Người gửi chưa hài lòng với trả lời" in subjects


def test_reserved_example_addresses_are_never_sent_to(db, smtp, submit):  # noqa: F811
    agency(db, "so-khcn").email = "vanthu@example.org"
    db.commit()
    item = submit(sender_email="nguoi.gui@example.com", sender_phone="0500 123 456", notify_by="both")
    assert not db.exec(select(OutboxMessage).where(OutboxMessage.submission_id == item.id)).all()
