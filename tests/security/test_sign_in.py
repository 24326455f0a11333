"""Issue 10.2 and 10.3: sign-in failures slow a guesser down without locking the holder out, the holder is told,
the coordinator and the system admin use a second factor (TOTP) with one-time recovery codes, the current-password
check is throttled, and guessable passwords are refused."""

import re
from datetime import timedelta

import pyotp
import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlmodel import select

from app import sealed
from app.accounts.models import Account, RecoveryCode, Role
from app.config import get_settings
from app.db import utcnow
from app.events.models import Event
from app.events.types import EventType
from app.notifications.models import OutboxMessage
from tests.conftest import PASSWORD, csrf_from, login


def client_from(app, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000), follow_redirects=False)


def test_an_attacker_from_many_addresses_cannot_lock_the_holder_out(app, make_account, db):
    account = make_account("so-khcn")
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        for i in range(8):  # eight wrong guesses from eight addresses (1 s apart, past each growing delay)
            attacker = client_from(app, f"198.51.100.{i + 1}")
            assert login(attacker, account.username, "sai-mat-khau").status_code == 401
            clock.shift(timedelta(seconds=1 + 2 ** max(0, i - 4)))
        # The delay now doubles with each failure: straight after another failure, even the right password waits.
        attacker = client_from(app, "198.51.100.99")
        assert login(attacker, account.username, "sai-mat-khau").status_code == 401
        holder = client_from(app, "203.0.113.7")
        r = login(holder, account.username, PASSWORD)
        assert r.status_code == 429 and "vui lòng chờ" in r.text
        # ... and attempts refused during the delay do not lengthen it: once it passes, the holder gets in.
        for _ in range(5):
            assert login(attacker, account.username, "sai-mat-khau").status_code == 429
        clock.shift(timedelta(seconds=get_settings().login_max_delay_seconds))
        r = login(holder, account.username, PASSWORD)
        assert r.status_code == 303 and r.headers["location"] == "/officer/inbox"


def test_failures_from_one_address_do_not_stop_the_holder_elsewhere(app, make_account):
    account = make_account("so-khcn")
    attacker = client_from(app, "198.51.100.1")
    with time_machine.travel(utcnow(), tick=False) as clock:
        for _ in range(5):
            assert login(attacker, account.username, "sai").status_code == 401
            clock.shift(timedelta(seconds=1))
        assert login(attacker, account.username, PASSWORD).status_code == 429  # that address waits 15 minutes
        clock.shift(timedelta(seconds=2))
        assert login(client_from(app, "203.0.113.7"), account.username, PASSWORD).status_code == 303


def test_the_holder_is_emailed_after_repeated_failures(app, make_account, db):
    account = make_account("so-khcn")
    account.email = "canbo@khcn.dienbien.gov.vn"
    db.commit()
    with time_machine.travel(utcnow(), tick=False) as clock:
        for i in range(6):
            login(client_from(app, f"198.51.100.{i + 1}"), account.username, "sai")
            clock.shift(timedelta(minutes=10))
    mails = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == account.email)).all()
    assert len(mails) == 1 and "đăng nhập sai" in mails[0].subject
    assert "5 lần" in mails[0].body and "/account/2fa" in mails[0].body
    event = db.exec(select(Event).where(Event.type == EventType.SIGN_IN_FAILURES,
                                        Event.subject_account_id == account.id)).one()
    assert event.actor_role == "system"


