"""The system admin's pages for API clients: create (key shown once), scopes and limits, rotate, revoke,
webhook health. Officers cannot reach them."""

import re

from app.accounts.models import Role
from app.accounts.service import client_for_key
from tests.api.conftest import bearer
from tests.conftest import csrf_from


def key_on(html: str) -> str:
    match = re.search(r'<p class="code" id="new-key">(pakn_[^<]+)</p>', html)
    assert match, "no key on the page"
    return match.group(1)


def test_admin_creates_a_client_and_sees_the_key_once(client, db, login_as):
    login_as(None, Role.SYSTEM_ADMIN)
    home = client.get("/admin")
    assert home.status_code == 200 and "Đăng ký ứng dụng mới" in home.text
    r = client.post("/admin/api-clients", data={"name": "Điện Biên Smart", "scopes": ["submit", "read-own"],
                                                "rate_limit": "300", "csrf_token": csrf_from(home.text)})
    assert r.status_code == 201
    key = key_on(r.text)
    assert client.get("/api/v1/submissions", headers=bearer(key)).status_code == 200
    api_client = client_for_key(session=db, key=key)
    assert api_client.scopes == "submit read-own" and api_client.rate_limit_per_minute == 300
    page = client.get(f"/admin/api-clients/{api_client.id}")
    assert key not in page.text and f"pakn_{api_client.key_prefix}_…" in page.text
    assert "Điện Biên Smart" in client.get("/admin").text


def test_admin_changes_scopes_rotates_and_revokes(client, db, login_as, make_client):
    login_as(None, Role.SYSTEM_ADMIN)
    new = make_client(scopes="submit read-own")
    url = f"/admin/api-clients/{new.client.id}"
    token = csrf_from(client.get(url).text)
    r = client.post(f"{url}/settings", data={"scopes": ["read-own", "webhooks"], "rate_limit": "",
                                             "csrf_token": token})
    assert r.status_code == 303
    db.refresh(new.client)
    assert new.client.scopes == "read-own webhooks" and new.client.rate_limit_per_minute is None
    bad = client.post(f"{url}/settings", data={"scopes": ["read-own"], "rate_limit": "nhiều", "csrf_token": token})
    assert bad.status_code == 422 and "số nguyên" in bad.text

    rotated = client.post(f"{url}/rotate", data={"grace_hours": "24", "csrf_token": token})
    new_key = key_on(rotated.text)
    assert client.get("/api/v1/submissions", headers=bearer(new.key)).status_code == 200  # grace period
    assert client.get("/api/v1/submissions", headers=bearer(new_key)).status_code == 200

    assert client.post(f"{url}/revoke", data={"csrf_token": token}).status_code == 303
    for key in (new.key, new_key):
        assert client.get("/api/v1/submissions", headers=bearer(key)).status_code == 401
    assert "Đã thu hồi" in client.get(url).text


def test_admin_sees_webhooks_and_can_disable_one(client, login_as, make_client):
    new = make_client()
    hook = client.post("/api/v1/webhooks", json={"url": "https://hooks.example.vn/pakn",
                                                 "events": ["submission.answered"]}, headers=bearer(new.key)).json()
    client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=bearer(new.key))
    login_as(None, Role.SYSTEM_ADMIN)
    page = client.get(f"/admin/api-clients/{new.client.id}")
    assert "https://hooks.example.vn/pakn" in page.text and "ping" in page.text and hook["secret"] not in page.text
    r = client.post(f"/admin/webhooks/{hook['id']}/disable", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 303
    assert client.get(f"/api/v1/webhooks/{hook['id']}", headers=bearer(new.key)).json()["active"] is False


def test_officers_cannot_manage_api_clients(client, login_as, make_client):
    new = make_client()
    login_as("so-khcn", Role.AGENCY_ADMIN)
    assert client.get(f"/admin/api-clients/{new.client.id}").status_code == 403
    token = csrf_from(client.get("/officer/inbox").text)
    assert client.post(f"/admin/api-clients/{new.client.id}/revoke", data={"csrf_token": token}).status_code == 403
