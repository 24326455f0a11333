"""Extensions move the answer-by date once unless the coordinator allows more; province calendar entries move
every running due date that spans them (through the recompute job); both leave events."""

from datetime import date

import pytest

from app.accounts.models import Role
from app.errors import Invalid, NotPermitted
from app.sla import service as sla_service
from app.sla.scheduled import recompute_calendar, sweep
from app.submissions import service as submissions_service
from tests.sla.conftest import clocks, events, local


@pytest.fixture
def accepted(db, submit, make_account, travel):
    travel(local(2026, 3, 2, 8))
    item = submit()
    officer = make_account("so-khcn")
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-ext")
    submissions_service.accept(session=db, submission=item, actor=officer)
    assert clocks(db, item, "answer")[0].due_at == local(2026, 3, 16, 17)
    return item, officer, coordinator


def test_granted_extension_moves_the_due_date_by_working_days(db, accepted, travel):
    item, officer, coordinator = accepted
    travel(local(2026, 3, 12, 9))
    ext = sla_service.request_extension(session=db, submission=item, actor=officer, working_days=5,
                                        reason="Cần lấy ý kiến Viettel và VNPT về vị trí trạm BTS.")
    assert ext.status == "pending" and ext.old_due_at == local(2026, 3, 16, 17)
    assert sla_service.extension_preview(session=db, extension=ext) == local(2026, 3, 23, 17)
    with pytest.raises(Invalid, match="đang chờ"):
        sla_service.request_extension(session=db, submission=item, actor=officer, working_days=2,
                                      reason="Xin thêm lần nữa cho chắc chắn.")
    with pytest.raises(NotPermitted):
        sla_service.grant_extension(session=db, actor=officer, extension=ext)

    travel(local(2026, 3, 13, 9))
    sla_service.grant_extension(session=db, actor=coordinator, extension=ext, note="Đồng ý.")
    answer = clocks(db, item, "answer")[0]
    assert answer.due_at == local(2026, 3, 23, 17)
    assert answer.original_due_at == local(2026, 3, 16, 17)
    assert answer.budget_seconds == (7 + 10 * 7.5 + 5 * 7.5) * 3600  # Mon from 08:00, 10 days, 5 more
    assert answer.extensions_granted == 1
    granted = events(db, item, "extension_granted")[0]
    assert "23/03/2026 17:00" in granted.public_note  # the sender reads the new date
    assert events(db, item, "extension_requested")[0].internal_note.endswith("vị trí trạm BTS.")

    # Once per item: a second request is refused until the coordinator allows more.
    with pytest.raises(Invalid, match="đã được gia hạn 1 lần"):
        sla_service.request_extension(session=db, submission=item, actor=officer, working_days=2,
                                      reason="Chưa nhận được ý kiến của doanh nghiệp.")


def test_allow_more_lets_the_item_ask_again_and_refusal_keeps_the_date(db, accepted, travel):
    item, officer, coordinator = accepted
    travel(local(2026, 3, 12, 9))
    first = sla_service.request_extension(session=db, submission=item, actor=officer, working_days=3,
                                          reason="Cần khảo sát thực địa tại xã Mường Nhé.")
    sla_service.grant_extension(session=db, actor=coordinator, extension=first, working_days=2, allow_more=True)
    assert clocks(db, item, "answer")[0].due_at == local(2026, 3, 18, 17)
    second = sla_service.request_extension(session=db, submission=item, actor=officer, working_days=4,
                                           reason="Đoàn khảo sát bị hoãn do mưa lũ.")
    with pytest.raises(Invalid):
        sla_service.refuse_extension(session=db, actor=coordinator, extension=second, note="")
    sla_service.refuse_extension(session=db, actor=coordinator, extension=second, note="Đủ thời gian để trả lời.")
    assert clocks(db, item, "answer")[0].due_at == local(2026, 3, 18, 17)
    assert [e.type for e in events(db, item) if e.type.startswith("extension")] == [
        "extension_requested", "extension_granted", "extension_requested", "extension_refused"]


