"""Clocks through the whole handling lifecycle (issue 3 actions): pauses, transfers, rejection, reopening."""

from app.accounts.models import Role
from app.sla import service as sla_service
from app.sla.scheduled import sweep
from app.submissions import service as submissions_service
from tests.conftest import agency
from tests.sla.conftest import clocks, events, local


def test_info_request_pauses_and_the_reply_resumes_with_the_working_time_left(db, submit, make_account, travel):
    travel(local(2026, 3, 2, 8))
    item = submit()
    officer = make_account("so-khcn")
    submissions_service.accept(session=db, submission=item, actor=officer)
    assert clocks(db, item, "answer")[0].due_at == local(2026, 3, 16, 17)

    travel(local(2026, 3, 4, 10))
    submissions_service.request_info(session=db, submission=item, actor=officer,
                                     question="Xin cho biết số thuê bao và vị trí cụ thể trong bản.")
    answer = clocks(db, item, "answer")[0]
    assert (answer.clock, answer.paused_at, answer.next_check_at) == ("paused", local(2026, 3, 4, 10), None)
    assert answer.remaining_seconds == 65 * 3600  # Wed 10:00–17:00 (5 h) + 8 working days
    badge = sla_service.badges_for(session=db, submission_ids=[item.id])[item.id]
    # The whole working days of the kept time: what resuming now would leave (docs/deadlines.md, "Counting days").
    assert (badge.level, badge.text) == ("paused", "Tạm dừng chờ bổ sung · còn 8 ngày làm việc")

    # The original due date passes while paused: no crossing is recorded.
    assert sweep(session=db, now=local(2026, 3, 16, 18)).checked == 0
    assert events(db, item, "deadline_at_risk", "deadline_overdue") == []

    travel(local(2026, 3, 17, 14))
    submissions_service.provide_info(session=db, submission=item, reply="Số 0912345678, bản Huổi Lếch, gần trường.")
    answer = clocks(db, item, "answer")[0]
    assert answer.clock == "running" and answer.remaining_seconds is None
    assert answer.due_at == local(2026, 3, 30, 9, 30)  # 65 working hours from Tue 17/3 14:00
    assert answer.at_risk_at == local(2026, 3, 25, 11, 30)  # 61.5 h of 82 h used
    assert answer.original_due_at == local(2026, 3, 16, 17)

    sweep(session=db, now=local(2026, 3, 30, 10))
    assert [e.type for e in events(db, item, "deadline_at_risk", "deadline_overdue")] == [
        "deadline_at_risk", "deadline_overdue"]


def test_transfer_restarts_the_accept_clock_but_keeps_the_answer_by(db, submit, make_account, travel):
    travel(local(2026, 3, 2, 8))
    item = submit()
    khcn = make_account("so-khcn")
    yte = make_account("so-y-te", username="t-yte")
    gddt = make_account("so-gddt", username="t-gddt")

    travel(local(2026, 3, 3, 10))  # transfer before accepting
    submissions_service.transfer(session=db, submission=item, actor=khcn, to_agency=agency(db, "so-y-te"),
                                 reason="Thuộc lĩnh vực y tế số")
    first, second = clocks(db, item, "accept")
    assert (first.clock, first.outcome, first.on_time) == ("stopped", "transferred", True)
    assert first.agency_id == agency(db, "so-khcn").id
    assert (second.agency_id, second.started_at) == (agency(db, "so-y-te").id, local(2026, 3, 3, 10))
    assert second.due_at == local(2026, 3, 5, 17)

    travel(local(2026, 3, 4, 9))
    submissions_service.accept(session=db, submission=item, actor=yte)
    answer = clocks(db, item, "answer")[0]
    assert answer.due_at == local(2026, 3, 18, 17)

    travel(local(2026, 3, 6, 9))  # transfer after accepting: the sender's answer-by does not move
    submissions_service.transfer(session=db, submission=item, actor=yte, to_agency=agency(db, "so-gddt"),
                                 reason="Liên quan hệ thống học trực tuyến")
    accepts = clocks(db, item, "accept")
    assert len(accepts) == 3 and accepts[2].due_at == local(2026, 3, 10, 17)
    [answer] = clocks(db, item, "answer")
    assert (answer.clock, answer.due_at, answer.agency_id) == ("running", local(2026, 3, 18, 17),
                                                                agency(db, "so-gddt").id)
    public = sla_service.public_deadline(session=db, submission=item)
    assert (public["label"], public["due_at"]) == ("Hạn trả lời", local(2026, 3, 18, 17))

    travel(local(2026, 3, 9, 9))
    submissions_service.accept(session=db, submission=item, actor=gddt)
    assert clocks(db, item, "accept")[2].outcome == "accepted"
    assert [c.due_at for c in clocks(db, item, "answer")] == [local(2026, 3, 18, 17)]
    # The at-risk overview lists the item under the agency now holding it.
    groups = sla_service.overview(session=db, now=local(2026, 3, 17, 9))
    assert [g.agency.code for g in groups] == ["so-gddt"]


