"""What an account may do outside items (accounts, rules, deadlines); items: app/submissions/permissions.py."""

from app.accounts.models import Account, Role

HANDLING_ROLES = frozenset({Role.AGENCY_ADMIN, Role.OFFICER, Role.COORDINATOR})


def is_handler(actor: Account) -> bool:
    return actor.role in HANDLING_ROLES


def is_coordinator(actor: Account) -> bool:
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


def can_reset_password_of(actor: Account, target: Account) -> bool:
    """The system admin resets the password of an agency admin or of the coordinator from the web (officers are
    their agency admin's to manage; a system admin's own password is changed by themselves or the shell)."""
    return actor.role == Role.SYSTEM_ADMIN and target.role in (Role.AGENCY_ADMIN, Role.COORDINATOR)
