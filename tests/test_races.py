"""Once-only rules under real concurrency: 20 attempts at once, each in its own connection and unit of work (as 20
requests would be), on committed data. Exactly one wins, the others get a clear refusal, and exactly one event is
written. Runs on SQLite and, with DATABASE_URL, on PostgreSQL."""

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, col, delete, func, select, text

from app.accounts.models import Account, ApiClient, Role
from app.accounts.service import create_account, create_api_client
from app.agencies.models import Agency
from app.assignments import service as assignment_service
from app.assignments.models import ItemAssignment
from app.db import unit_of_work
from app.errors import Conflict, DomainError
from app.events.models import ChainHead, Event
from app.integrations.models import ApiSubmission, IdempotencyRecord, RateLimitWindow
from app.main import create_app
from app.sla import service as sla_service
from app.sla.models import DeadlineExtension
from app.submissions import form_tokens, service
from app.submissions.models import Submission
from tests.conftest import PASSWORD, submission_data

ATTEMPTS = 20


class World:
    """Committed items and accounts for one test, removed afterwards (with their events; the chain head is
    rewound) so the rest of the suite sees the database as it was."""

    def __init__(self, engine):
        self.engine = engine
        self.items: list[int] = []
        self.accounts: list[int] = []
        self.clients: list[int] = []
        with Session(engine) as s:
            head = s.get(ChainHead, 1)
            self.saved_head = (head.last_event_id, head.last_hash, head.last_seq) if head else None
            self.first_event = (s.exec(select(func.max(Event.id))).one() or 0) + 1

    def unit(self, work: Callable[[Session], object]):
        with Session(self.engine, expire_on_commit=False) as s, unit_of_work(s):
            return work(s)

    def account(self, agency_code: str, role: Role = Role.OFFICER) -> int:
        def work(s):
            agency = s.exec(select(Agency).where(Agency.code == agency_code)).one()
            account = create_account(session=s, username=f"race-{uuid.uuid4().hex[:10]}", display_name="Cán bộ",
                                     role=role, agency_id=agency.id, password=PASSWORD)
            account.must_change_password = False
            s.flush()
            return account.id
        account_id = self.unit(work)
        self.accounts.append(account_id)
        return account_id

    def item(self, *steps: Callable[[Session, Submission], object]) -> int:
        """A new item routed to so-khcn, taken through `steps` (each its own unit of work)."""
        item_id = self.unit(lambda s: service.submit(session=s, data=submission_data()).id)
        self.items.append(item_id)
        for step in steps:
            self.unit(lambda s, step=step: step(s, s.get(Submission, item_id)))
        return item_id

    def race(self, attempt: Callable[[Session, Submission, int], object], item_id: int) -> Counter:
        """Runs attempt(session, item, i) ATTEMPTS times at once; counts outcomes by exception class name."""
        barrier = threading.Barrier(ATTEMPTS)

        def run(i: int) -> str:
            with Session(self.engine, expire_on_commit=False) as s:
                barrier.wait()
                try:
                    with unit_of_work(s):
                        attempt(s, s.get(Submission, item_id), i)
                except DomainError as exc:
                    return type(exc).__name__
                return "won"

        with ThreadPoolExecutor(ATTEMPTS) as pool:
            return Counter(pool.map(run, range(ATTEMPTS)))

    def events(self, item_id: int, type_: str) -> int:
        with Session(self.engine) as s:
            return s.exec(select(func.count()).select_from(Event)
                          .where(Event.submission_id == item_id, Event.type == type_)).one()

    def cleanup(self) -> None:
        with Session(self.engine) as s:
            ids = list(self.items)
            if self.clients:
                ids += s.exec(select(ApiSubmission.submission_id)
                              .where(col(ApiSubmission.api_client_id).in_(self.clients))).all()
                for table in (IdempotencyRecord, RateLimitWindow):
                    s.exec(delete(table).where(col(table.api_client_id).in_(self.clients)))
            if ids:
                for table in reversed(SQLModel.metadata.sorted_tables):
                    if "submission_id" in table.c and table.name not in ("submissions", "events"):
                        s.exec(delete(table).where(table.c.submission_id.in_(ids)))
            s.exec(delete(Event).where(col(Event.id) >= self.first_event))
            if ids:
                s.exec(delete(Submission).where(col(Submission.id).in_(ids)))
            s.exec(text("DELETE FROM auth_sessions WHERE account_id IN (SELECT id FROM accounts WHERE username "
                        "LIKE 'race-%')"))
            s.exec(text("DELETE FROM login_attempts WHERE username LIKE 'race-%'"))
            s.exec(delete(Account).where(col(Account.id).in_(self.accounts)))
            s.exec(delete(ApiClient).where(col(ApiClient.id).in_(self.clients)))
            if self.saved_head is not None:
                s.exec(text("UPDATE event_chain_head SET last_event_id = :i, last_hash = :h, last_seq = :n "
                            "WHERE id = 1").bindparams(i=self.saved_head[0], h=self.saved_head[1],
                                                       n=self.saved_head[2]))
            s.commit()


