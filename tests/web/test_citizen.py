"""The citizen's path: submit on `/`, get a tracking code, follow the item from any device."""

import re

from fastapi.testclient import TestClient
from sqlmodel import func, select

from app.submissions.models import Submission
from tests.conftest import csrf_from

FORM = {
    "kind": "petition", "field_code": "nong-nghiep-so", "commune_code": "xa-muong-phang",
    "title": "Đề nghị hỗ trợ truy xuất nguồn gốc gạo", "sender_type": "individual",
    "content": "Hợp tác xã chúng tôi muốn dán mã QR truy xuất nguồn gốc cho gạo Điện Biên.",
    "sender_name": "Quàng Thị Hoa", "sender_phone": "0988 123 456", "consent": "on",
}


def post_form(client, **changes):
    data = {**FORM, **changes, "csrf_token": csrf_from(client.get("/").text)}
    return client.post("/", data={k: v for k, v in data.items() if v is not None})


def count(db):
    return db.exec(select(func.count()).select_from(Submission)).one()


def test_submit_shows_tracking_code_and_status(client, db):
    r = post_form(client)
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    code = re.search(r'id="tracking-code">(DB-\d{4}-\w{6})<', page.text).group(1)
    assert "Đã gửi thành công" in page.text
    assert "Sở Nông nghiệp và Môi trường" in page.text
    item = db.exec(select(Submission).where(Submission.tracking_code == code)).one()
    assert item.sender_phone == "0988123456" and item.kind == "petition"


def test_missing_fields_are_listed_in_vietnamese_and_nothing_stored(client, db):
    before = count(db)
    r = post_form(client, title="", content="", sender_phone="", consent=None)
    assert r.status_code == 422
    assert "Vui lòng nhập tiêu đề." in r.text
    assert "Vui lòng nhập nội dung." in r.text
    assert "Vui lòng cho biết số điện thoại hoặc thư điện tử" in r.text
    assert "Vui lòng đánh dấu đồng ý" in r.text
    assert 'value="Quàng Thị Hoa"' in r.text  # what was typed is kept
    assert count(db) == before


def test_foreign_phone_and_unknown_commune_are_refused(client, db):
    before = count(db)
    r = post_form(client, sender_phone="+1 202 555 0100", commune_code="xa-khong-ton-tai")
    assert r.status_code == 422
    assert "không đúng dạng số Việt Nam" in r.text
    r = post_form(client, commune_code="xa-khong-ton-tai")
    assert r.status_code == 422 and "Xã, phường không có trong danh mục." in r.text
    assert count(db) == before


def test_oversize_and_unknown_kind_are_refused(client, db):
    before = count(db)
    r = post_form(client, title="T" * 500, kind="khieu-nai")
    assert r.status_code == 422
    assert "Tiêu đề quá dài (tối đa 200 ký tự)." in r.text
    assert "Loại không hợp lệ." in r.text
    assert count(db) == before


def test_form_without_csrf_token_is_refused(client, db):
    before = count(db)
    client.get("/")
    r = client.post("/", data=FORM)
    assert r.status_code == 403
    assert "Biểu mẫu đã hết hạn" in r.text
    r = client.post("/", data={**FORM, "csrf_token": "sai"})
    assert r.status_code == 403
    assert count(db) == before


def test_markup_in_input_is_escaped(client):
    r = post_form(client, title="<script>alert(1)</script> sóng yếu")
    page = client.get(r.headers["location"])
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_track_from_another_device_with_code_and_phone(app, client):
    code = client.get(post_form(client).headers["location"]).url.path.rsplit("/", 1)[-1]
    with TestClient(app, follow_redirects=False) as other:
        assert other.get(f"/track/{code}").status_code == 303  # must prove the contact first
        form = other.get(f"/track?code={code}")
        assert code in form.text
        r = other.post("/track", data={"code": code.lower().replace("-", " "), "contact": "0988123456",
                                       "csrf_token": csrf_from(form.text)})
        assert r.status_code == 303
        status = other.get(r.headers["location"])
        assert status.status_code == 200
        assert "Đã nhận ý kiến của bạn" in status.text
        assert "0988123456" not in status.text  # contact shown masked
        assert "098****456" in status.text


def test_wrong_phone_or_bad_code_gets_one_message(client):
    code = client.get(post_form(client).headers["location"]).url.path.rsplit("/", 1)[-1]
    token = csrf_from(client.get("/track").text)
    for data in ({"code": code, "contact": "0911111111"}, {"code": "DB-2026-ZZZZZZ", "contact": "0988123456"},
                 {"code": "xyz", "contact": "0988123456"}):
        r = client.post("/track", data={**data, "csrf_token": token})
        assert r.status_code == 422
        assert "Không tìm thấy hồ sơ khớp với mã tra cứu" in r.text
    r = client.post("/track", data={"code": "", "contact": "", "csrf_token": token})
    assert "Vui lòng nhập mã tra cứu." in r.text


def test_unknown_page_is_a_vietnamese_404(client):
    r = client.get("/khong-co-trang-nay")
    assert r.status_code == 404
    assert "Không tìm thấy trang" in r.text


def test_citizen_pages_load_only_our_small_deferred_scripts_and_stay_small(client):
    """The form needs no script (it posts as it is); our own small deferred scripts only enhance it: the form's
    (issue 14), the offline queue, the recorder and the location button (app/reach, their weight:
    tests/reach/test_pwa.py). Never inline, never from elsewhere."""
    page = client.get("/")
    tags = re.findall(r"<script[^>]*>", page.text)
    assert tags and all(re.fullmatch(r'<script src="/static/js/[a-z]+\.js(\?v=[^"]+)?" defer[^>]*>', t) for t in tags)
    submit_js = [t for t in tags if "/static/js/submit.js?v=" in t]
    assert len(submit_js) == 1
    script = client.get(re.search(r'src="([^"]+)"', submit_js[0]).group(1))
    assert script.status_code == 200 and len(script.content) < 12_000
    assert len(page.content) < 40_000
    assert "<script" not in client.get("/track").text
