"""The inbox page: the same filters as a plain GET form (no JavaScript) and as an htmx list swap."""

from urllib.parse import parse_qs, urlsplit

from app.accounts.models import Role


def test_no_js_form_filters_searches_and_keeps_values(client, login_as, submit):
    wanted = submit(title="Sóng 4G yếu tại xã Mường Nhé", kind="petition")
    submit(title="Cáp quang bị đứt ở Tuần Giáo")
    login_as("so-khcn")
    page = client.get("/officer/inbox", params={"q": "muong nhe", "kind": "petition", "sort": "urgency"})
    assert page.status_code == 200 and "<html" in page.text
    assert wanted.title in page.text and "Cáp quang" not in page.text
    assert 'value="muong nhe"' in page.text
    assert '<option value="petition" selected>' in page.text
    assert '<option value="urgency" selected>' in page.text
    assert 'hx-trigger="submit, change, keyup changed delay:400ms from:input[type=search]"' in page.text
    assert '<button type="submit" class="primary">Lọc</button>' in page.text  # works without JavaScript


def test_htmx_search_returns_the_list_and_the_canonical_url(client, login_as, submit):
    submit(title="Đèn tín hiệu đường Võ Nguyên Giáp")
    login_as("so-khcn")
    r = client.get("/officer/inbox?q=duong&state=&kind=&field=&commune=&from=&to=&sort=urgency",
                   headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    assert "Đèn tín hiệu đường Võ Nguyên Giáp" in r.text
    assert r.headers["hx-push-url"] == "/officer/inbox?q=duong"


def test_history_restore_gets_the_whole_page(client, login_as):
    login_as("so-khcn")
    r = client.get("/officer/inbox?q=duong", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in r.text and 'id="inbox-list"' in r.text


def test_dates_in_vietnamese_form_are_accepted(client, login_as, submit):
    item = submit()
    login_as("so-khcn")
    r = client.get("/officer/inbox", params={"from": "01/01/2026", "to": "31/12/2099"})
    assert r.status_code == 200 and item.title in r.text
    assert 'value="2026-01-01"' in r.text  # shown back in the date input's ISO form


def test_bad_filter_values_get_a_message_not_an_error_page(client, login_as, submit):
    item = submit()
    login_as("so-khcn")
    r = client.get("/officer/inbox", params={"from": "31/02/2026", "field": "khong-co", "page": "abc"},
                   headers={"HX-Request": "true"})
    assert r.status_code == 422
    assert "ngày/tháng/năm" in r.text and "Lĩnh vực không có trong danh mục." in r.text
    assert item.title in r.text  # the rest of the filters still apply


def test_page_links_keep_the_filters(client, login_as, submit, db):
    for i in range(27):
        submit(title=f"Phản ánh số {i} về sóng yếu ở Mường Nhé")
    submit(title="Một việc khác ở Tuần Giáo")
    login_as("so-khcn")
    r = client.get("/officer/inbox", params={"q": "muong nhe", "sort": "oldest"})
    assert "27 hồ sơ" in r.text and "trang 1/2" in r.text
    link = r.text.split('class="pager"')[1].split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query) == {"q": ["muong nhe"], "sort": ["oldest"], "page": ["2"]}
    second = client.get(link, headers={"HX-Request": "true"})
    assert "trang 2/2" in second.text and "Phản ánh số 26" in second.text and "Tuần Giáo" not in second.text


def test_coordinator_searches_the_triage_queue(client, login_as, submit):
    item = submit(field_code="khac", title="Góp ý về chữ ký số cho hộ kinh doanh")
    login_as("so-khcn", Role.COORDINATOR)
    r = client.get("/officer/inbox", params={"state": "triage", "q": "chu ky so"})
    assert item.title in r.text
