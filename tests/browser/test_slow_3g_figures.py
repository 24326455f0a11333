"""Figures, not a check of behaviour: the time to send the citizen form with a phone photo over a simulated slow 3G
link (Chrome DevTools' "Slow 3G": 2 s round trip, ≈ 50 KB/s each way), with the on-device shrinking of
static/js/offline.js and without it (JavaScript off: the plain form sends the photo as taken).

Run on demand:  PAKN_MEASURE_3G=1 .venv/bin/python -m pytest -q -s tests/browser/test_slow_3g_figures.py
The figures are in docs/reaching-villages.md."""

import os
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.reach_helpers import big_photo
from tests.browser.test_offline_form import fill

SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 50 * 1024, "uploadThroughput": 50 * 1024}


def timed_submit(browser, live_server, *, javascript: bool, photo: bytes) -> float:
    context = browser.new_context(base_url=live_server.base_url, locale="vi-VN", java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.set_default_timeout(300_000)
        page.goto("/")
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        fill(page, f"Đo thời gian gửi ảnh qua 3G chậm ({'có' if javascript else 'không'} thu nhỏ ảnh)", photo)
        started = time.monotonic()
        page.get_by_role("button", name="Gửi ý kiến").click()
        expect(page.locator("#tracking-code")).to_have_text(re.compile(r"DB-\d{4}-"), timeout=300_000)
        return time.monotonic() - started
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.skipif(not os.environ.get("PAKN_MEASURE_3G"), reason="a measurement, run with PAKN_MEASURE_3G=1")
def test_time_to_submit_a_photo_on_slow_3g(browser, live_server):
    photo = big_photo()
    shrunk = timed_submit(browser, live_server, javascript=True, photo=photo)
    plain = timed_submit(browser, live_server, javascript=False, photo=photo)
    print(f"\nphoto {len(photo) / 1024:.0f} KB; slow 3G: with on-device shrinking {shrunk:.1f} s, "
          f"without (JavaScript off) {plain:.1f} s")
    assert shrunk < plain
