"""Every surface says the same thing about a deadline (app.sla.clock.working_days_left): the inbox badge, the item
page, the sender's status page and the API, on the day of receipt and later."""

import re

from app.accounts.service import create_api_client
from app.submissions import service as submissions_service
from tests.conftest import csrf_from, login
from tests.sla.conftest import local


def test_badge_item_page_sender_page_and_api_agree(client, db, login_as, submit, travel):
    travel(local(2026, 3, 2, 10))  # Monday: accept within 2 working days → Wednesday 17:00
    item = submit()
    key = create_api_client(session=db, name="Ứng dụng kiểm tra hạn", scopes="submit read-own").key
    db.commit()

    officer = login_as("so-khcn")

    def surfaces() -> tuple[str, str, str, int]:
        client.cookies.clear()
        login(client, officer.username)  # sessions last 12 hours
        inbox = client.get("/officer/inbox").text
        badge = re.search(r'<span class="badge sla-[a-z_]+"[^>]*>([^<]+)</span>', inbox).group(1)
        item_page = client.get(f"/officer/items/{item.tracking_code}").text
        assert badge in item_page
        track = client.get("/track").text
        client.post("/track", data={"code": item.tracking_code, "contact": "0912345678",
                                    "csrf_token": csrf_from(track)})
        status = client.get(f"/track/{item.tracking_code}").text
        left = re.search(r'id="due-left">([^<]+)<', status).group(1)
        api = client.get(f"/api/v1/submissions/{item.tracking_code}",
                         headers={"Authorization": f"Bearer {key}", "X-Sender-Contact": "0912345678"}).json()
        return badge, left, api["due_at"], api["due_days_left"]

    badge, left, due_at, days = surfaces()
    assert badge == "Còn 2 ngày làm việc" and left == "còn 2 ngày làm việc" and days == 2
    assert due_at.startswith("2026-03-04T10:00:00")  # 17:00 in Vietnam

    travel(local(2026, 3, 3, 9))
    badge, left, _due, days = surfaces()
    assert badge == "Còn 1 ngày làm việc" and left == "còn 1 ngày làm việc" and days == 1

    travel(local(2026, 3, 5, 9))
    badge, left, _due, days = surfaces()
    assert badge == "Quá hạn 1 ngày làm việc" and left == "quá hạn 1 ngày làm việc" and days == -1
    assert submissions_service.get_by_code(session=db, code=item.tracking_code) is not None


def test_the_item_page_shows_the_legal_transfer_limit_and_the_provinces_targets(client, login_as, submit, travel):
    travel(local(2026, 3, 2, 10))  # Monday; the 5th working day after it is Monday 9/3
    item = submit()
    login_as("so-khcn")
    page = client.get(f"/officer/items/{item.tracking_code}").text
    limit = re.search(r'<p id="transfer-limit".*?</p>', page, re.S).group(0)
    assert "09/03/2026 17:00" in limit and "còn 5 ngày làm việc" in limit
    assert "Nghị định 20/2008/NĐ-CP, Điều 9 khoản 1 điểm d" in limit
    assert "Mục tiêu của tỉnh: tiếp nhận hoặc chuyển trong 2 ngày làm việc" in page
