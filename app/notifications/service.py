"""Queueing messages in the outbox. Nothing here sends: the worker does, after the commit."""

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, delete, func, select

from app.accounts.models import Account, Role
from app.agencies import service as agencies_service
from app.agencies.models import Agency
from app.cache import Cached, bump
from app.config import get_settings
from app.db import utcnow
from app.errors import Invalid
from app.notifications import contacts
from app.notifications.models import (
    DeliveryReport,
    Mode,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    SmsOptOut,
    Topic,
)
from app.submissions.contact import mask_email, mask_phone


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


def enqueue_sms(*, session: Session, to: str, body: str, submission_id: int | None = None,
                payload: dict | None = None, via_zalo: bool = False) -> OutboxMessage:
    """An SMS (or a Zalo message carrying the same text as its SMS fallback, `via_zalo`)."""
    s = get_settings()
    return enqueue(session=session, channel="zalo" if via_zalo else "sms", recipient=to, body=body,
                   payload=payload, submission_id=submission_id, max_attempts=3 if via_zalo else s.sms_max_attempts)


@dataclass(frozen=True)
class Recipient:
    """One address of an agency inbox or an account. `owner` ("agency:<id>" / "account:<id>") keys preferences."""

    owner: str
    channel: str  # email | sms
    address: str


@dataclass(frozen=True)
class Recipients:
    agencies: dict  # agency id → (Recipient, …): its shared inbox, then its active staff
    accounts: dict  # account id → (Recipient, …)
    coordinator: tuple  # the coordinator agency's inbox and every active coordinator account
    preferences: dict  # (owner, topic) → Mode, where someone chose other than the default
    opted_out: frozenset  # phones that replied the stop keyword


def _inbox(agency) -> list[Recipient]:
    owner = f"agency:{agency.id}"
    return ([Recipient(owner, "email", a.lower()) for a in contacts.working("email", agency.email)]
            + [Recipient(owner, "sms", p) for p in contacts.working("sms", agency.phone)])


def _personal(account_id: int, email: str | None, phone: str | None) -> list[Recipient]:
    """An account is told by e-mail, or by SMS when it has only a phone (reserved demo addresses never)."""
    owner = f"account:{account_id}"
    emails = contacts.working("email", email)
    if emails:
        return [Recipient(owner, "email", emails[0].lower())]
    phones = contacts.working("sms", phone)
    return [Recipient(owner, "sms", phones[0])] if phones else []


def _load_recipients(session: Session) -> Recipients:
    agencies: dict[int, list[Recipient]] = {}
    coordinator_id = None
    for agency in session.exec(select(Agency).where(or_(col(Agency.email).is_not(None),
                                                        col(Agency.phone).is_not(None),
                                                        Agency.is_coordinator == True))):  # noqa: E712
        agencies[agency.id] = _inbox(agency)
        if agency.is_coordinator:
            coordinator_id = agency.id
    accounts: dict[int, tuple[Recipient, ...]] = {}
    coordinators: list[Recipient] = []
    for account_id, agency_id, role, email, phone in session.exec(
            select(Account.id, Account.agency_id, Account.role, Account.email, Account.phone)
            .where(Account.is_active == True).order_by(col(Account.id))):  # noqa: E712
        mine = _personal(account_id, email, phone)
        accounts[account_id] = tuple(mine)
        if agency_id is not None:
            agencies.setdefault(agency_id, []).extend(mine)
        if role == Role.COORDINATOR:
            coordinators.extend(mine)
    preferences = {(p.owner, p.topic): p.mode for p in session.exec(select(NotificationPreference))}
    opted_out = frozenset(session.exec(select(SmsOptOut.phone)).all())
    coordinator = [*agencies.get(coordinator_id, []), *coordinators] if coordinator_id else coordinators
    return Recipients(agencies={k: tuple(_unique(v)) for k, v in agencies.items()}, accounts=accounts,
                      coordinator=tuple(_unique(coordinator)), preferences=preferences, opted_out=opted_out)


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen: dict[tuple[str, str], Recipient] = {}
    for r in recipients:
        seen.setdefault((r.channel, r.address.lower()), r)
    return list(seen.values())


