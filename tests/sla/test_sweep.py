"""The sweep records each crossing once, as an event, notifies, and catches up after downtime."""

from datetime import timedelta

from app.accounts.models import Role
from app.notifications.service import set_preferences
from app.sla import service as sla_service
from app.sla.scheduled import sweep
from app.submissions import service as submissions_service
from tests.conftest import agency
from tests.sla.conftest import clocks, events, local

CROSSINGS = ("deadline_at_risk", "deadline_overdue")


def test_server_stopped_over_the_weekend_records_each_missed_crossing_once(db, submit, travel):
    travel(local(2026, 3, 4, 8))  # Wednesday: accept-or-transfer within 2 working days
    item = submit()
    [accept] = clocks(db, item)
    assert accept.at_risk_at == local(2026, 3, 6, 9, 30)
    assert accept.due_at == local(2026, 3, 6, 17)

    assert sweep(session=db, now=local(2026, 3, 6, 8)).checked == 0  # Friday morning, the last run before the stop
    # The server is down from Friday 09:00 to Monday 08:00; both crossings happen meanwhile.
    report = sweep(session=db, now=local(2026, 3, 9, 8))
    assert (report.at_risk, report.overdue) == (1, 1)
    at_risk, overdue = events(db, item, *CROSSINGS)
    assert (at_risk.type, overdue.type) == CROSSINGS
    assert at_risk.created_at == overdue.created_at == local(2026, 3, 9, 8)
    assert at_risk.actor_role == overdue.actor_role == "system"
    assert "06/03/2026 09:30" in at_risk.internal_note  # when it really crossed
    assert "06/03/2026 17:00" in overdue.internal_note
    accept = clocks(db, item)[0]
    assert (accept.status, accept.next_check_at) == ("overdue", None)
    assert accept.at_risk_recorded_at == accept.overdue_recorded_at == local(2026, 3, 9, 8)

    # Idempotent: later sweeps find nothing, because nothing is left in the index.
    for hours in (0, 1, 48):
        again = sweep(session=db, now=local(2026, 3, 9, 8) + timedelta(hours=hours))
        assert (again.checked, again.at_risk, again.overdue) == (0, 0, 0)
    assert len(events(db, item, *CROSSINGS)) == 2


def test_hourly_sweeps_record_each_crossing_at_the_first_run_after_it(db, submit, make_account, travel):
    travel(local(2026, 4, 27, 9))  # Monday 27/4/2026 is the observed Giỗ Tổ day off
    first = submit()
    travel(local(2026, 4, 28, 14))
    second = submit(title="Không truy cập được cổng dịch vụ công")
    officer = make_account("so-khcn")
    submissions_service.accept(session=db, submission=second, actor=officer)  # second: answer clock only

    assert clocks(db, first)[0].due_at == local(2026, 4, 29, 17)  # the day off does not count: Tue 28, Wed 29
    now = local(2026, 4, 27, 9)
    while now < local(2026, 5, 20, 9):
        now += timedelta(hours=1)
        sweep(session=db, now=now)

    at_risk, overdue = events(db, first, *CROSSINGS)
    assert at_risk.created_at == local(2026, 4, 29, 12)  # crossed at 11:15 (75 % of 15 h), seen at 12:00
    assert overdue.created_at == local(2026, 4, 29, 17)
    answer = clocks(db, second, "answer")[0]
    assert answer.due_at == local(2026, 5, 14, 17)  # 29/4, (30/4, 1/5 off), 4–8/5, 11–14/5
    second_events = events(db, second, *CROSSINGS)
    assert [e.type for e in second_events] == list(CROSSINGS)
    assert second_events[1].created_at == local(2026, 5, 14, 17)


def test_crossings_notify_the_agency_and_overdue_also_the_coordinator(db, submit, travel, outbox, make_account):
    health = agency(db, "so-y-te")
    health.email = "vanthu@soyte.dienbien.gov.vn"
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-mail")
    coordinator.email = "dieuphoi@sokhcn.dienbien.gov.vn"
    # people get a daily digest by default (issue 9); this coordinator chose to hear of overdue items at once
    set_preferences(session=db, owner=f"account:{coordinator.id}", choices={"overdue": "immediate"})
    db.commit()
    travel(local(2026, 3, 4, 8))
    item = submit(field_code="y-te-so", title="Đặt lịch khám trực tuyến bị lỗi")
    already = len(outbox(db, item))  # "new item" mail from the assignment

    sweep(session=db, now=local(2026, 3, 6, 10))  # at risk only
    [at_risk_mail] = outbox(db, item)[already:]
    assert at_risk_mail.recipient == "vanthu@soyte.dienbien.gov.vn"
    assert at_risk_mail.subject == f"[PAKN] Hồ sơ {item.tracking_code} sắp đến hạn (hạn tiếp nhận 06/03/2026 17:00)"
    assert f"/officer/items/{item.tracking_code}" in at_risk_mail.body

    sweep(session=db, now=local(2026, 3, 6, 17, 1))
    overdue_mail = outbox(db, item)[already + 1:]
    assert {m.recipient for m in overdue_mail} == {"vanthu@soyte.dienbien.gov.vn", "dieuphoi@sokhcn.dienbien.gov.vn"}
    assert all("đã quá hạn" in m.subject for m in overdue_mail)

    sweep(session=db, now=local(2026, 3, 9, 8))  # nothing new: no mail twice
    assert len(outbox(db, item)) == already + 3


def test_answered_items_leave_the_sweep(db, submit, make_account, travel):
    travel(local(2026, 3, 4, 8))
    item = submit()
    officer = make_account("so-khcn")
    submissions_service.accept(session=db, submission=item, actor=officer)
    submissions_service.answer(session=db, submission=item, actor=officer, text="Đã trả lời ngay trong ngày.")
    assert all(c.next_check_at is None for c in clocks(db, item))
    assert sweep(session=db, now=local(2026, 6, 1, 8)).checked == 0


def test_overview_groups_at_risk_and_overdue_by_agency(db, submit, travel):
    travel(local(2026, 3, 4, 8))
    mine = submit()
    other = submit(field_code="y-te-so", title="Đặt lịch khám trực tuyến bị lỗi")
    travel(local(2026, 3, 5, 9))
    fresh = submit(title="Hỏi về chữ ký số")
    groups = sla_service.overview(session=db, now=local(2026, 3, 6, 10))
    by_code = {g.agency.code: g for g in groups}
    assert [r[1].id for r in by_code["so-khcn"].at_risk] == [mine.id]
    assert [r[1].id for r in by_code["so-y-te"].at_risk] == [other.id]
    groups = sla_service.overview(session=db, now=local(2026, 3, 9, 10))
    by_code = {g.agency.code: g for g in groups}
    assert [r[1].id for r in by_code["so-khcn"].overdue] == [mine.id]
    assert [r[1].id for r in by_code["so-khcn"].at_risk] == [fresh.id]  # 75 % of 21 h reached at 09:45
    assert groups[0].agency.code in ("so-khcn", "so-y-te") and len(groups) == 2


def test_the_worker_loop_runs_the_sweep(db, submit, travel):
    from app.main import register_jobs
    from app.notifications import worker

    register_jobs()
    assert "sla_sweep" in worker.JOBS
    travel(local(2026, 3, 4, 8))
    item = submit()
    worker.JOBS["sla_sweep"].next_run = None
    worker.run_due_jobs(db, local(2026, 3, 9, 8))
    assert [e.type for e in events(db, item, *CROSSINGS)] == list(CROSSINGS)
