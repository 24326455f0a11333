"""Who may do what in the initiatives domain, decided here and nowhere else: the services call `require`, the pages
ask the same functions which forms to draw.

- Challenges: the coordinator publishes and edits any; an agency admin publishes and edits challenges its own
  agency owns. Deciding a challenge's outcome is the coordinator's.
- An item's assessment belongs to the agency holding it (the owner agency) and the coordinator: only they see it;
  other agencies see nothing of it (the officer pages answer 404).
- Assessors are assigned by the owner agency's admin or the coordinator, among the owner agency's active staff;
  only an assigned assessor who is staff of the holding agency scores, once; an assessor sees the others' scores
  only after submitting their own.
- The decision: the owner agency for a free-standing initiative; the coordinator for a solution to a challenge
  (after ranking and shortlisting, which are the coordinator's too).
"""

from app.accounts.models import Account, Role
from app.accounts.permissions import is_coordinator
from app.errors import NotPermitted
from app.submissions.permissions import Item, holds


def may_view(actor: Account, item: Item) -> bool:
    return is_coordinator(actor) or holds(actor, item)


def may_assign(actor: Account, item: Item) -> bool:
    return is_coordinator(actor) or (holds(actor, item) and actor.role == Role.AGENCY_ADMIN)


def may_be_assessor(account: Account, item: Item) -> bool:
    return account.is_active and holds(account, item)


def may_score(actor: Account, item: Item, *, assigned: bool) -> bool:
    return assigned and holds(actor, item)


def may_see_scores(actor: Account, item: Item, *, assigned: bool, scored: bool) -> bool:
    """Everyone who may view the assessment sees every score, except an assessor who has not scored yet."""
    return may_view(actor, item) and (scored or not assigned)


def may_decide(actor: Account, item: Item, *, challenge_id: int | None) -> bool:
    if challenge_id is not None:
        return is_coordinator(actor)
    return holds(actor, item)


def may_shortlist(actor: Account) -> bool:
    return is_coordinator(actor)


def may_record_implementation(actor: Account, item: Item) -> bool:
    return is_coordinator(actor) or holds(actor, item)


def may_publish_challenge(actor: Account, owner_agency_id: int | None) -> bool:
    if is_coordinator(actor):
        return True
    return actor.role == Role.AGENCY_ADMIN and actor.agency_id is not None and actor.agency_id == owner_agency_id


def may_manage_challenges(actor: Account) -> bool:
    return is_coordinator(actor) or actor.role == Role.AGENCY_ADMIN


def may_edit_criteria(actor: Account) -> bool:
    return is_coordinator(actor)


def require(allowed: bool, message: str = "Bạn không có quyền thực hiện thao tác này.") -> None:
    if not allowed:
        raise NotPermitted(message)
