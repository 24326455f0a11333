"""Who may see and act on what: decided here and nowhere else."""

from app.accounts.models import Account, Role
from app.submissions.models import Submission

HANDLING_ROLES = frozenset({Role.AGENCY_ADMIN, Role.OFFICER, Role.COORDINATOR})


def is_handler(actor: Account) -> bool:
    return actor.role in HANDLING_ROLES


def can_view_submission(actor: Account, submission: Submission) -> bool:
    """The coordinator sees everything; an agency sees the items it currently handles."""
    if actor.role == Role.COORDINATOR:
        return True
    if actor.role in (Role.AGENCY_ADMIN, Role.OFFICER):
        return submission.agency_id is not None and submission.agency_id == actor.agency_id
    return False  # system admins manage accounts, not item contents


def can_handle_submission(actor: Account, submission: Submission) -> bool:
    """Acting (accept, answer) belongs to the agency holding the item; triage belongs to the coordinator."""
    if actor.role not in HANDLING_ROLES:
        return False
    return submission.agency_id is not None and submission.agency_id == actor.agency_id


def can_triage(actor: Account) -> bool:
    return actor.role == Role.COORDINATOR


def can_manage_deadlines(actor: Account) -> bool:
    """Calendar exceptions, deadline policies and extension decisions belong to the coordinator."""
    return actor.role == Role.COORDINATOR
