"""axe-core (pinned in package.json, served from static/vendor by `make deps`) on every page, citizen and staff, on a
360 px phone and a 1366 px desktop: any violation fails the test, with the rule, its help text and the elements."""

import re

import pytest

from app.config import PROJECT_ROOT
from app.seed.reference import COORDINATOR_USERNAME, SYSTEM_ADMIN_USERNAME

AXE = PROJECT_ROOT / "static" / "vendor" / "axe.min.js"
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1366, "height": 768}}
AGENCY = "ubnd-phuong-dien-bien-phu"  # where submit_item's item goes; no other browser test logs in as it
PASSWORD = "Dien-Bien-2026-kiem-tra-a11y"
TITLE = "Cổng dịch vụ công không mở được trên điện thoại"

CITIZEN_PAGES = ["/", "/?lang=en", "/track", "/login", "/khong-co-trang-nay"]
OFFICER_PAGES = ["/officer/inbox", "/officer/inbox?view=unassigned", "/agency/accounts", "/account/password"]
COORDINATOR_PAGES = ["/officer/inbox", "/coordinator/rules", "/coordinator/rules?page=2", "/coordinator/rules/new",
                     "/coordinator/rules/test", "/sla/overview", "/sla/calendar", "/sla/policies",
                     "/sla/extensions", "/officer/review"]
ADMIN_PAGES = ["/admin"]


def violations(page) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make deps` (axe-core from package.json)")
    page.add_script_tag(url="/static/vendor/axe.min.js")  # from this origin: the pages' CSP allows no inline script
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return {passed: r.passes.length, violations: r.violations.map(v => `${v.id} (${v.impact}): ${v.help} -> ` +
            v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(', '))};
    }""")
    assert result["passed"] > 10, f"axe-core checked almost nothing on {page.url}: {result}"
    return result["violations"]


def check(page, url: str, where: str, found: dict) -> None:
    page.goto(url)
    problems = violations(page)
    if problems:
        found[f"{where} {url}"] = problems


def report(found: dict) -> str:
    return "\n".join(f"{where}:\n  " + "\n  ".join(items) for where, items in found.items())


def submit_item(page) -> str:
    page.goto("/")
    page.check('input[name="kind"][value="feedback"]')
    page.select_option("#field_code", "dvc-tthc")
    page.select_option("#commune_code", "phuong-dien-bien-phu")
    page.fill("#title", TITLE)
    page.fill("#content", "Từ hôm qua trang dịch vụ công báo lỗi khi mở trên điện thoại, không nộp được hồ sơ.")
    page.fill("#sender_name", "Lường Văn Thắng")
    page.fill("#sender_phone", "0911222333")
    page.check('input[name="consent"]')
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_url(re.compile(r"/track/DB-"))
    return page.url


@pytest.mark.browser
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_citizen_pages_have_no_axe_violations(new_page, device):
    page = new_page(f"citizen-{device}")
    page.set_viewport_size(VIEWPORTS[device])
    found: dict = {}
    for url in CITIZEN_PAGES:
        check(page, url, device, found)
    # The form with every error shown, and an item's status page right after sending.
    page.goto("/?lang=vi")  # the English visit above is remembered
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_selector("#error-summary")
    if problems := violations(page):
        found[f"{device} / with errors"] = problems
    status_url = submit_item(page)
    check(page, status_url, device, found)
    assert not found, "axe-core violations on citizen pages:\n" + report(found)


@pytest.mark.browser
def test_staff_pages_have_no_axe_violations(new_page, live_server):
    found: dict = {}
    citizen = new_page("citizen")
    submit_item(citizen)
    for username, pages in ((AGENCY, OFFICER_PAGES), (COORDINATOR_USERNAME, COORDINATOR_PAGES),
                            (SYSTEM_ADMIN_USERNAME, ADMIN_PAGES)):
        page = new_page(username)
        live_server.first_login(page, username, PASSWORD)
        for device, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            for url in pages:
                check(page, url, f"{username} {device}", found)
            if username == AGENCY:  # the item page (assignment, transfer picker) and the bulk confirmation
                page.goto("/officer/inbox")
                href = page.locator('#inbox-table a[href^="/officer/items/"]').first.get_attribute("href")
                check(page, href, f"{username} {device}", found)
                page.goto("/officer/inbox")
                page.locator('#inbox-table input[name="codes"]').first.check()
                page.check("#bulk-accept")
                page.get_by_role("button", name="Tiếp tục…").click()
                page.wait_for_url(re.compile(r"/officer/inbox/bulk"))
                if problems := violations(page):
                    found[f"{username} {device} bulk confirmation"] = problems
    assert not found, "axe-core violations on staff pages:\n" + report(found)
