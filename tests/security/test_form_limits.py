"""Issue 10.5: per-address limits on the anonymous doors (the submit form, /track, Open311 POST), a honeypot on the
form, and addresses taken from X-Forwarded-For only when the peer is a configured proxy."""

import re

from fastapi.testclient import TestClient

from app.config import get_settings
from app.main import create_app
from tests.conftest import csrf_from
from tests.security.test_tracking_codes import open311_form

FORM = {
    "kind": "feedback", "field_code": "ha-tang-so", "commune_code": "xa-muong-nhe",
    "title": "Sóng 4G yếu tại bản Huổi Lếch", "sender_type": "individual",
    "content": "Từ tháng trước sóng điện thoại rất yếu, không gọi được cấp cứu.",
    "sender_name": "Lò Văn Minh", "sender_phone": "0912 345 678", "consent": "on",
}


def send(client, headers=None, **changes):
    data = {**FORM, **changes, "csrf_token": csrf_from(client.get("/").text)}
    return client.post("/", data=data, headers=headers or {})


def test_one_address_sending_many_forms_is_stopped_without_losing_what_was_typed(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "form_submits_per_hour", 3)
    for _ in range(3):
        assert send(client).status_code == 303
    r = send(client, title="Lần thứ tư: vẫn giữ nội dung")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "gửi quá nhiều lần" in r.text and 'role="alert"' in r.text
    assert 'value="Lần thứ tư: vẫn giữ nội dung"' in r.text and "Từ tháng trước sóng điện thoại" in r.text


def test_honeypot_is_hidden_from_people_and_refuses_robots(client):
    page = client.get("/").text
    field = re.search(r'<div class="hp"[^>]*>.*?</div>', page, re.S).group(0)
    assert 'aria-hidden="true"' in field and "inert" in field and 'tabindex="-1"' in field
    assert 'name="website"' in field and 'autocomplete="off"' in field
    robot = send(client, website="http://spam.example")
    assert robot.status_code == 422 and "chặn máy gửi tự động" in robot.text
    assert 'value="Sóng 4G yếu tại bản Huổi Lếch"' in robot.text
    assert send(client, website="").status_code == 303


def test_track_form_is_limited_per_address(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "track_posts_per_hour", 2)
    for _ in range(2):
        token = csrf_from(client.get("/track").text)
        assert client.post("/track", data={"code": "", "contact": "", "csrf_token": token}).status_code == 422
    token = csrf_from(client.get("/track").text)
    r = client.post("/track", data={"code": "DB-2026-ABCDEF", "contact": "", "csrf_token": token})
    assert r.status_code == 429 and 'value="DB-2026-ABCDEF"' in r.text


def test_open311_post_is_limited_per_address(client, api_key, monkeypatch):
    monkeypatch.setattr(get_settings(), "open311_posts_per_hour", 2)
    for _ in range(2):
        assert client.post("/open311/v2/requests.json", data=open311_form(api_key)).status_code == 201
    r = client.post("/open311/v2/requests.json", data=open311_form(api_key))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.json()[0]["code"] == 429 and "thử lại sau" in r.json()[0]["description"]


def test_forwarded_address_counts_only_from_a_trusted_proxy(app, monkeypatch):
    monkeypatch.setattr(get_settings(), "form_submits_per_hour", 1)
    direct = TestClient(app, client=("203.0.113.9", 5000), follow_redirects=False)
    assert send(direct, headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 303
    # An untrusted peer cannot pick another address to be counted under.
    assert send(direct, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 429

    monkeypatch.setattr(get_settings(), "trusted_proxies", "10.0.0.0/8")
    fresh = create_app()  # reads the setting
    fresh.dependency_overrides = app.dependency_overrides
    proxy = TestClient(fresh, client=("10.1.2.3", 5000), follow_redirects=False)
    assert send(proxy, headers={"X-Forwarded-For": "198.51.100.7, 10.9.9.9"}).status_code == 303
    assert send(proxy, headers={"X-Forwarded-For": "198.51.100.8"}).status_code == 303  # another citizen
    assert send(proxy, headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 429  # the first one again


def test_an_ipv6_client_counts_by_its_64(app, monkeypatch):
    monkeypatch.setattr(get_settings(), "form_submits_per_hour", 1)
    first = TestClient(app, client=("2001:db8:1:2::1", 5000), follow_redirects=False)
    assert send(first).status_code == 303
    same_line = TestClient(app, client=("2001:db8:1:2:ffff::9", 5000), follow_redirects=False)
    assert send(same_line).status_code == 429  # another address of the same /64
    other_line = TestClient(app, client=("2001:db8:1:3::1", 5000), follow_redirects=False)
    assert send(other_line).status_code == 303
