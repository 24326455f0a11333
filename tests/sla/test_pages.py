"""Deadline pages: badges and urgency order in the inbox, the item's deadline panel and extension request, the
coordinator's overview, calendar, policies and extension decisions, and the sender's due date."""

import re

from app.accounts.models import Role
from app.sla import service as sla_service
from app.sla.scheduled import recompute_calendar
from app.submissions import service as submissions_service
from tests.conftest import csrf_from, login
from tests.sla.conftest import clocks, local


def test_inbox_shows_badges_and_puts_the_most_urgent_first(client, login_as, submit, travel):
    travel(local(2026, 3, 2, 9))
    older = submit(title="Sóng yếu ở bản Nậm Kè")  # accept-by Wed 4/3 17:00
    travel(local(2026, 3, 3, 9))
    newer = submit(title="Mất sóng ở bản Pa Tần")  # accept-by Thu 5/3 17:00
    travel(local(2026, 3, 4, 10, 30))
    officer = login_as("so-khcn")
    page = client.get("/officer/inbox").text
    assert page.index(older.title) < page.index(newer.title)  # urgency is the default order
    assert "Sắp đến hạn" in page and "Còn 1 ngày làm việc" in page  # Thursday: today (Wednesday) never counts
    assert "Hạn tiếp nhận 04/03/2026 17:00" in page
    page = client.get("/officer/inbox?sort=newest").text
    assert page.index(newer.title) < page.index(older.title)
    travel(local(2026, 3, 6, 9))
    login(client, officer.username)  # sessions last 12 hours
    assert "Quá hạn 1 ngày" in client.get("/officer/inbox").text
    fragment = client.get("/officer/inbox?sort=urgency", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and "Quá hạn" in fragment


def test_item_page_explains_the_deadline_and_takes_an_extension_request(client, login_as, submit, db, travel):
    travel(local(2026, 3, 2, 8))
    item = submit()
    officer = login_as("so-khcn")
    submissions_service.accept(session=db, submission=item, actor=officer)
    url = f"/officer/items/{item.tracking_code}"
    page = client.get(url).text
    assert "Thời hạn xử lý" in page and "16/03/2026 17:00" in page
    assert "10 ngày làm việc (quy định phiên bản 1: Mục tiêu của tỉnh: trả lời trong 10 ngày làm việc" in page
    assert "không quy định thời hạn trả lời" in page
    assert "Đề nghị gia hạn thời hạn trả lời" in page
    token = csrf_from(page)

    r = client.post(f"/sla/items/{item.tracking_code}/extension",
                    data={"csrf_token": token, "working_days": "50", "reason": "ngắn"})
    assert r.status_code == 422
    assert "từ 1 đến 30 ngày làm việc" in r.text
    r = client.post(f"/sla/items/{item.tracking_code}/extension",
                    headers={"HX-Request": "true", "X-CSRF-Token": token},
                    data={"working_days": "3", "reason": "Chờ ý kiến bằng văn bản của nhà mạng."})
    assert r.status_code == 200 and "<html" not in r.text
    assert "Đã gửi đề nghị gia hạn" in r.text and "đang chờ Cơ quan thường trực" in r.text
    r = client.post(f"/sla/items/{item.tracking_code}/extension",
                    data={"csrf_token": token, "working_days": "3", "reason": "Xin thêm lần nữa cho chắc."})
    assert r.status_code == 422 and "đang chờ Cơ quan thường trực xem xét" in r.text


def test_other_agency_cannot_ask_an_extension(client, login_as, submit, db, make_account):
    item = submit(field_code="y-te-so")
    submissions_service.accept(session=db, submission=item, actor=make_account("so-y-te"))
    login_as("so-khcn")
    token = csrf_from(client.get("/officer/inbox").text)
    r = client.post(f"/sla/items/{item.tracking_code}/extension",
                    data={"csrf_token": token, "working_days": "3", "reason": "Không phải hồ sơ của tôi."})
    assert r.status_code == 404


def test_coordinator_pages_are_for_the_coordinator_only(client, login_as):
    login_as("so-khcn")
    for path in ("/sla/overview", "/sla/calendar", "/sla/policies", "/sla/extensions"):
        r = client.get(path)
        assert r.status_code == 403 and "Cơ quan thường trực" in r.text


def test_coordinator_overview_lists_items_by_agency(client, login_as, submit, travel):
    travel(local(2026, 3, 4, 8))
    item = submit(field_code="y-te-so", title="Đặt lịch khám trực tuyến bị lỗi")
    travel(local(2026, 3, 9, 9))
    login_as("so-khcn", Role.COORDINATOR)
    page = client.get("/sla/overview")
    assert page.status_code == 200
    assert "Sở Y tế" in page.text and item.tracking_code in page.text and "Quá hạn 1 ngày" in page.text
    assert "Hạn xử lý" in page.text  # coordinator navigation


def test_coordinator_edits_calendar_through_the_page(client, login_as, submit, db, travel):
    travel(local(2026, 5, 4, 9))
    item = submit()
    login_as("so-khcn", Role.COORDINATOR)
    page = client.get("/sla/calendar?year=2026")
    assert "17/02/2026" in page.text  # Tết from the national calendar
    token = csrf_from(page.text)
    r = client.post("/sla/calendar", data={"csrf_token": token, "day": "2026-05-05", "kind": "day_off",
                                           "description": "Nghỉ kỷ niệm chiến thắng", "legal_reference": ""})
    assert r.status_code == 422 and "văn bản quyết định" in r.text
    r = client.post("/sla/calendar", data={"csrf_token": token, "day": "2026-05-05", "kind": "day_off",
                                           "description": "Nghỉ kỷ niệm chiến thắng",
                                           "legal_reference": "Quyết định số 12/QĐ-UBND"})
    assert r.status_code == 303
    page = client.get("/sla/calendar?year=2026&start=2026-05-04&n=1")
    assert "Quyết định số 12/QĐ-UBND" in page.text and "06/05/2026" in page.text
    assert "Các thời hạn đang được tính lại" in page.text  # the job has not run yet
    assert clocks(db, item)[0].due_at == local(2026, 5, 6, 17)
    recompute_calendar(session=db)
    assert clocks(db, item)[0].due_at == local(2026, 5, 7, 17)
    assert "đang được tính lại" not in client.get("/sla/calendar?year=2026").text
    entry_id = sla_service.list_entries(session=db)[0].id
    assert client.post(f"/sla/calendar/{entry_id}/delete", data={"csrf_token": token}).status_code == 303
    recompute_calendar(session=db)
    assert clocks(db, item)[0].due_at == local(2026, 5, 6, 17)


def test_coordinator_edits_a_policy_as_a_new_version(client, login_as, db):
    login_as("so-khcn", Role.COORDINATOR)
    page = client.get("/sla/policies").text
    policy = sla_service.current_policy(session=db, kind="petition", priority="normal", phase="answer")
    assert f'action="/sla/policies/{policy.id}"' in page
    token = csrf_from(page)
    r = client.post(f"/sla/policies/{policy.id}", data={"csrf_token": token, "amount": "0", "unit": "working_days",
                                                        "legal_basis": "x"})
    assert r.status_code == 422 and "Thời hạn phải từ 1 đến 365" in r.text
    r = client.post(f"/sla/policies/{policy.id}", data={"csrf_token": token, "amount": "8", "unit": "working_days",
                                                        "legal_basis": "Quyết định số 5/QĐ-UBND về thời hạn"})
    assert r.status_code == 303
    new = sla_service.current_policy(session=db, kind="petition", priority="normal", phase="answer")
    assert (new.version, new.amount) == (2, 8)
    assert "Các phiên bản trước" in client.get("/sla/policies").text


def test_coordinator_grants_an_extension_from_the_list(client, login_as, submit, db, make_account, travel):
    travel(local(2026, 3, 2, 8))
    item = submit()
    officer = make_account("so-khcn")
    submissions_service.accept(session=db, submission=item, actor=officer)
    ext = sla_service.request_extension(session=db, submission=item, actor=officer, working_days=5,
                                        reason="Cần khảo sát hiện trường tại bản.")
    login_as("so-khcn", Role.COORDINATOR)
    page = client.get("/sla/extensions").text
    assert item.tracking_code in page and "hạn mới sẽ là <strong>23/03/2026 17:00</strong>" in page
    token = csrf_from(page)
    r = client.post(f"/sla/extensions/{ext.id}/refuse", data={"csrf_token": token, "note": ""})
    assert r.status_code == 422 and "lý do không chấp thuận" in r.text
    r = client.post(f"/sla/extensions/{ext.id}/grant", data={"csrf_token": token, "working_days": "4"})
    assert r.status_code == 303
    assert clocks(db, item, "answer")[0].due_at == local(2026, 3, 20, 17)
    assert "Đã xử lý gần đây" in client.get("/sla/extensions").text


def test_sender_sees_the_due_date_and_the_extension(client, submit, db, make_account, travel):
    travel(local(2026, 3, 2, 8))
    item = submit()
    form = client.get("/track")
    client.post("/track", data={"code": item.tracking_code, "contact": "0912345678",
                                "csrf_token": csrf_from(form.text)})
    page = client.get(f"/track/{item.tracking_code}").text
    assert re.search(r"Hạn tiếp nhận</dt>\s*<dd[^>]*>04/03/2026 17:00", page)
    officer = make_account("so-khcn")
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-status")
    submissions_service.accept(session=db, submission=item, actor=officer)
    ext = sla_service.request_extension(session=db, submission=item, actor=officer, working_days=2,
                                        reason="Chờ kết quả đo sóng thực tế.")
    page = client.get(f"/track/{item.tracking_code}").text
    assert "Hạn trả lời" in page and "16/03/2026 17:00" in page
    assert "gia hạn" not in page  # a request is internal
    sla_service.grant_extension(session=db, actor=coordinator, extension=ext)
    page = client.get(f"/track/{item.tracking_code}").text
    assert "18/03/2026 17:00" in page
    assert "Thời hạn trả lời được gia hạn thêm 2 ngày làm việc đến 18/03/2026 17:00." in page
