"""The sender's choice on the form (templates/citizen/_notify.html): automatic by default, stored as chosen, and a
channel without its contact is asked for."""

from sqlmodel import select

from app.notifications.models import OutboxMessage
from app.submissions.models import Submission
from tests.web.test_citizen import post_form


def sent(db, location: str) -> tuple[Submission, list[str]]:
    code = location.split("/track/")[1].split("?")[0]
    item = db.exec(select(Submission).where(Submission.tracking_code == code)).one()
    return item, sorted(m.channel for m in db.exec(select(OutboxMessage).where(OutboxMessage.submission_id == item.id)))


def test_the_form_offers_the_choice_and_stores_it(client, db):
    page = client.get("/").text
    assert 'name="notify_by" value="" checked' in page and 'value="both"' in page
    item, channels = sent(db, post_form(client).headers["location"])  # automatic, a phone given
    assert item.notify_by is None and channels == ["sms"]
    item, channels = sent(db, post_form(client, sender_email="hoa@thu-nghiem.vn", notify_by="both")
                          .headers["location"])
    assert item.notify_by == "both" and channels == ["email", "sms"]
    item, channels = sent(db, post_form(client, notify_by="none").headers["location"])
    assert item.notify_by == "none" and channels == []


def test_a_channel_without_its_contact_is_asked_for(client):
    r = post_form(client, notify_by="email")
    assert r.status_code == 422
    assert "Để nhận thông báo qua thư điện tử, vui lòng nhập địa chỉ thư điện tử." in r.text
    assert 'name="notify_by" value="email" checked' in r.text
