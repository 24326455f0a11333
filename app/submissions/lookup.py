"""The tracking code is a secret the sender holds (DESIGN.md): a look-up by code and contact gives one answer
whatever was wrong (an unknown code, or a known code with another contact), and failures are limited per code,
per contact and per address, so that neither guessing codes for a phone number nor guessing phone numbers for a
code gets anywhere. The doors (`POST /track`, the API's `X-Sender-Contact`) ask `refusal()` before they look and
`count_failure()` after a miss, in a unit of work of its own (a refused request still counts)."""

from datetime import timedelta

from sqlmodel import Session

from app import throttle
from app.config import get_settings
from app.i18n import N_, Msg
from app.submissions.contact import normalize_email, normalize_phone, normalize_tracking_code

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def _limits() -> dict[str, throttle.Limit]:
    s = get_settings()
    return {
        "code": throttle.Limit("track.code", s.track_failures_per_code, DAY),
        "contact": throttle.Limit("track.contact", s.track_failures_per_contact, DAY),
        "address": throttle.Limit("track.address", s.track_failures_per_address, HOUR),
    }


def _keys(address: str, code: str, contact: str) -> dict[str, str]:
    contact = contact.strip()
    return {
        "code": normalize_tracking_code(code) or code.strip().upper(),
        "contact": normalize_phone(contact) or normalize_email(contact) or contact.lower(),
        "address": address,
    }


def refusal(session: Session, *, address: str, code: str, contact: str) -> throttle.Decision | None:
    """The refusal (the longest wait) if the code, the contact or the address has used up its failures."""
    limits = _limits()
    worst = None
    for name, key in _keys(address, code, contact).items():
        if not key:
            continue
        decision = throttle.exceeded(session, limits[name], key)
        if not decision.allowed and (worst is None or decision.retry_after > worst.retry_after):
            worst = decision
    return worst


def count_failure(session: Session, *, address: str, code: str, contact: str) -> None:
    limits = _limits()
    for name, key in _keys(address, code, contact).items():
        if key:
            throttle.hit(session, limits[name], key)


def refusal_message(decision: throttle.Decision) -> Msg:
    minutes = max(1, (decision.retry_after + 59) // 60)
    return N_("Đã tra cứu sai quá nhiều lần. Để bảo vệ hồ sơ của người gửi, việc tra cứu tạm dừng; "
              "vui lòng thử lại sau %(minutes)s phút.", minutes=minutes)
