"""SMS end to end through a real Kannel (bearerbox + smsbox) and a fake operator (fakesmsc): what the sender's phone
receives at each step, delivery reports recorded per message, TRACUU answered only to the item's own phone, the
stop keyword, per-recipient limits, and a broken gateway retried then dead-lettered."""

from datetime import timedelta

from sqlmodel import col, select

from app.accounts.models import Role
from app.config import get_settings
from app.db import utcnow
from app.notifications import sms, worker
from app.notifications.models import DeliveryReport, OutboxMessage, OutboxStatus, SmsOptOut
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from tests.notifications.kannel import free_port, wait_for
from tests.notifications.steps import walk_every_step

PHONE = "0912345678"
INTL = "84912345678"


def deliver(db) -> int:
    return worker.run_once(db, jobs=False)


def sms_rows(db, phone: str = PHONE) -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.channel == "sms", OutboxMessage.recipient == phone)
                        .order_by(col(OutboxMessage.id))).all())


def test_every_message_to_the_sender_reaches_the_phone(db, client, kannel, submit, make_account):
    walked = walk_every_step(db, submit, make_account)  # the sender gave only a phone
    item, moved, refused = walked.item, walked.moved, walked.refused
    code = item.tracking_code

    deliver(db)
    got = kannel.wait_messages(9, since=kannel.seen)
    assert all(m.to == INTL and m.sender == "8088" for m in got)
    texts = [m.text for m in got]
    link = f"{kannel.relay.base_url}/track?code={code}"
    assert texts[0] == (f"PAKN Dien Bien da nhan y kien cua ban. Ma tra cuu: {code}. Ngung nhan SMS: soan TC. "
                        f"{link}")
    assert texts[1] == (f"PAKN: So Khoa hoc va Cong nghe de nghi bo sung cho ho so {code}: Vui long cho biet ten "
                        f"ban va so nha gan nhat. Tra loi tai: {link}")
    assert texts[2].startswith(f"PAKN: thoi han tra loi ho so {code} duoc gia han den ngay ") and link in texts[2]
    assert texts[3] == f"PAKN: ho so {code} da co tra loi cua So Khoa hoc va Cong nghe. Xem va danh gia: {link}"
    assert texts[4] == f"PAKN: ho so {code} da dong. Cam on ban. {link}"
    # the other two items: receipt, then transferred (to whom) / rejected (why)
    assert texts[6] == (f"PAKN: ho so {moved.tracking_code} da chuyen den So Y te de xu ly. "
                        f"{kannel.relay.base_url}/track?code={moved.tracking_code}")
    assert texts[8] == (f"PAKN: ho so {refused.tracking_code} khong duoc tiep nhan. Ly do: Khong thuoc pham vi "
                        f"tiep nhan. {kannel.relay.base_url}/track?code={refused.tracking_code}")
    assert all(sms.is_gsm7(t) and m.segments <= 2 for t, m in zip(texts, got, strict=True))

    # Kannel reports delivery to the dlr-url of each message: recorded per message
    wait_for(lambda: len([r for r in kannel.relay.requests if r.startswith("/sms/kannel/dlr")]) >= 18,
             what="delivery reports")
    for path in kannel.relay.take("/sms/kannel/dlr"):
        assert client.get(path).status_code == 200
    rows = sms_rows(db)
    reports = db.exec(select(DeliveryReport).where(col(DeliveryReport.message_id).in_([r.id for r in rows]))).all()
    assert {(r.message_id, r.status) for r in reports} == {(m.id, s) for m in rows for s in (8, 1)}
    assert client.get("/sms/kannel/dlr?id=1&type=1&sig=forged").status_code == 403


def test_tracuu_answers_the_state_only_to_the_phone_that_sent_the_item(db, client, kannel, submit):
    item = submit(title="Sóng 4G yếu tại bản Huổi Lếch")
    db.commit()
    deliver(db)
    kannel.wait_messages(1, since=kannel.seen)  # the receipt reached the phone
    before = kannel.seen + 1

    kannel.send_mo(PHONE, f"tracuu {item.tracking_code.lower()}")
    kannel.send_mo("0987654321", f"TRACUU {item.tracking_code}")  # somebody else who learnt the code
    kannel.send_mo("0987654321", "TRACUU DB-2026-ZZZZZZ")  # a code that does not exist
    paths = wait_for(lambda: (lambda p: p if len(p) == 3 else None)(
        [r for r in kannel.relay.requests if r.startswith("/sms/kannel/incoming")]), what="three incoming SMS")
    for path in kannel.relay.take("/sms/kannel/incoming"):
        assert client.get(path).status_code == 200
    assert client.get(paths[0].replace("sig=", "sig=x")).status_code == 403  # a forged forward does nothing

    deliver(db)
    replies = kannel.wait_messages(3, since=before)
    by_phone = {}
    for m in replies:
        by_phone.setdefault(m.to, []).append(m.text)
    assert by_phone[INTL] == [f"PAKN: ho so {item.tracking_code}: Da chuyen den co quan xu ly. Xem: "
                              f"{kannel.relay.base_url}/track?code={item.tracking_code}"]
    unknown = "PAKN: khong tim thay ho so nay cua so dien thoai cua ban. Soan: TRACUU <ma tra cuu>"
    assert by_phone["84987654321"] == [unknown, unknown]  # somebody else's item and no item: the same words