@pytest.fixture
def world(engine, initial_credentials):
    w = World(engine)
    try:
        yield w
    finally:
        w.cleanup()


def officer_of(s: Session, account_id: int) -> Account:
    return s.get(Account, account_id)


def accept(officer_id):
    return lambda s, sub: service.accept(session=s, submission=sub, actor=officer_of(s, officer_id))


def answer(officer_id):
    return lambda s, sub: service.answer(session=s, submission=sub, actor=officer_of(s, officer_id),
                                         text="Đã lắp trạm phát sóng mới tại bản.")


def assert_one_winner(outcomes: Counter) -> None:
    assert outcomes["won"] == 1, outcomes
    # The losers are told why: someone changed the item first, its state no longer allows it, or (after a
    # transfer) it is no longer theirs to act on.
    refusals = {"Conflict", "InvalidTransition", "Invalid", "NotPermitted"}
    assert sum(outcomes.values()) == ATTEMPTS and set(outcomes) <= {"won", *refusals}, outcomes


def test_twenty_accepts_one_winner(world):
    officer = world.account("so-khcn")
    item = world.item()
    outcomes = world.race(lambda s, sub, i: accept(officer)(s, sub), item)
    assert_one_winner(outcomes)
    assert world.events(item, "accepted") == 1


def test_twenty_transfers_leave_the_item_with_one_agency(world):
    officer = world.account("so-khcn")
    item = world.item()
    with Session(world.engine) as s:
        targets = s.exec(select(Agency.id).where(Agency.code != "so-khcn").order_by(Agency.id)
                         .limit(ATTEMPTS)).all()
    outcomes = world.race(lambda s, sub, i: service.transfer(
        session=s, submission=sub, actor=officer_of(s, officer), to_agency=s.get(Agency, targets[i]),
        reason="Không thuộc thẩm quyền của Sở."), item)
    assert_one_winner(outcomes)
    assert world.events(item, "transferred") == 1
    with Session(world.engine) as s:
        moved = s.exec(select(Event).where(Event.submission_id == item, Event.type == "transferred")).one()
        assert s.get(Submission, item).agency_id == service.event_data(moved)["to_agency_id"]


def test_twenty_rejects_one_winner(world):
    officer = world.account("so-khcn")
    item = world.item()
    outcomes = world.race(lambda s, sub, i: service.reject(
        session=s, submission=sub, actor=officer_of(s, officer), reason_code="out_of_scope",
        detail="Nội dung không thuộc lĩnh vực tiếp nhận."), item)
    assert_one_winner(outcomes)
    assert world.events(item, "rejected") == 1


def test_twenty_answers_one_winner(world):
    officer = world.account("so-khcn")
    item = world.item(accept(officer))
    outcomes = world.race(lambda s, sub, i: service.answer(
        session=s, submission=sub, actor=officer_of(s, officer), text=f"Trả lời số {i} của Sở cho người gửi."), item)
    assert_one_winner(outcomes)
    assert world.events(item, "answered") == 1


def test_twenty_ratings_one_winner(world):
    officer = world.account("so-khcn")
    item = world.item(accept(officer), answer(officer))
    outcomes = world.race(lambda s, sub, i: service.rate(session=s, submission=sub, satisfied=i % 2 == 0), item)
    assert_one_winner(outcomes)
    assert world.events(item, "rated") == 1


def test_twenty_replies_to_one_question_one_winner(world):
    officer = world.account("so-khcn")
    ask = lambda s, sub: service.request_info(session=s, submission=sub, actor=officer_of(s, officer),  # noqa: E731
                                              question="Xin cho biết vị trí chính xác của bản.")
    item = world.item(accept(officer), ask)
    outcomes = world.race(lambda s, sub, i: service.provide_info(
        session=s, submission=sub, reply=f"Bản Huổi Lếch, cạnh trường học ({i})."), item)
    assert_one_winner(outcomes)
    assert world.events(item, "info_provided") == 1


def test_twenty_extension_grants_one_winner(world):
    officer = world.account("so-khcn")
    coordinator = world.account("so-khcn", Role.COORDINATOR)
    item = world.item(accept(officer))
    extension_id = world.unit(lambda s: sla_service.request_extension(
        session=s, submission=s.get(Submission, item), actor=officer_of(s, officer), working_days=3,
        reason="Cần khảo sát thực địa tại bản.").id)
    outcomes = world.race(lambda s, sub, i: sla_service.grant_extension(
        session=s, actor=officer_of(s, coordinator), extension=s.get(DeadlineExtension, extension_id)), item)
    assert_one_winner(outcomes)
    assert world.events(item, "extension_granted") == 1


