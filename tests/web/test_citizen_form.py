"""The citizen form as a sender meets it: one item per form however often it is posted, nothing typed is lost,
requirements said next to each field, lists in Vietnamese order, and an accessible page."""

import asyncio
import gzip
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlmodel import func, select

from app.config import get_settings
from app.db import utcnow
from app.submissions import form_tokens
from app.submissions.models import Submission
from app.text import sort_vietnamese
from tests.conftest import csrf_from

FORM = {
    "kind": "feedback", "field_code": "ha-tang-so", "commune_code": "xa-muong-nhe",
    "title": "Sóng điện thoại yếu ở bản Huổi Lếch", "sender_type": "individual",
    "content": "Buổi tối sóng điện thoại gần như mất hẳn, không gọi được cấp cứu.",
    "sender_name": "Lò Văn Minh", "sender_phone": "0912 345 678", "consent": "on",
}


def form_token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def count(db) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(Submission)).one()


def test_a_second_post_of_the_same_form_shows_the_first_items_confirmation(client, db):
    page = client.get("/").text
    data = {**FORM, "csrf_token": csrf_from(page), "form_token": form_token(page)}
    before = count(db)
    first = client.post("/", data=data)
    second = client.post("/", data=data)  # a double tap
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert count(db) == before + 1
    confirmation = client.get(second.headers["location"])
    assert "Đã gửi thành công" in confirmation.text
    # A new form has a new token, so the next item is a new item.
    page = client.get("/").text
    assert form_token(page) != data["form_token"]
    third = client.post("/", data={**data, "form_token": form_token(page)})
    assert third.headers["location"] != first.headers["location"] and count(db) == before + 2


def test_an_expired_form_comes_back_filled_in_with_the_problem_said(client, db):
    page = client.get("/").text
    data = {**FORM, "csrf_token": "stale-token-from-yesterday", "form_token": form_token(page)}
    r = client.post("/", data=data)
    assert r.status_code == 403
    assert "Biểu mẫu đã hết hạn nên chưa được gửi" in r.text
    assert FORM["content"] in r.text and f'value="{FORM["title"]}"' in r.text
    assert f'value="{data["form_token"]}"' in r.text  # the same form: a post that did go through is not doubled
    retry = client.post("/", data={**data, "csrf_token": csrf_from(r.text)})
    assert retry.status_code == 303


def test_requirements_are_said_next_to_the_fields_and_choices_say_choose(client):
    page = client.get("/").text
    assert "Viết ít nhất 20 ký tự" in page
    assert 'aria-describedby="content-hint"' in page
    r = client.post("/", data={"csrf_token": csrf_from(page), "content": "ngắn", "consent": "on"})
    assert r.status_code == 422
    assert "Vui lòng chọn lĩnh vực." in r.text and "Vui lòng chọn xã, phường." in r.text
    assert "Vui lòng chọn loại." in r.text
    assert "Vui lòng nhập lĩnh vực" not in r.text
    # The summary is focusable and links to each field; each field points at its own message.
    summary = re.search(r'<div class="error-summary".*?</div>', r.text, re.S).group(0)
    assert 'tabindex="-1"' in summary and 'href="#field_code"' in summary and 'href="#content"' in summary
    assert 'href="#kind-feedback"' in summary
    assert re.search(r'<textarea id="content"[^>]*aria-describedby="content-hint content-error" aria-invalid="true"',
                     r.text)
    assert 'id="content-error"' in r.text


def test_lists_are_in_vietnamese_alphabetical_order(client):
    page = client.get("/").text
    select_commune = re.search(r'<select id="commune_code".*?</select>', page, re.S).group(0)
    communes = re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', select_commune)
    assert len(communes) == 45
    assert communes == sort_vietnamese(communes)
    assert communes.index("Phường Điện Biên Phủ") < communes.index("Phường Mường Thanh")
    select_field = re.search(r'<select id="field_code".*?</select>', page, re.S).group(0)
    fields = re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', select_field)
    assert fields[-1] == "Khác" and fields[:-1] == sort_vietnamese(fields[:-1])


