"""An agency admin manages the officers of their own agency: add, lock/unlock, reset the password."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from app.accounts.models import Account, Role
from app.events.models import Event
from app.kinds import EventType
from tests.conftest import PASSWORD, agency, csrf_from, login


def _events(db, type_: EventType, subject: Account) -> list[Event]:
    return list(db.exec(select(Event).where(Event.type == type_,
                                                      Event.subject_account_id == subject.id)).all())


def _one_time_password(html: str) -> str:
    match = re.search(r'id="one-time-password">([^<]+)<', html)
    assert match, "no one-time password on the page"
    return match.group(1)


def _add(client, **fields):
    token = csrf_from(client.get("/agency/accounts").text)
    data = {"username": "nguyenvana.skhcn", "display_name": "Nguyễn Văn A", "email": "nva@dienbien.gov.vn", **fields}
    return client.post("/agency/accounts", data={"csrf_token": token, **data})


def _post(client, path: str):
    token = csrf_from(client.get("/agency/accounts").text)
    return client.post(path, data={"csrf_token": token})


def test_admin_adds_an_officer_who_must_change_the_password(app, client, login_as, db):
    admin = login_as("so-khcn", Role.AGENCY_ADMIN)
    page = client.get("/agency/accounts")
    assert page.status_code == 200 and "Thêm cán bộ" in page.text and 'href="/agency/accounts">Cán bộ</a>' in page.text
    r = _add(client, username="NguyenVanA.SKHCN", display_name="  Nguyễn   Văn A ")
    assert r.status_code == 200 and "chỉ hiện một lần" in r.text
    assert r.headers["cache-control"] == "no-store"
    password = _one_time_password(r.text)
    officer = db.exec(select(Account).where(Account.username == "nguyenvana.skhcn")).one()
    assert (officer.role, officer.agency_id, officer.display_name, officer.email) == (
        Role.OFFICER, agency(db, "so-khcn").id, "Nguyễn Văn A", "nva@dienbien.gov.vn")
    assert officer.must_change_password and officer.is_active
    [event] = _events(db, EventType.ACCOUNT_CREATED, officer)
    assert event.actor_account_id == admin.id and event.agency_id == officer.agency_id
    with TestClient(app, follow_redirects=False) as other:
        r = login(other, "nguyenvana.skhcn", password)
        assert r.headers["location"] == "/account/password"


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"username": "ab"}, "username", "3–64 ký tự"),
    ({"username": "nguyễn.văn.a"}, "username", "không dấu"),
    ({"username": "nguyen van a"}, "username", "không dấu"),
    ({"username": "-nguyen"}, "username", "bắt đầu và kết thúc"),
    ({"username": "a" * 65}, "username", "3–64 ký tự"),
    ({"username": "so-khcn"}, "username", "đã có người dùng"),
    ({"display_name": "A"}, "display_name", "từ 2 đến 200 ký tự"),
    ({"email": ""}, "email", "Vui lòng nhập thư điện tử"),
    ({"email": "nva@dienbien"}, "email", "không đúng dạng"),
])
def test_bad_values_are_refused_with_a_message(client, login_as, db, fields, field, message):
    login_as("so-khcn", Role.AGENCY_ADMIN)
    before = db.exec(select(Account.id)).all()
    r = _add(client, **fields)
    assert r.status_code == 422 and message in r.text
    assert 'id="one-time-password"' not in r.text
    assert db.exec(select(Account.id)).all() == before


def test_locking_ends_the_officers_sessions_and_unlocking_lets_them_back(app, client, login_as, make_account, db):
    officer = make_account("so-khcn", username="canbo.a")
    with TestClient(app, follow_redirects=False) as officer_client:
        assert login(officer_client, "canbo.a").status_code == 303
        assert officer_client.get("/officer/inbox").status_code == 200
        admin = login_as("so-khcn", Role.AGENCY_ADMIN)
        r = _post(client, f"/agency/accounts/{officer.id}/disable")
        assert r.status_code == 303
        assert "Đã khóa tài khoản canbo.a" in client.get("/agency/accounts").text
        assert officer_client.get("/officer/inbox").headers["location"].startswith("/login")  # session ended
        assert login(officer_client, "canbo.a").status_code == 401
        db.refresh(officer)
        assert not officer.is_active
        assert _events(db, EventType.ACCOUNT_DISABLED, officer)[0].actor_account_id == admin.id
        r = _post(client, f"/agency/accounts/{officer.id}/disable")  # twice: a message, no second event
        assert "đã bị khóa" in client.get(r.headers["location"]).text
        assert len(_events(db, EventType.ACCOUNT_DISABLED, officer)) == 1
        _post(client, f"/agency/accounts/{officer.id}/enable")
        assert login(officer_client, "canbo.a").status_code == 303
        assert len(_events(db, EventType.ACCOUNT_ENABLED, officer)) == 1


def test_reset_gives_a_new_one_time_password_and_ends_sessions(app, client, login_as, make_account, db):
    officer = make_account("so-khcn", username="canbo.b")
    with TestClient(app, follow_redirects=False) as officer_client:
        login(officer_client, "canbo.b")
        login_as("so-khcn", Role.AGENCY_ADMIN)
        r = _post(client, f"/agency/accounts/{officer.id}/reset-password")
        assert r.status_code == 200 and "Đã đặt lại mật khẩu" in r.text
        new_password = _one_time_password(r.text)
        assert officer_client.get("/officer/inbox").status_code == 303
        assert login(officer_client, "canbo.b", PASSWORD).status_code == 401
        assert login(officer_client, "canbo.b", new_password).headers["location"] == "/account/password"
    assert len(_events(db, EventType.PASSWORD_RESET, officer)) == 1


def test_reset_keeps_a_locked_account_locked(client, login_as, make_account, db):
    officer = make_account("so-khcn", username="canbo.c")
    login_as("so-khcn", Role.AGENCY_ADMIN)
    _post(client, f"/agency/accounts/{officer.id}/disable")
    r = _post(client, f"/agency/accounts/{officer.id}/reset-password")
    assert "vẫn đang bị khóa" in r.text
    db.refresh(officer)
    assert not officer.is_active


def test_list_shows_only_own_agency(client, login_as, make_account):
    make_account("so-khcn", username="canbo.khcn")
    make_account("so-y-te", username="canbo.yte")
    login_as("so-khcn", Role.AGENCY_ADMIN)
    page = client.get("/agency/accounts").text
    assert "canbo.khcn" in page and "canbo.yte" not in page


@pytest.mark.parametrize("target", ["other-agency-officer", "own-admin", "coordinator", "missing"])
def test_accounts_the_admin_does_not_manage_are_404(client, login_as, make_account, db, target):
    accounts = {
        "other-agency-officer": lambda: make_account("so-y-te", username="canbo.yte"),
        "own-admin": lambda: db.exec(select(Account).where(Account.username == "so-khcn")).one(),
        "coordinator": lambda: db.exec(select(Account).where(Account.role == Role.COORDINATOR)).first(),
        "missing": lambda: Account(id=10_000_000, username="x", display_name="x", role="officer", password_hash=""),
    }
    account = accounts[target]()
    login_as("so-khcn", Role.AGENCY_ADMIN)
    count = len(db.exec(select(Event.id)).all())
    for action in ("disable", "enable", "reset-password"):
        r = _post(client, f"/agency/accounts/{account.id}/{action}")
        assert r.status_code == 404 and "Không tìm thấy tài khoản" in r.text
    assert len(db.exec(select(Event.id)).all()) == count
    if target != "missing":
        db.refresh(account)
        assert account.is_active


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COORDINATOR])
def test_officers_and_coordinator_cannot_manage_accounts(client, login_as, make_account, role, db):
    officer = make_account("so-khcn", username="canbo.d")
    login_as("so-khcn", role)
    assert client.get("/agency/accounts").status_code == 403
    assert 'href="/agency/accounts"' not in client.get("/officer/inbox").text
    token = csrf_from(client.get("/officer/inbox").text)
    r = client.post(f"/agency/accounts/{officer.id}/disable", data={"csrf_token": token})
    assert r.status_code == 403 and "Chỉ quản trị đơn vị" in r.text
    r = client.post("/agency/accounts", data={"csrf_token": token, "username": "moi.a", "display_name": "Mới",
                                              "email": "a@b.vn"})
    assert r.status_code == 403
    assert db.exec(select(Account).where(col(Account.username) == "moi.a")).first() is None