_RECIPIENTS = Cached(_load_recipients)


def default_mode(owner: str) -> Mode:
    """The agency inbox hears at once; a person gets one digest a day unless they choose otherwise."""
    return Mode.IMMEDIATE if owner.startswith("agency:") else Mode.DIGEST


def mode_for(*, session: Session, owner: str, topic: Topic) -> Mode:
    return _RECIPIENTS.get(session).preferences.get((owner, topic), default_mode(owner))


def recipients_for(*, session: Session, topic: Topic, agency_id: int | None = None,
                   account_ids: tuple[int, ...] = (), coordinator: bool = False) -> list[tuple[Recipient, Mode]]:
    """Who hears about `topic`, and how: the agency's inbox and staff, the given accounts, the coordinator. Someone
    reached twice (an officer who is also a coordinator) gets the more immediate of their choices, once."""
    found = _RECIPIENTS.get(session)
    candidates: list[Recipient] = []
    if agency_id is not None:
        candidates += found.agencies.get(agency_id, ())
    for account_id in account_ids:
        candidates += found.accounts.get(account_id, ())
    if coordinator:
        candidates += found.coordinator
    chosen: dict[tuple[str, str], tuple[Recipient, Mode]] = {}
    rank = {Mode.IMMEDIATE: 0, Mode.DIGEST: 1, Mode.OFF: 2}
    for r in candidates:
        mode = found.preferences.get((r.owner, topic), default_mode(r.owner))
        if r.channel == "sms" and r.address in found.opted_out:
            continue
        key = (r.channel, r.address.lower())
        if key not in chosen or rank[mode] < rank[chosen[key][1]]:
            chosen[key] = (r, mode)
    return [pair for pair in chosen.values() if pair[1] != Mode.OFF]


def sms_opted_out(*, session: Session, phone: str) -> bool:
    return phone in _RECIPIENTS.get(session).opted_out


def agency_recipients(*, session: Session, agency_id: int) -> list[str]:
    """The e-mail addresses of the agency's inbox and active staff (per-process copy: changes bump the stamp)."""
    return [r.address for r in _RECIPIENTS.get(session).agencies.get(agency_id, ()) if r.channel == "email"]


def agency_name(*, session: Session, agency_id: int | None) -> str:
    """The agency's name ("" when none), from the reference data."""
    agency = agencies_service.reference(session=session).agency_by_id.get(agency_id) if agency_id else None
    return agency.name if agency else ""


def coordinator_recipients(*, session: Session) -> list[str]:
    """The coordinator agency's e-mail addresses and every active coordinator account's (per-process copy)."""
    return [r.address for r in _RECIPIENTS.get(session).coordinator if r.channel == "email"]


# --- preferences -------------------------------------------------------------------------------------------

def preferences_of(*, session: Session, owner: str) -> dict[Topic, Mode]:
    chosen = _RECIPIENTS.get(session).preferences
    return {topic: chosen.get((owner, topic), default_mode(owner)) for topic in Topic}


def _insert(session: Session):
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def set_preferences(*, session: Session, owner: str, choices: dict[str, str]) -> None:
    """Stores every topic's choice (unknown topics or modes are refused); the caller checked who may. One upsert
    per topic, so two saves at the same moment both succeed (the later wins)."""
    parsed = {}
    for topic, mode in choices.items():
        try:
            parsed[Topic(topic)] = Mode(mode)
        except ValueError:
            raise Invalid({topic: "Lựa chọn không hợp lệ."}) from None
    now = utcnow()
    for topic, mode in parsed.items():
        session.exec(_insert(session)(NotificationPreference).values(owner=owner, topic=topic, mode=mode,
                                                                     updated_at=now)
                     .on_conflict_do_update(index_elements=["owner", "topic"], set_={"mode": mode, "updated_at": now}))
    bump(session)
    session.flush()


# --- SMS stop keyword --------------------------------------------------------------------------------------

