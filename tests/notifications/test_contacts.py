"""Contacts and choices: the agency admin edits their agency's shared inbox and their own officers' contacts, the
coordinator any agency's, everyone their own; the same from the shell; the coordinator sees the agencies nobody
would hear from."""

import contextlib

from sqlmodel import select
from typer.testing import CliRunner

import app.cli as cli_module
from app.accounts.models import Role
from app.events.models import Event
from app.notifications.models import Mode, Topic
from app.notifications.service import preferences_of, recipients_for
from tests.conftest import agency, csrf_from


def post(client, page_url: str, url: str, data: dict):
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    return client.post(url, data={**data, "csrf_token": csrf_from(page.text)})


def test_agency_admin_sets_the_shared_inbox_and_an_officers_phone(db, client, login_as, make_account):
    officer = make_account("so-y-te", username="cb-yte-lh")
    other = make_account("so-khcn", username="cb-khcn-lh")
    admin = login_as("so-y-te", Role.AGENCY_ADMIN)
    r = post(client, "/agency/contacts", "/agency/contacts", {
        "email": "tiepnhan@soyte.thu-nghiem.vn, VanThu@soyte.thu-nghiem.vn", "phone": "0215 3825 111",
        "pref_new_item": "immediate", "pref_overdue": "digest"})
    assert r.status_code == 303
    health = agency(db, "so-y-te")
    db.refresh(health)
    assert health.email == "tiepnhan@soyte.thu-nghiem.vn, vanthu@soyte.thu-nghiem.vn"
    assert health.phone == "02153825111"
    assert preferences_of(session=db, owner=f"agency:{health.id}")[Topic.OVERDUE] == Mode.DIGEST
    event = db.exec(select(Event).where(Event.type == "contact_changed", Event.agency_id == health.id)).first()
    assert event.actor_account_id == admin.id and event.data == '{"changed": ["email", "phone"]}'

    r = post(client, "/agency/contacts", f"/agency/contacts/accounts/{officer.id}",
             {"email": "canbo@soyte.thu-nghiem.vn", "phone": "0988 111 222"})
    assert r.status_code == 303
    db.refresh(officer)
    assert (officer.email, officer.phone) == ("canbo@soyte.thu-nghiem.vn", "0988111222")
    # another agency's officer does not exist for this admin
    r = post(client, "/agency/contacts", f"/agency/contacts/accounts/{other.id}", {"email": "x@thu-nghiem.vn"})
    assert r.status_code == 404
    bad = post(client, "/agency/contacts", "/agency/contacts", {"email": "không phải thư", "phone": ""})
    assert bad.status_code == 422 and "Địa chỉ thư điện tử không hợp lệ" in bad.text
    assert client.get("/coordinator/contacts").status_code == 403


def test_everyone_sets_their_own_contact_and_choices(db, client, login_as):
    me = login_as("so-khcn", Role.OFFICER)
    page = client.get("/account/notifications")
    assert "Tổng hợp 07:30 ngày làm việc" in page.text
    r = post(client, "/account/notifications", "/account/notifications",
             {"email": "toi@thu-nghiem.vn", "phone": "", "pref_new_item": "off", "pref_assigned": "immediate"})
    assert r.status_code == 303
    prefs = preferences_of(session=db, owner=f"account:{me.id}")
    assert prefs[Topic.NEW_ITEM] == Mode.OFF and prefs[Topic.ASSIGNED] == Mode.IMMEDIATE
    assert prefs[Topic.OVERDUE] == Mode.DIGEST  # untouched: the default for people
    found = recipients_for(session=db, topic=Topic.ASSIGNED, account_ids=(me.id,))
    assert [(r.address, m) for r, m in found] == [("toi@thu-nghiem.vn", Mode.IMMEDIATE)]
    bogus = post(client, "/account/notifications", "/account/notifications", {"email": "", "pref_new_item": "x"})
    assert bogus.status_code == 422


def test_coordinator_lists_agencies_nobody_would_hear_from_and_sets_one(db, client, login_as, make_account):
    agency(db, "so-y-te").email = "demo@example.org"  # reserved: does not count as a working contact
    make_account("so-tu-phap", username="cb-tp-lh").email = "canbo@sotp.thu-nghiem.vn"  # reachable through an officer
    db.commit()
    login_as("so-khcn", Role.COORDINATOR)
    missing = lambda: client.get("/coordinator/contacts").text.split('id="missing"')[1].split('id="edit"')[0]  # noqa: E731
    assert "Sở Y tế" in missing() and "Sở Tư pháp" not in missing()
    r = post(client, "/coordinator/contacts", "/coordinator/contacts",
             {"agency_code": "so-y-te", "email": "tiepnhan@soyte.thu-nghiem.vn", "phone": ""})
    assert r.status_code == 303
    assert "Sở Y tế" not in missing()


def test_the_shell_sets_contacts(db, monkeypatch, make_account):
    monkeypatch.setattr(cli_module, "Session", lambda *a, **k: contextlib.nullcontext(db))
    make_account("so-y-te", username="cb-yte-cli")
    runner = CliRunner()
    done = runner.invoke(cli_module.cli, ["agencies", "set-contact", "so-y-te", "--email",
                                          "a@thu-nghiem.vn,b@thu-nghiem.vn", "--phone", "0912 111 222"])
    assert done.exit_code == 0, done.output
    assert "a@thu-nghiem.vn, b@thu-nghiem.vn" in done.output and "0912111222" in done.output
    done = runner.invoke(cli_module.cli, ["accounts", "set-contact", "cb-yte-cli", "--phone", "0988 000 111"])
    assert done.exit_code == 0 and "0988000111" in done.output
    bad = runner.invoke(cli_module.cli, ["accounts", "set-contact", "cb-yte-cli", "--email", "a@b"])
    assert bad.exit_code == 1
    missing = runner.invoke(cli_module.cli, ["agencies", "without-contact"])
    assert "so-y-te" not in missing.output and "so-khcn" in missing.output


def test_an_officer_cannot_reach_the_agency_pages(client, login_as):
    login_as("so-khcn", Role.OFFICER)
    assert client.get("/agency/contacts").status_code == 403
