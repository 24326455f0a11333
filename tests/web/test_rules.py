"""The coordinator's routing rules: create, edit, reorder, switch off, and try a draft before saving."""

import json
import re

import pytest
from sqlmodel import col, func, select

from app.accounts.models import Role
from app.errors import NotPermitted
from app.events.models import Event
from app.kinds import EventType, State
from app.routing import service as routing_service
from app.routing.models import RoutingRule
from tests.conftest import agency, csrf_from

RULE = {"name": "Lừa đảo qua mạng → Công an tỉnh", "kind": "", "field_code": "", "commune_code": "",
        "keywords": " lừa đảo ,chiếm đoạt,, ", "target_agency_code": "cong-an", "priority": "5", "is_active": "1"}
SAMPLE = {"t_title": "Tin nhắn lua dao trúng thưởng", "t_content": "Có người gọi điện đòi chuyển khoản.",
          "t_kind": "feedback", "t_field_code": "ha-tang-so", "t_commune_code": "xa-muong-nhe"}


def _rule_events(db, type_: EventType | None = None) -> list[Event]:
    stmt = select(Event).where(col(Event.type).in_(
        [t.value for t in routing_service.RULE_EVENTS] if type_ is None else [type_.value]))
    return list(db.exec(stmt.order_by(col(Event.id))).all())


def _token(client) -> str:
    return csrf_from(client.get("/coordinator/rules/new").text)


@pytest.fixture
def coordinator(login_as):
    return login_as("so-khcn", Role.COORDINATOR)


def test_coordinator_creates_a_rule_that_routes_new_items(client, coordinator, db, submit):
    r = client.post("/coordinator/rules", data={"csrf_token": _token(client), **RULE})
    assert r.status_code == 303
    rule = db.exec(select(RoutingRule).where(RoutingRule.name == RULE["name"])).one()
    assert (rule.keywords, rule.priority, rule.target_agency_id) == ("lừa đảo, chiếm đoạt", 5,
                                                                     agency(db, "cong-an").id)
    [event] = _rule_events(db)
    assert (event.type, event.actor_account_id, event.submission_id) == (
        EventType.RULE_CREATED, coordinator.id, None)
    assert json.loads(event.data)["rule"]["keywords"] == "lừa đảo, chiếm đoạt"
    item = submit(title="Cảnh báo LỪA ĐẢO qua tin nhắn")
    assert item.agency_id == agency(db, "cong-an").id and item.routing_rule_id == rule.id
    page = client.get(f"/officer/items/{item.tracking_code}")
    assert f"Khớp quy tắc {rule.id}" in page.text
    assert f'href="/coordinator/rules/{rule.id}"' in page.text
    assert "Tạo quy tắc phân luồng" in client.get(r.headers["location"]).text  # the rule's own history


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"name": "ab"}, "name", "từ 3 đến 300 ký tự"),
    ({"target_agency_code": ""}, "target_agency_code", "chọn cơ quan nhận"),
    ({"field_code": "khong-co"}, "field_code", "Lĩnh vực không có"),
    ({"commune_code": "xa-khong-co"}, "commune_code", "Xã, phường không có"),
    ({"kind": "complaint"}, "kind", "Loại hồ sơ không hợp lệ"),
    ({"priority": "abc"}, "priority", "số nguyên từ 1 đến 1.000.000"),
    ({"priority": "0"}, "priority", "số nguyên"),
    ({"keywords": "x" * 101}, "keywords", "tối đa 100 ký tự"),
])
def test_bad_rule_values_are_refused(client, coordinator, db, change, field, message):
    count = db.exec(select(func.count()).select_from(RoutingRule)).one()
    r = client.post("/coordinator/rules", data={"csrf_token": _token(client), **RULE, **change})
    assert r.status_code == 422 and message in r.text
    assert db.exec(select(func.count()).select_from(RoutingRule)).one() == count
    assert _rule_events(db) == []


def test_editing_records_what_changed(client, coordinator, db):
    rule = db.exec(select(RoutingRule).where(RoutingRule.field_code == "y-te-so")).one()
    page = client.get(f"/coordinator/rules/{rule.id}")
    assert page.status_code == 200 and 'value="so-y-te" selected' in page.text
    token = csrf_from(page.text)
    values = {"name": rule.name, "kind": "", "field_code": "y-te-so", "commune_code": "", "keywords": "",
              "target_agency_code": "so-y-te", "priority": str(rule.priority), "is_active": "1"}
    r = client.post(f"/coordinator/rules/{rule.id}", data={"csrf_token": token, **values})
    assert "Không có thay đổi" in client.get(r.headers["location"]).text
    assert _rule_events(db) == []
    r = client.post(f"/coordinator/rules/{rule.id}", data={"csrf_token": token, **values, "kind": "initiative",
                                                           "target_agency_code": "vnpt"})
    assert r.status_code == 303
    db.refresh(rule)
    assert rule.kind == "initiative" and rule.target_agency_id == agency(db, "vnpt").id
    [event] = _rule_events(db, EventType.RULE_UPDATED)
    assert json.loads(event.data)["changes"] == {
        "kind": [None, "initiative"], "target_agency_id": [agency(db, "so-y-te").id, agency(db, "vnpt").id]}
    page = client.get(f"/coordinator/rules/{rule.id}").text
    assert "Sửa quy tắc phân luồng" in page and "Loại: — → Sáng kiến" in page
    assert "Cơ quan nhận: Sở Y tế → VNPT Điện Biên" in page


