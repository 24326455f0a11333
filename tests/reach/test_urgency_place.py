"""Urgency (set by the sender, set or removed by triage and officers, followed by the deadline clocks) and the
place of an item (village, a point with its accuracy, shown with a map link; accepted and returned by the API)."""

import pytest
from sqlmodel import col, select

from app.accounts.models import Role
from app.events.models import Event
from app.kinds import EventType
from app.reach.models import ItemReach
from app.sla.models import Phase, SubmissionDeadline
from app.submissions import service as submissions_service
from tests.api.conftest import api_key, auth, make_client  # noqa: F401 (fixtures)
from tests.conftest import agency, csrf_from, login
from tests.reach.conftest import staff
from tests.web.test_citizen import post_form


def _code(response) -> str:
    return response.headers["location"].split("/track/")[1].split("?")[0]


def test_sender_marks_urgent_with_a_reason_and_the_urgent_policy_applies(client, db):
    code = _code(post_form(client, urgent="on", urgent_reason="Cột điện đổ chắn đường vào trường học"))
    item = submissions_service.get_by_code(session=db, code=code)
    assert item.priority == "urgent"
    assert db.get(ItemReach, item.id).urgent_reason == "Cột điện đổ chắn đường vào trường học"


def test_urgent_needs_a_reason(client):
    response = post_form(client, urgent="on", urgent_reason="")
    assert response.status_code == 422 and "vì sao việc này khẩn cấp" in response.text


def _answer_due(db, item):
    return db.exec(select(SubmissionDeadline.due_at).where(SubmissionDeadline.submission_id == item.id,
                                                           SubmissionDeadline.phase == Phase.ANSWER)).one()


def test_officer_sets_and_removes_urgency_audited_and_the_answer_clock_follows(client, db):
    item = submissions_service.get_by_code(session=db, code=_code(post_form(client)))
    officer = staff(db, item.agency_id)
    submissions_service.accept(session=db, submission=item, actor=officer)
    db.commit()
    normal_due = _answer_due(db, item)
    login(client, officer.username)
    page = client.get(f"/officer/items/{item.tracking_code}")
    assert 'id="priority">Thường' in page.text
    token = csrf_from(page.text)
    refused = client.post(f"/officer/items/{item.tracking_code}/urgency",
                          data={"csrf_token": token, "urgent": "yes", "priority_reason": ""})
    assert refused.status_code == 422 and "Vui lòng ghi lý do" in refused.text
    done = client.post(f"/officer/items/{item.tracking_code}/urgency",
                       data={"csrf_token": token, "urgent": "yes", "priority_reason": "Ảnh hưởng cả trường học"})
    assert done.status_code == 303
    db.refresh(item)
    urgent_due = _answer_due(db, item)
    assert item.priority == "urgent" and urgent_due < normal_due
    assert 'id="priority">Khẩn cấp' in client.get(f"/officer/items/{item.tracking_code}").text
    client.post(f"/officer/items/{item.tracking_code}/urgency",
                data={"csrf_token": token, "urgent": "no", "priority_reason": "Đã kiểm tra: không khẩn"})
    db.refresh(item)
    assert item.priority == "normal" and _answer_due(db, item) == normal_due
    events = db.exec(select(Event).where(Event.submission_id == item.id, Event.type == EventType.PRIORITY_CHANGED)
                     .order_by(col(Event.id))).all()
    assert [(e.actor_account_id, e.internal_note) for e in events] == [
        (officer.id, "Ảnh hưởng cả trường học"), (officer.id, "Đã kiểm tra: không khẩn")]


def test_another_agency_cannot_change_urgency(client, db, login_as):
    item = submissions_service.get_by_code(session=db, code=_code(post_form(client)))
    other = "so-noi-vu" if agency(db, "so-y-te").id == item.agency_id else "so-y-te"
    login_as(other, Role.OFFICER)
    token = csrf_from(client.get("/officer/inbox").text)
    response = client.post(f"/officer/items/{item.tracking_code}/urgency",
                           data={"csrf_token": token, "urgent": "yes", "priority_reason": "Thử đổi mức khẩn"})
    assert response.status_code == 404
    db.refresh(item)
    assert item.priority == "normal"