def test_rejection_stops_the_accept_clock(db, submit, make_account, travel):
    travel(local(2026, 3, 2, 8))
    item = submit()
    officer = make_account("so-khcn")
    travel(local(2026, 3, 5, 9))  # after the accept-by (Wed 4/3 17:00)
    submissions_service.reject(session=db, submission=item, actor=officer, reason_code="out_of_scope",
                               detail="Nội dung không thuộc phạm vi tiếp nhận của hệ thống.")
    [accept] = clocks(db, item)
    assert (accept.clock, accept.outcome, accept.on_time) == ("stopped", "rejected", False)
    assert accept.margin_seconds == -1.5 * 3600


def test_reopened_item_gets_new_clocks(db, submit, make_account, travel):
    travel(local(2026, 3, 2, 8))
    item = submit()
    officer = make_account("so-khcn")
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-reopen")
    submissions_service.accept(session=db, submission=item, actor=officer)
    submissions_service.answer(session=db, submission=item, actor=officer, text="Đã đề nghị nhà mạng kiểm tra.")
    submissions_service.rate(session=db, submission=item, satisfied=False, comment="Sóng vẫn yếu.")
    travel(local(2026, 3, 9, 9))
    submissions_service.reopen(session=db, submission=item, actor=coordinator, agency=agency(db, "so-khcn"),
                               note="Yêu cầu kiểm tra lại tại hiện trường")
    accept = clocks(db, item, "accept")[-1]
    assert (accept.clock, accept.started_at, accept.due_at) == ("running", local(2026, 3, 9, 9),
                                                                 local(2026, 3, 11, 17))
    travel(local(2026, 3, 10, 9))
    submissions_service.accept(session=db, submission=item, actor=officer)
    first, second = clocks(db, item, "answer")
    assert (first.clock, first.outcome, first.on_time) == ("stopped", "answered", True)
    assert (second.clock, second.due_at) == ("running", local(2026, 3, 24, 17))
    assert sla_service.public_deadline(session=db, submission=item)["due_at"] == local(2026, 3, 24, 17)


def test_backfill_replays_history_of_items_without_clocks(db, submit, make_account, travel):
    from app.sla.flows import replay_missing

    travel(local(2026, 3, 2, 8))
    item = submit()
    officer = make_account("so-khcn")
    travel(local(2026, 3, 3, 9))
    submissions_service.accept(session=db, submission=item, actor=officer)
    expected = [(c.phase, c.clock, c.due_at) for c in clocks(db, item)]
    for row in clocks(db, item):  # as if the item predated the deadline tables
        db.delete(row)
    db.commit()
    assert clocks(db, item) == []
    assert replay_missing(session=db) >= 1
    assert [(c.phase, c.clock, c.due_at) for c in clocks(db, item)] == expected


def test_sender_sees_how_the_answer_went_and_the_new_date_after_reopening(db, submit, make_account, travel):
    travel(local(2026, 3, 2, 8))
    item = submit()
    officer = make_account("so-khcn")
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-public")
    submissions_service.accept(session=db, submission=item, actor=officer)
    travel(local(2026, 3, 17, 9))
    submissions_service.answer(session=db, submission=item, actor=officer, text="Trả lời sau hạn một ngày.")
    public = sla_service.public_deadline(session=db, submission=item)
    assert (public["label"], public["text"], public["due_at"]) == ("Trả lời", "trễ hạn", local(2026, 3, 16, 17))
    submissions_service.rate(session=db, submission=item, satisfied=False, comment="Chưa giải quyết.")
    submissions_service.reopen(session=db, submission=item, actor=coordinator, agency=agency(db, "so-khcn"),
                               note="Xử lý lại")
    public = sla_service.public_deadline(session=db, submission=item)
    assert (public["label"], public["due_at"]) == ("Hạn tiếp nhận", local(2026, 3, 19, 17))
