"""Open311 GeoReport v2: every endpoint in JSON and XML, checked against the field lists of the specification
(http://wiki.open311.org/GeoReport_v2), and the mapping of our states onto open/closed."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from app.reach.models import ItemReach
from app.sla import service as sla_service
from app.submissions import service
from app.timefmt import LOCAL_TZ
from tests.api.conftest import VALID

# Field lists from the specification.
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
DEFINITION_FIELDS = {"service_code", "attributes"}
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
VALUE_FIELDS = {"key", "name"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
CREATED_FIELDS = {"service_request_id", "token", "service_notice", "account_id"}
TOKEN_FIELDS = {"service_request_id", "token"}
ERROR_FIELDS = {"code", "description"}
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")

BASE = "/open311/v2"
SERVICE = "feedback-ha-tang-so"


def form(key, **overrides):
    values = {
        "api_key": key, "service_code": SERVICE, "lat": "22.2156", "long": "102.4312",
        "address_string": "Bản Huổi Lếch", "description": VALID["content"], "first_name": "Lò Văn",
        "last_name": "Minh", "phone": "0912345678", "attribute[commune]": "xa-muong-nhe",
        "attribute[consent]": "true",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def xml(response) -> ET.Element:
    assert response.headers["content-type"].startswith("text/xml"), response.headers["content-type"]
    return ET.fromstring(response.content)  # noqa: S314 (our own response)


def children(element: ET.Element) -> set[str]:
    return {c.tag for c in element}


def created(client, api_key, fmt="json", **overrides):
    r = client.post(f"{BASE}/requests.{fmt}", data=form(api_key, **overrides))
    assert r.status_code == 201, r.text
    return r


def test_discovery(client):
    body = client.get(f"{BASE}/discovery.json").json()
    assert set(body) == DISCOVERY_FIELDS
    endpoint = body["endpoints"][0]
    assert set(endpoint) == ENDPOINT_FIELDS and endpoint["url"].endswith("/open311/v2")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery" and children(root) == DISCOVERY_FIELDS
    ep = root.find("endpoints/endpoint")
    assert children(ep) == ENDPOINT_FIELDS and [f.text for f in ep.find("formats")] == ["text/xml", "application/json"]


def test_services_one_per_kind_and_field_grouped_by_kind(client):
    services = client.get(f"{BASE}/services.json").json()
    fields = client.get("/api/v1/fields").json()
    assert len(services) == 4 * len(fields)
    assert all(set(s) == SERVICE_FIELDS for s in services)
    assert {s["group"] for s in services} == {"Phản ánh", "Kiến nghị", "Sáng kiến", "Giải pháp"}
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in services)
    one = next(s for s in services if s["service_code"] == SERVICE)
    assert one["service_name"] == "Phản ánh: Hạ tầng số và viễn thông" and one["group"] == "Phản ánh"

    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root) == len(services)
    assert all(item.tag == "service" and children(item) == SERVICE_FIELDS for item in root)
    assert root[0].find("metadata").text == "true"


def test_service_definition_has_kind_and_commune_attributes(client):
    body = client.get(f"{BASE}/services/{SERVICE}.json").json()
    assert set(body) == DEFINITION_FIELDS and body["service_code"] == SERVICE
    attributes = {a["code"]: a for a in body["attributes"]}
    for a in body["attributes"]:
        assert ATTRIBUTE_FIELDS <= set(a) <= ATTRIBUTE_FIELDS | {"values"}
        assert a["datatype"] in DATATYPES
        if a["datatype"].endswith("valuelist"):
            assert a["values"] and all(set(v) == VALUE_FIELDS for v in a["values"])
    assert attributes["kind"]["variable"] is False and "Phản ánh" in attributes["kind"]["description"]
    commune = attributes["commune"]
    assert commune["required"] is True and len(commune["values"]) == 45
    assert {"key": "xa-muong-nhe", "name": "Xã Mường Nhé"} in commune["values"]
    assert attributes["consent"]["required"] is True
    assert [a["order"] for a in body["attributes"]] == sorted(a["order"] for a in body["attributes"])

    root = xml(client.get(f"{BASE}/services/{SERVICE}.xml"))
    assert root.tag == "service_definition" and children(root) == DEFINITION_FIELDS
    commune_xml = next(a for a in root.find("attributes") if a.find("code").text == "commune")
    assert len(commune_xml.find("values")) == 45 and children(commune_xml.find("values")[0]) == VALUE_FIELDS


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_is_404_in_the_spec_error_format(client, fmt):
    r = client.get(f"{BASE}/services/khong-co.{fmt}")
    assert r.status_code == 404
    if fmt == "json":
        errors = r.json()
        assert isinstance(errors, list) and set(errors[0]) == ERROR_FIELDS and errors[0]["code"] == 404
    else:
        root = xml(r)
        assert root.tag == "errors" and children(root[0]) == ERROR_FIELDS and root[0].find("code").text == "404"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_request_creates_an_item_and_returns_its_id_and_token(client, db, api_key, fmt):
    r = created(client, api_key, fmt, account_id="app-user-7")
    if fmt == "json":
        [answer] = r.json()
    else:
        root = xml(r)
        assert root.tag == "service_requests" and root[0].tag == "request"
        answer = {c.tag: c.text for c in root[0]}
    assert set(answer) == CREATED_FIELDS and answer["account_id"] == "app-user-7"
    item = service.get_by_code(session=db, code=answer["service_request_id"])
    assert item.source == "open311" and item.kind == "feedback" and item.sender_name == "Lò Văn Minh"
    assert "Bản Huổi Lếch" in item.content and "22.2156" not in item.content  # the point is kept as a point
    point = db.get(ItemReach, item.id)
    assert (point.lat, point.lon) == (pytest.approx(22.2156), pytest.approx(102.4312))
    assert item.title.startswith("Từ tháng trước")

    token = client.get(f"{BASE}/tokens/{answer['token']}.json").json()
    assert token == [{"service_request_id": item.tracking_code, "token": answer["token"]}]
    root = xml(client.get(f"{BASE}/tokens/{answer['token']}.xml"))
    assert children(root[0]) == TOKEN_FIELDS


def test_get_request_fields_and_privacy(client, db, api_key, make_client):
    code = created(client, api_key, media_url="https://anh.example.vn/1.jpg").json()[0]["service_request_id"]
    own = client.get(f"{BASE}/requests/{code}.json", params={"api_key": api_key}).json()
    assert len(own) == 1 and set(own[0]) == REQUEST_FIELDS
    req = own[0]
    assert req["status"] == "open" and req["status_notes"] == "Đã chuyển đến cơ quan xử lý"
    assert req["agency_responsible"] == "Sở Khoa học và Công nghệ"
    assert req["service_code"] == SERVICE and req["lat"] == pytest.approx(22.2156)
    assert req["description"].startswith("Từ tháng trước") and req["media_url"] == "https://anh.example.vn/1.jpg"
    assert W3C.match(req["requested_datetime"]) and req["requested_datetime"].endswith("+07:00")
    # expected_datetime is the sender-facing due date of the deadlines module (accept-by until accepted).
    item = service.get_by_code(session=db, code=code)
    due = sla_service.public_deadline(session=db, submission=item)["due_at"]
    assert req["expected_datetime"] == due.astimezone(LOCAL_TZ).isoformat(timespec="seconds")

    # The code is the sender's secret: without a key, or with another client's key, it is not confirmed.
    assert client.get(f"{BASE}/requests/{code}.json").status_code == 404
    assert client.get(f"{BASE}/requests/{code}.json", params={"api_key": make_client().key}).status_code == 404

    root = xml(client.get(f"{BASE}/requests/{code}.xml", params={"api_key": api_key}))
    assert root.tag == "service_requests" and children(root[0]) == REQUEST_FIELDS
    assert root[0].find("status").text == "open" and root[0].find("zipcode").text is None


def test_states_map_to_open_and_closed_with_notes(client, db, api_key, make_account):
    code = created(client, api_key).json()[0]["service_request_id"]
    item = service.get_by_code(session=db, code=code)
    officer = make_account("so-khcn")
    service.accept(session=db, submission=item, actor=officer)
    service.request_info(session=db, submission=item, actor=officer, question="Vui lòng cho biết số nhà cụ thể.")
    r = client.get(f"{BASE}/requests/{code}.json", params={"api_key": api_key}).json()[0]
    assert (r["status"], r["status_notes"]) == ("open", "Chờ bổ sung thông tin")
    service.provide_info(session=db, submission=item, reply="Nhà số 12, bản Huổi Lếch.")
    service.answer(session=db, submission=item, actor=officer, text="Đã lắp thêm trạm phát sóng tại bản.")
    r = client.get(f"{BASE}/requests/{code}.json", params={"api_key": api_key}).json()[0]
    assert r["status"] == "closed" and r["status_notes"].startswith("Đã trả lời")
    own = client.get(f"{BASE}/requests/{code}.json", params={"api_key": api_key}).json()[0]
    assert own["status_notes"] == "Đã trả lời: Đã lắp thêm trạm phát sóng tại bản."


def test_list_requests_with_filters(client, db, api_key, submit):
    a = created(client, api_key).json()[0]["service_request_id"]
    b = created(client, api_key, service_code="petition-dvc-tthc", **{"attribute[commune]": "xa-sin-thau"}).json()
    b = b[0]["service_request_id"]
    web = submit().tracking_code  # another door's item: its code is its sender's secret, never listed

    def ids(**params):
        r = client.get(f"{BASE}/requests.json", params={"api_key": api_key, **params})
        assert r.status_code == 200, r.text
        assert all(set(x) == REQUEST_FIELDS for x in r.json())
        return [x["service_request_id"] for x in r.json()]

    everything = ids()
    assert {a, b} <= set(everything) and web not in everything
    assert ids(service_request_id=f"{a},{b}") == [b, a] or set(ids(service_request_id=f"{a},{b}")) == {a, b}
    assert set(ids(service_code="petition-dvc-tthc")) & {a, b, web} == {b}
    assert set(ids(service_code=f"{SERVICE},petition-dvc-tthc")) >= {a, b}
    assert set(ids(status="open")) >= {a, b}
    assert not set(ids(status="closed")) & {a, b, web}
    assert not set(ids(start_date="2100-01-01T00:00:00+07:00")) & {a, b}
    assert set(ids(start_date="2000-01-01T00:00:00Z", end_date=datetime.now(UTC).isoformat())) >= {a, b}
    root = xml(client.get(f"{BASE}/requests.xml", params={"service_request_id": a, "api_key": api_key}))
    assert [r.find("service_request_id").text for r in root] == [a]


@pytest.mark.parametrize("params, status, needle", [
    ({"api_key": None}, 403, "api_key"),
    ({"api_key": "pakn_sai_khoa"}, 403, "api_key"),
    ({"service_code": "khong-co"}, 400, "service_code"),
    ({"lat": None, "long": None, "address_string": None}, 400, "Vị trí"),
    ({"lat": "91"}, 400, "lat"),
    ({"long": None}, 400, "lat/long"),
    ({"attribute[commune]": None}, 400, "attribute[commune]"),
    ({"attribute[commune]": "khong-co"}, 400, "attribute[commune]"),
    ({"attribute[consent]": None}, 400, "attribute[consent]"),
    ({"phone": None}, 400, "email/phone"),
    ({"description": "ngắn"}, 400, "description"),
    ({"jurisdiction_id": "hanoi.gov.vn"}, 404, "jurisdiction_id"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
])
def test_post_errors_in_the_spec_format(client, api_key, params, status, needle):
    r = client.post(f"{BASE}/requests.json", data=form(api_key, **params))
    assert r.status_code == status, r.text
    errors = r.json()
    assert all(set(e) == ERROR_FIELDS and e["code"] == status for e in errors)
    assert any(needle in e["description"] for e in errors), errors


def test_errors_in_xml_and_for_bad_formats_and_parameters(client, api_key, make_client):
    r = client.post(f"{BASE}/requests.xml", data=form(api_key, service_code=""))
    root = xml(r)
    assert r.status_code == 400 and root.tag == "errors" and root[0].find("code").text == "400"
    r = client.get(f"{BASE}/services.yaml")
    assert r.status_code == 400 and r.json()[0]["code"] == 400
    r = client.get(f"{BASE}/requests.json", params={"status": "pending"})
    assert r.status_code == 400
    r = client.get(f"{BASE}/requests.json", params={"start_date": "hôm qua"})
    assert r.status_code == 400 and "start_date" in r.json()[0]["description"]
    assert client.get(f"{BASE}/requests/DB-2026-ZZZZZZ.xml").status_code == 404
    assert client.get(f"{BASE}/tokens/khong-co.json").status_code == 404
    assert client.get(f"{BASE}/khong-co.json").json()[0]["code"] == 404
    r = client.post(f"{BASE}/requests.json", data=form(make_client(scopes="read-own").key))
    assert r.status_code == 403 and "submit" in r.json()[0]["description"]
    r = client.post(f"{BASE}/requests.json", json={"service_code": SERVICE})
    assert r.status_code == 400
