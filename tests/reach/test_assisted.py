"""Assisted intake: commune assistants enter items for villagers, see their own items, relay questions and answers
and print the answer slip."""

import re

from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from app import cli as app_cli
from app.accounts.models import Account, Role
from app.agencies.models import Commune
from app.cli import cli
from app.kinds import Channel, State
from app.notifications.models import OutboxMessage
from app.reach.models import CommuneAssistant, ItemReach
from app.submissions import service as submissions_service
from tests.conftest import csrf_from, login
from tests.reach.conftest import post_assisted, staff


def _item(db, response):
    code = response.headers["location"].rsplit("/", 1)[-1]
    return submissions_service.get_by_code(session=db, code=code)


def test_commune_admin_creates_an_assistant_for_their_commune_only(client, db, login_as):
    login_as("ubnd-xa-muong-nhe", Role.AGENCY_ADMIN)
    page = client.get("/assistants")
    assert page.status_code == 200 and "Xã Mường Nhé" in page.text
    response = client.post("/assistants", data={
        "csrf_token": csrf_from(page.text), "username": "tcns.muong-nhe.pao", "display_name": "Giàng A Páo",
        "email": "pao@dienbien.gov.vn", "phone": "0912 345 678", "commune_code": "phuong-muong-thanh"})
    assert response.status_code == 200 and 'id="one-time-password"' in response.text
    account = db.exec(select(Account).where(Account.username == "tcns.muong-nhe.pao")).one()
    profile = db.get(CommuneAssistant, account.id)
    assert account.role == Role.COMMUNE_ASSISTANT and account.agency_id is None
    assert profile.phone == "0912345678"
    own = db.exec(select(Commune).where(Commune.code == "xa-muong-nhe")).one()
    assert profile.commune_id == own.id  # the admin's own commune, whatever the form said
    assert "Xã Mường Nhé" in client.get("/assistants").text


def test_only_commune_admins_and_the_coordinator_manage_assistants(client, login_as):
    login_as("so-khcn", Role.OFFICER)
    assert client.get("/assistants").status_code == 403


def test_cli_creates_an_assistant(db, monkeypatch):
    class TestSession:  # the command's writes go into the test's transaction (rolled back after)
        def __init__(self, _engine):
            pass

        def __enter__(self):
            return db

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(app_cli, "Session", TestSession)
    result = CliRunner().invoke(cli, ["accounts", "create-assistant", "--commune", "xa-muong-nhe",
                                      "--email", "mai@dienbien.gov.vn", "Lò Thị Mai"])
    assert result.exit_code == 0, result.output
    assert "tcns.muong-nhe.lo-thi-mai" in result.output
    bad = CliRunner().invoke(cli, ["accounts", "create-assistant", "--commune", "khong-co",
                                   "--email", "x@dienbien.gov.vn", "Ai Đó"])
    assert bad.exit_code == 1


def test_assistant_submits_for_a_villager_without_a_phone(assistant_client, db):
    client, assistant = assistant_client
    response = post_assisted(client)
    assert response.status_code == 303, response.text
    item = _item(db, response)
    reach = db.get(ItemReach, item.id)
    assert item.source == Channel.ASSISTED and item.sender_name == "Giàng A Páo"
    # No phone of their own: the assistant is the contact point.
    assert item.sender_phone == "0912345678" and item.sender_email == assistant.email
    assert reach.language == "hmong" and reach.interpreter_helped and reach.relay == "none"
    assert reach.consent_witness == "Lò Văn Minh" and reach.spoken_consent_at is not None
    assert reach.assistant_account_id == assistant.id and reach.village == "Bản Huổi Lếch"
    listing = client.get("/assistant").text
    assert item.tracking_code in listing and "Giàng A Páo" in listing


def test_relay_phone_of_a_relative_is_the_contact(assistant_client, db):
    client, _ = assistant_client
    response = post_assisted(client, relay="relative", relay_phone="0987 654 321")
    item = _item(db, response)
    assert item.sender_phone == "0987654321" and item.sender_email is None


def test_assisted_form_needs_spoken_consent_witness_and_village(assistant_client):
    client, _ = assistant_client
    response = post_assisted(client, spoken_consent=None, consent_witness="", village="", relay="own")
    assert response.status_code == 422
    assert "đọc to lời đồng ý" in response.text and "người làm chứng" in response.text
    assert "tên bản, thôn" in response.text and "Số điện thoại không đúng" in response.text


