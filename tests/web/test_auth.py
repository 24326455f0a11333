"""Officer login: argon2 passwords, forced change at first login, throttling, logout, cookie flags."""

from app.accounts.models import Role
from tests.conftest import PASSWORD, csrf_from, login


def test_seed_gives_each_of_130_agencies_an_admin_plus_coordinator_and_sysadmin(initial_credentials):
    assert len(initial_credentials) == 132
    assert "so-khcn" in initial_credentials and "ubnd-xa-muong-nhe" in initial_credentials
    assert {"dieuphoi", "quantri"} <= set(initial_credentials)


def test_first_login_forces_password_change(client, initial_credentials):
    r = login(client, "so-y-te", initial_credentials["so-y-te"])
    assert r.status_code == 303 and r.headers["location"] == "/account/password"
    assert client.get("/officer/inbox").headers["location"] == "/account/password"
    page = client.get("/account/password")
    assert "lần đăng nhập đầu" in page.text
    token = csrf_from(page.text)
    weak = client.post("/account/password", data={"current": initial_credentials["so-y-te"], "new": "ngan",
                                                  "confirm": "ngan", "csrf_token": token})
    assert weak.status_code == 422 and "ít nhất 10 ký tự" in weak.text
    r = client.post("/account/password", data={"current": initial_credentials["so-y-te"], "new": "Cay-lua-non-2026",
                                               "confirm": "Cay-lua-non-2026", "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/officer/inbox"
    assert client.get("/officer/inbox").status_code == 200


def test_wrong_password_gets_a_clear_message(client, make_account):
    make_account("so-khcn")
    r = login(client, "t-officer-so-khcn", "sai-mat-khau")
    assert r.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in r.text


def test_login_is_throttled_after_repeated_failures_from_one_address(client, make_account):
    make_account("so-khcn")
    for _ in range(5):
        assert login(client, "t-officer-so-khcn", "sai-mat-khau").status_code == 401
    r = login(client, "t-officer-so-khcn", PASSWORD)  # this address waits; other places do not (tests/security)
    assert r.status_code == 429
    assert "Đăng nhập sai quá nhiều lần từ địa chỉ này" in r.text


def test_session_cookie_is_httponly_and_lax(client, make_account):
    make_account("so-khcn")
    r = login(client, "t-officer-so-khcn")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_logout_ends_the_session_server_side(client, make_account):
    make_account("so-khcn")
    login(client, "t-officer-so-khcn")
    stolen = dict(client.cookies)
    page = client.get("/officer/inbox")
    r = client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    assert r.status_code == 303
    client.cookies.update(stolen)  # replaying the old cookie does not log back in
    assert client.get("/officer/inbox").headers["location"].startswith("/login")


def test_pages_need_login(client):
    r = client.get("/officer/inbox")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/officer/inbox"


def test_login_does_not_redirect_off_site(client, make_account):
    make_account("so-khcn")
    page = client.get("/login")
    r = client.post("/login", data={"username": "t-officer-so-khcn", "password": PASSWORD,
                                    "next": "//evil.example/x", "csrf_token": csrf_from(page.text)})
    assert r.headers["location"] == "/officer/inbox"


def test_system_admin_sees_no_inbox(client, login_as):
    login_as(None, Role.SYSTEM_ADMIN)
    assert client.get("/officer/inbox").status_code == 403
    assert "Quản trị hệ thống" in client.get("/admin").text


def test_one_address_guessing_many_usernames_is_throttled(client, make_account, monkeypatch):
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "login_max_failures_per_ip", 3)
    account = make_account("so-khcn")
    for name in ("khong-co-1", "khong-co-2", "khong-co-3"):
        assert login(client, name, "sai").status_code == 401
    r = login(client, account.username)  # a different, real account from the same address
    assert r.status_code == 429 and "từ địa chỉ này" in r.text
