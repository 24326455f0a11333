"""Clocks follow the item: started on assignment and acceptance, stopped with on-time figures, exact due instants."""

from app.accounts.models import Role
from app.sla import service as sla_service
from app.sla.models import DeadlinePolicy
from app.submissions import service as submissions_service
from tests.sla.conftest import clocks, local


def test_accept_then_answer_across_tet_2026(db, submit, make_account, travel):
    travel(local(2026, 2, 12, 9))  # Thursday before Tết
    item = submit()
    officer = make_account("so-khcn")
    [accept] = clocks(db, item)
    assert (accept.phase, accept.clock, accept.policy_version) == ("accept", "running", 1)
    assert accept.started_at == local(2026, 2, 12, 9)
    assert accept.due_at == local(2026, 2, 23, 17)  # Fri 13/2, Tết 16–20/2, Mon 23/2 close of business
    assert accept.at_risk_at == local(2026, 2, 23, 9, 45)  # 75 % of 21 working hours
    assert accept.next_check_at == accept.at_risk_at

    travel(local(2026, 2, 13, 10))
    submissions_service.accept(session=db, submission=item, actor=officer)
    accept, answer = clocks(db, item)
    assert (accept.clock, accept.outcome, accept.on_time) == ("stopped", "accepted", True)
    assert accept.margin_seconds == 12.5 * 3600  # Fri 10:00–17:00 (5 h) + Mon 23/2 (7.5 h)
    assert accept.next_check_at is None
    assert (answer.phase, answer.clock) == ("answer", "running")
    assert answer.due_at == local(2026, 3, 6, 17)  # 10 working days: 23/2 … 6/3
    assert answer.budget_seconds == (5 + 10 * 7.5) * 3600

    travel(local(2026, 3, 6, 16))
    submissions_service.answer(session=db, submission=item, actor=officer, text="Đã xử lý xong, trạm BTS đã lắp.")
    answer = clocks(db, item, "answer")[0]
    assert (answer.clock, answer.outcome, answer.on_time, answer.margin_seconds) == ("stopped", "answered", True, 3600)


def test_late_answer_records_how_late(db, submit, make_account, travel):
    travel(local(2026, 3, 2, 8))
    item = submit()
    officer = make_account("so-khcn")
    submissions_service.accept(session=db, submission=item, actor=officer)
    answer = clocks(db, item, "answer")[0]
    assert answer.due_at == local(2026, 3, 16, 17)
    travel(local(2026, 3, 18, 9, 30))  # Tue 17/3 all day + 2 h on Wed
    submissions_service.answer(session=db, submission=item, actor=officer, text="Trả lời muộn nhưng đầy đủ.")
    answer = clocks(db, item, "answer")[0]
    assert answer.on_time is False
    assert answer.margin_seconds == -(7.5 + 2) * 3600
    assert sla_service.badges_for(session=db, submission_ids=[item.id])[item.id].text == "Trễ hạn 2 ngày làm việc"


def test_urgent_feedback_is_counted_in_working_hours(db, submit, make_account, travel):
    travel(local(2026, 3, 2, 10))
    item = submit(priority="urgent")
    officer = make_account("so-khcn")
    submissions_service.accept(session=db, submission=item, actor=officer)
    answer = clocks(db, item, "answer")[0]
    assert answer.due_at == local(2026, 3, 4, 10)  # 15 working hours from Mon 10:00
    assert answer.at_risk_at == local(2026, 3, 3, 15, 45)


def test_initiative_gets_thirty_working_days(db, submit, make_account, travel):
    travel(local(2026, 4, 20, 9))
    item = submit(kind="initiative", title="Sáng kiến số hóa hồ sơ địa chính")
    officer = make_account("so-khcn")
    submissions_service.accept(session=db, submission=item, actor=officer)
    answer = clocks(db, item, "answer")[0]
    # 30 working days from Mon 20/4/2026, skipping 27/4 (Giỗ Tổ observed), 30/4 and 1/5.
    assert answer.due_at == local(2026, 6, 4, 17)


def test_triage_has_no_clock_until_the_coordinator_assigns(db, submit, make_account, travel):
    travel(local(2026, 3, 2, 9))
    item = submit(field_code="khac", title="Góp ý chung về chuyển đổi số")
    assert item.state == "triage"
    assert clocks(db, item) == []
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-test")
    from tests.conftest import agency

    travel(local(2026, 3, 3, 9))
    submissions_service.assign(session=db, submission=item, actor=coordinator, agency=agency(db, "so-y-te"))
    [accept] = clocks(db, item)
    assert accept.agency_id == agency(db, "so-y-te").id
    assert accept.started_at == local(2026, 3, 3, 9)
    assert accept.due_at == local(2026, 3, 5, 17)


def test_open_items_keep_their_policy_version(db, submit, make_account, travel):
    travel(local(2026, 3, 2, 9))
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-policy")
    officer = make_account("so-khcn")
    first = submit()
    submissions_service.accept(session=db, submission=first, actor=officer)
    old_due = clocks(db, first, "answer")[0].due_at

    policy = sla_service.current_policy(session=db, kind="feedback", priority="normal", phase="answer")
    new = sla_service.update_policy(session=db, actor=coordinator, policy=policy, amount=7, unit="working_days",
                                    legal_basis="Quyết định thử nghiệm của UBND tỉnh về rút ngắn thời hạn")
    assert (new.version, new.is_current) == (2, True)
    assert db.get(DeadlinePolicy, policy.id).is_current is False

    second = submit(title="Mất sóng di động ở bản Pa Tần")
    submissions_service.accept(session=db, submission=second, actor=officer)
    first_answer = clocks(db, first, "answer")[0]
    second_answer = clocks(db, second, "answer")[0]
    assert (first_answer.policy_version, first_answer.due_at) == (1, old_due)
    assert second_answer.policy_version == 2
    assert second_answer.due_at == local(2026, 3, 11, 17)