def test_officer_sees_assisted_and_asks_through_the_assistant(assistant_client, db, app):
    client, assistant = assistant_client
    item = _item(db, post_assisted(client))
    officer = staff(db, item.agency_id)
    submissions_service.accept(session=db, submission=item, actor=officer)
    submissions_service.request_info(session=db, submission=item, actor=officer,
                                     question="Bản cách trạm phát sóng gần nhất bao xa?")
    db.commit()
    page = client.get(f"/assistant/items/{item.tracking_code}")
    assert "Bản cách trạm phát sóng gần nhất bao xa?" in page.text
    assert "cần trả lời" in client.get("/assistant").text
    # The assistant heard about the question by e-mail too (their address is the contact here).
    assert db.exec(select(OutboxMessage).where(OutboxMessage.recipient == assistant.email,
                                               OutboxMessage.submission_id == item.id)).first()
    reply = client.post(f"/assistant/items/{item.tracking_code}/reply",
                        data={"csrf_token": csrf_from(page.text), "reply": "Khoảng 7 km, qua hai quả đồi."})
    assert reply.status_code == 303
    db.refresh(item)
    assert item.state == State.IN_PROGRESS

    client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    login(client, officer.username)
    officer_page = client.get(f"/officer/items/{item.tracking_code}").text
    assert "Tổ công nghệ số hỗ trợ nhập" in officer_page and "Tiếng H&#39;Mông" in officer_page
    assert "yêu cầu bổ sung sẽ được chuyển qua người này" in officer_page


def test_assistant_with_relay_phone_gets_a_copy_of_the_answer_and_prints_the_slip(assistant_client, db):
    client, assistant = assistant_client
    item = _item(db, post_assisted(client, relay="own", relay_phone="0987654321"))
    officer = staff(db, item.agency_id)
    submissions_service.accept(session=db, submission=item, actor=officer)
    submissions_service.answer(session=db, submission=item, actor=officer,
                               text="Tháng 3 năm sau nhà mạng sẽ lắp trạm phát sóng ở đầu bản.")
    db.commit()
    copies = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == assistant.email)).all()
    assert any("Tháng 3 năm sau" in m.body for m in copies)
    slip = client.get(f"/assistant/items/{item.tracking_code}/slip")
    assert slip.status_code == 200
    assert "Tháng 3 năm sau nhà mạng sẽ lắp trạm" in slip.text and item.tracking_code in slip.text
    assert "size: A5" in slip.text


def test_an_assistant_sees_only_their_own_items(assistant_client, db, make_assistant):
    client, _ = assistant_client
    code = _item(db, post_assisted(client)).tracking_code
    other = make_assistant(username="tcns.muong-nhe.khac")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/assistant").text)})
    login(client, other.username)
    assert client.get(f"/assistant/items/{code}").status_code == 404
    assert client.get(f"/assistant/items/{code}/slip").status_code == 404
    assert code not in client.get("/assistant").text
    assert client.get("/officer/inbox").status_code == 403


def test_urgent_assisted_item_keeps_the_reason(assistant_client, db):
    client, _ = assistant_client
    item = _item(db, post_assisted(client, urgent="on", urgent_reason="Sạt lở đất chắn đường vào bản"))
    assert item.priority == "urgent"
    assert db.get(ItemReach, item.id).urgent_reason == "Sạt lở đất chắn đường vào bản"
    assert re.search(r"DB-\d{4}-", item.tracking_code)


def test_the_commune_locks_an_assistant_out_and_lets_them_back(client, app, db, make_assistant, login_as):
    assistant = make_assistant()
    other_commune = make_assistant(commune_code="phuong-muong-thanh", username="tcns.muong-thanh.an")
    login_as("ubnd-xa-muong-nhe", Role.AGENCY_ADMIN)
    token = csrf_from(client.get("/assistants").text)
    assert client.post(f"/assistants/{assistant.id}/disable", data={"csrf_token": token}).status_code == 303
    db.refresh(assistant)
    assert not assistant.is_active
    with TestClient(app, follow_redirects=False) as phone:  # the assistant's own phone
        assert login(phone, assistant.username).status_code != 303  # locked out
    assert client.post(f"/assistants/{other_commune.id}/disable", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/assistants/{assistant.id}/enable", data={"csrf_token": token}).status_code == 303
    db.refresh(assistant)
    db.refresh(other_commune)
    assert assistant.is_active and other_commune.is_active