def _enrol(client, db, account_id: int) -> tuple[str, list[str]]:
    page = client.get("/account/2fa")
    assert page.status_code == 200
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page.text).group(1).replace(" ", "")
    r = client.post("/account/2fa/enable", data={"code": pyotp.TOTP(secret).now(),
                                                 "csrf_token": csrf_from(page.text)})
    assert r.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code></li>", r.text)
    assert len(codes) == 10
    stored = db.exec(select(RecoveryCode).where(RecoveryCode.account_id == account_id)).all()
    assert len(stored) == 10 and not {c.code_hash for c in stored} & set(codes)  # only hashes are kept
    return secret, codes


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.SYSTEM_ADMIN])
def test_coordinator_and_system_admin_enrol_then_need_the_second_factor(client, app, make_account, db, monkeypatch,
                                                                         role):
    monkeypatch.setattr(get_settings(), "totp_required_roles", "coordinator system_admin")
    account = make_account("so-khcn" if role == Role.COORDINATOR else None, role)
    r = login(client, account.username)
    assert r.headers["location"] == "/account/2fa"
    assert client.get("/admin" if role == Role.SYSTEM_ADMIN else "/officer/inbox").headers["location"] == \
        "/account/2fa"  # nothing else opens before enrolment
    assert "bắt buộc dùng xác thực hai bước" in client.get("/account/2fa").text
    secret, codes = _enrol(client, db, account.id)
    db.refresh(account)
    assert account.totp_enabled_at is not None

    other = client_from(app, "203.0.113.50")
    r = login(other, account.username)
    assert r.status_code == 303 and r.headers["location"] == "/login/2fa"
    assert other.get("/officer/inbox").headers["location"].startswith("/login")  # no session yet
    page = other.get("/login/2fa")
    wrong = other.post("/login/2fa", data={"code": "000000", "csrf_token": csrf_from(page.text)})
    assert wrong.status_code == 401 and "không đúng" in wrong.text
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):  # the enrolment's step is used up
        r = other.post("/login/2fa", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_from(page.text)})
    assert r.status_code == 303 and r.headers["location"] != "/account/2fa"

    # A recovery code works once.
    for expected in (303, 401):
        third = client_from(app, "203.0.113.51")
        login(third, account.username)
        page = third.get("/login/2fa")
        r = third.post("/login/2fa", data={"code": codes[0].upper(), "csrf_token": csrf_from(page.text)})
        assert r.status_code == expected


def test_a_totp_code_is_accepted_once(client, app, make_account, db):
    account = make_account("so-khcn")
    login(client, account.username)
    page = client.get("/account/2fa")
    assert "bắt buộc" not in page.text  # available to every account, required of none here
    secret, _ = _enrol(client, db, account.id)
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        code = pyotp.TOTP(secret).now()
        results = []
        for address in ("203.0.113.60", "203.0.113.61"):
            c = client_from(app, address)
            login(c, account.username)
            page = c.get("/login/2fa")
            results.append(c.post("/login/2fa", data={"code": code, "csrf_token": csrf_from(page.text)}).status_code)
    assert results == [303, 401]


def test_guessing_the_second_factor_stops_after_five_tries(client, app, make_account, db):
    account = make_account("so-khcn")
    login(client, account.username)
    secret, _ = _enrol(client, db, account.id)
    c = client_from(app, "203.0.113.70")
    login(c, account.username)
    page = c.get("/login/2fa")
    for _ in range(5):
        assert c.post("/login/2fa", data={"code": "123456", "csrf_token": csrf_from(page.text)}).status_code == 401
    next_code = pyotp.TOTP(secret).at(utcnow() + timedelta(seconds=30))  # valid (clock drift), not yet used
    r = c.post("/login/2fa", data={"code": next_code, "csrf_token": csrf_from(page.text)})
    assert r.status_code == 401 and "quá nhiều lần" in r.text


def test_current_password_check_is_throttled(client, login_as):
    login_as("so-khcn")
    page = client.get("/account/password")
    data = {"new": "ngua-xanh-dong-lua-som", "confirm": "ngua-xanh-dong-lua-som", "csrf_token": csrf_from(page.text)}
    for _ in range(5):
        r = client.post("/account/password", data={**data, "current": "doan-mo-mat-khau"})
        assert r.status_code == 422 and "hiện tại không đúng" in r.text
    r = client.post("/account/password", data={**data, "current": PASSWORD})
    assert r.status_code == 429 and "quá nhiều lần" in r.text


@pytest.mark.parametrize("weak", ["1234567890", "aaaaaaaaaa", "password12", "dienbien2026", "Dienbien@2026",
                                  "pakn-pakn-pakn", "sokhcn12345", "Sở Khoa học và Công nghệ"])