def test_the_stop_keyword_turns_sms_off(db, client, kannel, submit, make_account):
    officer = make_account("so-khcn", username="cb-stop")
    item = submit()
    db.commit()
    kannel.send_mo(PHONE, "tc")
    [path] = wait_for(lambda: [r for r in kannel.relay.requests if r.startswith("/sms/kannel/incoming")],
                      what="the stop SMS")
    kannel.relay.take("/sms/kannel/incoming")
    assert client.get(path).status_code == 200
    assert db.get(SmsOptOut, PHONE) is not None
    before = len(sms_rows(db))
    submissions_service.accept(session=db, submission=item, actor=officer)
    submissions_service.request_info(session=db, submission=item, actor=officer, question="Vui lòng cho biết tên bản.")
    db.commit()
    assert len(sms_rows(db)) == before  # nothing more is queued for this phone
    deliver(db)
    texts = [m.text for m in kannel.wait_messages(2, since=kannel.seen)]
    assert texts[-1] == "PAKN: ban se khong nhan SMS thong bao nua. Van tra cuu duoc tai trang PAKN Dien Bien."

    kannel.send_mo(PHONE, "DK")  # and back on
    [path] = wait_for(lambda: kannel.relay.take("/sms/kannel/incoming"), what="the DK SMS")
    assert client.get(path).status_code == 200
    assert db.get(SmsOptOut, PHONE) is None
    deliver(db)
    assert kannel.wait_messages(3, since=kannel.seen)[-1].text == (
        "PAKN: ban se nhan lai SMS thong bao ve ho so. Muon ngung: soan TC.")


def test_with_diacritics_configured_the_sms_is_ucs2(db, kannel, submit, monkeypatch):
    monkeypatch.setattr(get_settings(), "sms_diacritics", True)
    item = submit(title="Sóng yếu")
    db.commit()
    deliver(db)
    [got] = kannel.wait_messages(1, since=kannel.seen)
    assert got.text.startswith("PAKN Điện Biên đã nhận ý kiến của bạn. Mã tra cứu: ")
    assert kannel.received()[-1].coding in ("ucs-2", "udh") and item.tracking_code in got.text
    assert got.segments <= 2


def test_per_recipient_limit_holds_the_rest_until_the_next_hour(db, kannel, submit, monkeypatch):
    monkeypatch.setattr(get_settings(), "sms_per_recipient_hour", 2)
    for n in range(3):
        submit(title=f"Phản ánh số {n + 1} về sóng yếu")
    db.commit()
    deliver(db)
    assert len(kannel.wait_messages(2, since=kannel.seen)) == 2
    waiting = [m for m in sms_rows(db) if m.status == OutboxStatus.PENDING]
    assert len(waiting) == 1 and waiting[0].attempts == 0 and waiting[0].next_attempt_at > utcnow()


def test_a_broken_gateway_is_retried_then_dead_lettered_and_admin_sees_no_content(db, client, kannel, submit,
                                                                                   login_as, monkeypatch):
    monkeypatch.setattr(get_settings(), "kannel_sendsms_url", f"http://127.0.0.1:{free_port()}/cgi-bin/sendsms")
    monkeypatch.setattr(get_settings(), "sms_max_attempts", 3)
    item = submit(title="Đèn đường hỏng ở tổ dân phố 5")
    db.commit()
    [message] = sms_rows(db)
    now = utcnow()
    for attempt in range(3):
        worker.run_messages(db, now)
        db.refresh(message)
        assert message.attempts == attempt + 1
        now = message.next_attempt_at + timedelta(seconds=1)
    assert message.status == OutboxStatus.DEAD and "ConnectError" in message.last_error

    login_as(None, Role.SYSTEM_ADMIN)
    page = client.get("/admin").text
    assert "091****678" in page and PHONE not in page
    assert item.tracking_code not in page and "Đèn đường" not in page and "da nhan y kien" not in page


def test_an_sms_to_the_service_number_becomes_an_item_and_the_reply_carries_its_code(db, client, kannel):
    """SMS intake through the real gateway: a long SMS split by the phone into two parts arrives joined (Kannel
    reassembles it), one typed with diacritics (UCS-2) arrives as written; each becomes an item in triage and the
    phone gets its tracking code and the command to follow it."""
    first = "Song dien thoai o ban Huoi Lech, xa Muong Nhe mat tu tuan truoc, nguoi dan khong goi duoc cap cuu, "
    second = "mong co quan chuc nang sua tram phat song som. Xin cam on."
    kannel.send_mo_parts("0912777301", [first, second])
    kannel.send_mo_unicode("0912777302", "Đường vào bản Nậm Pồ, xã Mường Toong sạt lở, xe máy không qua được.")
    wait_for(lambda: len([r for r in kannel.relay.requests if r.startswith("/sms/kannel/incoming")]) >= 2,
             what="two incoming SMS")
    for path in kannel.relay.take("/sms/kannel/incoming"):
        assert client.get(path).status_code == 200
    joined = db.exec(select(Submission).where(Submission.sender_phone == "0912777301")).one()
    typed = db.exec(select(Submission).where(Submission.sender_phone == "0912777302")).one()
    assert joined.content == first + second and joined.source == "sms" and joined.state == "triage"
    assert typed.content == "Đường vào bản Nậm Pồ, xã Mường Toong sạt lở, xe máy không qua được."

    before = kannel.seen
    deliver(db)
    replies = {m.to: m.text for m in kannel.wait_messages(2, since=before)}
    for phone, item in (("84912777301", joined), ("84912777302", typed)):
        assert f"Ma tra cuu: {item.tracking_code}" in replies[phone]
        assert f"soan TRACUU {item.tracking_code} gui 8088" in replies[phone]
