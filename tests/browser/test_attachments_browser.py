"""Attachments in a real Chromium: the citizen's photo on the no-JS form, the officer's PDF through the htmx
(multipart) answer form, and both shown back to the sender."""

import re

import pytest
from playwright.sync_api import expect

from app.seed.reference import FIELD_OWNERS
from tests.attachments import files

AGENCY = "so-gddt"  # not the agency of the other browser tests: each does its own first login
NEW_PASSWORD = "Dien-Bien-2026-giao-duc-an-toan"
PHONE = "0987 654 321"




@pytest.mark.browser
def test_photo_from_the_citizen_and_pdf_from_the_agency(new_page, live_server, diagnostics):
    assert FIELD_OWNERS["giao-duc-so"] == AGENCY, "default routing of giao-duc-so changed: update this test"

    citizen = new_page("citizen-attachments")
    citizen.goto("/")
    citizen.check('input[name="kind"][value="petition"]')
    citizen.select_option("#field_code", "giao-duc-so")
    citizen.select_option("#commune_code", "xa-muong-nhe")
    citizen.fill("#title", "Trường chưa có sổ liên lạc điện tử")
    citizen.fill("#content", "Đề nghị trường tiểu học của xã dùng sổ liên lạc điện tử, ảnh bảng thông báo kèm theo.")
    citizen.fill("#sender_name", "Quàng Thị Hoa")
    citizen.fill("#sender_phone", PHONE)
    citizen.set_input_files("#attachments", [
        {"name": "bảng thông báo.jpg", "mimeType": "image/jpeg", "buffer": files.jpeg()}])
    citizen.check('input[name="consent"]')
    citizen.get_by_role("button", name="Gửi ý kiến").click()
    diagnostics.expect(citizen, "after submitting with a photo, the page should show the tracking code",
                       lambda: expect(citizen.locator("#tracking-code")).to_have_text(re.compile(r"DB-\d{4}-\w{6}")))
    code = citizen.locator("#tracking-code").inner_text().strip()
    thumb = citizen.locator("ul.files img").first
    diagnostics.expect(citizen, "the status page should show the photo's thumbnail",
                       lambda: expect(thumb).to_have_attribute("alt", "Ảnh bảng thông báo.jpg"))
    citizen.wait_for_function("() => { const i = document.querySelector('ul.files img');"
                              " return i && i.complete && i.naturalWidth === 320; }", timeout=10_000)

    officer = new_page("officer-attachments")
    live_server.first_login(officer, AGENCY, NEW_PASSWORD)
    officer.goto(f"/officer/items/{code}")
    diagnostics.expect(officer, "the officer should see the citizen's photo on the item page",
                       lambda: expect(officer.locator("#item-main")).to_contain_text("bảng thông báo.jpg"))
    officer.wait_for_function("() => window.htmx !== undefined", timeout=5000)
    officer.get_by_role("button", name="Tiếp nhận").click()
    diagnostics.expect(officer, "after 'Tiếp nhận' the state badge should read 'Đang xử lý'",
                       lambda: expect(officer.locator("#item-state")).to_have_text("Đang xử lý"))
    officer.fill("#answer_text", "Sở Giáo dục và Đào tạo đã chỉ đạo các trường dùng sổ liên lạc điện tử từ học kỳ sau.")
    officer.set_input_files("#attachments", [
        {"name": "Công văn số 12.pdf", "mimeType": "application/pdf", "buffer": files.pdf("Cong van 12")}])
    officer.get_by_role("button", name="Gửi trả lời").click()  # hx-post with multipart/form-data
    diagnostics.expect(officer, "after the answer with a PDF the state badge should read 'Đã trả lời'",
                       lambda: expect(officer.locator("#item-state")).to_have_text("Đã trả lời"))
    diagnostics.expect(officer, "the answer section should list the PDF",
                       lambda: expect(officer.locator("section.answer")).to_contain_text("Công văn số 12.pdf"))

    citizen.goto(f"/track/{code}")
    link = citizen.get_by_role("link", name="Công văn số 12.pdf")
    diagnostics.expect(citizen, "the sender should see the answer's PDF",
                       lambda: expect(link).to_be_visible())
    with citizen.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "Công văn số 12.pdf"