def stop_sms(*, session: Session, phone: str) -> bool:
    """The phone gets no more SMS; False if it had already stopped (INSERT … ON CONFLICT DO NOTHING: two stops at
    once record one)."""
    added = session.exec(_insert(session)(SmsOptOut).values(phone=phone, created_at=utcnow())
                         .on_conflict_do_nothing(index_elements=["phone"]).returning(SmsOptOut.phone)).first()
    if added is not None:
        bump(session)
    session.flush()
    return added is not None


def resume_sms(*, session: Session, phone: str) -> bool:
    """SMS to the phone again; False if it had not stopped (one DELETE: two at once remove one row)."""
    removed = session.exec(delete(SmsOptOut).where(SmsOptOut.phone == phone).returning(SmsOptOut.phone)).first()
    if removed is not None:
        bump(session)
    session.flush()
    return removed is not None


@dataclass(frozen=True)
class FailedDelivery:
    """What /admin shows of a message that gave up: never its subject, text or tracking code."""

    id: int
    channel: str
    recipient: str  # masked
    attempts: int
    error: str  # with addresses and tracking codes blanked
    created_at: object
    last_attempt_at: object | None


_CODE = re.compile(r"DB-?\d{4}-?[0-9A-Z]{6}", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s<>\"'(),;:]+@[^@\s<>\"'(),;:]+")
_DIGITS = re.compile(r"\+?\d[\d .\-]{7,}\d")


def mask_recipient(channel: str, recipient: str) -> str:
    if channel == "email":
        return mask_email(recipient) or ""
    if channel in ("sms", "zalo"):
        return mask_phone(recipient) or ""
    parts = urlsplit(recipient)  # a webhook: where it goes, not which path or query
    return f"{parts.scheme}://{parts.hostname}" if parts.hostname else "***"


def scrub(error: str | None, recipient: str = "") -> str:
    """An error as a gateway wrote it may repeat the address, the subject or the code: those are blanked."""
    text = (error or "").replace(recipient, "***") if recipient else (error or "")
    return _DIGITS.sub("***", _EMAIL.sub("***", _CODE.sub("***", text)))[:300]


def failed_messages(*, session: Session, limit: int = 100) -> list[FailedDelivery]:
    rows = session.exec(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.DEAD)
        .order_by(col(OutboxMessage.id).desc()).limit(limit)
    ).all()
    return [FailedDelivery(id=m.id, channel=m.channel, recipient=mask_recipient(m.channel, m.recipient),
                           attempts=m.attempts, error=scrub(m.last_error, m.recipient), created_at=m.created_at,
                           last_attempt_at=m.next_attempt_at)
            for m in rows]


@dataclass(frozen=True)
class ChannelState:
    channel: str
    label: str
    configured: bool
    counts: dict


CHANNEL_LABELS = {"email": "Thư điện tử", "sms": "SMS (Kannel)", "zalo": "Zalo (ZNS)", "webhook": "Webhook"}


def channel_states(*, session: Session, configured: dict[str, bool]) -> list[ChannelState]:
    """Per channel: set up or "chưa cấu hình", and how many messages wait, went, gave up."""
    counts: dict[str, dict[str, int]] = {}
    for channel, status, n in session.exec(select(OutboxMessage.channel, OutboxMessage.status, func.count())
                                           .group_by(OutboxMessage.channel, OutboxMessage.status)):
        counts.setdefault(channel, {})[str(status)] = n
    return [ChannelState(c, label, configured.get(c, True), counts.get(c, {})) for c, label in CHANNEL_LABELS.items()]


def delivery_report_counts(*, session: Session) -> dict[int, int]:
    return dict(session.exec(select(DeliveryReport.status, func.count()).group_by(DeliveryReport.status)).all())


def retry_message(*, session: Session, message: OutboxMessage) -> None:
    """The system admin sends a dead message again (e.g. after fixing the SMTP settings)."""
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.locked_until = None
    message.claim_token = None
    session.add(message)
    session.flush()
