"""The handling lifecycle: transfer, reject, information requests, ratings, reopening, notes."""

import pytest
from sqlmodel import func, select

from app.accounts.models import Role
from app.errors import Invalid, InvalidTransition, NotPermitted
from app.events.models import Event
from app.kinds import State
from app.submissions import service
from tests.conftest import agency


def event_count(db) -> int:
    return db.exec(select(func.count()).select_from(Event)).one()


@pytest.fixture
def officer(make_account):
    return make_account("so-khcn")


@pytest.fixture
def in_progress(db, submit, officer):
    sub = submit()
    service.accept(session=db, submission=sub, actor=officer)
    return sub


def test_transfer_moves_item_and_records_both_agencies(db, submit, officer):
    sub = submit()
    service.transfer(session=db, submission=sub, actor=officer, to_agency=agency(db, "so-cong-thuong"),
                     reason="Thuộc lĩnh vực thương mại điện tử")
    assert sub.state == State.ASSIGNED and sub.agency_id == agency(db, "so-cong-thuong").id
    last = service.history(session=db, submission=sub)[-1]
    assert last.type == "transferred" and last.internal_note == "Thuộc lĩnh vực thương mại điện tử"
    assert service.event_data(last) == {"from_agency_id": agency(db, "so-khcn").id,
                                        "to_agency_id": agency(db, "so-cong-thuong").id}


@pytest.mark.parametrize(
    ("target", "reason", "field"),
    [("so-khcn", "Chuyển cho chính mình", "agency_code"), (None, "Không chọn cơ quan", "agency_code"),
     ("so-y-te", "", "reason")],
)
def test_invalid_transfer_changes_nothing(db, submit, officer, target, reason, field):
    sub = submit()
    before = event_count(db)
    with pytest.raises(Invalid) as exc:
        service.transfer(session=db, submission=sub, actor=officer,
                         to_agency=agency(db, target) if target else None, reason=reason)
    assert field in exc.value.errors
    assert sub.state == State.ASSIGNED and event_count(db) == before


def test_reject_needs_catalogue_reason_and_shows_it(db, submit, officer):
    sub = submit()
    with pytest.raises(Invalid):
        service.reject(session=db, submission=sub, actor=officer, reason_code="bored", detail="Không muốn xử lý")
    service.reject(session=db, submission=sub, actor=officer, reason_code="out_of_scope",
                   detail="Việc sửa đường giao thông thuộc Sở Xây dựng.")
    assert sub.state == State.REJECTED
    last = service.history(session=db, submission=sub)[-1]
    assert last.public_note.startswith("Không thuộc phạm vi tiếp nhận.")


def test_reject_as_duplicate_names_the_original(db, submit, officer):
    original = submit()
    copy = submit()
    with pytest.raises(Invalid) as exc:
        service.reject(session=db, submission=copy, actor=officer, reason_code="duplicate",
                       detail="Đã có hồ sơ giống hệt.", duplicate_of="DB-2026-ZZZZZZ")
    assert "duplicate_of" in exc.value.errors
    service.reject(session=db, submission=copy, actor=officer, reason_code="duplicate",
                   detail="Đã có hồ sơ giống hệt.", duplicate_of=original.tracking_code.lower())
    assert copy.duplicate_of == original.tracking_code


def test_answering_a_rejected_item_is_refused(db, submit, officer):
    sub = submit()
    service.reject(session=db, submission=sub, actor=officer, reason_code="abusive", detail="Nội dung xúc phạm.")
    before = event_count(db)
    with pytest.raises(InvalidTransition, match="Từ chối tiếp nhận"):
        service.answer(session=db, submission=sub, actor=officer, text="Một câu trả lời đủ dài.")
    assert event_count(db) == before


def test_information_request_round_trip(db, in_progress, officer):
    service.request_info(session=db, submission=in_progress, actor=officer,
                         question="Bạn ở bản nào, sóng yếu vào giờ nào?")
    assert in_progress.state == State.INFO_REQUESTED
    assert service.pending_question(session=db, submission=in_progress) == "Bạn ở bản nào, sóng yếu vào giờ nào?"
    service.provide_info(session=db, submission=in_progress, reply="Bản Huổi Lếch, tối từ 19 giờ.")
    assert in_progress.state == State.IN_PROGRESS
    assert service.history(session=db, submission=in_progress)[-1].actor_role == "sender"


def test_rating_once_and_unsatisfied_goes_to_review(db, in_progress, officer, make_account):
    service.answer(session=db, submission=in_progress, actor=officer, text="Đã lắp trạm phát sóng mới.")
    service.rate(session=db, submission=in_progress, satisfied=False, comment="Vẫn chưa có sóng")
    assert in_progress.state == State.CLOSED
    assert in_progress in service.review_list(session=db)
    with pytest.raises(InvalidTransition, match="đã được đánh giá"):
        service.rate(session=db, submission=in_progress, satisfied=True)
    coordinator = make_account("so-khcn", Role.COORDINATOR)
    service.reopen(session=db, submission=in_progress, actor=coordinator, agency=agency(db, "vnpt"),
                   note="Đề nghị VNPT kiểm tra thực tế")
    assert in_progress.state == State.ASSIGNED and in_progress.agency_id == agency(db, "vnpt").id
    assert in_progress not in service.review_list(session=db)


def test_satisfied_item_cannot_be_reopened(db, in_progress, officer, make_account):
    service.answer(session=db, submission=in_progress, actor=officer, text="Đã lắp trạm phát sóng mới.")
    service.rate(session=db, submission=in_progress, satisfied=True)
    coordinator = make_account("so-khcn", Role.COORDINATOR)
    with pytest.raises(InvalidTransition):
        service.reopen(session=db, submission=in_progress, actor=coordinator, agency=agency(db, "vnpt"),
                       note="Mở lại thử")


def test_rating_before_answer_is_refused(db, in_progress):
    with pytest.raises(InvalidTransition):
        service.rate(session=db, submission=in_progress, satisfied=True)


def test_internal_note_is_not_public(db, in_progress, officer, make_account):
    service.add_note(session=db, submission=in_progress, actor=officer, text="Đã gọi điện cho người gửi")
    note = service.history(session=db, submission=in_progress)[-1]
    assert note.type == "note_added" and note.public_note is None
    with pytest.raises(NotPermitted):
        service.add_note(session=db, submission=in_progress, actor=make_account("so-y-te"), text="Xem trộm")


def test_auto_close_after_ten_working_days(db, in_progress, officer):
    from datetime import timedelta

    from app.sla.scheduled import close_unrated_answers

    service.answer(session=db, submission=in_progress, actor=officer, text="Đã lắp trạm phát sóng mới.")
    answered = in_progress.answered_at
    assert close_unrated_answers(db, answered + timedelta(days=9)) == 0
    assert close_unrated_answers(db, answered + timedelta(days=30)) == 1
    assert in_progress.state == State.CLOSED
