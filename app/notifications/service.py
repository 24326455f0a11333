"""Queueing messages in the outbox. Nothing here sends: the worker does, after the commit."""

import json

from sqlalchemy import event
from sqlmodel import Session, col, select

from app.accounts.models import Account, Role
from app.agencies.models import Agency
from app.config import get_settings
from app.db import utcnow
from app.notifications.models import OutboxMessage


def enqueue(
    *,
    session: Session,
    channel: str,
    recipient: str,
    subject: str = "",
    body: str = "",
    payload: dict | None = None,
    submission_id: int | None = None,
    reference: str | None = None,
    max_attempts: int | None = None,
) -> OutboxMessage:
    """Adds a message to the caller's transaction: it is sent only if that transaction commits."""
    message = OutboxMessage(
        channel=channel,
        recipient=recipient,
        subject=subject[:300],
        body=body,
        payload=json.dumps(payload, ensure_ascii=False) if payload is not None else None,
        submission_id=submission_id,
        reference=reference,
        max_attempts=max_attempts or get_settings().email_max_attempts,
        next_attempt_at=utcnow(),
    )
    session.add(message)
    return message


def enqueue_email(
    *, session: Session, to: str, subject: str, body: str, submission_id: int | None = None
) -> OutboxMessage:
    return enqueue(session=session, channel="email", recipient=to, subject=subject, body=body,
                   submission_id=submission_id)


# Recipients are looked up once per transaction (a sweep batch records hundreds of crossings for a few agencies):
# the cache lives in session.info, is dropped when the transaction ends, and when the session flushes a change
# to an account or an agency (the only rows the addresses come from).
_RECIPIENTS = "pakn.notifications.recipients"


def _recipients_cache(session: Session) -> dict:
    if session.new or session.dirty or session.deleted:
        session.flush()  # an unflushed change to an account or agency drops the cache (below) before it is read
    return session.info.setdefault(_RECIPIENTS, {})


@event.listens_for(Session, "before_flush")
def _forget_on_change(session, _context, _instances) -> None:
    if _RECIPIENTS in session.info and any(
        isinstance(obj, Account | Agency) for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        session.info.pop(_RECIPIENTS, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_end(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_RECIPIENTS, None)


def _agency(session: Session, agency_id: int) -> tuple[str, list[str]]:
    """(name, addresses) of an agency, read once per transaction."""
    cache = _recipients_cache(session)
    if agency_id not in cache:
        agency = session.get(Agency, agency_id)
        addresses = [agency.email] if agency and agency.email else []
        addresses += session.exec(
            select(Account.email).where(
                Account.agency_id == agency_id, Account.is_active == True,  # noqa: E712
                col(Account.email).is_not(None),
            )
        ).all()
        cache[agency_id] = (agency.name if agency else "", list(dict.fromkeys(a.lower() for a in addresses if a)))
    return cache[agency_id]


def agency_recipients(*, session: Session, agency_id: int) -> list[str]:
    """The agency's own address and its active staff's addresses, without duplicates."""
    return list(_agency(session, agency_id)[1])


def agency_name(*, session: Session, agency_id: int | None) -> str:
    """The agency's name ("" when none)."""
    return _agency(session, agency_id)[0] if agency_id is not None else ""


def coordinator_recipients(*, session: Session) -> list[str]:
    """The coordinator agency's addresses and every active coordinator account's."""
    cache = _recipients_cache(session)
    if "coordinator" not in cache:
        coordinator = session.exec(select(Agency).where(Agency.is_coordinator == True)).first()  # noqa: E712
        addresses = agency_recipients(session=session, agency_id=coordinator.id) if coordinator else []
        addresses += session.exec(
            select(Account.email).where(
                Account.role == Role.COORDINATOR, Account.is_active == True,  # noqa: E712
                col(Account.email).is_not(None),
            )
        ).all()
        cache["coordinator"] = list(dict.fromkeys(a.lower() for a in addresses if a))
    return list(cache["coordinator"])


def failed_messages(*, session: Session, limit: int = 100) -> list[OutboxMessage]:
    return list(session.exec(
        select(OutboxMessage).where(OutboxMessage.status == "dead").order_by(col(OutboxMessage.id).desc()).limit(limit)
    ).all())


def retry_message(*, session: Session, message: OutboxMessage) -> None:
    """The system admin sends a dead message again (e.g. after fixing the SMTP settings)."""
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.locked_until = None
    message.claim_token = None
    session.add(message)
    session.flush()