def test_twenty_api_ratings_with_their_own_keys_one_winner(world):
    """Through the API door, each request with its own Idempotency-Key: one 200, the rest 409."""
    officer = world.account("so-khcn")
    new = world.unit(lambda s: create_api_client(session=s, name=f"race-{uuid.uuid4().hex[:8]}",
                                                 scopes="submit read-own", rate_limit_per_minute=100_000))
    world.clients.append(new.client.id)
    app = create_app()
    headers = {"Authorization": f"Bearer {new.key}"}
    with TestClient(app) as c:
        r = c.post("/api/v1/submissions", json=submission_data().model_dump(mode="json"),
                   headers={**headers, "Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 201, r.text
        code = r.json()["tracking_code"]
    with Session(world.engine) as s:
        item = s.exec(select(Submission.id).where(Submission.tracking_code == code)).one()
    world.unit(lambda s: accept(officer)(s, s.get(Submission, item)))
    world.unit(lambda s: answer(officer)(s, s.get(Submission, item)))
    barrier = threading.Barrier(ATTEMPTS)

    def rate(i: int) -> int:
        with TestClient(app) as c:
            barrier.wait()
            return c.post(f"/api/v1/submissions/{code}/rating", json={"satisfied": True},
                          headers={**headers, "Idempotency-Key": f"rate-{i}-{uuid.uuid4()}"}).status_code

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        statuses = Counter(pool.map(rate, range(ATTEMPTS)))
    assert statuses == Counter({200: 1, 409: ATTEMPTS - 1}), statuses
    assert world.events(item, "rated") == 1


def test_twenty_posts_of_one_form_token_create_one_item(world):
    """A double tap (or twenty) on the citizen form: the one-time token makes one item; every post gets its id."""
    token = form_tokens.new_token()
    created_ids: list[int] = []

    def post(s: Session, _sub, i: int):
        def create() -> int:
            item_id = service.submit(session=s, data=submission_data(title=f"Lần bấm {i} cùng một biểu mẫu")).id
            created_ids.append(item_id)
            return item_id
        item_id, created = form_tokens.once(session=s, token=token, create=create)
        if not created:
            raise Conflict(f"already sent as {item_id}")
        world.items.append(item_id)

    barrier = threading.Barrier(ATTEMPTS)

    def run(i: int) -> str:
        with Session(world.engine, expire_on_commit=False) as s:
            barrier.wait()
            try:
                with unit_of_work(s):
                    post(s, None, i)
            except DomainError as exc:
                return type(exc).__name__
            return "won"

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        outcomes = Counter(pool.map(run, range(ATTEMPTS)))
    assert outcomes["won"] == 1 and outcomes["Conflict"] == ATTEMPTS - 1, outcomes
    with Session(world.engine) as s:
        row = s.get(form_tokens.FormToken, token)
        assert row is not None and row.submission_id in world.items
        assert s.exec(select(func.count()).select_from(Submission)
                      .where(col(Submission.title).like("Lần bấm % cùng một biểu mẫu"))).one() == 1
        s.exec(delete(form_tokens.FormToken).where(col(form_tokens.FormToken.token) == token))
        s.commit()


def test_twenty_assignments_at_once_leave_one_assignee_and_one_event_per_change(world):
    """Assigning is not once-only (a later assignment replaces an earlier one), but each change is a
    compare-and-set on the row as read: every success leaves exactly one event, a loser leaves none, and the
    assignee in the table is the one the last event names."""
    admin = world.account("so-khcn", Role.AGENCY_ADMIN)
    officers = [world.account("so-khcn") for _ in range(ATTEMPTS)]
    item = world.item()
    outcomes = world.race(lambda s, sub, i: assignment_service.assign(
        session=s, submission=sub, actor=officer_of(s, admin), officer=officer_of(s, officers[i])), item)
    assert outcomes["won"] >= 1 and set(outcomes) <= {"won", "Conflict"}, outcomes
    assert world.events(item, "officer_assigned") == outcomes["won"]
    with Session(world.engine) as s:
        last = s.exec(select(Event).where(Event.submission_id == item, Event.type == "officer_assigned")
                      .order_by(col(Event.id).desc())).first()
        row = s.get(ItemAssignment, item)
        assert row.account_id == last.subject_account_id
        s.exec(delete(ItemAssignment).where(col(ItemAssignment.submission_id) == item))
        s.commit()
