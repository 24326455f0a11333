"""What an item's event means for API clients: record which client created it, queue webhook deliveries.
Runs inside the event's transaction, last of the subscribers (app/events/bus.py)."""

from sqlmodel import Session

from app.events import bus
from app.events.models import Event
from app.integrations import service, webhooks
from app.submissions.models import Submission


def on_submission_event(*, session: Session, submission: Submission, event: Event) -> None:
    service.on_submission_event(session, submission, event)
    webhooks.enqueue_for_event(session, submission, event)


def register() -> None:
    bus.subscribe("integrations", lambda session, event, submission: on_submission_event(
        session=session, submission=submission, event=event), order=90)
