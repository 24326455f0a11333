"""An agency admin in a real Chromium: htmx search swaps the inbox list in place; adding an officer shows the
one-time password once."""

import re

import pytest
from playwright.sync_api import expect

AGENCY = "so-y-te"  # not the agency of test_end_to_end.py: each test does its own first login
NEW_PASSWORD = "Dien-Bien-2026-nganh-y"
TITLES = ("Đặt lịch khám trực tuyến ở xã Mường Nhé bị lỗi", "Hồ sơ sức khỏe điện tử không đăng nhập được")




@pytest.mark.browser
def test_inbox_search_and_adding_an_officer(new_page, live_server, diagnostics):
    citizen = new_page("citizen")
    for title in TITLES:
        citizen.goto("/")
        citizen.check('input[name="kind"][value="feedback"]')
        citizen.select_option("#field_code", "y-te-so")
        citizen.select_option("#commune_code", "xa-muong-nhe")
        citizen.fill("#title", title)
        citizen.fill("#content", "Nhiều người dân phản ánh việc này trong tuần qua, mong cơ quan xem xét.")
        citizen.fill("#sender_name", "Giàng A Páo")
        citizen.fill("#sender_phone", "0987654321")
        citizen.check('input[name="consent"]')
        citizen.get_by_role("button", name="Gửi ý kiến").click()
        diagnostics.expect(citizen, "the submission should be acknowledged with a tracking code",
                lambda: expect(citizen.locator("#tracking-code")).to_be_visible())

    admin = new_page("agency-admin")
    live_server.first_login(admin, AGENCY, NEW_PASSWORD)
    diagnostics.expect(admin, "after the password change the admin should land on /officer/inbox",
                       lambda: expect(admin).to_have_url(re.compile(r"/officer/inbox")))
    listing = admin.locator("#inbox-list")
    diagnostics.expect(admin, "the inbox should list both new items",
                       lambda: expect(listing).to_contain_text(TITLES[1]))
    admin.wait_for_function("() => window.htmx !== undefined", timeout=5000)

    # Typing (no Enter, no button) searches after a pause; the page is not reloaded, the URL follows.
    admin.evaluate("window.__samePage = true")
    admin.locator("#q").press_sequentially("muong nhe", delay=30)
    diagnostics.expect(admin, "typing 'muong nhe' should leave only the item about Mường Nhé in the list",
                       lambda: expect(listing).not_to_contain_text(TITLES[1]))
    diagnostics.expect(admin, "the list should still show the Mường Nhé item",
                       lambda: expect(listing).to_contain_text(TITLES[0]))
    diagnostics.expect(admin, "the address bar should carry the search (hx-push-url / HX-Push-Url)",
                       lambda: expect(admin).to_have_url(re.compile(r"/officer/inbox\?q=muong\+nhe$")))
    assert admin.evaluate("window.__samePage === true"), "the search reloaded the whole page"

    admin.select_option("#kind", "petition")  # a change in any filter swaps the list too
    diagnostics.expect(admin, "with kind = petition no item should match",
                       lambda: expect(listing).to_contain_text("Không có hồ sơ nào khớp bộ lọc."))
    assert admin.evaluate("window.__samePage === true"), "the filter change reloaded the whole page"

    admin.get_by_role("link", name="Cán bộ").click()
    admin.fill("#username", "bacsi.lan")
    admin.fill("#display_name", "Lường Thị Lan")
    admin.fill("#email", "lan.syt@dienbien.gov.vn")
    admin.get_by_role("button", name="Thêm cán bộ").click()
    diagnostics.expect(admin, "adding an officer should show a one-time password",
                       lambda: expect(admin.locator("#one-time-password")).to_have_text(re.compile(r"^[a-z2-9-]{19}$")))
    admin.get_by_role("link", name="Về danh sách cán bộ").click()
    diagnostics.expect(admin, "the new officer should be listed, waiting for the first password change",
                       lambda: expect(admin.locator("#accounts")).to_contain_text("Chưa đổi mật khẩu lần đầu"))
