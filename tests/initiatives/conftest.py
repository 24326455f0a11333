"""Helpers for the initiatives tests: a challenge, a solution through the public form, accounts of the owner agency."""

import re
from datetime import timedelta

import pytest
from sqlmodel import col, select

from app.accounts.models import Account, Role
from app.initiatives import service
from app.notifications.models import OutboxMessage
from app.publication import service as publication_service
from tests.conftest import agency, csrf_from, login

OWNER = "so-nnmt"  # Sở Nông nghiệp và Môi trường


def today():
    return service.local_today()


def challenge_for_permissions(db):
    """A challenge owned by Sở Nông nghiệp và Môi trường (for the staff route table, tests/web/test_permissions.py)."""
    coordinator = db.exec(select(Account).where(Account.role == Role.COORDINATOR)).first()
    values = {"title": "Bài toán thử quyền truy cập", "field_code": "nong-nghiep-so", "problem": "x" * 40,
              "expected_outcome": "y" * 20, "owner_agency_code": OWNER,
              "criteria_set_id": str(service.default_set(session=db).id), "opens_on": today().isoformat(),
              "closes_on": (today() + timedelta(days=10)).isoformat()}
    made = service.publish_challenge(session=db, actor=coordinator, form=service.parse_challenge(db, values))
    db.flush()
    return made


@pytest.fixture
def challenge(db, make_account):
    """challenge(**changes): a challenge owned by Sở Nông nghiệp và Môi trường, open from 5 days ago for 10 more."""
    def make(**changes):
        coordinator = db.exec(select(Account).where(Account.role == Role.COORDINATOR)).first()
        values = {"title": "Truy xuất nguồn gốc sản phẩm OCOP", "field_code": "nong-nghiep-so",
                  "problem": "Sản phẩm OCOP của tỉnh chưa có cách truy xuất nguồn gốc mà người mua tin được.",
                  "expected_outcome": "Mỗi sản phẩm OCOP có mã QR truy xuất đến hộ sản xuất.",
                  "owner_agency_code": OWNER, "criteria_set_id": str(service.default_set(session=db).id),
                  "opens_on": (today() - timedelta(days=5)).isoformat(),
                  "closes_on": (today() + timedelta(days=10)).isoformat()}
        values.update(changes)
        made = service.publish_challenge(session=db, actor=coordinator, form=service.parse_challenge(db, values))
        db.commit()
        return made
    return make


SOLUTION_FORM = {
    "title": "Tem QR truy xuất cho mật ong Tủa Chùa", "field_code": "nong-nghiep-so", "commune_code": "xa-muong-phang",
    "content": "Mỗi lọ mật ong có tem QR dẫn đến nhật ký của hộ nuôi ong, cập nhật bằng điện thoại.",
    "sender_type": "organisation", "sender_name": "Hợp tác xã Ong Tủa Chùa", "sender_email": "htx@example.vn",
    "organisation": "HTX Ong Tủa Chùa", "team": "3 thành viên", "maturity": "prototype",
    "estimated_cost": "120.000.000", "needs": "Thí điểm ở 2 xã", "consent": "on", "publish_consent": "on",
}


def post_solution(client, challenge_id: int, **changes):
    page = client.get(f"/bai-toan/{challenge_id}/giai-phap")
    data = {**SOLUTION_FORM, **changes, "csrf_token": csrf_from(page.text)}
    return client.post(f"/bai-toan/{challenge_id}/giai-phap", data={k: v for k, v in data.items() if v is not None})


def staff(make_account, code: str, name: str, role: Role = Role.OFFICER) -> Account:
    return make_account(code, role, username=name)


def sign_in(client, account: Account):
    client.cookies.clear()
    response = login(client, account.username)
    assert response.status_code == 303, response.text
    return account


def owner_agency(db):
    return agency(db, OWNER)


def last_code(db, to: str) -> str:
    message = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == to)
                      .order_by(col(OutboxMessage.id).desc())).first()
    return re.search(r"(\d{6})", message.subject).group(1)


def consent(session, item):
    """The author consents to publication after sending (app/publication keeps it)."""
    return publication_service.consent(session=session, submission=item)


def publish(session, actor, item, **changes):
    """The owner agency publishes the copy app/publication proposes (its review page does the same)."""
    draft = publication_service.draft(session=session, submission=item, row=None)
    values = {"title": draft.title, "question": draft.question, "answer": draft.answer, **changes}
    return publication_service.publish(session=session, submission=item, actor=actor, **values)