def test_guessable_passwords_are_refused_with_a_clear_message(client, login_as, weak):
    login_as("so-khcn", Role.AGENCY_ADMIN)
    page = client.get("/account/password")
    r = client.post("/account/password", data={"current": PASSWORD, "new": weak, "confirm": weak,
                                               "csrf_token": csrf_from(page.text)})
    assert r.status_code == 422 and "quá dễ đoán" in r.text and "ví dụ" in r.text


def test_a_passphrase_is_accepted_and_generated_passwords_pass(client, login_as):
    from app.accounts.passwords import generate_password, weak_password_reason

    assert all(weak_password_reason(generate_password(), user_inputs=("so-khcn",)) is None for _ in range(50))
    login_as("so-khcn", Role.AGENCY_ADMIN)
    page = client.get("/account/password")
    r = client.post("/account/password", data={"current": PASSWORD, "new": "ngua-xanh-dong-lua-som",
                                               "confirm": "ngua-xanh-dong-lua-som", "csrf_token": csrf_from(page.text)})
    assert r.status_code == 303


def test_accounts_table_keeps_no_plain_recovery_codes(db):
    assert "recovery" not in " ".join(c.name for c in Account.__table__.columns)


def test_new_recovery_codes_and_turning_it_off_need_a_current_code(client, make_account, db):
    account = make_account("so-khcn")
    login(client, account.username)
    secret, old_codes = _enrol(client, db, account.id)
    page = client.get("/account/2fa")
    assert client.post("/account/2fa/recovery-codes", data={"code": "111111", "csrf_token": csrf_from(page.text)}
                       ).status_code == 422
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        r = client.post("/account/2fa/recovery-codes", data={"code": pyotp.TOTP(secret).now(),
                                                             "csrf_token": csrf_from(page.text)})
    assert r.status_code == 200 and not set(old_codes) & set(re.findall(r"<li><code>([a-z2-9-]{14})</code>", r.text))
    with time_machine.travel(utcnow() + timedelta(seconds=62), tick=False):
        r = client.post("/account/2fa/disable", data={"code": pyotp.TOTP(secret).now(),
                                                      "csrf_token": csrf_from(page.text)})
    assert r.status_code == 303
    db.refresh(account)
    assert account.totp_enabled_at is None and account.totp_secret is None


def _second_factor(app, username: str, code: str, address: str = "203.0.113.70"):
    c = client_from(app, address)
    login(c, username)
    page = c.get("/login/2fa")
    return c.post("/login/2fa", data={"code": code, "csrf_token": csrf_from(page.text)})


def test_the_totp_secret_is_stored_sealed_and_a_plain_one_is_sealed_at_its_next_use(client, app, make_account, db):
    """A copy of the database alone does not give the codes: the secret is sealed under the field key."""
    account = make_account("so-khcn")
    login(client, account.username)
    secret, _ = _enrol(client, db, account.id)
    db.refresh(account)
    assert account.totp_secret.startswith("v1:") and secret not in account.totp_secret
    assert sealed.unseal(account.totp_secret, purpose=f"totp:{account.id}") == secret
    with pytest.raises(sealed.CannotOpen):  # bound to its owner: copied onto another account it does not open
        sealed.unseal(account.totp_secret, purpose=f"totp:{account.id + 1}")

    account.totp_secret = secret  # as stored before sealing existed
    db.add(account)
    db.commit()
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        assert _second_factor(app, account.username, pyotp.TOTP(secret).now()).status_code == 303
    db.refresh(account)
    assert account.totp_secret.startswith("v1:") and secret not in account.totp_secret


def test_a_replaced_field_key_says_so_and_a_recovery_code_still_signs_in(client, app, make_account, db, monkeypatch):
    account = make_account("so-khcn")
    login(client, account.username)
    secret, codes = _enrol(client, db, account.id)
    monkeypatch.setattr(get_settings(), "field_key", "a-different-key-than-the-one-that-sealed-it")
    with time_machine.travel(utcnow() + timedelta(seconds=31), tick=False):
        r = _second_factor(app, account.username, pyotp.TOTP(secret).now())
    assert r.status_code == 401 and "Không đọc được khóa xác thực" in r.text and "mã khôi phục" in r.text
    assert _second_factor(app, account.username, codes[0], address="203.0.113.71").status_code == 303