def test_extension_after_overdue_records_the_new_crossings_again(db, accepted, travel):
    item, officer, coordinator = accepted
    travel(local(2026, 3, 17, 9))
    sweep(session=db, now=local(2026, 3, 17, 9))
    assert len(events(db, item, "deadline_overdue")) == 1
    ext = sla_service.request_extension(session=db, submission=item, actor=officer, working_days=5,
                                        reason="Chờ kết quả đo kiểm chất lượng sóng.")
    sla_service.grant_extension(session=db, actor=coordinator, extension=ext)
    answer = clocks(db, item, "answer")[0]
    # 83.5 h used of 82 + 37.5 h: back on track, and both crossings of the new due date lie ahead.
    assert answer.due_at == local(2026, 3, 23, 17) and answer.status == "on_track"
    assert answer.overdue_recorded_at is None and answer.next_check_at == answer.at_risk_at
    sweep(session=db, now=local(2026, 3, 24, 8))
    assert len(events(db, item, "deadline_at_risk")) == 2  # one per due date
    assert len(events(db, item, "deadline_overdue")) == 2


def test_province_day_off_moves_running_due_dates_and_back(db, accepted, travel):
    item, officer, coordinator = accepted
    travel(local(2026, 3, 5, 9))
    sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 3, 10), kind="day_off",
                          description="Nghỉ phòng chống lũ quét", legal_reference="Quyết định số 99/QĐ-UBND")
    assert recompute_calendar(session=db).moved == 1  # the job moves the due dates
    answer = clocks(db, item, "answer")[0]
    assert answer.due_at == local(2026, 3, 17, 17)
    changed = events(db, item, "deadline_changed")
    assert len(changed) == 1 and "99/QĐ-UBND" in changed[0].internal_note
    cal = sla_service.working_calendar(session=db)
    entry_row = sla_service.list_entries(session=db)[0]
    assert not cal.is_working_day(entry_row.day)
    sla_service.remove_entry(session=db, actor=coordinator, entry=entry_row)
    recompute_calendar(session=db)
    assert clocks(db, item, "answer")[0].due_at == local(2026, 3, 16, 17)


def test_calendar_entry_validation(db, make_account):
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-cal")
    officer = make_account("so-khcn")
    with pytest.raises(NotPermitted):
        sla_service.add_entry(session=db, actor=officer, day=date(2026, 5, 7), kind="day_off",
                              description="Nghỉ lễ", legal_reference="QĐ 1/QĐ-UBND")
    with pytest.raises(Invalid) as exc:
        sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 5, 9), kind="day_off",
                              description="Nghỉ", legal_reference="")
    assert set(exc.value.errors) == {"legal_reference"}
    with pytest.raises(Invalid, match="vốn đã là ngày nghỉ"):
        sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 5, 9), kind="day_off",
                              description="Nghỉ thứ Bảy", legal_reference="QĐ 1/QĐ-UBND")
    with pytest.raises(Invalid, match="vốn đã là ngày làm việc"):
        sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 5, 8), kind="working_day",
                              description="Làm bù", legal_reference="QĐ 1/QĐ-UBND")
    sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 5, 9), kind="working_day",
                          description="Làm bù cho ngày 7/5", legal_reference="QĐ 2/QĐ-UBND")
    assert sla_service.working_calendar(session=db).is_working_day(date(2026, 5, 9))
    with pytest.raises(Invalid, match="đã có trong lịch"):
        sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 5, 9), kind="working_day",
                              description="Làm bù", legal_reference="QĐ 3/QĐ-UBND")


def test_extension_granted_while_paused_adds_working_time(db, accepted, travel):
    item, officer, coordinator = accepted
    travel(local(2026, 3, 4, 10))
    submissions_service.request_info(session=db, submission=item, actor=officer,
                                     question="Xin gửi ảnh chụp màn hình báo lỗi sóng.")
    ext = sla_service.request_extension(session=db, submission=item, actor=officer, working_days=2,
                                        reason="Cần thêm thời gian sau khi người dân bổ sung.")
    assert sla_service.extension_preview(session=db, extension=ext) is None  # no due date while paused
    sla_service.grant_extension(session=db, actor=coordinator, extension=ext)
    answer = clocks(db, item, "answer")[0]
    assert answer.remaining_seconds == (65 + 15) * 3600
    travel(local(2026, 3, 5, 8))
    submissions_service.provide_info(session=db, submission=item, reply="Đã gửi ảnh qua thư điện tử.")
    # 80 working hours from Thu 5/3 08:00: 7 h that day, 9 full days (67.5 h) to Wed 18/3, 5.5 h on Thu 19/3.
    assert clocks(db, item, "answer")[0].due_at == local(2026, 3, 19, 15, 0)
