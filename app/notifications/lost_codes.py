"""“Quên mã tra cứu?”: a person gives the phone or e-mail they sent items with and receives those items' tracking
codes by that same channel. The page answers the same whether or not anything exists (the codes go to the contact,
never to the page), and requests are limited per contact and per address (app/throttle)."""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from app import throttle
from app.errors import Invalid
from app.i18n import N_
from app.notifications import flows
from app.submissions.contact import normalize_email, normalize_phone
from app.submissions.models import Submission

PER_CONTACT = throttle.Limit("lostcode.contact", 3, timedelta(days=1))
PER_ADDRESS = throttle.Limit("lostcode.ip", 10, timedelta(hours=1))
MAX_CODES = 10


@dataclass(frozen=True)
class Contact:
    channel: str  # sms | email
    address: str


def parse_contact(raw: str) -> Contact:
    """A phone or an e-mail; Invalid (about the format only) otherwise."""
    phone = normalize_phone(raw or "")
    if phone:
        return Contact("sms", phone)
    email = normalize_email(raw or "")
    if email:
        return Contact("email", email)
    raise Invalid({"contact": N_("Vui lòng nhập số điện thoại hoặc thư điện tử đã dùng khi gửi.")})


def allowed(session: Session, contact: Contact, ip: str) -> tuple[bool, bool]:
    """Counts the request (the caller commits it on its own): (address within its limit, contact within its)."""
    by_address = throttle.hit(session, PER_ADDRESS, ip)
    by_contact = throttle.hit(session, PER_CONTACT, f"{contact.channel}:{contact.address}")
    return by_address.allowed, by_contact.allowed


def send_codes(session: Session, contact: Contact) -> None:
    """Queues the codes (newest first, at most MAX_CODES) to the contact; nothing when there are none."""
    column = Submission.sender_phone if contact.channel == "sms" else Submission.sender_email
    codes = list(session.exec(select(Submission.tracking_code).where(column == contact.address)
                              .order_by(col(Submission.created_at).desc()).limit(MAX_CODES)).all())
    flows.queue_lost_codes(session, contact.channel, contact.address, codes)
