"""Incoming SMS (forwarded by Kannel's sms-service to /sms/kannel/incoming) and delivery reports.

The first word of the text (case and diacritics ignored) picks a command from COMMANDS; a text that is no command
goes to the fallback (`set_fallback`: SMS intake, app/notifications/sms_intake.py), else it gets the help text.
Replies are queued in the outbox like every other SMS (delivery log, retries, rate limits), never returned to
Kannel directly.

- `TRACUU <mã>`: the state of the item, only to the phone that sent it; an unknown code and somebody else's get
  the same answer. At most 10 lookups per phone and hour (app/throttle); beyond that, no answer.
- the stop keyword (PAKN_SMS_STOP_KEYWORD, default `TC`, also `TU CHOI` and `STOP`): no more SMS to this phone;
  `DK` turns them on again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from app import throttle
from app.config import get_settings
from app.db import utcnow
from app.notifications import flows
from app.notifications import service as notifications_service
from app.notifications.models import DeliveryReport, OutboxMessage
from app.submissions import service as submissions_service
from app.submissions.contact import normalize_phone
from app.text import fold

LOOKUPS = throttle.Limit("sms.tracuu", 10, timedelta(hours=1))
MESSAGES_IN = throttle.Limit("sms.incoming", 30, timedelta(hours=1))


@dataclass(frozen=True)
class IncomingSms:
    phone: str  # normalized (0xxxxxxxxx)
    to: str
    text: str
    received_at: datetime


Handler = Callable[[Session, IncomingSms, str], None]  # (session, message, the text after the keyword)
COMMANDS: dict[str, Handler] = {}
_FALLBACK: list[Handler] = []


def register_command(keyword: str, handler: Handler) -> None:
    COMMANDS[fold(keyword).upper()] = handler


def set_fallback(handler: Handler) -> None:
    """What a text that is no command does (issue 13: create an item from it)."""
    _FALLBACK[:] = [handler]


def _lookup(session: Session, sms: IncomingSms, rest: str) -> None:
    decision = throttle.hit(session, LOOKUPS, sms.phone, now=sms.received_at)
    if not decision.allowed:
        return
    code = rest.split()[0] if rest.split() else ""
    submission = submissions_service.get_by_code(session=session, code=code) if code else None
    if submission is not None and submission.sender_phone != sms.phone:
        submission = None  # somebody else's: the same words as for a code that does not exist
    flows.queue_reply(session, sms.phone, flows.status_reply(submission), submission=submission)


def _stop(session: Session, sms: IncomingSms, rest: str) -> None:
    if notifications_service.stop_sms(session=session, phone=sms.phone):
        flows.queue_reply(session, sms.phone, flows.stopped_reply(), force=True)


def _resume(session: Session, sms: IncomingSms, rest: str) -> None:
    if notifications_service.resume_sms(session=session, phone=sms.phone):
        flows.queue_reply(session, sms.phone, flows.resumed_reply(), force=True)


def _help(session: Session, sms: IncomingSms, rest: str) -> None:
    flows.queue_reply(session, sms.phone, flows.help_reply())


def register_defaults() -> None:
    register_command("TRACUU", _lookup)
    register_command("TRA CUU", _lookup)
    for keyword in {get_settings().sms_stop_keyword, "TUCHOI", "STOP"}:
        register_command(keyword, _stop)
    register_command("DK", _resume)  # "đăng ký": SMS again after the stop keyword
    register_command("HELP", _help)
    register_command("HD", _help)


def _command(text: str) -> tuple[Handler | None, str]:
    folded = fold(text).upper()
    words = folded.split()
    for n in (2, 1):  # "TRA CUU DB-…" and "TRACUU DB-…" alike
        if len(words) >= n and " ".join(words[:n]) in COMMANDS:
            return COMMANDS[" ".join(words[:n])], " ".join(text.split()[n:])
        if len(words) >= n and "".join(words[:n]) in COMMANDS:
            return COMMANDS["".join(words[:n])], " ".join(text.split()[n:])
    return None, text


def handle(session: Session, *, sender: str, to: str = "", text: str = "", now: datetime | None = None) -> bool:
    """Runs the command of one incoming SMS (the caller commits). False: not a phone number we can answer."""
    phone = normalize_phone(sender)
    if phone is None:
        return False
    sms = IncomingSms(phone=phone, to=to, text=text.strip(), received_at=now or utcnow())
    if not throttle.hit(session, MESSAGES_IN, phone, now=sms.received_at).allowed:
        return True  # a flood from one phone gets no answers (and costs nothing)
    handler, rest = _command(sms.text)
    if handler is None:
        handler = _FALLBACK[0] if _FALLBACK else _help
    handler(session, sms, rest)
    return True


def record_report(session: Session, *, message_id: int, status: int, detail: str | None,
                  now: datetime | None = None) -> bool:
    """A delivery report for one sent SMS; False if there is no such message."""
    if session.get(OutboxMessage, message_id) is None:
        return False
    session.add(DeliveryReport(message_id=message_id, status=status, detail=(detail or None) and detail[:300],
                               received_at=now or utcnow()))
    session.flush()
    return True