def test_switching_a_rule_off_sends_its_items_to_triage(client, coordinator, db, submit):
    rule = db.exec(select(RoutingRule).where(RoutingRule.field_code == "y-te-so")).one()
    token = _token(client)
    r = client.post(f"/coordinator/rules/{rule.id}/disable", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/coordinator/rules#rule-{rule.id}"
    assert submit(field_code="y-te-so").state == State.TRIAGE
    client.post(f"/coordinator/rules/{rule.id}/disable", data={"csrf_token": token})  # already off: a message only
    client.post(f"/coordinator/rules/{rule.id}/enable", data={"csrf_token": token})
    assert submit(field_code="y-te-so").agency_id == agency(db, "so-y-te").id
    assert [e.type for e in _rule_events(db)] == [EventType.RULE_DISABLED, EventType.RULE_ENABLED]
    assert "Đã bật quy tắc" in client.get("/coordinator/rules").text


def _order(db) -> list[int]:
    return [r.id for r in routing_service.list_rules(session=db)]


def test_moving_within_a_tie_renumbers_and_keeps_the_rest_in_order(client, coordinator, db):
    before = _order(db)
    second = db.get(RoutingRule, before[1])
    r = client.post(f"/coordinator/rules/{second.id}/move", data={"csrf_token": _token(client), "direction": "up"})
    assert r.status_code == 303
    after = _order(db)
    assert after == [before[1], before[0], *before[2:]]
    assert [db.get(RoutingRule, i).priority for i in after[:3]] == [10, 20, 30]
    [event] = _rule_events(db, EventType.RULE_REORDERED)
    data = json.loads(event.data)
    assert data["rule_id"] == second.id and data["direction"] == "up"
    assert data["priorities"][str(second.id)] == [100, 10]
    # Now every priority is distinct: moving swaps exactly two rules.
    third = db.get(RoutingRule, after[2])
    client.post(f"/coordinator/rules/{third.id}/move", data={"csrf_token": _token(client), "direction": "down"})
    assert _order(db) == [after[0], after[1], after[3], after[2], *after[4:]]
    assert json.loads(_rule_events(db, EventType.RULE_REORDERED)[-1].data)["priorities"] == {
        str(third.id): [30, 40], str(after[3]): [40, 30]}


def test_the_first_rule_cannot_move_up(client, coordinator, db):
    first = db.get(RoutingRule, _order(db)[0])
    r = client.post(f"/coordinator/rules/{first.id}/move", data={"csrf_token": _token(client), "direction": "up"})
    assert "đã ở đầu danh sách" in client.get(r.headers["location"]).text
    assert _rule_events(db) == []


def test_rule_list_shows_order_conditions_and_buttons(client, coordinator, db):
    page = client.get("/coordinator/rules")
    assert page.status_code == 200
    assert 'formaction="/coordinator/rules/' in page.text and page.text.count('name="csrf_token"') == 2  # + logout
    page = client.get("/coordinator/rules?field=y-te-so")
    assert "Sở Y tế" in page.text and "lĩnh vực = Y tế số" in page.text
    assert 'href="/coordinator/rules">Quy tắc phân luồng</a>' in page.text


def test_trying_a_text_against_the_saved_rules(client, coordinator, db):
    token = csrf_from(client.get("/coordinator/rules/test").text)
    rule = db.exec(select(RoutingRule).where(RoutingRule.field_code == "ha-tang-so")).one()
    r = client.post("/coordinator/rules/test", data={"csrf_token": token, **SAMPLE})
    assert r.status_code == 200 and "<html" in r.text
    assert (f"Hồ sơ này sẽ được chuyển đến Sở Khoa học và Công nghệ, vì khớp quy tắc {rule.id} "
            f"“{rule.name}”: lĩnh vực = Hạ tầng số và viễn thông.") in r.text
    r = client.post("/coordinator/rules/test", data={"csrf_token": token, **SAMPLE, "t_field_code": "khac"},
                    headers={"HX-Request": "true"})
    assert "<html" not in r.text and "Cơ quan thường trực phân loại" in r.text
    r = client.post("/coordinator/rules/test", data={"csrf_token": token, **SAMPLE, "t_field_code": ""})
    assert r.status_code == 422 and "Vui lòng chọn lĩnh vực" in r.text


def test_trying_a_new_draft_rule_saves_nothing(client, coordinator, db):
    count = db.exec(select(func.count()).select_from(RoutingRule)).one()
    r = client.post("/coordinator/rules/test", data={"csrf_token": _token(client), "with_draft": "1", "rule_id": "",
                                                     **RULE, **SAMPLE}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    assert ("Hồ sơ này sẽ được chuyển đến Công an tỉnh, vì khớp quy tắc đang soạn (chưa lưu) "
            "“Lừa đảo qua mạng → Công an tỉnh”: có từ khóa “lừa đảo”.") in r.text
    assert "Với các quy tắc đang áp dụng (chưa có bản nháp): Hồ sơ này sẽ được chuyển đến Sở Khoa học" in r.text
    assert db.exec(select(func.count()).select_from(RoutingRule)).one() == count
    assert _rule_events(db) == []


def test_trying_an_edited_rule_without_javascript_keeps_the_form(client, coordinator, db):
    rule = db.exec(select(RoutingRule).where(RoutingRule.field_code == "ha-tang-so")).one()
    values = {"name": rule.name, "kind": "", "field_code": "ha-tang-so", "commune_code": "", "keywords": "",
              "target_agency_code": "vnpt", "priority": str(rule.priority), "is_active": "1"}
    r = client.post("/coordinator/rules/test", data={"csrf_token": _token(client), "with_draft": "1",
                                                     "rule_id": str(rule.id), **values, **SAMPLE})
    assert r.status_code == 200 and "<html" in r.text and f"Sửa quy tắc {rule.id}" in r.text
    assert f"Hồ sơ này sẽ được chuyển đến VNPT Điện Biên, vì khớp quy tắc {rule.id} (bản đang sửa, chưa lưu)" in r.text
    assert 'value="vnpt" selected' in r.text and 'value="Tin nhắn lua dao trúng thưởng"' in r.text
    db.refresh(rule)
    assert rule.target_agency_id == agency(db, "so-khcn").id
    # The same draft, switched off: the rule no longer matches and the result says what happens then.
    r = client.post("/coordinator/rules/test", data={"csrf_token": _token(client), "with_draft": "1",
                                                     "rule_id": str(rule.id), **values, **SAMPLE, "is_active": ""},
                    headers={"HX-Request": "true"})
    assert "Cơ quan thường trực phân loại" in r.text


def test_saving_with_errors_does_not_show_them_as_a_failed_trial(client, coordinator):
    r = client.post("/coordinator/rules", data={"csrf_token": _token(client), **RULE, "name": ""})
    assert r.status_code == 422 and "Chưa thử được" not in r.text


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AGENCY_ADMIN])
def test_only_the_coordinator_edits_rules(client, login_as, db, role):
    login_as("so-khcn", role)
    assert client.get("/coordinator/rules").status_code == 403
    rule = db.get(RoutingRule, _order(db)[0])
    token = csrf_from(client.get("/officer/inbox").text)
    r = client.post(f"/coordinator/rules/{rule.id}/disable", data={"csrf_token": token})
    assert r.status_code == 403 and "Trang này dành cho Cơ quan thường trực" in r.text
    db.refresh(rule)
    assert rule.is_active and _rule_events(db) == []


