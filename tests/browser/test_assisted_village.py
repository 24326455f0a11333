"""End to end, in real Chromium against a real `pakn serve`: the commune's People's Committee creates an assistant;
the assistant, with no signal in the village, records a voice message for a H'Mông speaker who has no phone; the
item arrives when the signal returns; the commune (which this field is routed to) answers; the assistant prints
the A5 answer slip."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.reach_helpers import live_rows
from tests.browser.test_offline_form import until_controlled

COMMUNE_ADMIN = "ubnd-xa-muong-nhe"  # no other browser test logs in as this agency
ADMIN_PASSWORD = "Dien-Bien-2026-muong-nhe-an-toan"
ASSISTANT_PASSWORD = "Dien-Bien-2026-to-cong-nghe-so"
ANSWER = "UBND xã đã đề nghị nhà mạng lắp trạm phát sóng ở đầu bản Huổi Lếch trong quý I năm sau."


@pytest.fixture
def microphone_page(browser, live_server):
    """Another device: a Chromium with a (fake) microphone the page may use."""
    other = browser.browser_type.launch(executable_path=str(CHROMIUM), args=[
        *CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"])
    context = other.new_context(base_url=live_server.base_url, locale="vi-VN", permissions=["microphone"])
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()
        other.close()


@pytest.mark.browser
def test_assistant_offline_voice_message_for_a_hmong_villager_answered_and_slip_printed(
        new_page, live_server, diagnostics, microphone_page):
    # 1. The commune's People's Committee adds a member of its digital-technology team.
    admin = new_page("commune-admin")
    live_server.first_login(admin, COMMUNE_ADMIN, ADMIN_PASSWORD)
    admin.goto("/assistants")
    admin.fill("#username", "tcns.muong-nhe.mai")
    admin.fill("#display_name", "Lò Thị Mai")
    admin.fill("#email", "mai.tcns@dienbien.gov.vn")
    admin.fill("#phone", "0912 345 678")
    admin.get_by_role("button", name="Thêm thành viên").click()
    diagnostics.expect(admin, "the new assistant's one-time password should be shown",
                       lambda: expect(admin.locator("#one-time-password")).to_be_visible())
    one_time = admin.locator("#one-time-password").inner_text().strip()

    # 2. The assistant logs in once at the commune office (with signal): the app keeps the form for offline use.
    page = microphone_page
    page.goto("/login")
    page.fill("#username", "tcns.muong-nhe.mai")
    page.fill("#password", one_time)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/account/password$"))
    page.fill("#current", one_time)
    page.fill("#new", ASSISTANT_PASSWORD)
    page.fill("#confirm", ASSISTANT_PASSWORD)
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    diagnostics.expect(page, "the assistant should land on their own list",
                       lambda: expect(page).to_have_url(re.compile(r"/assistant$")))
    page.goto("/assistant/new")
    until_controlled(page)

    # 3. In the village: no signal. The form still opens; Giàng A Páo speaks H'Mông and has no phone.
    page.context.set_offline(True)
    page.reload()
    diagnostics.expect(page, "the assistant's form should open without signal",
                       lambda: expect(page.locator("#sender_name")).to_be_visible())
    page.fill("#sender_name", "Giàng A Páo")
    page.fill("#village", "Bản Huổi Lếch")
    page.check('input[name="relay"][value="none"]')
    page.select_option("#language", "hmong")
    page.check('input[name="interpreter_helped"]')
    page.select_option("#field_code", "xa-hoi-so")
    record = page.locator("[data-record]")
    record.click()
    expect(record).to_have_attribute("aria-pressed", "true")
    page.wait_for_timeout(3000)  # three seconds of speech (the fake microphone's tone)
    record.click()
    diagnostics.expect(page, "the recording should be ready to play back",
                       lambda: expect(page.locator("[data-preview]")).to_be_visible())
    assert page.evaluate("() => document.querySelector('#voice_file').files[0].size") > 1000
    page.check('input[name="spoken_consent"]')
    page.fill("#consent_witness", "Lò Văn Minh")
    page.get_by_role("button", name="Gửi ý kiến").click()
    diagnostics.expect(page, "the submission should wait on the device",
                       lambda: expect(page.locator(".queue-waiting")).to_contain_text("Đang chờ gửi: 1"))

    # 4. Back in signal: it is sent by itself, once.
    page.context.set_offline(False)
    sent = page.locator(".queue-sent a")
    diagnostics.expect(page, "the tracking code should appear once the queue is sent",
                       lambda: expect(sent).to_have_count(1, timeout=20_000))
    code = sent.first.inner_text()
    rows = live_rows(live_server, "SELECT tracking_code, title FROM submissions WHERE source = 'assisted' "
                                  "AND sender_name = :n", n="Giàng A Páo")
    assert len(rows) == 1 and rows[0][0] == code and rows[0][1].startswith("Tin nhắn thoại về"), rows

    # 5. The commune (xã hội số is routed to the People's Committee) hears the voice message and answers.
    admin.goto(f"/officer/items/{code}")
    diagnostics.expect(admin, "the officer should see that the item was assisted, in H'Mông",
                       lambda: expect(admin.locator("#assisted-language")).to_have_text("Tiếng H'Mông"))
    audio = admin.locator("figure.voice audio source")
    expect(audio).to_have_attribute("type", "audio/webm")
    played = admin.request.get(audio.get_attribute("src"))
    assert played.status == 200 and played.headers["content-type"] == "audio/webm"
    admin.wait_for_function("() => window.htmx !== undefined", timeout=5000)
    admin.get_by_role("button", name="Tiếp nhận").click()
    expect(admin.locator("#item-state")).to_have_text("Đang xử lý")
    admin.fill("#transcript_text", "Bản chưa có sóng điện thoại, muốn gọi cấp cứu phải lên đồi.")
    admin.get_by_role("button", name="Lưu bản dịch").click()
    expect(admin.locator("#transcript")).to_contain_text("phải lên đồi")
    admin.fill("#answer_text", ANSWER)
    admin.get_by_role("button", name="Gửi trả lời").click()
    diagnostics.expect(admin, "after the answer the state should read 'Đã trả lời'",
                       lambda: expect(admin.locator("#item-state")).to_have_text("Đã trả lời"))

    # 6. The assistant sees the answer and prints the A5 slip for the village meeting.
    page.goto("/assistant")
    expect(page.locator("#my-items")).to_contain_text("Đã trả lời")
    page.goto(f"/assistant/items/{code}/slip")
    diagnostics.expect(page, "the slip should carry the answer and the tracking code",
                       lambda: expect(page.locator("body")).to_contain_text(ANSWER))
    expect(page.locator(".code")).to_have_text(code)
    pdf = page.pdf(prefer_css_page_size=True)
    width, height = (float(v) for v in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert abs(width - 419.5) < 1 and abs(height - 595.3) < 1  # A5 (148 × 210 mm) in points

    # 7. Signing out on a shared phone: the assistant's pages (which name villagers) no longer open offline.
    page.goto("/assistant")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.context.set_offline(True)
    page.goto("/assistant")
    diagnostics.expect(page, "without signal, after signing out, the assistant's list must not be shown",
                       lambda: expect(page.locator("body")).not_to_contain_text("Giàng A Páo"))
    page.context.set_offline(False)
