"""Rules that were stated twice and drifted apart (issue 8, item 7) are now decided once; these tests pin each."""

from datetime import UTC, datetime

from app.accounts.models import Role
from app.db import unit_of_work
from app.errors import DomainError
from app.sla import service as sla_service
from app.sla.scheduled import close_unrated_answers
from app.submissions import permissions, service
from tests.conftest import agency

ANSWER = "Nhà mạng đã lắp thêm trạm phát sóng tại bản."


def test_auto_close_counts_the_provinces_days_off(db, submit, make_account):
    """Auto-close used the national calendar: with a province day off inside the rating window it closed a day
    early. It now counts the same working days as every deadline."""
    officer = make_account("so-khcn")
    item = submit()
    answered_at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 2 March 2026, 09:00 in Điện Biên
    with unit_of_work(db):
        service.accept(session=db, submission=item, actor=officer, now=answered_at)
        service.answer(session=db, submission=item, actor=officer, text=ANSWER, now=answered_at)
    # Ten working days after Monday 2 March end on Monday 16 March; it may close on Tuesday 17 March.
    with unit_of_work(db):
        sla_service.add_entry(session=db, actor=None, day=datetime(2026, 3, 10).date(), kind="day_off",
                              description="Nghỉ lễ của tỉnh", legal_reference="Quyết định thử nghiệm")
    with unit_of_work(db):  # the province's day off moves the end of the window to Tuesday 17 March
        assert close_unrated_answers(db, datetime(2026, 3, 17, 2, tzinfo=UTC)) == 0
    assert service.get_by_code(session=db, code=item.tracking_code).state == "answered"
    with unit_of_work(db):
        assert close_unrated_answers(db, datetime(2026, 3, 18, 2, tzinfo=UTC)) == 1


def _attempt(db, name: str, item, actor) -> bool:
    """Tries the action in a savepoint that is rolled back; True if the service accepted it."""
    calls = {
        "accept": lambda: service.accept(session=db, submission=item, actor=actor),
        "answer": lambda: service.answer(session=db, submission=item, actor=actor, text=ANSWER),
        "transfer": lambda: service.transfer(session=db, submission=item, actor=actor, to_agency=agency(db, "vnpt"),
                                             reason="Thuộc phạm vi của VNPT"),
        "request_info": lambda: service.request_info(session=db, submission=item, actor=actor,
                                                     question="Xin cho biết vị trí chính xác?"),
        "reject": lambda: service.reject(session=db, submission=item, actor=actor, reason_code="out_of_scope",
                                         detail="Không thuộc lĩnh vực tiếp nhận."),
        "assign": lambda: service.assign(session=db, submission=item, actor=actor, agency=agency(db, "vnpt")),
        "reopen": lambda: service.reopen(session=db, submission=item, actor=actor, agency=agency(db, "vnpt"),
                                         note="Giao xử lý lại"),
    }
    savepoint = db.begin_nested()
    try:
        calls[name]()
        return True
    except DomainError:
        return False
    finally:
        savepoint.rollback()
        db.refresh(item)


def test_the_page_offers_exactly_what_the_service_allows(db, submit, make_account):
    """One permission object: for each role and each state an item passes through, every button the item page
    draws is an action the service accepts, and every action it hides is refused."""
    holder = make_account("so-khcn")
    other = make_account("so-y-te", username="can-bo-khac")
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dieu-phoi-2")
    triaged = submit(field_code="khac")
    item = submit()
    steps = [(triaged, None), (item, None), (item, "accept"), (item, "answer"), (item, "rate")]
    for subject, step in steps:
        if step == "accept":
            service.accept(session=db, submission=subject, actor=holder)
        elif step == "answer":
            service.answer(session=db, submission=subject, actor=holder, text=ANSWER)
        elif step == "rate":
            service.rate(session=db, submission=subject, satisfied=False)
        for actor in (holder, other, coordinator):
            shown = permissions.shown(actor, subject)
            for name in ("accept", "answer", "transfer", "request_info", "reject", "assign", "reopen"):
                assert shown[name] == _attempt(db, name, subject, actor), (subject.state, actor.username, name)