def test_service_refuses_non_coordinators(db, make_account):
    officer = make_account("so-khcn")
    rule = db.get(RoutingRule, _order(db)[0])
    with pytest.raises(NotPermitted):
        routing_service.set_active(session=db, actor=officer, rule=rule, active=False)
    with pytest.raises(NotPermitted):
        routing_service.move_rule(session=db, actor=officer, rule=rule, direction="down")


def test_a_draft_without_a_name_can_be_tried(client, coordinator):
    r = client.post("/coordinator/rules/test", data={"csrf_token": _token(client), "with_draft": "1", "rule_id": "",
                                                     **RULE, "name": "", **SAMPLE}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "vì khớp quy tắc đang soạn (chưa lưu): có từ khóa “lừa đảo”." in r.text


def test_rule_list_is_filtered_by_agency_field_and_commune_and_paginated(client, coordinator, db):
    total = db.exec(select(func.count()).select_from(RoutingRule)).one()
    first = client.get("/coordinator/rules").text
    assert first.count('<tr id="rule-') == 25 and f"{total} quy tắc · trang 1/" in first
    second = client.get("/coordinator/rules?page=2").text
    assert second.count('<tr id="rule-') == min(25, total - 25) and "« Trước" in second
    by_commune = client.get("/coordinator/rules?commune=xa-muong-nhe").text
    rows = by_commune.count('<tr id="rule-')
    assert 1 <= rows < 5 and "Mường Nhé" in by_commune and f"/{total} quy tắc" in by_commune
    by_agency = client.get("/coordinator/rules?agency=so-y-te").text
    assert by_agency.count('<tr id="rule-') >= 1
    assert all(name == "Sở Y tế" for name in re.findall(r"<td>(Sở[^<]*)</td>", by_agency))
    # A rule keeps its place in the whole order: "move up" is disabled only for the very first rule.
    if total > 50:  # page 2 holds neither the first nor the last rule
        assert " disabled>" not in second
    assert "aria-label=\"Chuyển quy tắc" in first and " disabled>" in first
