"""The daily digest on a fake clock: one message at 07:30 on working days of the province's calendar listing
everything since the previous one; lines of a weekend and of holidays (national, and a province day off) wait for
the next working day."""

from datetime import date

import pytest
from sqlmodel import col, select

from app.main import digest_job
from app.notifications import worker
from app.notifications.digest import latest_slot
from app.notifications.models import DigestEntry, OutboxMessage
from app.sla import service as sla_service
from app.sla.calendar import DEFAULT_CALENDAR
from tests.conftest import agency
from tests.notifications.test_outbox import smtp  # noqa: F401 (the aiosmtpd fixture)
from tests.sla import conftest as sla_fixtures
from tests.sla.conftest import local

travel = sla_fixtures.travel

OFFICER = "canbo@soyte.thu-nghiem.vn"


@pytest.fixture
def officer(db, make_account):
    account = make_account("so-y-te", username="cb-digest")
    account.email = OFFICER
    db.commit()
    return account


def digests(db) -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.recipient == OFFICER)
                        .order_by(col(OutboxMessage.id))).all())


@pytest.mark.parametrize(("now", "slot"), [
    (local(2026, 3, 4, 7, 29), local(2026, 3, 3, 7, 30)),  # Wednesday before 07:30: Tuesday's
    (local(2026, 3, 4, 7, 30), local(2026, 3, 4, 7, 30)),
    (local(2026, 3, 8, 12), local(2026, 3, 6, 7, 30)),  # Sunday: Friday's
    (local(2026, 5, 3, 9), local(2026, 4, 29, 7, 30)),  # after 30/4 and 1/5 and the weekend: Wednesday 29/4
])
def test_the_latest_digest_time(now, slot):
    assert latest_slot(now, DEFAULT_CALENDAR.is_working_day) == slot


def test_lines_of_a_weekend_and_holidays_wait_for_the_next_working_morning(db, smtp, submit, officer, travel):  # noqa: F811
    travel(local(2026, 4, 29, 10))  # Wednesday
    first = submit(field_code="y-te-so", title="Đặt lịch khám trực tuyến bị lỗi")
    travel(local(2026, 5, 2, 9))  # Saturday, after two national holidays (30/4, 1/5)
    second = submit(field_code="y-te-so", title="Trạm y tế xã thiếu thuốc")
    assert len(db.exec(select(DigestEntry).where(DigestEntry.recipient == OFFICER)).all()) == 2

    for moment in (local(2026, 4, 30, 8), local(2026, 5, 1, 8), local(2026, 5, 3, 8), local(2026, 5, 4, 7, 29)):
        travel(moment)
        digest_job(db, moment)
        db.commit()
        assert digests(db) == []  # a holiday, a weekend, Monday before 07:30: nothing yet

    travel(local(2026, 5, 4, 7, 35))
    digest_job(db, local(2026, 5, 4, 7, 35))
    db.commit()
    digest_job(db, local(2026, 5, 4, 7, 40))  # a second run sends nothing twice
    db.commit()
    [message] = digests(db)
    assert message.subject == "[PAKN] Tổng hợp ngày 04/05/2026: 2 việc cần xem"
    worker.run_once(db, jobs=False)
    [mail] = [m for m in smtp.messages if m["to"] == [OFFICER]]
    assert f"• {first.tracking_code} — Hồ sơ mới: Đặt lịch khám trực tuyến bị lỗi" in mail["body"]
    assert f"• {second.tracking_code} — Hồ sơ mới: Trạm y tế xã thiếu thuốc" in mail["body"]


def test_a_province_day_off_moves_the_digest(db, submit, officer, travel):
    travel(local(2026, 3, 9, 10))  # Monday
    sla_service.add_entry(session=db, actor=None, day=date(2026, 3, 10), kind="day_off",
                          description="Nghỉ bù lễ hội Hoa Ban", legal_reference="QĐ thử nghiệm")
    submit(field_code="y-te-so", title="Đặt lịch khám trực tuyến bị lỗi")
    db.commit()
    digest_job(db, local(2026, 3, 10, 8))  # the province's day off
    assert digests(db) == []
    digest_job(db, local(2026, 3, 11, 7, 31))
    assert len(digests(db)) == 1


def test_digest_off_and_immediate_choices(db, submit, officer, travel):
    from app.notifications.service import set_preferences

    set_preferences(session=db, owner=f"account:{officer.id}", choices={"new_item": "off"})
    agency(db, "so-y-te").email = None
    db.commit()
    travel(local(2026, 3, 9, 10))
    submit(field_code="y-te-so", title="Đặt lịch khám trực tuyến bị lỗi")
    assert db.exec(select(DigestEntry).where(DigestEntry.recipient == OFFICER)).all() == []
    assert digests(db) == []
