"""A calendar change moves no due date inside the coordinator's request: it is logged, the running clocks it
affects are marked, and the recompute job moves each due date once (in batches), writing the deadline_changed
events; anything that touches a marked clock before the job reaches it settles that clock first."""

from datetime import date

import pytest
from sqlmodel import col, select

from app.accounts.models import Role
from app.notifications import worker
from app.sla import service as sla_service
from app.sla.models import CalendarChange, SubmissionDeadline
from app.sla.scheduled import recompute_calendar, sweep
from app.submissions import service as submissions_service
from tests.conftest import csrf_from
from tests.sla.conftest import clocks, events, local

DAY_OFF = {"kind": "day_off", "description": "Nghỉ phòng chống lũ quét", "legal_reference": "Quyết định số 99/QĐ-UBND"}


def marked(db) -> list[SubmissionDeadline]:
    return list(db.exec(select(SubmissionDeadline).where(col(SubmissionDeadline.recompute_from).is_not(None))
                        .execution_options(populate_existing=True)).all())


@pytest.fixture
def accepted_items(db, submit, make_account, travel):
    """Three items accepted on Mon 2/3/2026 08:00 (answer due Mon 16/3 17:00) and two left assigned (accept due
    Wed 4/3 17:00)."""
    travel(local(2026, 3, 2, 8))
    officer = make_account("so-khcn")
    items = [submit(title=f"Sóng yếu ở bản số {i}") for i in range(5)]
    for item in items[:3]:
        submissions_service.accept(session=db, submission=item, actor=officer)
        assert clocks(db, item, "answer")[0].due_at == local(2026, 3, 16, 17)
    db.commit()
    return items, officer


def test_the_request_writes_no_deadline_event_and_the_job_moves_each_due_date_once(
        db, client, login_as, accepted_items, travel):
    from app.main import register_jobs

    items, _officer = accepted_items
    travel(local(2026, 3, 5, 9))
    login_as("so-khcn", Role.COORDINATOR)
    page = client.get("/sla/calendar?year=2026")
    r = client.post("/sla/calendar", data={"csrf_token": csrf_from(page.text), "day": "2026-03-10", **DAY_OFF})
    assert r.status_code == 303

    # The coordinator's request: the entry, its log row, the marks; no due date moved, no deadline event.
    assert all(events(db, item, "deadline_changed") == [] for item in items)
    [change] = db.exec(select(CalendarChange)).all()
    assert (change.day.isoformat(), change.before_kind, change.after_kind, change.clocks_marked) == (
        "2026-03-10", None, "day_off", 3)
    assert sorted(c.submission_id for c in marked(db)) == sorted(i.id for i in items[:3])
    assert {clocks(db, i, "answer")[0].due_at for i in items[:3]} == {local(2026, 3, 16, 17)}
    assert "Các thời hạn đang được tính lại" in client.get("/sla/calendar?year=2026").text

    # The worker's job moves each affected due date once.
    register_jobs()
    assert "sla_calendar_recompute" in worker.run_due_jobs(db, local(2026, 3, 5, 9, 1))
    for item in items[:3]:
        assert clocks(db, item, "answer")[0].due_at == local(2026, 3, 17, 17)
        [changed] = events(db, item, "deadline_changed")
        assert changed.internal_note == ("Hạn trả lời: 16/03/2026 17:00 → 17/03/2026 17:00. Ngày 10/03/2026 thành "
                                         "ngày nghỉ: Nghỉ phòng chống lũ quét (Quyết định số 99/QĐ-UBND).")
        assert changed.actor_role == "system"
    for item in items[3:]:  # due before the day off: untouched
        assert clocks(db, item)[0].due_at == local(2026, 3, 4, 17) and events(db, item, "deadline_changed") == []
    assert marked(db) == []
    assert "đang được tính lại" not in client.get("/sla/calendar?year=2026").text

    # Running it again changes nothing.
    again = recompute_calendar(session=db, now=local(2026, 3, 5, 10))
    assert (again.clocks, again.moved) == (0, 0)
    assert all(len(events(db, item, "deadline_changed")) == 1 for item in items[:3])
    assert {clocks(db, i, "answer")[0].due_at for i in items[:3]} == {local(2026, 3, 17, 17)}


def test_the_job_works_in_batches(db, accepted_items, make_account, travel):
    items, _officer = accepted_items
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-batch")
    travel(local(2026, 3, 5, 9))
    sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 3, 10), **DAY_OFF)
    db.commit()
    report = recompute_calendar(session=db, batch_size=2)  # 2 + 1 clocks, two units of work
    assert (report.clocks, report.moved) == (3, 3)
    assert {clocks(db, i, "answer")[0].due_at for i in items[:3]} == {local(2026, 3, 17, 17)}


