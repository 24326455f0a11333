"""Public support for published initiatives and solutions: one support per person per item, confirmed by a one-time
code sent to the person's e-mail or, when they give a phone number, by SMS (both through the outbox; the message is
decided in app/notifications/flows.support_code) and typed into a form; withdrawable the same way. Whether an item
is published (and so may be supported) is app/publication's to say: the doors only reach published items.

The person is stored only as a keyed hash of their contact (HMAC-SHA256 under the secret key), never the contact
itself: supports are counted, never listed. Counting is exact under concurrency because every change is decided by
the database on the row as it is now:

- support: INSERT … ON CONFLICT (item, person) DO NOTHING; if the row exists but was withdrawn, a conditional
  UPDATE … WHERE withdrawn_at IS NOT NULL brings it back;
- withdrawal: UPDATE … WHERE withdrawn_at IS NULL;
- whichever of these changed a row moves the item's `support_count` by one in the same transaction (an UPDATE …
  SET support_count = support_count ± 1 RETURNING, which serialises writers of one item on its row lock), and the
  first count to reach the threshold flags the item (UPDATE … WHERE flagged_at IS NULL) and records one event;
- a code is used once (UPDATE … WHERE used_at IS NULL).
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import utcnow
from app.errors import Invalid
from app.events.types import EventType
from app.i18n import N_
from app.initiatives import service
from app.initiatives.models import Assessment, CodePurpose, Support, SupportCode
from app.notifications import flows as notification_flows
from app.submissions import service as submissions_service
from app.submissions.contact import normalize_email, normalize_phone
from app.submissions.models import Submission
from app.throttle import Limit

# Abuse limits (app/throttle.py): codes asked per contact and per network address, wrong codes per address.
PER_CONTACT = Limit("support.contact", 5, timedelta(hours=1))
PER_ADDRESS = Limit("support.address", 30, timedelta(hours=1))
CODE_LENGTH = 6


def _key() -> bytes:
    return get_settings().effective_secret_key().encode()


def contact_hash(contact: str) -> str:
    """The person: a keyed hash of their normalised e-mail or phone (never the contact itself)."""
    return hmac.new(_key(), b"support\x00" + contact.strip().lower().encode(), hashlib.sha256).hexdigest()


def _code_hash(code_id: int, code: str) -> str:
    return hmac.new(_key(), f"support-code\x00{code_id}\x00{code}".encode(), hashlib.sha256).hexdigest()


def check_contact(raw: str) -> str:
    """The normalised e-mail (lower case) or phone number (0-prefixed) the code goes to."""
    raw = (raw or "").strip()
    contact = normalize_email(raw) if "@" in raw else normalize_phone(raw)
    if contact is None:
        raise Invalid({"contact": N_("Vui lòng nhập số điện thoại hoặc địa chỉ thư điện tử hợp lệ để nhận mã xác "
                                     "nhận.")})
    return contact


def request_code(*, session: Session, item: service.PublicItem, contact: str, purpose: CodePurpose,
                 now: datetime | None = None) -> SupportCode:
    """Stores a new code (hashed) and queues the message that carries it (an e-mail, or an SMS to a phone); the
    caller's unit of work commits both. `contact` comes from `check_contact`."""
    now = now or utcnow()
    settings = get_settings()
    row = SupportCode(submission_id=item.submission.id, contact_hash=contact_hash(contact), purpose=purpose,
                      code_hash="", expires_at=now + timedelta(minutes=settings.support_code_minutes), created_at=now)
    session.add(row)
    session.flush()
    code = f"{secrets.randbelow(10 ** CODE_LENGTH):0{CODE_LENGTH}d}"
    row.code_hash = _code_hash(row.id, code)
    notification_flows.support_code(session=session, to=contact, code=code, title=item.publication.title or "",
                                    item_id=item.submission.id, withdraw=purpose == CodePurpose.WITHDRAW,
                                    minutes=settings.support_code_minutes)
    session.flush()
    return row


@dataclass(frozen=True)
class Outcome:
    status: str  # supported | already | withdrawn | not_supported | wrong | expired | used
    count: int

    @property
    def ok(self) -> bool:
        return self.status in ("supported", "already", "withdrawn", "not_supported")


MESSAGES = {
    "supported": N_("Cảm ơn bạn đã ủng hộ."),
    "already": N_("Bạn đã ủng hộ nội dung này trước đây; mỗi người chỉ được tính một lần."),
    "withdrawn": N_("Đã rút ủng hộ của bạn."),
    "not_supported": N_("Thư điện tử hoặc số điện thoại này chưa ủng hộ nội dung này nên không có gì để rút."),
    "wrong": N_("Mã xác nhận không đúng. Vui lòng kiểm tra thư hoặc tin nhắn và nhập lại."),
    "expired": N_("Mã xác nhận đã hết hạn hoặc đã nhập sai quá nhiều lần. Vui lòng yêu cầu mã mới."),
    "used": N_("Mã xác nhận này đã được dùng. Vui lòng yêu cầu mã mới nếu cần."),
}


