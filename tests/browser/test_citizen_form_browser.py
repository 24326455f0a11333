"""The citizen form's script in a real Chromium: long lists filter as you type without diacritics, a big phone photo
is shrunk on the device before it is sent, a file the server would refuse is caught before any upload, and text
typed before a refused upload is put back."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect


def big_photo() -> bytes:
    """A 4000 × 3000 JPEG of noise-like content (as large as an ordinary phone photo)."""
    image = Image.effect_noise((4000, 3000), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def fill(page, title: str) -> None:
    page.check('input[name="kind"][value="feedback"]')
    page.select_option("#field_code", "ha-tang-so")
    page.select_option("#commune_code", "xa-muong-nhe")
    page.fill("#title", title)
    page.fill("#content", "Ảnh chụp cột phát sóng bị đổ sau mưa lớn, cả bản mất sóng từ hôm qua.")
    page.fill("#sender_name", "Lò Thị Xuân")
    page.fill("#sender_phone", "0977111222")
    page.check('input[name="consent"]')


@pytest.mark.browser
def test_typing_without_diacritics_filters_the_communes(new_page):
    page = new_page("filter")
    page.goto("/")
    page.get_by_placeholder("Gõ để tìm xã, phường").fill("muong nhe")
    options = page.locator("#commune_code option")
    expect(options).to_have_count(2)  # "Vui lòng chọn" and the match
    expect(page.locator("#commune_code")).to_have_value("xa-muong-nhe")


@pytest.mark.browser
def test_a_big_photo_is_shrunk_before_sending_and_progress_is_shown(new_page, diagnostics):
    photo = big_photo()
    assert len(photo) > 3_000_000
    page = new_page("photo")
    page.goto("/")
    fill(page, "Cột phát sóng đổ ở bản Huổi Lếch")
    page.set_input_files("#attachments", [{"name": "cot-song.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/")) as posted:
        page.get_by_role("button", name="Gửi ý kiến").click()
    assert len(posted.value.post_data_buffer or b"") < len(photo) / 3
    diagnostics.expect(page, "the photo's item should be confirmed",
                       lambda: expect(page.locator("#tracking-code")).to_have_text(re.compile(r"DB-\d{4}-\w{6}")))
    href = page.locator("ul.files a").first.get_attribute("href")
    stored = Image.open(io.BytesIO(page.request.get(href).body()))
    assert max(stored.size) == 1600 and stored.size[0] / stored.size[1] == pytest.approx(4 / 3, rel=0.01)


@pytest.mark.browser
def test_a_refused_file_is_caught_before_sending_and_nothing_typed_is_lost(new_page):
    page = new_page("refused")
    page.goto("/")
    fill(page, "Tệp không đúng loại")
    page.set_input_files("#attachments", [{"name": "virus.exe", "mimeType": "application/octet-stream",
                                           "buffer": b"MZ" + b"0" * 100}])
    expect(page.locator("#photo-status")).to_contain_text("không đúng loại")
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page).to_have_url(re.compile(r"/$"))  # nothing sent
    # A reload (e.g. the page after a refused upload) puts the draft back into the empty fields.
    page.goto("/")
    expect(page.locator("#title")).to_have_value("Tệp không đúng loại")
    expect(page.locator("#content")).to_have_value(re.compile("cột phát sóng"))
