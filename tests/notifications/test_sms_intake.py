"""SMS intake (issue 13): an SMS to the service number that is no command becomes an item in triage, with the
phone as its contact; the reply carries the tracking code and how to follow it. Its commune comes from the text or
the phone's previous item, else the sender is asked; limits per phone; races on one draft and on the limit."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlmodel import Session, col, delete, func, select

from app import throttle
from app.accounts.models import Role
from app.agencies.models import Commune, Field
from app.db import unit_of_work, utcnow
from app.events.models import Event
from app.kinds import Channel, EventType, State
from app.notifications import incoming, sms_intake
from app.notifications.models import OutboxMessage, SmsDraft
from app.submissions.models import Submission
from app.throttle import ThrottleCounter
from tests.test_races import World  # its cleanup knows every table an item touches

PHONE = "0912777001"
TEXT = "Bản Huổi Lếch, xã Mường Nhé mất sóng điện thoại từ tuần trước, người dân không gọi được cấp cứu."


def sms_to(db, phone: str = PHONE) -> list[str]:
    return [m.body for m in db.exec(select(OutboxMessage).where(OutboxMessage.recipient == phone,
                                                                OutboxMessage.channel == "sms")
                                    .order_by(col(OutboxMessage.id))).all()]


def items_of(db, phone: str = PHONE) -> list[Submission]:
    return list(db.exec(select(Submission).where(Submission.sender_phone == phone)
                        .order_by(col(Submission.id))).all())


def send(db, text: str, phone: str = PHONE, now=None) -> None:
    assert incoming.handle(db, sender=phone, to="8088", text=text, now=now)
    db.commit()


def test_an_sms_naming_its_commune_becomes_an_item_in_triage_and_the_reply_carries_the_code(db):
    send(db, TEXT)
    [item] = items_of(db)
    commune = db.get(Commune, item.commune_id)
    assert item.source == Channel.SMS and item.state == State.TRIAGE and commune.name == "Xã Mường Nhé"
    assert db.get(Field, item.field_id).code == "khac"
    assert item.content == TEXT and item.title == "Bản Huổi Lếch, xã Mường Nhé mất sóng điện thoại từ tuần…"
    assert item.sender_phone == PHONE and item.sender_email is None
    triage = db.exec(select(Event).where(Event.submission_id == item.id, Event.type == EventType.SENT_TO_TRIAGE)).one()
    assert "SMS" in triage.internal_note
    [reply] = sms_to(db)
    assert item.tracking_code in reply and f"TRACUU {item.tracking_code}" in reply  # how to follow it by SMS
    assert not db.exec(select(SmsDraft)).all()


def test_a_commune_written_without_diacritics_is_found_and_an_unclear_one_is_not(db):
    assert sms_intake.find_commune(db, "song yeu o xa muong nhe").name == "Xã Mường Nhé"
    assert sms_intake.find_commune(db, "P. Muong Thanh mat dien").name == "Phường Mường Thanh"
    assert sms_intake.find_commune(db, "mat song o Mường Nhà va Mường Phăng") is None  # two: not a guess
    assert sms_intake.find_commune(db, "mat song ca tuan nay") is None


def test_without_a_commune_the_sender_is_asked_and_the_answer_completes_the_item(db):
    text = "Trạm phát sóng ở bản tôi hỏng cả tuần, không gọi được ai, mong cơ quan xem giúp."
    send(db, text)
    assert items_of(db) == []
    [ask] = sms_to(db)
    assert "xa, phuong nao" in ask.lower()
    send(db, "xã Sín Thầu")
    [item] = items_of(db)
    assert item.content == text and db.get(Commune, item.commune_id).name == "Xã Sín Thầu"
    assert item.tracking_code in sms_to(db)[-1]
    assert not db.exec(select(SmsDraft)).all()


def test_a_second_part_without_the_commune_joins_the_draft(db):
    send(db, "Đường vào bản Nậm Pồ bị sạt lở sau mưa lớn, xe máy không đi được")
    send(db, "các cháu phải nghỉ học ba ngày nay")
    send(db, "Mường Nhé")
    [item] = items_of(db)
    assert item.content == ("Đường vào bản Nậm Pồ bị sạt lở sau mưa lớn, xe máy không đi được\n"
                            "các cháu phải nghỉ học ba ngày nay")


def test_a_draft_older_than_a_day_is_not_used(db):
    now = utcnow()
    send(db, "Trạm phát sóng ở bản tôi hỏng cả tuần, không gọi được ai.", now=now - timedelta(days=2))
    send(db, "xã Sín Thầu", now=now)
    assert items_of(db) == []  # "xã Sín Thầu" alone is no feedback
    assert "qua ngan" in sms_to(db)[-1]
    assert sms_intake.purge_drafts(db, now) == 0  # taken (and dropped) by the SMS above


def test_the_phones_previous_item_gives_the_commune(db):
    send(db, TEXT)
    send(db, "Lại mất sóng từ sáng nay, cả bản không liên lạc được, nhờ các anh xem lại giúp.")
    first, second = items_of(db)
    assert second.commune_id == first.commune_id and second.source == Channel.SMS


def test_a_too_short_sms_is_no_item(db):
    send(db, "alo alo")
    assert items_of(db) == [] and "qua ngan" in sms_to(db)[0]


def test_commands_are_not_taken_as_items(db):
    send(db, "TRACUU DB-2026-ZZZZZZ")
    assert items_of(db) == [] and "khong tim thay" in sms_to(db)[0]


def test_limits_per_phone_one_warning_then_silence(db):
    for i in range(sms_intake.INTAKE_HOUR.limit):
        send(db, f"{TEXT} Lần {i + 1}.")
    assert len(items_of(db)) == sms_intake.INTAKE_HOUR.limit
    send(db, f"{TEXT} Lần nữa.")
    send(db, f"{TEXT} Lần nữa nữa.")
    assert len(items_of(db)) == sms_intake.INTAKE_HOUR.limit
    warnings = [t for t in sms_to(db) if "nhieu y kien" in t]
    assert len(warnings) == 1  # the first refused SMS is told; the flood costs nothing more
    send(db, TEXT, phone="0912777002")  # another phone is not affected
    assert len(items_of(db, "0912777002")) == 1


def test_the_item_page_shows_the_sms_channel_to_the_coordinator(db, client, login_as):
    send(db, TEXT)
    [item] = items_of(db)
    login_as("so-khcn", Role.COORDINATOR)
    page = client.get(f"/officer/items/{item.tracking_code}")
    assert page.status_code == 200 and PHONE in page.text and "Nhận qua tin nhắn SMS" in page.text


# --- races: every SMS is its own request (Kannel calls once per message) -------------------------------------

ATTEMPTS = 20


@pytest.fixture
def committed(engine, initial_credentials):
    """Runs on committed data; removes what the test made (the audit chain's head rewound)."""
    phones = ["0912777101", "0912777102"]
    world = World(engine)
    yield phones
    with Session(engine) as s:
        world.items = list(s.exec(select(Submission.id).where(col(Submission.sender_phone).in_(phones))).all())
    world.cleanup()
    with Session(engine) as s:
        s.exec(delete(OutboxMessage).where(col(OutboxMessage.recipient).in_(phones)))
        s.exec(delete(SmsDraft).where(col(SmsDraft.phone).in_(phones)))
        s.exec(delete(ThrottleCounter))
        s.commit()


def _race(engine, phone: str, text: str) -> None:
    barrier = threading.Barrier(ATTEMPTS)

    def one(_i: int) -> None:
        with Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            with unit_of_work(s):
                incoming.handle(s, sender=phone, to="8088", text=text)

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        list(pool.map(one, range(ATTEMPTS)))


def test_twenty_answers_to_one_draft_make_one_item(engine, committed, monkeypatch):
    phone = committed[0]
    monkeypatch.setattr(sms_intake, "INTAKE_HOUR", throttle.Limit("sms.intake.hour", 100, timedelta(hours=1)))
    monkeypatch.setattr(sms_intake, "INTAKE_DAY", throttle.Limit("sms.intake.day", 100, timedelta(days=1)))
    monkeypatch.setattr(incoming, "MESSAGES_IN", throttle.Limit("sms.incoming", 100, timedelta(hours=1)))
    with Session(engine) as s, unit_of_work(s):
        incoming.handle(s, sender=phone, text="Trạm phát sóng ở bản tôi hỏng cả tuần, không gọi được ai.")
    _race(engine, phone, "Sín Thầu")
    with Session(engine) as s:
        [item] = s.exec(select(Submission).where(Submission.sender_phone == phone)).all()
        assert item.content == "Trạm phát sóng ở bản tôi hỏng cả tuần, không gọi được ai."
        assert s.exec(select(func.count()).select_from(Event).where(Event.submission_id == item.id,
                                                                    Event.type == EventType.SUBMITTED)).one() == 1


def test_twenty_sms_at_once_from_one_phone_make_exactly_the_allowed_items(engine, committed):
    phone = committed[1]
    _race(engine, phone, TEXT)
    with Session(engine) as s:
        made = s.exec(select(func.count()).select_from(Submission).where(Submission.sender_phone == phone)).one()
        assert made == sms_intake.INTAKE_HOUR.limit
        warnings = s.exec(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == phone, col(OutboxMessage.body).contains("nhieu y kien"))).one()
        assert warnings == 1
