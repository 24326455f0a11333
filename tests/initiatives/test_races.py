"""Exact counts under real concurrency, each attempt in its own connection and unit of work (as concurrent requests
would be), on SQLite and, with DATABASE_URL, on PostgreSQL:

- 50 confirmations at once for one item, 15 of them by people who also confirm with another code: exactly the
  35 distinct people are counted, in the supports rows and in the item's count;
- 20 submissions of one assessor's score sheet at once: one is kept;
- 20 decisions at once on one item: one is recorded, with one DECIDED event.
"""

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, col, func, select

from app.accounts.models import Account, Role
from app.accounts.service import create_account
from app.agencies.models import Agency
from app.db import unit_of_work
from app.errors import DomainError
from app.events.models import Event
from app.initiatives import service, support
from app.initiatives.models import Assessment, CodePurpose, ScoreSheet, Support
from app.kinds import EventType
from app.notifications.models import OutboxMessage
from app.publication import service as publication_service
from app.publication.models import Publication
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from tests.conftest import PASSWORD, submission_data
from tests.databases import scratch_database
from tests.initiatives.conftest import consent, publish

PEOPLE = 35
DUPLICATES = 15


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    with scratch_database("initiatives_race", tmp_path_factory.mktemp("initiatives"), seed=True) as (_url, engine):
        yield engine


def unit(engine, work):
    with Session(engine, expire_on_commit=False) as s, unit_of_work(s):
        return work(s)


def race(engine, attempts: int, attempt) -> Counter:
    barrier = threading.Barrier(attempts)

    def run(i: int) -> str:
        with Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            try:
                with unit_of_work(s):
                    return attempt(s, i)
            except DomainError as exc:
                return type(exc).__name__

    with ThreadPoolExecutor(attempts) as pool:
        return Counter(pool.map(run, range(attempts)))


def staff(s: Session, code: str, role: Role, name: str) -> Account:
    agency = s.exec(select(Agency).where(Agency.code == code)).one()
    account = create_account(session=s, username=name, display_name=name, role=role, agency_id=agency.id,
                             password=PASSWORD)
    account.must_change_password = False
    s.flush()
    return account


def test_fifty_concurrent_confirmed_supports_count_each_person_once(scratch):
    def setup(s):
        item = submissions_service.submit(session=s, data=submission_data(
            kind="initiative", field_code="giao-duc-so", title="Tủ sách số cho điểm trường bản"))
        coordinator = s.exec(select(Account).where(Account.role == Role.COORDINATOR)).first()
        consent(s, item)
        publish(s, coordinator, item)
        return item.id

    item_id = unit(scratch, setup)
    emails = [f"nguoi{i}@example.vn" for i in range(PEOPLE)] + [f"nguoi{i}@example.vn" for i in range(DUPLICATES)]

    def ask(s, email):
        row = support.request_code(session=s, item=service.public_item(session=s, submission_id=item_id),
                                   contact=email, purpose=CodePurpose.SUPPORT)
        subject = s.exec(select(OutboxMessage.subject).where(OutboxMessage.recipient == email)
                         .order_by(col(OutboxMessage.id).desc())).first()
        return row.id, re.search(r"(\d{6})", subject).group(1)

    codes = [unit(scratch, lambda s, e=e: ask(s, e)) for e in emails]
    outcomes = race(scratch, len(codes), lambda s, i: support.confirm(
        session=s, submission_id=item_id, code_id=codes[i][0], code=codes[i][1]).status)
    assert outcomes == Counter({"supported": PEOPLE, "already": DUPLICATES}), outcomes
    with Session(scratch) as s:
        assert support.counted(session=s, submission_id=item_id) == PEOPLE
        assert s.get(Assessment, item_id).support_count == PEOPLE
        assert s.exec(select(func.count()).select_from(Support).where(Support.submission_id == item_id)).one() \
            == PEOPLE

    # and 20 withdrawals at once by the same 10 people (two codes each): exactly 10 gone
    withdrawals = [unit(scratch, lambda s, e=f"nguoi{i % 10}@example.vn": (
        support.request_code(session=s, item=service.public_item(session=s, submission_id=item_id), contact=e,
                             purpose=CodePurpose.WITHDRAW).id,
        re.search(r"(\d{6})", s.exec(select(OutboxMessage.subject).where(OutboxMessage.recipient == e)
                                     .order_by(col(OutboxMessage.id).desc())).first()).group(1)))
        for i in range(20)]
    outcomes = race(scratch, 20, lambda s, i: support.confirm(
        session=s, submission_id=item_id, code_id=withdrawals[i][0], code=withdrawals[i][1]).status)
    assert outcomes == Counter({"withdrawn": 10, "not_supported": 10}), outcomes
    with Session(scratch) as s:
        assert support.counted(session=s, submission_id=item_id) == PEOPLE - 10
        assert s.get(Assessment, item_id).support_count == PEOPLE - 10


