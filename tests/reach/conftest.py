import pytest
from sqlmodel import select

from app.accounts.models import Account, Role
from app.accounts.service import create_account, hash_password
from app.agencies.models import Agency
from app.db import unit_of_work
from app.reach import service as reach_service
from tests.conftest import PASSWORD, csrf_from, login

ASSISTED_FORM = {
    "kind": "feedback", "field_code": "ha-tang-so", "title": "Bản chưa có sóng điện thoại",
    "content": "Cả bản phải đi bộ 3 km lên đồi mới gọi được điện thoại, khi ốm đau không gọi được ai.",
    "sender_name": "Giàng A Páo", "village": "Bản Huổi Lếch", "relay": "none", "language": "hmong",
    "interpreter_helped": "on", "spoken_consent": "on", "consent_witness": "Lò Văn Minh",
}


@pytest.fixture
def make_assistant(db):
    def make(commune_code: str = "xa-muong-nhe", username: str = "tcns.muong-nhe.mai",
             phone: str = "0912345678") -> Account:
        with unit_of_work(db):
            issued = reach_service.create_assistant(
                session=db, actor=None, commune_code=commune_code, username=username, display_name="Lò Thị Mai",
                email=f"{username}@dienbien.gov.vn", phone=phone,
                one_time_password=(PASSWORD, hash_password(PASSWORD)))
            issued.account.must_change_password = False
        return issued.account
    return make


@pytest.fixture
def assistant_client(client, make_assistant):
    account = make_assistant()
    response = login(client, account.username)
    assert response.status_code == 303 and response.headers["location"] == "/assistant"
    return client, account


def post_assisted(client, **overrides):
    page = client.get("/assistant/new")
    data = {**ASSISTED_FORM, **overrides, "csrf_token": csrf_from(page.text)}
    return client.post("/assistant/new", data={k: v for k, v in data.items() if v is not None})


def staff(db, agency_id: int, role: Role = Role.OFFICER) -> Account:
    agency = db.get(Agency, agency_id)
    existing = db.exec(select(Account).where(Account.username == f"t-{role.value}-{agency.code}")).first()
    if existing:
        return existing
    account = create_account(session=db, username=f"t-{role.value}-{agency.code}", display_name="Cán bộ thử",
                             role=role, agency_id=agency_id, password=PASSWORD)
    account.must_change_password = False
    db.commit()
    return account