def test_kinds_have_an_icon_and_an_example_and_photos_come_early(client):
    page = client.get("/").text
    assert page.count('<svg class="kind-icon"') == 4
    assert "Ví dụ: sóng điện thoại ở bản yếu" in page
    assert page.index('id="attachments"') < page.index('id="field_code"')


def test_every_page_has_skip_link_favicon_description_and_staff_login_link(client):
    for path in ("/", "/track", "/login"):
        page = client.get(path).text
        assert 'class="skip-link" href="#main"' in page and '<main id="main"' in page
        assert 'rel="icon"' in page and '<meta name="description"' in page
        assert '<a href="/login">' in page


def test_fingerprinted_static_files_are_cached_for_a_year(client):
    page = client.get("/").text
    css = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', page).group(1)
    r = client.get(css)
    assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = client.get("/static/css/app.css?v=0000")
    assert "immutable" not in stale.headers["cache-control"]
    plain = client.get("/static/css/app.css")
    assert "immutable" not in plain.headers["cache-control"]


def test_an_oversized_request_is_refused_before_it_is_read(app, monkeypatch):
    """The cap is checked against Content-Length: nothing of the body is read, the form comes back."""
    monkeypatch.setattr(get_settings(), "max_request_bytes", 0)
    limit = get_settings().effective_max_request_bytes
    received = []

    async def receive():
        received.append(1)
        return {"type": "http.request", "body": b"x" * 1024, "more_body": True}

    sent = []

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "raw_path": b"/", "query_string": b"",
             "headers": [(b"content-length", str(limit + 1).encode()),
                         (b"content-type", b"multipart/form-data; boundary=x")],
             "scheme": "http", "server": ("test", 80), "client": ("127.0.0.1", 1), "root_path": "",
             "http_version": "1.1", "app": app}
    # On a thread of its own: another test's event loop may be running on this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert received == []
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()
    assert "Tệp đính kèm quá lớn" in body


def test_form_tokens_are_forgotten_after_a_week(db):
    now = utcnow()
    db.add(form_tokens.FormToken(token="a" * 20, created_at=now - timedelta(days=8)))
    db.add(form_tokens.FormToken(token="b" * 20, created_at=now - timedelta(days=1)))
    db.commit()
    assert form_tokens.purge(db, now) == 1
    assert db.get(form_tokens.FormToken, "a" * 20) is None and db.get(form_tokens.FormToken, "b" * 20) is not None


def test_the_home_page_and_what_it_loads_stay_small(client):
    """A slow 3G phone: the form, its stylesheet, favicon and script stay under 16 KB compressed, and what the
    installable app adds to the page (issue 13: offline queue and recorder) under its own 30 KB budget
    (measured after merging issue 13: HTML 5.8, CSS 3.6, submit.js 4.0, favicon 0.2, offline.js 3.2, reach.js 1.4 KB;
    issue 14 alone measured 11.2 KB; before issue 14, 5.1 KB without a script)."""
    page = client.get("/")
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    # favicon, stylesheet, the form's script, the offline queue, the recorder (the app's icons are the manifest's):
    # nothing else, nothing from another host
    assert sorted(re.sub(r"\?v=.*", "", a) for a in assets) == [
        "/static/css/app.css", "/static/favicon.svg", "/static/js/offline.js", "/static/js/reach.js",
        "/static/js/submit.js"]
    sizes = {"/": len(gzip.compress(page.content))}
    sizes.update({a: len(gzip.compress(client.get(a).content)) for a in assets})
    installable_app = {"/static/js/offline.js", "/static/js/reach.js"}  # issue 13's share
    pages = sum(size for asset, size in sizes.items() if re.sub(r"\?v=.*", "", asset) not in installable_app)
    app_share = sum(size for asset, size in sizes.items() if re.sub(r"\?v=.*", "", asset) in installable_app)
    assert sizes["/"] < 6_000 and pages < 16_000 and app_share < 30_000, sizes
