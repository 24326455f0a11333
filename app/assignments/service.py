"""Assigning an item to a named officer of the agency that holds it, and who holds what.

The decision is made in the writing transaction on fresh data: the item's agency and state are read again, and the
assignment row is changed with a compare-and-set (INSERT … ON CONFLICT DO NOTHING when there was none, UPDATE …
WHERE account_id = :as_read otherwise), so of two people assigning at once one wins and the other gets Conflict.
Every assignment is an OFFICER_ASSIGNED event (who, to whom, from whom), which the notification flow turns into a
message to the assignee."""

from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, exists, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.accounts.models import Account
from app.accounts.permissions import HANDLING_ROLES
from app.assignments.models import ItemAssignment
from app.db import utcnow
from app.errors import Conflict, Invalid, InvalidTransition, NotPermitted
from app.kinds import OPEN_STATES, EventType, State
from app.submissions import permissions
from app.submissions.models import Submission
from app.submissions.service import LOST_RACE, record_event
from app.text import sort_vietnamese

ASSIGNABLE_STATES = OPEN_STATES - {State.SUBMITTED, State.TRIAGE}


def officers(*, session: Session, agency_id: int | None) -> list[Account]:
    """The active staff of an agency who can be given an item, by name."""
    if agency_id is None:
        return []
    rows = session.exec(select(Account).where(
        col(Account.agency_id) == agency_id, col(Account.is_active).is_(True),
        col(Account.role).in_(sorted(HANDLING_ROLES)))).all()
    return sort_vietnamese(rows, key=lambda a: a.display_name)


def current_assignee_condition() -> ColumnElement[bool]:
    """The join condition of an item with its assignee that still counts (the assignee works for the holder)."""
    return and_(col(ItemAssignment.submission_id) == col(Submission.id),
                col(ItemAssignment.account_id) == col(Account.id),
                col(Account.agency_id) == col(Submission.agency_id))


def assigned_to(account_id: int) -> ColumnElement[bool]:
    """Items whose current assignee is `account_id` (for the "Của tôi" view)."""
    return exists(select(ItemAssignment.submission_id).join(Account, col(Account.id) == ItemAssignment.account_id)
                  .where(current_assignee_condition(), col(ItemAssignment.account_id) == account_id))


def unassigned() -> ColumnElement[bool]:
    """Items with no assignee that counts (for the "Chưa phân công" view)."""
    return ~exists(select(ItemAssignment.submission_id).join(Account, col(Account.id) == ItemAssignment.account_id)
                   .where(current_assignee_condition()))


def assignees(*, session: Session, submission_ids: list[int]) -> dict[int, Account]:
    """Item id → its current assignee, for a page of items (one query)."""
    if not submission_ids:
        return {}
    rows = session.exec(
        select(ItemAssignment.submission_id, Account)
        .join(Account, col(Account.id) == ItemAssignment.account_id)
        .join(Submission, col(Submission.id) == ItemAssignment.submission_id)
        .where(col(ItemAssignment.submission_id).in_(submission_ids),
               col(Account.agency_id) == col(Submission.agency_id))).all()
    return {submission_id: account for submission_id, account in rows}


def may_assign(actor: Account, item: Submission) -> bool:
    return permissions.holds(actor, item) and item.state in ASSIGNABLE_STATES


def assign(*, session: Session, submission: Submission, actor: Account, officer: Account | None,
           now: datetime | None = None) -> Submission:
    """Gives the item to `officer` (staff of the agency holding it); `None` removes the assignee."""
    now = now or utcnow()
    fresh = session.exec(select(Submission.agency_id, Submission.state)
                         .where(col(Submission.id) == submission.id)).one()
    if fresh != (submission.agency_id, submission.state):
        raise Conflict(LOST_RACE)
    if not permissions.holds(actor, submission):
        raise NotPermitted("Chỉ cán bộ của đơn vị đang giữ hồ sơ được phân công.")
    if submission.state not in ASSIGNABLE_STATES:
        raise InvalidTransition("Hồ sơ ở trạng thái này không phân công được.")
    if officer is not None and (officer.agency_id != submission.agency_id or not officer.is_active
                                or officer.role not in HANDLING_ROLES):
        raise Invalid({"officer": "Cán bộ được chọn không thuộc đơn vị đang giữ hồ sơ."})
    previous = assignees(session=session, submission_ids=[submission.id]).get(submission.id)
    read_account = session.exec(select(ItemAssignment.account_id)
                                .where(col(ItemAssignment.submission_id) == submission.id)).first()
    if officer is not None and previous is not None and previous.id == officer.id:
        return submission  # already theirs: nothing to change, no event
    if officer is None and previous is None:
        return submission
    changed = _compare_and_set(session, submission.id, read_account, officer, actor, now)
    if not changed:
        raise Conflict(LOST_RACE)
    record_event(session, submission, EventType.OFFICER_ASSIGNED, now=now, from_state=submission.state,
                 actor=actor, subject_account=officer,
                 internal_note=(f"Giao cho {officer.display_name}" if officer else "Bỏ phân công")
                 + (f" (trước đó: {previous.display_name})" if previous else ""),
                 data={"account_id": officer.id if officer else None,
                       "previous_account_id": previous.id if previous else None})
    return submission


def _compare_and_set(session: Session, submission_id: int, read_account: int | None, officer: Account | None,
                     actor: Account, now: datetime) -> bool:
    table = ItemAssignment.__table__
    if officer is None:
        stmt = delete(ItemAssignment).where(col(ItemAssignment.submission_id) == submission_id,
                                            col(ItemAssignment.account_id) == read_account)
        return session.execute(stmt.execution_options(synchronize_session=False)).rowcount == 1
    if read_account is None:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        stmt = insert(table).values(submission_id=submission_id, account_id=officer.id, assigned_by_id=actor.id,
                                    assigned_at=now).on_conflict_do_nothing(index_elements=["submission_id"])
        # RETURNING tells whether a row went in (rowcount is not reliable for INSERT on every driver).
        return session.execute(stmt.returning(table.c.submission_id)).scalar() is not None
    stmt = (update(ItemAssignment)
            .where(col(ItemAssignment.submission_id) == submission_id, col(ItemAssignment.account_id) == read_account)
            .values(account_id=officer.id, assigned_by_id=actor.id, assigned_at=now)
            .execution_options(synchronize_session=False))
    return session.execute(stmt).rowcount == 1
