"""“Quên mã tra cứu?”: the codes go to the phone or e-mail the items were sent with, never to the page; the page
says the same whether or not anything exists; requests are limited per contact and per address."""

from sqlmodel import col, select

from app.notifications import worker
from app.notifications.models import OutboxMessage
from tests.conftest import csrf_from
from tests.notifications.test_outbox import smtp  # noqa: F401 (the aiosmtpd fixture)


def ask(client, contact: str):
    form = client.get("/track/quen-ma")
    return client.post("/track/quen-ma", data={"contact": contact, "csrf_token": csrf_from(form.text)})


def queued_to(db, address: str) -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.recipient == address,
                                                    col(OutboxMessage.submission_id).is_(None))).all())


def test_the_page_reveals_nothing_and_the_codes_go_to_the_phone(db, client, submit, kannel):
    first = submit(sender_phone="0912 000 111")
    second = submit(sender_phone="0912000111")
    submit(sender_phone="0912000222")  # somebody else's
    db.commit()
    assert "Quên mã tra cứu?" in client.get("/track").text

    known = ask(client, "+84 912 000 111")
    unknown = ask(client, "0912 999 999")
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: html.replace(csrf_from(html), "")  # noqa: E731
    assert strip(known.text) == strip(unknown.text)
    assert first.tracking_code not in known.text and second.tracking_code not in known.text

    [message] = queued_to(db, "0912000111")
    assert queued_to(db, "0912999999") == []
    assert message.body.startswith(f"PAKN: ma tra cuu cua ban: {second.tracking_code}, {first.tracking_code}. ")
    worker.run_once(db, jobs=False)
    [got] = [m for m in kannel.wait_messages(3, since=kannel.seen) if m.text.startswith("PAKN: ma tra cuu")]
    assert got.to == "84912000111" and first.tracking_code in got.text and second.tracking_code in got.text


def test_codes_by_email_to_an_email_sender(db, client, submit, smtp):  # noqa: F811
    item = submit(sender_phone=None, sender_email="nguoi.gui@thu-nghiem.vn")
    db.commit()
    ask(client, "Nguoi.Gui@thu-nghiem.vn")
    worker.run_once(db, jobs=False)
    [mail] = [m for m in smtp.messages if m["subject"] == "[PAKN] Mã tra cứu hồ sơ của bạn"]
    assert mail["to"] == ["nguoi.gui@thu-nghiem.vn"] and f"• {item.tracking_code}" in mail["body"]


def test_limited_per_contact_and_per_address(db, client, submit):
    submit(sender_phone="0912000333")
    db.commit()
    pages = [ask(client, "0912000333") for _ in range(4)]
    assert all(p.status_code == 200 for p in pages)
    assert len(queued_to(db, "0912000333")) == 3  # the fourth gets the same page and nothing is sent
    for n in range(6):
        assert ask(client, f"09120004{n:02d}").status_code == 200
    refused = ask(client, "0912000499")  # the 11th request from this address within the hour
    assert refused.status_code == 429 and "quá nhiều lần" in refused.text


def test_a_malformed_contact_is_asked_again(client):
    page = ask(client, "không phải số")
    assert page.status_code == 422 and "Vui lòng nhập số điện thoại hoặc thư điện tử" in page.text
