"""What item events mean for an assessment (subscribed in app/wiring.py; runs in the event's transaction):

- published (app/publication): the item gets its assessment row, which counts its supports;
- reopened: the coordinator sent a decided item back to an agency, so its decision no longer stands: the decision
  fields are cleared (the `decided` event keeps the history) and the item is decided again.

(A rejected or reopened item leaves the public pages by app/publication's own listener.)
"""

from sqlalchemy import update
from sqlmodel import Session, col

from app.events import bus
from app.events.models import Event
from app.events.types import EventType
from app.initiatives import service
from app.initiatives.models import Assessment
from app.submissions.models import Submission

ASSESSED = frozenset({"initiative", "solution"})


def on_submission_event(*, session: Session, submission: Submission, event: Event) -> None:
    if submission.kind not in ASSESSED:
        return
    if event.type == EventType.PUBLISHED:  # supports are counted on the assessment: it exists once published
        service.ensure_assessment(session=session, submission=submission, now=event.created_at)
        return
    if event.type != EventType.REOPENED:
        return
    values = {"decision": None, "decision_reason": None, "pilot_unit": None, "pilot_start": None,
              "scores_published": False, "decided_at": None, "decided_by_account_id": None}
    session.execute(update(Assessment).where(col(Assessment.submission_id) == submission.id).values(**values)
                    .execution_options(synchronize_session="fetch"))


def register() -> None:
    bus.subscribe("initiatives", lambda session, event, submission: on_submission_event(
        session=session, submission=submission, event=event), order=30)
