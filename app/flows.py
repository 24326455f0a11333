"""Side effects of a submission event, run inside the same transaction as the event itself
(so a crash can never keep the event and lose its message, or the reverse)."""

from sqlmodel import Session

from app.submissions.models import Submission, SubmissionEvent


def on_submission_event(*, session: Session, submission: Submission, event: SubmissionEvent) -> None:
    from app.integrations import flows as integration_flows
    from app.notifications import flows as notification_flows
    from app.sla import flows as sla_flows

    notification_flows.on_submission_event(session=session, submission=submission, event=event)
    sla_flows.on_submission_event(session=session, submission=submission, event=event)
    # Last: webhook payloads then carry what the other flows changed (e.g. the new due date).
    integration_flows.on_submission_event(session=session, submission=submission, event=event)
