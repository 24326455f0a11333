"""Text the database cannot store (NUL, lone surrogates) gets a clear 400 page on every HTML route, not a 500."""

from sqlmodel import func, select

from app.submissions.models import Submission
from tests.conftest import csrf_from

FORM = {"kind": "feedback", "field_code": "ha-tang-so", "commune_code": "xa-muong-nhe",
        "title": "Sóng yếu\x00 ở bản", "content": "Nội dung đủ dài để qua kiểm tra độ dài tối thiểu.",
        "sender_name": "Lò Văn Minh", "sender_phone": "0912345678", "consent": "on"}


def test_nul_in_the_citizen_form_is_refused_and_nothing_stored(client, db):
    before = db.exec(select(func.count()).select_from(Submission)).one()
    r = client.post("/", data={**FORM, "csrf_token": csrf_from(client.get("/").text)})
    assert r.status_code == 400 and "ký tự không hợp lệ" in r.text
    assert db.exec(select(func.count()).select_from(Submission)).one() == before


def test_nul_in_login_and_lookup_and_search_is_refused(client, login_as):
    token = csrf_from(client.get("/").text)
    assert client.post("/login", data={"username": "\x00", "password": "x", "csrf_token": token}).status_code == 400
    assert client.post("/track", data={"code": "\x00", "contact": "0912345678", "csrf_token": token}).status_code == 400
    login_as("so-khcn")
    r = client.get("/officer/inbox", params={"q": "đường\x00"})
    assert r.status_code == 400 and "ký tự không hợp lệ" in r.text


def test_the_refusal_speaks_english_on_english_pages(client):
    client.get("/?lang=en")
    r = client.post("/", data={**FORM, "csrf_token": csrf_from(client.get("/").text)})
    assert r.status_code == 400 and "cannot be stored" in r.text