def test_one_score_sheet_and_one_decision_under_concurrency(scratch):
    def setup(s):
        item = submissions_service.submit(session=s, data=submission_data(
            kind="initiative", field_code="y-te-so", title="Đặt lịch khám qua Zalo"))
        admin = staff(s, "so-y-te", Role.AGENCY_ADMIN, "race-admin-yte")
        assessor = staff(s, "so-y-te", Role.OFFICER, "race-assessor-yte")
        submissions_service.accept(session=s, submission=item, actor=admin)
        service.assign_assessor(session=s, actor=admin, submission=item, account=assessor)
        criteria = service.criteria_of(session=s, set_id=service.ensure_assessment(session=s, submission=item)
                                       .criteria_set_id)
        return item.id, admin.id, assessor.id, [c.id for c in criteria]

    item_id, admin_id, assessor_id, criteria = unit(scratch, setup)

    def score(s, i):
        service.submit_scores(session=s, actor=s.get(Account, assessor_id), submission=s.get(Submission, item_id),
                              values={f"score_{c}": str(1 + (i % 5)) for c in criteria})
        return "won"

    outcomes = race(scratch, 20, score)
    assert outcomes == Counter({"won": 1, "Conflict": 19}), outcomes

    def decide(s, i):
        service.decide(session=s, actor=s.get(Account, admin_id), submission=s.get(Submission, item_id),
                       form=service.parse_decision({"decision": "adopted", "reason": f"Lý do số {i} đủ dài."}))
        return "won"

    outcomes = race(scratch, 20, decide)
    assert outcomes["won"] == 1 and sum(outcomes.values()) == 20, outcomes
    with Session(scratch) as s:
        sheets = select(func.count()).select_from(ScoreSheet).where(ScoreSheet.submission_id == item_id)
        assert s.exec(sheets).one() == 1
        assert s.exec(select(func.count()).select_from(Event).where(
            Event.submission_id == item_id, Event.type == EventType.DECIDED)).one() == 1
        assert s.get(Assessment, item_id).decision == "adopted"


def test_a_later_consent_clicked_twenty_times_at_once_is_one_consent(scratch):
    item_id = unit(scratch, lambda s: submissions_service.submit(session=s, data=submission_data(
        kind="initiative", field_code="giao-duc-so", title="Sáng kiến đồng ý công khai sau")).id)
    outcomes = race(scratch, 20, lambda s, i: publication_service.consent(
        session=s, submission=s.get(Submission, item_id)).status.value)
    assert outcomes == Counter({"consented": 20}), outcomes
    with Session(scratch) as s:
        assert s.exec(select(func.count()).select_from(Publication).where(
            Publication.submission_id == item_id)).one() == 1
        assert s.exec(select(func.count()).select_from(Event).where(
            Event.submission_id == item_id, Event.type == EventType.PUBLICATION_CONSENTED)).one() == 1