def _count(session: Session, submission_id: int) -> int:
    return session.exec(select(Assessment.support_count).where(Assessment.submission_id == submission_id)).one()


def _move_count(session: Session, submission_id: int, delta: int) -> int:
    table = Assessment.__table__
    return session.execute(update(table).where(table.c.submission_id == submission_id)
                           .values(support_count=table.c.support_count + delta)
                           .returning(table.c.support_count)).scalar_one()


def _maybe_flag(session: Session, submission_id: int, count: int, now: datetime) -> None:
    assessment = session.get(Assessment, submission_id)
    threshold = service.support_threshold(session=session, assessment=assessment,
                                          default=get_settings().support_threshold)
    if count < threshold:
        return
    flagged = session.execute(update(Assessment).where(col(Assessment.submission_id) == submission_id,
                                                       col(Assessment.flagged_at).is_(None))
                              .values(flagged_at=now).execution_options(synchronize_session=False)).rowcount
    if flagged == 1:
        submission = session.get(Submission, submission_id)
        submissions_service.record_event(session, submission, EventType.SUPPORT_THRESHOLD_REACHED, now=now,
                                         from_state=submission.state,
                                         internal_note=f"{count} người ủng hộ (ngưỡng {threshold}).",
                                         data={"count": count, "threshold": threshold})


def confirm(*, session: Session, submission_id: int, code_id: int | None, code: str,
            now: datetime | None = None) -> Outcome:
    """Checks the typed code and applies what it confirms. A wrong code is counted (the caller commits it too), and
    after `support_code_attempts` wrong tries the code is dead."""
    now = now or utcnow()
    settings = get_settings()
    row = session.exec(select(SupportCode).where(SupportCode.id == code_id, SupportCode.submission_id == submission_id)
                       .execution_options(populate_existing=True)).first() if code_id else None
    typed = "".join(ch for ch in (code or "") if ch.isdigit())
    if row is None:
        return Outcome("expired", 0)
    if row.used_at is not None:
        return Outcome("used", 0)
    if row.expires_at <= now or row.attempts >= settings.support_code_attempts:
        return Outcome("expired", 0)
    if not hmac.compare_digest(row.code_hash, _code_hash(row.id, typed)):
        session.execute(update(SupportCode).where(col(SupportCode.id) == row.id)
                        .values(attempts=SupportCode.attempts + 1).execution_options(synchronize_session=False))
        return Outcome("wrong", 0)
    used = session.execute(update(SupportCode).where(col(SupportCode.id) == row.id, col(SupportCode.used_at).is_(None))
                           .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if used != 1:
        return Outcome("used", 0)
    if row.purpose == CodePurpose.SUPPORT:
        return _support(session, submission_id, row.contact_hash, now)
    return _withdraw(session, submission_id, row.contact_hash, now)


def _support(session: Session, submission_id: int, person: str, now: datetime) -> Outcome:
    table = Support.__table__
    new_id = session.execute(service.insert_for(session)(table).values(
        submission_id=submission_id, contact_hash=person, confirmed_at=now)
        .on_conflict_do_nothing(index_elements=["submission_id", "contact_hash"]).returning(table.c.id)).scalar()
    if new_id is None:
        back = session.execute(update(table).where(table.c.submission_id == submission_id,
                                                   table.c.contact_hash == person,
                                                   table.c.withdrawn_at.is_not(None))
                               .values(withdrawn_at=None, confirmed_at=now)).rowcount
        if back != 1:
            return Outcome("already", _count(session, submission_id))
    count = _move_count(session, submission_id, +1)
    _maybe_flag(session, submission_id, count, now)
    return Outcome("supported", count)


def _withdraw(session: Session, submission_id: int, person: str, now: datetime) -> Outcome:
    table = Support.__table__
    gone = session.execute(update(table).where(table.c.submission_id == submission_id,
                                               table.c.contact_hash == person, table.c.withdrawn_at.is_(None))
                           .values(withdrawn_at=now)).rowcount
    if gone != 1:
        return Outcome("not_supported", _count(session, submission_id))
    return Outcome("withdrawn", _move_count(session, submission_id, -1))


def counted(*, session: Session, submission_id: int) -> int:
    """The distinct people whose support stands (from the supports rows; equals `support_count`)."""
    return len(session.exec(select(Support.id).where(Support.submission_id == submission_id,
                                                     col(Support.withdrawn_at).is_(None))).all())
