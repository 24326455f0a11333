"""Agency inbox and item page: only the agency's own items; accept and answer, with and without htmx."""

import pytest

from app.accounts.models import Role
from app.kinds import State
from tests.conftest import csrf_from


def test_inbox_lists_only_own_agency_items(client, login_as, submit):
    mine = submit(title="Sóng 4G yếu ở bản Nậm Kè")
    theirs = submit(field_code="y-te-so", title="Đặt lịch khám trực tuyến bị lỗi")
    login_as("so-khcn")
    page = client.get("/officer/inbox")
    assert mine.title in page.text
    assert theirs.title not in page.text


@pytest.mark.parametrize("path", ["", "/accept", "/answer"])
def test_other_agency_item_is_404(client, login_as, submit, path):
    other = submit(field_code="y-te-so")
    login_as("so-khcn")
    token = csrf_from(client.get("/officer/inbox").text)
    url = f"/officer/items/{other.tracking_code}{path}"
    r = client.get(url) if not path else client.post(url, data={"csrf_token": token, "answer_text": "x" * 20})
    assert r.status_code == 404
    assert "Không tìm thấy hồ sơ" in r.text
    assert other.state == State.ASSIGNED


def test_accept_and_answer_without_javascript(client, login_as, submit, db):
    item = submit()
    login_as("so-khcn")
    page = client.get(f"/officer/items/{item.tracking_code}")
    assert "Khớp quy tắc" in page.text and "Tiếp nhận" in page.text
    token = csrf_from(page.text)
    r = client.post(f"/officer/items/{item.tracking_code}/accept", data={"csrf_token": token})
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert "Đang xử lý" in page.text and "Gửi trả lời" in page.text
    r = client.post(f"/officer/items/{item.tracking_code}/answer",
                    data={"csrf_token": token, "answer_text": "Sở đã đề nghị Viettel lắp thêm trạm BTS."})
    assert r.status_code == 303
    db.refresh(item)
    assert item.state == State.ANSWERED


def test_htmx_accept_returns_only_the_item_block(client, login_as, submit):
    item = submit()
    login_as("so-khcn")
    token = csrf_from(client.get(f"/officer/items/{item.tracking_code}").text)
    r = client.post(f"/officer/items/{item.tracking_code}/accept",
                    headers={"HX-Request": "true", "X-CSRF-Token": token})
    assert r.status_code == 200
    assert "<html" not in r.text
    assert "Đã tiếp nhận hồ sơ." in r.text and "Đang xử lý" in r.text


def test_htmx_post_without_csrf_header_is_refused(client, login_as, submit):
    item = submit()
    login_as("so-khcn")
    r = client.post(f"/officer/items/{item.tracking_code}/accept", headers={"HX-Request": "true"})
    assert r.status_code == 403
    assert item.state == State.ASSIGNED


def test_answering_twice_or_too_short_gets_a_message(client, login_as, submit):
    item = submit()
    login_as("so-khcn")
    token = csrf_from(client.get(f"/officer/items/{item.tracking_code}").text)
    url = f"/officer/items/{item.tracking_code}"
    r = client.post(f"{url}/answer", data={"csrf_token": token, "answer_text": "Chưa tiếp nhận đã trả lời"})
    assert r.status_code == 422 and "Không thể trả lời hồ sơ" in r.text
    client.post(f"{url}/accept", data={"csrf_token": token})
    r = client.post(f"{url}/answer", data={"csrf_token": token, "answer_text": "ok"})
    assert r.status_code == 422 and "quá ngắn" in r.text
    client.post(f"{url}/answer", data={"csrf_token": token, "answer_text": "Trả lời đầy đủ cho người dân."})
    r = client.post(f"{url}/accept", data={"csrf_token": token})
    assert r.status_code == 422 and "Không thể tiếp nhận" in r.text


def test_htmx_inbox_filter_returns_the_list_fragment(client, login_as, submit):
    submit(title="Một phản ánh đang chờ tiếp nhận")
    login_as("so-khcn")
    r = client.get("/officer/inbox?state=assigned", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    assert "Một phản ánh đang chờ tiếp nhận" in r.text
    assert r.headers["vary"].startswith("HX-Request")
    r = client.get("/officer/inbox?state=answered", headers={"HX-Request": "true"})
    assert "Một phản ánh đang chờ tiếp nhận" not in r.text


def test_coordinator_assigns_a_triage_item(client, login_as, submit, db):
    item = submit(field_code="khac", title="Góp ý chung về chuyển đổi số")
    login_as("so-khcn", Role.COORDINATOR)
    page = client.get("/officer/inbox?state=triage")
    assert item.title in page.text
    token = csrf_from(client.get(f"/officer/items/{item.tracking_code}").text)
    r = client.post(f"/officer/items/{item.tracking_code}/assign",
                    data={"csrf_token": token, "agency_code": "so-noi-vu", "note": "Thuộc Sở Nội vụ"})
    assert r.status_code == 303
    db.refresh(item)
    assert item.state == State.ASSIGNED


def test_citizen_reads_the_answer_and_history(client, login_as, submit, db):
    item = submit()
    login_as("so-khcn")
    token = csrf_from(client.get(f"/officer/items/{item.tracking_code}").text)
    client.post(f"/officer/items/{item.tracking_code}/accept", data={"csrf_token": token})
    client.post(f"/officer/items/{item.tracking_code}/answer",
                data={"csrf_token": token, "answer_text": "Nhà mạng sẽ lắp trạm trong tháng 12."})
    client.cookies.clear()
    form = client.get("/track")
    r = client.post("/track", data={"code": item.tracking_code, "contact": "0912345678",
                                    "csrf_token": csrf_from(form.text)})
    status = client.get(r.headers["location"])
    assert "Nhà mạng sẽ lắp trạm trong tháng 12." in status.text
    assert "Cơ quan xử lý đã tiếp nhận" in status.text and "Đã có trả lời" in status.text
    assert "Khớp quy tắc" not in status.text  # internal routing detail stays internal
    assert "Cán bộ thử" not in status.text
