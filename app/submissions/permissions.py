"""Who may do what to an item, decided here and nowhere else: the services call `require` before they act,
the pages call `shown` to decide which buttons to draw, and both read the same rules (as Decidim's permissions
do). Whether the item's state allows an action is the lifecycle's rule (app/submissions/lifecycle.py)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import ColumnElement, column, select, table

from app.accounts.models import Account, Role
from app.accounts.permissions import HANDLING_ROLES, is_coordinator
from app.errors import NotPermitted
from app.i18n import N_
from app.kinds import EventType, State
from app.submissions.lifecycle import Action, allowed
from app.submissions.models import Submission


class Item(Protocol):
    agency_id: int | None
    state: str
    rating_satisfied: bool | None


def holds(actor: Account, item: Item) -> bool:
    """Acting on an item (accept, answer…) belongs to staff of the agency holding it."""
    return actor.role in HANDLING_ROLES and item.agency_id is not None and item.agency_id == actor.agency_id


# Actions on an item taken by staff, and who may take them.
_COORDINATOR_ACTIONS = frozenset({Action.ASSIGN, Action.CLOSE, Action.REOPEN})
_HOLDER_ACTIONS = frozenset({Action.ACCEPT, Action.TRANSFER, Action.REQUEST_INFO, Action.ANSWER})
_REFUSALS = {
    "coordinator": N_("Chỉ Cơ quan thường trực được thực hiện thao tác này."),
    "holder": N_("Bạn không có quyền xử lý hồ sơ này."),
}


def _who(action: Action, item: Item) -> str | None:
    if action in _COORDINATOR_ACTIONS:
        return "coordinator"
    if action == Action.REJECT:  # an untriaged item is the coordinator's to refuse
        return "coordinator" if item.state == State.TRIAGE else "holder"
    if action in _HOLDER_ACTIONS:
        return "holder"
    return None  # routing is the system's; replying and rating are the sender's


def may(actor: Account, action: Action, item: Item) -> bool:
    """Whether the actor's role and agency allow the action on this item (whatever its state)."""
    who = _who(action, item)
    if who == "coordinator":
        return is_coordinator(actor)
    if who == "holder":
        return holds(actor, item)
    return False


def require(actor: Account, action: Action, item: Item) -> None:
    if not may(actor, action, item):
        raise NotPermitted(_REFUSALS.get(_who(action, item) or "holder"))


def can(actor: Account, action: Action, item: Item) -> bool:
    """May the actor do it now: role and agency, the lifecycle, and the reopen rule (only unsatisfied answers)."""
    if not (may(actor, action, item) and allowed(action, item.state)):
        return False
    return action != Action.REOPEN or item.rating_satisfied is False


def may_note(actor: Account, item: Item) -> bool:
    return holds(actor, item) or is_coordinator(actor)


def require_note(actor: Account, item: Item) -> None:
    if not may_note(actor, item):
        raise NotPermitted(N_("Bạn không có quyền ghi chú hồ sơ này."))


def shown(actor: Account, item: Item) -> dict[str, bool]:
    """The buttons of the officer's item page."""
    return {
        "accept": can(actor, Action.ACCEPT, item),
        "answer": can(actor, Action.ANSWER, item),
        "transfer": can(actor, Action.TRANSFER, item),
        "request_info": can(actor, Action.REQUEST_INFO, item),
        "reject": can(actor, Action.REJECT, item),
        "assign": can(actor, Action.ASSIGN, item),
        "reopen": can(actor, Action.REOPEN, item),
        "note": may_note(actor, item),
        "audit": is_coordinator(actor),
    }


def can_view(actor: Account, item: Item, former_agency_ids: frozenset[int] = frozenset()) -> bool:
    """The coordinator sees everything; an agency sees the items it handles, and keeps read access to items it
    handled before a transfer (`former_agency_ids`)."""
    if is_coordinator(actor):
        return True
    if actor.role in (Role.AGENCY_ADMIN, Role.OFFICER):
        if item.agency_id is not None and item.agency_id == actor.agency_id:
            return True
        return actor.agency_id in former_agency_ids
    return False  # system admins manage accounts, not item contents


class HistoryEvent(Protocol):
    id: int | None
    agency_id: int | None
    created_at: datetime


def left_actor_at(actor: Account, item: Item, history: Sequence[HistoryEvent]) -> HistoryEvent | None:
    """For a former holder (an agency that transferred the item away, or from which it was reassigned): the event
    at which the item last left that agency. Everything after it (later events, the new agency's answer and
    files, the current state, deadlines, rating) is not theirs to see. None for the coordinator and the holder."""
    if is_coordinator(actor) or actor.agency_id is None or item.agency_id == actor.agency_id:
        return None
    holder, left = None, None
    for event in history:  # in chain order; an item event's agency_id is the holder after it
        if event.agency_id is None:
            continue
        if holder == actor.agency_id and event.agency_id != actor.agency_id:
            left = event
        holder = event.agency_id
    return left


def visible_history(actor: Account, item: Item, history: Sequence[HistoryEvent], event_data,
                    left: HistoryEvent | None = None) -> list:
    """The trail the item page shows this actor: `visible_event` of each, and nothing after a former holder's
    transfer (`left`, from `left_actor_at`)."""
    shown_events = []
    for event in history:
        if visible_event(actor, event.agency_id, event_data(event), event.type):  # type: ignore[attr-defined]
            shown_events.append(event)
        if left is not None and event is left:
            break
    return shown_events


def visible_until(left: HistoryEvent | None, at: datetime | None) -> bool:
    """Whether something that happened `at` (an answer, a file) is within the actor's view."""
    return left is None or (at is not None and at <= left.created_at)


def visible_event(actor: Account, event_agency_id: int | None, event_data: dict, event_type: str) -> bool:
    """Officers see the trail of their own time with the item (plus the submission itself); the coordinator
    sees all of it."""
    if is_coordinator(actor) or event_type == EventType.SUBMITTED:
        return True
    return actor.agency_id is not None and actor.agency_id in (
        event_agency_id, event_data.get("from_agency_id"), event_data.get("to_agency_id"))


def publicly_listed() -> ColumnElement[bool]:
    """The one decision of what the public may list (a SQL condition on `submissions`): Open311's anonymous
    `GET requests` and any later public list ask it. A tracking code is a secret the sender holds, so only items
    published with the sender's separate consent may be listed: the items whose `publications` row (app/publication,
    a layer above: named here by table, not imported) is published; withdrawn or taken-down ones are not."""
    publications = table("publications", column("submission_id"), column("status"))
    published = select(publications.c.submission_id).where(publications.c.status == "published")
    return Submission.id.in_(published)
