"""/admin shows the accounts themselves, and the system admin resets an agency admin's password from the web."""

import re

from fastapi.testclient import TestClient
from sqlmodel import select

from app.accounts.models import Account, AuthSession, Role
from app.accounts.passwords import hash_password
from app.events.models import Event
from tests.conftest import csrf_from, login


def test_admin_lists_and_searches_accounts(client, login_as):
    login_as(None, Role.SYSTEM_ADMIN)
    page = client.get("/admin").text
    assert 'id="account-list"' in page and "Quản trị đơn vị" in page
    found = client.get("/admin", params={"q": "Sở Y tế"}).text
    assert "<td>so-y-te</td>" in found and "<td>so-khcn</td>" not in found
    admins = client.get("/admin", params={"role": "agency_admin"}).text
    assert re.search(r"(\d+) tài khoản", admins).group(1) != "0"


def test_system_admin_resets_an_agency_admin_password_once(app, client, login_as, db):
    sysadmin = login_as(None, Role.SYSTEM_ADMIN)
    target = db.exec(select(Account).where(Account.username == "so-khcn")).one()
    # The agency admin is logged in elsewhere: that session must end.
    with TestClient(app, follow_redirects=False) as other:
        target_password = "Mat-khau-cu-2026-rat-dai"
        target.password_hash = hash_password(target_password)
        target.must_change_password = False
        db.add(target)
        db.commit()
        assert login(other, "so-khcn", target_password).status_code == 303
        assert db.exec(select(AuthSession).where(AuthSession.account_id == target.id)).first() is not None
        page = client.get("/admin", params={"q": "so-khcn"}).text
        r = client.post(f"/admin/accounts/{target.id}/reset-password", data={"csrf_token": csrf_from(page)})
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        password = re.search(r'id="one-time-password">([^<]+)<', r.text).group(1)
        db.expire_all()
        assert db.exec(select(AuthSession).where(AuthSession.account_id == target.id)).first() is None
        assert other.get("/officer/inbox").status_code == 303  # sent to the login page
        assert login(other, "so-khcn", password).headers["location"] == "/account/password"
    event = db.exec(select(Event).where(Event.type == "password_reset", Event.subject_account_id == target.id)).one()
    assert event.actor_account_id == sysadmin.id
    # Shown once: the admin page does not show it again.
    assert password not in client.get("/admin").text


def test_officers_are_not_reset_from_admin_and_others_cannot_reset(client, login_as, make_account, db):
    officer = make_account("so-khcn", username="can-bo-thuong")
    login_as(None, Role.SYSTEM_ADMIN)
    token = csrf_from(client.get("/admin").text)
    assert client.post(f"/admin/accounts/{officer.id}/reset-password", data={"csrf_token": token}).status_code == 404
    client.cookies.clear()
    login_as("so-y-te", Role.AGENCY_ADMIN)
    target = db.exec(select(Account).where(Account.username == "so-khcn")).one()
    token = csrf_from(client.get("/officer/inbox").text)
    assert client.post(f"/admin/accounts/{target.id}/reset-password", data={"csrf_token": token}).status_code == 403