@pytest.mark.parametrize("job_between", [True, False], ids=["job-after-each-change", "changes-pile-up"])
def test_changes_waiting_together_give_what_one_by_one_gives(db, accepted_items, make_account, travel, job_between):
    items, _officer = accepted_items
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-pile")
    travel(local(2026, 3, 5, 9))
    first = sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 3, 10), **DAY_OFF)
    if job_between:
        recompute_calendar(session=db)
    travel(local(2026, 3, 5, 9, 30))
    sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 3, 11), kind="day_off",
                          description="Nghỉ phòng chống lũ quét (ngày thứ hai)",
                          legal_reference="Quyết định số 100/QĐ-UBND")
    if job_between:
        recompute_calendar(session=db)
    travel(local(2026, 3, 5, 10))
    sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 3, 20), kind="day_off",
                          description="Nghỉ tạm", legal_reference="Quyết định số 101/QĐ-UBND")
    sla_service.remove_entry(session=db, actor=coordinator, entry=sla_service.list_entries(session=db)[-1])
    recompute_calendar(session=db)
    for item in items[:3]:
        assert clocks(db, item, "answer")[0].due_at == local(2026, 3, 18, 17)
        notes = [e.internal_note for e in events(db, item, "deadline_changed")]
        if job_between:
            assert len(notes) == 2
        else:  # one event naming both decisions; the day added and removed again moved nothing
            assert notes == ["Hạn trả lời: 16/03/2026 17:00 → 18/03/2026 17:00. Ngày 10/03/2026 thành ngày nghỉ: "
                             "Nghỉ phòng chống lũ quét (Quyết định số 99/QĐ-UBND). Ngày 11/03/2026 thành ngày nghỉ: "
                             "Nghỉ phòng chống lũ quét (ngày thứ hai) (Quyết định số 100/QĐ-UBND)."]
    assert first.day == date(2026, 3, 10) and marked(db) == []


def test_a_clock_paused_before_the_job_keeps_the_working_time_it_had(db, accepted_items, make_account, travel):
    items, officer = accepted_items
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-pause")
    travel(local(2026, 3, 5, 9))
    sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 3, 10), **DAY_OFF)
    travel(local(2026, 3, 5, 10))
    submissions_service.request_info(session=db, submission=items[0], actor=officer,
                                     question="Xin gửi ảnh chụp màn hình báo lỗi sóng.")
    answer = clocks(db, items[0], "answer")[0]
    # Thu 10:00–17:00 (5 h) and 7 more working days to the moved due date Tue 17/3 17:00 (not 6 to Mon 16/3).
    assert answer.clock == "paused" and answer.remaining_seconds == 57.5 * 3600
    assert answer.recompute_from is None
    [changed] = events(db, items[0], "deadline_changed")
    assert "16/03/2026 17:00 → 17/03/2026 17:00" in changed.internal_note
    assert recompute_calendar(session=db).moved == 2  # the two other items
    assert len(events(db, items[0], "deadline_changed")) == 1


def test_an_extension_granted_before_the_job_starts_from_the_moved_due_date(db, accepted_items, make_account,
                                                                            travel):
    items, officer = accepted_items
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-ext-rc")
    travel(local(2026, 3, 5, 9))
    sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 3, 10), **DAY_OFF)
    ext = sla_service.request_extension(session=db, submission=items[0], actor=officer, working_days=2,
                                        reason="Cần lấy ý kiến của doanh nghiệp viễn thông.")
    sla_service.grant_extension(session=db, actor=coordinator, extension=ext)
    assert (ext.old_due_at, ext.new_due_at) == (local(2026, 3, 17, 17), local(2026, 3, 19, 17))
    assert [e.type for e in events(db, items[0], "deadline_changed", "extension_granted")] == [
        "deadline_changed", "extension_granted"]


def test_the_sweep_settles_a_waiting_clock_before_checking_its_crossings(db, submit, make_account, travel):
    travel(local(2026, 3, 2, 8))
    item = submit()  # accept due Wed 4/3 17:00
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-sweep-rc")
    travel(local(2026, 3, 3, 9))
    sla_service.add_entry(session=db, actor=coordinator, day=date(2026, 3, 4), **DAY_OFF)
    db.commit()
    # The recompute job has not run; the sweep at the old due time must not find the item overdue.
    report = sweep(session=db, now=local(2026, 3, 4, 17, 1))
    assert (report.at_risk, report.overdue) == (0, 0)
    [accept] = clocks(db, item)
    assert accept.due_at == local(2026, 3, 5, 17) and accept.recompute_from is None
    assert len(events(db, item, "deadline_changed")) == 1
    assert events(db, item, "deadline_at_risk", "deadline_overdue") == []
