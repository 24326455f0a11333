"""The officer workspace in a real Chromium: keyboard navigation of the inbox table, the searchable transfer
picker, and the table read as cards on a 360 px phone."""

import re

import pytest
from playwright.sync_api import expect

AGENCY = "tt-cnnts"  # routed "du-lieu-so" items; no other browser test logs in as it
PASSWORD = "Dien-Bien-2026-ban-phim-nhanh"
TITLES = ("Dữ liệu dân cư của bản chưa cập nhật", "Cổng dữ liệu mở thiếu số liệu nông nghiệp")


def send(page, title: str) -> None:
    page.goto("/")
    page.check('input[name="kind"][value="feedback"]')
    page.select_option("#field_code", "du-lieu-so")
    page.select_option("#commune_code", "xa-muong-nhe")
    page.fill("#title", title)
    page.fill("#content", "Người dân phản ánh số liệu trên hệ thống chưa đúng với thực tế của bản.")
    page.fill("#sender_name", "Cà Văn Dũng")
    page.fill("#sender_phone", "0966555444")
    page.check('input[name="consent"]')
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_url(re.compile(r"/track/DB-"))


@pytest.mark.browser
def test_keyboard_navigation_transfer_picker_and_phone_cards(new_page, live_server, diagnostics):
    citizen = new_page("citizen")
    for title in TITLES:
        send(citizen, title)
    officer = new_page("officer")
    live_server.first_login(officer, AGENCY, PASSWORD)
    officer.goto("/officer/inbox")
    officer.wait_for_function("() => window.htmx !== undefined")
    expect(officer.locator("#inbox-table tbody tr")).to_have_count(2)
    officer.locator("body").click(position={"x": 5, "y": 5})
    officer.keyboard.press("j")
    expect(officer.locator("#inbox-table tbody tr.current")).to_have_count(1)
    officer.keyboard.press("x")
    expect(officer.locator("#inbox-table tbody tr.current input[type=checkbox]")).to_be_checked()
    officer.keyboard.press("Enter")  # the focused title link opens the item
    diagnostics.expect(officer, "Enter on the current row should open the item",
                       lambda: expect(officer).to_have_url(re.compile(r"/officer/items/DB-")))

    # Transfer: type without diacritics to find an agency; the rule's suggestion group comes first.
    officer.locator("summary", has_text="Chuyển cơ quan khác xử lý").click()
    search = officer.get_by_placeholder("Gõ để tìm cơ quan (có dấu hay không dấu)")
    search.fill("so y te")
    expect(officer.locator("#agency_code")).to_have_value("so-y-te")

    # A 360 px phone: the table's rows read as cards with labelled cells.
    officer.set_viewport_size({"width": 360, "height": 740})
    officer.goto("/officer/inbox")
    row = officer.locator("#inbox-table tbody tr").first
    assert row.bounding_box()["width"] <= 360
    label = officer.evaluate("""() => getComputedStyle(
        document.querySelector('#inbox-table td[data-label="Trạng thái"]'), '::before').content""")
    assert "Trạng thái" in label