def test_point_with_accuracy_and_village_are_shown_with_a_map_link(client, db):
    code = _code(post_form(client, lat="22.215612", lon="102.431234", accuracy="35", village="Bản Huổi Lếch"))
    item = submissions_service.get_by_code(session=db, code=code)
    row = db.get(ItemReach, item.id)
    assert (row.lat, row.lon, row.accuracy_m, row.village) == (22.215612, 102.431234, 35.0, "Bản Huổi Lếch")
    login(client, staff(db, item.agency_id).username)
    page = client.get(f"/officer/items/{code}").text
    assert "22.21561, 102.43123" in page and "sai số khoảng 35 m" in page
    assert "https://www.openstreetmap.org/?mlat=22.215612&amp;mlon=102.431234" in page


@pytest.mark.parametrize(("lat", "lon"), [("95", "102"), ("22.2", ""), ("abc", "102")])
def test_a_bad_point_is_refused_with_a_message(client, lat, lon):
    response = post_form(client, lat=lat, lon=lon)
    assert response.status_code == 422 and "Vị trí không hợp lệ" in response.text


def test_api_accepts_and_returns_the_point_urgency_and_village(client, db, auth):  # noqa: F811
    body = {"kind": "feedback", "field_code": "ha-tang-so", "commune_code": "xa-muong-nhe",
            "title": "Mất sóng cả bản", "content": "Từ hôm qua cả bản Huổi Lếch mất sóng điện thoại hoàn toàn.",
            "sender_name": "Lò Văn Minh", "sender_phone": "0988123456", "consent": True,
            "urgent": True, "urgent_reason": "Không gọi được cấp cứu", "village": "Bản Huổi Lếch",
            "lat": 22.2156, "lon": 102.4312, "accuracy": 20}
    created = client.post("/api/v1/submissions", json=body, headers=auth)
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["priority"] == "urgent" and out["village"] == "Bản Huổi Lếch"
    assert out["location"] == {"lat": 22.2156, "lon": 102.4312, "accuracy_m": 20.0}
    read = client.get(f"/api/v1/submissions/{out['tracking_code']}", headers=auth).json()
    assert read["location"] == out["location"] and read["priority"] == "urgent"
    bad = client.post("/api/v1/submissions", json={**body, "lat": 22.2, "lon": None}, headers=auth)
    assert bad.status_code == 422


def test_poster_link_presets_the_commune_and_village_and_tags_the_source(client, db):
    form = client.get("/?xa=xa-muong-nhe&ban=Bản Huổi Lếch&nguon=poster:xa-muong-nhe:ban-huoi-lech").text
    assert 'value="xa-muong-nhe" selected' in form and 'value="Bản Huổi Lếch"' in form
    assert 'name="source_tag" value="poster:xa-muong-nhe:ban-huoi-lech"' in form
    code = _code(post_form(client, commune_code="xa-muong-nhe", village="Bản Huổi Lếch",
                           source_tag="poster:xa-muong-nhe:ban-huoi-lech"))
    item = submissions_service.get_by_code(session=db, code=code)
    assert db.get(ItemReach, item.id).source_tag == "poster:xa-muong-nhe:ban-huoi-lech"


def test_urgency_of_a_closed_item_does_not_change(client, db):
    item = submissions_service.get_by_code(session=db, code=_code(post_form(client)))
    officer = staff(db, item.agency_id)
    submissions_service.accept(session=db, submission=item, actor=officer)
    submissions_service.answer(session=db, submission=item, actor=officer, text="Đã xử lý xong việc này rồi.")
    db.commit()
    login(client, officer.username)
    page = client.get(f"/officer/items/{item.tracking_code}")
    assert "action-urgency" not in page.text
    refused = client.post(f"/officer/items/{item.tracking_code}/urgency", data={
        "csrf_token": csrf_from(page.text), "urgent": "yes", "priority_reason": "Thử đổi sau khi trả lời"})
    assert refused.status_code == 422 and "Chỉ đổi mức khẩn cấp của hồ sơ đang xử lý" in refused.text
