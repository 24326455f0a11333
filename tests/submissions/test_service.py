"""The domain service: one transaction per change, an event for each, transitions enforced."""

import re
from datetime import UTC

import pytest
from pydantic import ValidationError
from sqlmodel import func, select

from app.accounts.models import Role
from app.errors import Invalid, InvalidTransition, NotPermitted
from app.events.models import Event
from app.kinds import State
from app.submissions import service
from app.submissions.models import Submission
from tests.conftest import agency, submission_data


def events_of(db, submission):
    return [e.type for e in service.history(session=db, submission=submission)]


def test_submit_routes_by_field_and_records_events(db, submit):
    sub = submit()
    assert re.fullmatch(r"DB-\d{4}-[2-9A-HJ-NP-Z]{6}", sub.tracking_code)
    assert sub.state == State.ASSIGNED
    assert sub.agency_id == agency(db, "so-khcn").id
    assert events_of(db, sub) == ["submitted", "routed"]
    assert "Hạ tầng số và viễn thông" in sub.routing_explanation


def test_commune_level_matter_goes_to_the_commune(db, submit):
    sub = submit(field_code="dvc-tthc", commune_code="xa-sin-thau")
    assert sub.agency_id == agency(db, "ubnd-xa-sin-thau").id
    assert "Xã Sín Thầu" in sub.routing_explanation


def test_unrouted_item_waits_for_coordinator_triage(db, submit):
    sub = submit(field_code="khac")
    assert sub.state == State.TRIAGE
    assert sub.agency_id == agency(db, "so-khcn").id
    assert events_of(db, sub) == ["submitted", "sent_to_triage"]


def test_timestamps_are_aware_utc_after_reload(db, submit):
    sub = submit()
    db.expire_all()
    reloaded = db.get(Submission, sub.id)
    assert reloaded.created_at.tzinfo is not None
    assert reloaded.created_at.utcoffset() == UTC.utcoffset(None)


def test_accept_then_answer(db, submit, make_account):
    officer = make_account("so-khcn")
    sub = submit()
    service.accept(session=db, submission=sub, actor=officer)
    assert sub.state == State.IN_PROGRESS and sub.accepted_at
    service.answer(session=db, submission=sub, actor=officer, text="Sở đã làm việc với nhà mạng để lắp trạm.")
    assert sub.state == State.ANSWERED
    assert sub.answer_text.startswith("Sở đã")
    assert events_of(db, sub)[-2:] == ["accepted", "answered"]


def test_answer_before_accept_is_refused_and_writes_nothing(db, submit, make_account):
    officer = make_account("so-khcn")
    sub = submit()
    before = db.exec(select(func.count()).select_from(Event)).one()
    with pytest.raises(InvalidTransition, match="Đã chuyển đến cơ quan xử lý"):
        service.answer(session=db, submission=sub, actor=officer, text="Trả lời quá sớm nhưng đủ dài.")
    db.rollback()
    assert db.get(Submission, sub.id).state == State.ASSIGNED
    assert db.exec(select(func.count()).select_from(Event)).one() == before


def test_other_agency_cannot_accept(db, submit, make_account):
    stranger = make_account("so-y-te")
    sub = submit()
    with pytest.raises(NotPermitted):
        service.accept(session=db, submission=sub, actor=stranger)
    assert sub.state == State.ASSIGNED


def test_short_answer_is_refused(db, submit, make_account):
    officer = make_account("so-khcn")
    sub = submit()
    service.accept(session=db, submission=sub, actor=officer)
    with pytest.raises(Invalid) as exc:
        service.answer(session=db, submission=sub, actor=officer, text="ok")
    assert "answer_text" in exc.value.errors
    assert sub.state == State.IN_PROGRESS


def test_coordinator_assigns_triage_item(db, submit, make_account):
    coordinator = make_account("so-khcn", Role.COORDINATOR)
    sub = submit(field_code="khac")
    service.assign(session=db, submission=sub, actor=coordinator, agency=agency(db, "so-y-te"), note="Về y tế")
    assert sub.state == State.ASSIGNED and sub.agency_id == agency(db, "so-y-te").id
    assert events_of(db, sub)[-1] == "assigned"


def test_agency_admin_cannot_triage(db, submit, make_account):
    admin = make_account("so-khcn", Role.AGENCY_ADMIN)
    sub = submit(field_code="khac")
    with pytest.raises(NotPermitted):
        service.assign(session=db, submission=sub, actor=admin, agency=agency(db, "so-y-te"))


def test_unknown_field_or_commune_is_refused_and_nothing_is_stored(db):
    before = db.exec(select(func.count()).select_from(Submission)).one()
    with pytest.raises(Invalid) as exc:
        service.submit(session=db, data=submission_data(field_code="khong-co", commune_code="xa-khong-co"))
    assert set(exc.value.errors) == {"field_code", "commune_code"}
    assert db.exec(select(func.count()).select_from(Submission)).one() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"content": "ngắn"}, "content"),
        ({"kind": "complaint"}, "kind"),
        ({"sender_phone": "12345"}, "sender_phone"),
        ({"sender_phone": "+1 415 555 0100"}, "sender_phone"),
        ({"sender_email": "khong-phai-email"}, "sender_email"),
        ({"consent": False}, "consent"),
        ({"sender_phone": None, "sender_email": None}, "contact"),
    ],
)
def test_bad_input_gets_a_vietnamese_message(overrides, field):
    from app.submissions.schemas import vietnamese_errors

    with pytest.raises(ValidationError) as exc:
        submission_data(**overrides)
    errors = vietnamese_errors(exc.value)
    assert field in errors
    assert re.search(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", errors[field])


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("0912 345 678", "0912345678"), ("+84 912.345.678", "0912345678"), ("84912345678", "0912345678"),
     ("0215 3825 123", "02153825123")],
)
def test_vietnamese_phone_shapes_are_accepted(raw, normalized):
    assert submission_data(sender_phone=raw).sender_phone == normalized


def test_sender_finds_item_by_code_and_phone_or_email(db, submit):
    sub = submit(sender_email="Minh@Example.vn")
    code = sub.tracking_code
    assert service.find_for_sender(session=db, code=code.lower(), contact="0912 345 678").id == sub.id
    assert service.find_for_sender(session=db, code=code, contact="minh@example.vn").id == sub.id
    assert service.find_for_sender(session=db, code=code, contact="0987654321") is None
    assert service.find_for_sender(session=db, code="DB-2026-XXXXXX", contact="0912345678") is None
