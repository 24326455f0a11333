"""The installable citizen form in a real Chromium: it opens without signal, keeps what is sent offline (photos
shrunk on the device), and sends it when the signal returns: exactly one item per submission."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.reach_helpers import big_photo, live_rows

TITLES = ("Đường vào bản Nậm Pồ sạt lở (gửi khi mất sóng 1)", "Trạm y tế bản Nậm Pồ thiếu thuốc (gửi khi mất sóng 2)")


def fill(page, title: str, photo: bytes | None = None) -> None:
    page.check('input[name="kind"][value="feedback"]')
    page.select_option("#field_code", "xa-hoi-so")
    page.select_option("#commune_code", "xa-muong-nhe")
    page.fill("#title", title)
    page.fill("#content", "Mưa lớn làm sạt lở đoạn đường vào bản, xe máy không đi được, học sinh phải nghỉ học.")
    page.fill("#sender_name", "Lò Văn Minh")
    page.fill("#sender_phone", "0912 345 678")
    if photo:
        page.set_input_files("#attachments", [{"name": "anh-sat-lo.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    page.check('input[name="consent"]')


def until_controlled(page) -> None:
    """The service worker is installed and controls the page (it has kept the form for offline use)."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10_000)


@pytest.mark.browser
def test_offline_submissions_are_queued_and_sent_once_when_the_signal_returns(new_page, live_server, diagnostics):
    page = new_page("offline-citizen")
    page.goto("/")
    until_controlled(page)
    context = page.context
    context.set_offline(True)
    page.reload()  # no signal: the form comes from the service worker's copy
    diagnostics.expect(page, "the form should open without signal",
                       lambda: expect(page.locator("#title")).to_be_visible())

    photo = big_photo()
    fill(page, TITLES[0], photo)
    page.get_by_role("button", name="Gửi ý kiến").click()
    diagnostics.expect(page, "the first offline submission should be queued",
                       lambda: expect(page.locator(".queue-waiting")).to_contain_text("Đang chờ gửi: 1"))
    fill(page, TITLES[1])
    page.get_by_role("button", name="Gửi ý kiến").click()
    diagnostics.expect(page, "the second offline submission should be queued too",
                       lambda: expect(page.locator(".queue-waiting")).to_contain_text("Đang chờ gửi: 2"))
    queued = page.evaluate("""() => new Promise(resolve => {
        const req = indexedDB.open("pakn-offline");
        req.onsuccess = () => req.result.transaction("queue").objectStore("queue").getAll().onsuccess =
            e => resolve(e.target.result.map(i => ({key: i.key, sizes: i.files.map(f => f.blob.size)})));
    })""")
    assert len(queued) == 2 and len({q["key"] for q in queued}) == 2
    photo_sizes = [s for q in queued for s in q["sizes"]]
    assert len(photo_sizes) == 1 and photo_sizes[0] < len(photo) / 3, (photo_sizes, len(photo))

    context.set_offline(False)  # the signal returns: the page (and Background Sync) send the queue
    codes = page.locator(".queue-sent a")
    diagnostics.expect(page, "both tracking codes should be shown once the queue is sent",
                       lambda: expect(codes).to_have_count(2, timeout=20_000))
    expect(page.locator(".queue-waiting")).to_have_count(0)
    shown = {codes.nth(i).inner_text() for i in range(2)}
    assert all(re.fullmatch(r"DB-\d{4}-[A-Z0-9]{6}", c) for c in shown)

    # Sending again (the page reopened, a second sync) creates nothing new.
    page.evaluate("() => self.paknQueue.flush()")
    page.reload()
    expect(page.locator(".queue-sent a")).to_have_count(2)
    for title in TITLES:
        rows = live_rows(live_server, "SELECT tracking_code FROM submissions WHERE title = :t", t=title)
        assert len(rows) == 1, (title, rows)
        assert rows[0][0] in shown
    stored = live_rows(live_server, "SELECT a.size FROM attachments a JOIN submissions s ON s.id = a.submission_id "
                                    "WHERE s.title = :t", t=TITLES[0])
    assert len(stored) == 1 and stored[0][0] == photo_sizes[0]  # the shrunk photo is what the agency gets
    # The status page of a sent code opens in this browser.
    link = page.locator(".queue-sent a").first
    first, href = link.inner_text(), link.get_attribute("href")
    assert href == f"/track/{first}"
    page.goto(href)
    diagnostics.expect(page, "a sent code's link should open its status page in this browser",
                       lambda: expect(page.locator("main")).to_contain_text(first))


@pytest.mark.browser
def test_a_queued_submission_the_server_refuses_says_why_and_can_be_dropped(new_page, live_server, diagnostics):
    page = new_page("offline-refused")
    page.goto("/")
    until_controlled(page)
    page.context.set_offline(True)
    fill(page, "Không có số điện thoại (gửi khi mất sóng)")
    page.fill("#sender_phone", "")  # no contact at all: the server will refuse it
    page.get_by_role("button", name="Gửi ý kiến").click()
    expect(page.locator(".queue-waiting")).to_contain_text("Đang chờ gửi: 1")
    page.context.set_offline(False)
    refused = page.locator("[data-queue-status] .error")
    diagnostics.expect(page, "the server's reason should be shown beside the queued item",
                       lambda: expect(refused).to_contain_text("số điện thoại hoặc thư điện tử", timeout=20_000))
    refused.get_by_role("button").click()
    expect(page.locator(".queue-waiting")).to_have_count(0)
    assert live_rows(live_server, "SELECT id FROM submissions WHERE title = :t",
                     t="Không có số điện thoại (gửi khi mất sóng)") == []
