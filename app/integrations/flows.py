"""What an item's event means for API clients: record which client created it, queue webhook deliveries.
Runs inside the event's transaction (called from app.flows)."""

from sqlmodel import Session

from app.integrations import service, webhooks
from app.submissions.models import Submission, SubmissionEvent


def on_submission_event(*, session: Session, submission: Submission, event: SubmissionEvent) -> None:
    service.on_submission_event(session, submission, event)
    webhooks.enqueue_for_event(session, submission, event)
