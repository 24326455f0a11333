"""One citizen → agency → citizen journey through a real Chromium against a real `pakn serve`."""

import re

import pytest
from playwright.sync_api import expect

from app.seed.reference import FIELD_OWNERS

TITLE = "Sóng 4G chập chờn ở bản Huổi Lếch (thử nghiệm trình duyệt)"
CONTENT = "Từ đầu tháng, sóng điện thoại ở bản rất yếu, buổi tối gần như không gọi được và không vào mạng."
PHONE = "0912 345 678"
ANSWER = "Sở đã làm việc với nhà mạng; trạm BTS Huổi Lếch được nâng cấp và hoạt động ổn định từ tuần sau."
NEW_PASSWORD = "Dien-Bien-2026-an-toan"
TRACKING_CODE = re.compile(r"^DB-\d{4}-[A-Z0-9]{6}$")




@pytest.mark.browser
def test_citizen_submits_agency_answers_citizen_reads_answer(new_page, live_server, diagnostics):
    agency_code = "so-khcn"
    assert FIELD_OWNERS["ha-tang-so"] == agency_code, "default routing of ha-tang-so changed: update this test"

    # 1. Citizen sends a feedback from the home page.
    citizen = new_page("citizen")
    citizen.goto("/")
    citizen.check('input[name="kind"][value="feedback"]')
    citizen.select_option("#field_code", "ha-tang-so")
    citizen.select_option("#commune_code", "xa-muong-nhe")
    citizen.fill("#title", TITLE)
    citizen.fill("#content", CONTENT)
    citizen.fill("#sender_name", "Lò Văn Minh")
    citizen.fill("#sender_phone", PHONE)
    citizen.check('input[name="consent"]')
    citizen.get_by_role("button", name="Gửi ý kiến").click()
    diagnostics.expect(citizen, "after submitting, the page should show the tracking code (#tracking-code)",
                       lambda: expect(citizen.locator("#tracking-code")).to_have_text(re.compile(r"DB-\d{4}-\w{6}")))
    code = citizen.locator("#tracking-code").inner_text().strip()
    if not TRACKING_CODE.match(code):
        raise diagnostics.fail(citizen, f"tracking code {code!r} is not in the DB-YYYY-XXXXXX format")

    # 2. The agency admin of so-khcn logs in for the first time on their own computer.
    officer = new_page("officer")
    diagnostics.expect(officer, "first login should force a password change, then accept the new password",
                       lambda: live_server.first_login(officer, agency_code, NEW_PASSWORD))
    diagnostics.expect(officer, "after the password change the officer should land on /officer/inbox",
                       lambda: expect(officer).to_have_url(re.compile(r"/officer/inbox")))

    item_link = officer.locator(f'a[href="/officer/items/{code}"]')
    diagnostics.expect(officer, f"the inbox should list the new item {code} with its title",
                       lambda: expect(item_link).to_contain_text(TITLE))
    item_link.click()
    diagnostics.expect(officer, f"the item page of {code} should show it as assigned (default rule)",
                       lambda: expect(officer.locator("#item-state")).to_have_text("Đã chuyển đến cơ quan xử lý"))
    diagnostics.expect(officer, "the item should be routed to Sở Khoa học và Công nghệ",
                       lambda: expect(officer.locator("#item-main")).to_contain_text(
                "Đơn vị xử lý: Sở Khoa học và Công nghệ"))
    # htmx must be loaded for the hx-post forms to swap #item-main (without it the form posts normally).
    diagnostics.expect(officer, "htmx should be loaded on officer pages (/static/vendor/htmx.min.js)",
                       lambda: officer.wait_for_function("() => window.htmx !== undefined", timeout=5000))

    officer.get_by_role("button", name="Tiếp nhận").click()
    diagnostics.expect(officer, "after 'Tiếp nhận' the state badge should read 'Đang xử lý'",
                       lambda: expect(officer.locator("#item-state")).to_have_text("Đang xử lý"))
    officer.fill("#answer_text", ANSWER)
    officer.get_by_role("button", name="Gửi trả lời").click()
    diagnostics.expect(officer, "after 'Gửi trả lời' the state badge should read 'Đã trả lời'",
                       lambda: expect(officer.locator("#item-state")).to_have_text("Đã trả lời"))

    # 3. The citizen checks on another device with the tracking code and phone number.
    other_device = new_page("citizen-other-device")
    other_device.goto("/track")
    other_device.fill("#code", code)
    other_device.fill("#contact", PHONE)
    other_device.get_by_role("button", name="Tra cứu").click()
    diagnostics.expect(other_device, "the status page should show the agency's answer in #answer",
                       lambda: expect(other_device.locator("#answer")).to_contain_text(ANSWER))
    diagnostics.expect(other_device, "the history should mention 'Đã có trả lời'",
                       lambda: expect(other_device.locator("ol.timeline")).to_contain_text("Đã có trả lời"))
