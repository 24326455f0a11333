"""One real database per run (SQLite file, or PostgreSQL when DATABASE_URL is set), migrated with Alembic
and seeded; each test runs inside a transaction that is rolled back."""

import os
import tempfile
from pathlib import Path

_DATA_DIR = Path(tempfile.mkdtemp(prefix="pakn-test-"))
os.environ["PAKN_DATA_DIR"] = str(_DATA_DIR)
os.environ.setdefault("PAKN_ARGON2_TIME_COST", "1")
os.environ.setdefault("PAKN_ARGON2_MEMORY_KIB", "1024")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
# Two-factor sign-in is required for the coordinator and the system admin in production; the suite's many
# coordinator logins would each need an authenticator, so it is off here and tests/security/test_sign_in.py
# turns it on to test it.
os.environ.setdefault("PAKN_TOTP_REQUIRED_ROLES", "")
# Tests drive the outbox worker themselves, on the test's own connection.
os.environ["PAKN_WORKER_IN_APP"] = "false"

import re  # noqa: E402

import pytest  # noqa: E402
from alembic import command  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app.accounts.models import Account, Role  # noqa: E402
from app.accounts.service import create_account  # noqa: E402
from app.agencies.models import Agency  # noqa: E402
from app.cli import alembic_config  # noqa: E402
from app.db import get_engine, get_session  # noqa: E402
from app.main import create_app  # noqa: E402
from app.seed.reference import seed_reference  # noqa: E402
from app.submissions import service as submissions_service  # noqa: E402
from app.submissions.schemas import SubmissionCreate  # noqa: E402
from app.wiring import register_subscribers  # noqa: E402

register_subscribers()

PASSWORD = "mat-khau-thu-nghiem-2026"


def _reset_database(engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def engine():
    engine = get_engine()
    _reset_database(engine)
    command.upgrade(alembic_config(), "head")
    return engine


@pytest.fixture(scope="session")
def initial_credentials(engine) -> dict[str, str]:
    with Session(engine) as session:
        report = seed_reference(session=session, credentials_path=_DATA_DIR / "initial-credentials.csv")
    return {username: password for username, _role, _agency, password in report.new_credentials}


@pytest.fixture
def db(engine, initial_credentials):
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def app(db):
    application = create_app()

    def request_session():
        db.commit()  # what the test wrote before the request was its own unit of work
        yield db

    application.dependency_overrides[get_session] = request_session
    return application


@pytest.fixture
def client(app):
    with TestClient(app, follow_redirects=False) as c:
        yield c


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


def agency(db: Session, code: str) -> Agency:
    return db.exec(select(Agency).where(Agency.code == code)).one()


@pytest.fixture
def make_account(db):
    def make(agency_code: str | None, role: Role = Role.OFFICER, username: str | None = None) -> Account:
        ag = agency(db, agency_code) if agency_code else None
        account = create_account(
            session=db, username=username or f"t-{role.value}-{agency_code or 'none'}", display_name="Cán bộ thử",
            role=role, agency_id=ag.id if ag else None, password=PASSWORD,
        )
        account.must_change_password = False
        db.commit()
        return account
    return make


def login(client: TestClient, username: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_from(page.text)})


@pytest.fixture
def login_as(client, make_account):
    def do(agency_code: str | None, role: Role = Role.OFFICER) -> Account:
        account = make_account(agency_code, role)
        response = login(client, account.username)
        assert response.status_code == 303, response.text
        return account
    return do


def submission_data(**overrides) -> SubmissionCreate:
    values = dict(
        kind="feedback", field_code="ha-tang-so", commune_code="xa-muong-nhe",
        title="Sóng 4G yếu tại bản Huổi Lếch", content="Từ tháng trước sóng điện thoại rất yếu, không gọi được.",
        sender_name="Lò Văn Minh", sender_phone="0912345678", consent=True,
    )
    values.update(overrides)
    return SubmissionCreate(**values)


@pytest.fixture
def submit(db):
    def do(**overrides):
        submission = submissions_service.submit(session=db, data=submission_data(**overrides))
        db.commit()
        return submission
    return do
