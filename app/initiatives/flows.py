"""What item events mean for an assessment (subscribed in app/wiring.py; runs in the event's transaction):

- reopened: the coordinator sent a decided item back to an agency, so its decision no longer stands: the decision
  fields are cleared (the `decided` event keeps the history) and the item is decided again;
- rejected: an item refused as out of scope, duplicate or abusive is no longer public (its supports stay counted).
"""

from sqlalchemy import update
from sqlmodel import Session, col

from app.events import bus
from app.events.models import Event
from app.events.types import EventType
from app.initiatives.models import Assessment
from app.submissions.models import Submission

ASSESSED = frozenset({"initiative", "solution"})


def on_submission_event(*, session: Session, submission: Submission, event: Event) -> None:
    if submission.kind not in ASSESSED or event.type not in (EventType.REOPENED, EventType.REJECTED):
        return
    if event.type == EventType.REOPENED:
        values = {"decision": None, "decision_reason": None, "pilot_unit": None, "pilot_start": None,
                  "scores_published": False, "decided_at": None, "decided_by_account_id": None}
    else:
        values = {"published_at": None}
    session.execute(update(Assessment).where(col(Assessment.submission_id) == submission.id).values(**values)
                    .execution_options(synchronize_session="fetch"))


def register() -> None:
    bus.subscribe("initiatives", lambda session, event, submission: on_submission_event(
        session=session, submission=submission, event=event), order=30)
