"""Queueing messages in the outbox. Nothing here sends: the worker does, after the commit."""

import json

from sqlmodel import Session, col, select

from app.accounts.models import Account, Role
from app.agencies import service as agencies_service
from app.agencies.models import Agency
from app.cache import Cached
from app.config import get_settings
from app.db import utcnow
from app.notifications.models import OutboxMessage, OutboxStatus


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


def _load_recipients(session: Session) -> dict[int | str, tuple[str, ...]]:
    """Per agency: its own address, then its active staff's addresses, without duplicates."""
    addresses: dict[int | str, list[str]] = {}
    for agency_id, email in session.exec(select(Agency.id, Agency.email).where(col(Agency.email).is_not(None))):
        addresses.setdefault(agency_id, []).append(email)
    for agency_id, email in session.exec(select(Account.agency_id, Account.email).where(
            Account.is_active == True, col(Account.email).is_not(None), col(Account.agency_id).is_not(None))  # noqa: E712
            .order_by(col(Account.id))):
        addresses.setdefault(agency_id, []).append(email)
    coordinator = session.exec(select(Agency.id).where(Agency.is_coordinator == True)).first()  # noqa: E712
    addresses["coordinator"] = [*addresses.get(coordinator, []), *session.exec(select(Account.email).where(
        Account.role == Role.COORDINATOR, Account.is_active == True, col(Account.email).is_not(None)))]  # noqa: E712
    return {i: tuple(dict.fromkeys(a.lower() for a in found if a)) for i, found in addresses.items()}


_RECIPIENTS = Cached(_load_recipients)


def agency_recipients(*, session: Session, agency_id: int) -> list[str]:
    """The agency's own address and its active staff's addresses (per-process copy: account changes bump the
    cache stamp)."""
    return list(_RECIPIENTS.get(session).get(agency_id, ()))


def agency_name(*, session: Session, agency_id: int | None) -> str:
    """The agency's name ("" when none), from the reference data."""
    agency = agencies_service.reference(session=session).agency_by_id.get(agency_id) if agency_id else None
    return agency.name if agency else ""


def coordinator_recipients(*, session: Session) -> list[str]:
    """The coordinator agency's addresses and every active coordinator account's (per-process copy)."""
    return list(_RECIPIENTS.get(session).get("coordinator", ()))

def failed_messages(*, session: Session, limit: int = 100) -> list[OutboxMessage]:
    return list(session.exec(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.DEAD)
        .order_by(col(OutboxMessage.id).desc()).limit(limit)
    ).all())


def retry_message(*, session: Session, message: OutboxMessage) -> None:
    """The system admin sends a dead message again (e.g. after fixing the SMTP settings)."""
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.locked_until = None
    message.claim_token = None
    session.add(message)
    session.flush()
