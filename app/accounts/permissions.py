"""Who may see and act on what: decided here and nowhere else."""

from app.accounts.models import Account, Role
from app.submissions.models import Submission

HANDLING_ROLES = frozenset({Role.AGENCY_ADMIN, Role.OFFICER, Role.COORDINATOR})


def is_handler(actor: Account) -> bool:
    return actor.role in HANDLING_ROLES


def can_view_submission(
    actor: Account, submission: Submission, former_agency_ids: frozenset[int] = frozenset()
) -> bool:
    """The coordinator sees everything; an agency sees the items it handles, and keeps read access to items it
    handled before a transfer (`former_agency_ids`)."""
    if actor.role == Role.COORDINATOR:
        return True
    if actor.role in (Role.AGENCY_ADMIN, Role.OFFICER):
        if submission.agency_id is not None and submission.agency_id == actor.agency_id:
            return True
        return actor.agency_id in former_agency_ids
    return False  # system admins manage accounts, not item contents


def visible_event(actor: Account, event_agency_id: int | None, event_data: dict, event_type: str) -> bool:
    """Officers see the trail of their own time with the item (plus the submission itself); the coordinator
    sees all of it."""
    if actor.role == Role.COORDINATOR or event_type == "submitted":
        return True
    return actor.agency_id is not None and actor.agency_id in (
        event_agency_id, event_data.get("from_agency_id"), event_data.get("to_agency_id"))


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


def can_manage_accounts(actor: Account) -> bool:
    """Only an agency admin manages accounts, and only officers of their own agency (`can_manage_account`)."""
    return actor.role == Role.AGENCY_ADMIN and actor.agency_id is not None


def can_manage_account(actor: Account, target: Account) -> bool:
    return can_manage_accounts(actor) and target.role == Role.OFFICER and target.agency_id == actor.agency_id


def can_edit_rules(actor: Account) -> bool:
    return actor.role == Role.COORDINATOR
