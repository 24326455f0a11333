"""Handling actions through the pages: transfer, reject, information request, rating, reopening, audit export."""

import pytest

from app.accounts.models import Role
from app.kinds import State
from app.submissions import service
from tests.conftest import agency, csrf_from


def act(client, code, action, **data):
    token = csrf_from(client.get(f"/officer/items/{code}").text)
    return client.post(f"/officer/items/{code}/{action}", data={"csrf_token": token, **data})


def track(client, code, contact="0912345678"):
    form = client.get("/track")
    client.post("/track", data={"code": code, "contact": contact, "csrf_token": csrf_from(form.text)})
    return client.get(f"/track/{code}")


def test_transfer_hands_over_and_old_agency_keeps_read_only_view(client, login_as, submit, db):
    item = submit()
    login_as("so-khcn")
    act(client, item.tracking_code, "note", note="Đã gọi cho người gửi trước khi chuyển")
    r = act(client, item.tracking_code, "transfer", agency_code="vnpt", reason="Trạm BTS thuộc VNPT quản lý")
    assert r.status_code == 303
    db.refresh(item)
    assert item.agency_id == agency(db, "vnpt").id and item.state == State.ASSIGNED
    page = client.get(f"/officer/items/{item.tracking_code}")
    assert page.status_code == 200 and "chỉ xem" in page.text
    assert "Tiếp nhận" not in page.text.split("Lịch sử")[0]
    assert act(client, item.tracking_code, "accept").status_code == 422  # read-only: cannot act any more
    assert item.tracking_code not in client.get("/officer/inbox").text


def test_new_agency_sees_the_item_from_the_transfer_on(client, login_as, submit, db, make_account):
    item = submit()
    old = make_account("so-khcn", username="old-officer")
    service.add_note(session=db, submission=item, actor=old, text="Ghi chú nội bộ của Sở KHCN")
    service.transfer(session=db, submission=item, actor=old, to_agency=agency(db, "vnpt"), reason="Thuộc VNPT")
    login_as("vnpt")
    page = client.get(f"/officer/items/{item.tracking_code}")
    assert "Thuộc VNPT" in page.text
    assert "Ghi chú nội bộ của Sở KHCN" not in page.text


def test_transfer_to_self_gets_a_message(client, login_as, submit):
    item = submit()
    login_as("so-khcn")
    r = act(client, item.tracking_code, "transfer", agency_code="so-khcn", reason="Chuyển nhầm")
    assert r.status_code == 422 and "chính đơn vị đang xử lý" in r.text


def test_rejection_reason_is_shown_to_the_sender(client, login_as, submit):
    item = submit()
    login_as("so-khcn")
    r = act(client, item.tracking_code, "reject", reason_code="out_of_scope", detail="Việc này thuộc Sở Xây dựng.")
    assert r.status_code == 303
    client.cookies.clear()
    status = track(client, item.tracking_code)
    assert "Không thuộc phạm vi tiếp nhận" in status.text and "Việc này thuộc Sở Xây dựng." in status.text


def test_sender_answers_an_information_request_on_the_status_page(client, login_as, submit, db):
    item = submit()
    login_as("so-khcn")
    act(client, item.tracking_code, "accept")
    act(client, item.tracking_code, "request-info", question="Sóng yếu vào giờ nào trong ngày?")
    client.cookies.clear()
    status = track(client, item.tracking_code)
    assert "Sóng yếu vào giờ nào trong ngày?" in status.text
    token = csrf_from(status.text)
    r = client.post(f"/track/{item.tracking_code}/reply", data={"csrf_token": token, "reply": ""})
    assert r.status_code == 422 and "quá ngắn" in r.text
    r = client.post(f"/track/{item.tracking_code}/reply", data={"csrf_token": token, "reply": "Buổi tối từ 19h."})
    assert r.status_code == 303
    db.refresh(item)
    assert item.state == State.IN_PROGRESS
    assert "Đã gửi thông tin bổ sung" in client.get(r.headers["location"]).text


def test_reply_needs_the_proved_contact(client, submit):
    item = submit()
    client.get("/")
    r = client.post(f"/track/{item.tracking_code}/reply", data={"csrf_token": csrf_from(client.get("/").text),
                                                                "reply": "Xen ngang"})
    assert r.status_code == 303 and r.headers["location"].startswith("/track?code=")


@pytest.fixture
def answered(db, submit, make_account):
    officer = make_account("so-khcn", username="answerer")
    item = submit()
    service.accept(session=db, submission=item, actor=officer)
    service.answer(session=db, submission=item, actor=officer, text="Đã lắp trạm phát sóng mới tại bản.")
    return item


def test_sender_rates_once_and_coordinator_reopens(client, answered, db, login_as):
    status = track(client, answered.tracking_code)
    token = csrf_from(status.text)
    r = client.post(f"/track/{answered.tracking_code}/rate", data={"csrf_token": token, "satisfied": ""})
    assert r.status_code == 422 and "Vui lòng chọn mức độ hài lòng." in r.text
    r = client.post(f"/track/{answered.tracking_code}/rate",
                    data={"csrf_token": token, "satisfied": "no", "comment": "Vẫn mất sóng buổi tối"})
    assert r.status_code == 303
    page = client.get(f"/track/{answered.tracking_code}")
    assert "Bạn đã đánh giá" in page.text and 'id="rating"' not in page.text
    r = client.post(f"/track/{answered.tracking_code}/rate", data={"csrf_token": token, "satisfied": "yes"})
    assert r.status_code == 422 and "đã được đánh giá" in r.text

    login_as("so-khcn", Role.COORDINATOR)
    assert answered.title in client.get("/officer/review").text
    r = act(client, answered.tracking_code, "reopen", agency_code="vnpt", note="Đề nghị VNPT kiểm tra")
    assert r.status_code == 303
    db.refresh(answered)
    assert answered.state == State.ASSIGNED and answered.agency_id == agency(db, "vnpt").id


def test_coordinator_exports_the_trail_and_officers_cannot(client, answered, login_as):
    login_as("so-khcn")
    assert client.get(f"/officer/items/{answered.tracking_code}/audit.csv").status_code == 403
    client.cookies.clear()
    login_as("so-khcn", Role.COORDINATOR)
    r = client.get(f"/officer/items/{answered.tracking_code}/audit.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "Đã có trả lời" in r.text and "answerer" in r.text
    lines = r.text.strip().splitlines()
    assert len(lines) == 5  # header + submitted, routed, accepted, answered


def test_only_the_coordinator_triages(client, login_as, submit):
    item = submit(field_code="khac")
    login_as("so-khcn", Role.AGENCY_ADMIN)
    r = act(client, item.tracking_code, "assign", agency_code="so-y-te", note="")
    assert r.status_code == 422 and "Chỉ Cơ quan thường trực" in r.text
