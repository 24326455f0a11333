"""Per-address limits on the anonymous doors of the citizen pages (the submit form, the /track form), counted in
app/throttle.py and configured in app/config.py (`PAKN_FORM_SUBMITS_PER_HOUR`, `PAKN_TRACK_POSTS_PER_HOUR`).

Every POST counts, in a unit of work of its own, before the form is read for anything else; over the limit the
page comes back with the sender's typed values and a Vietnamese message (429, `Retry-After`).

Assisted intake (issue 13): a commune assistant submits for many villagers from one address. `submit_limit_for`
is the hook: an account whose role is in `ASSISTED_ROLES` gets `PAKN_ASSISTED_SUBMITS_PER_HOUR`, counted per
account rather than per address.
"""

from datetime import timedelta

from sqlmodel import Session

from app import throttle
from app.accounts.models import Role
from app.config import get_settings
from app.db import unit_of_work
from app.i18n import N_, Msg

HOUR = timedelta(hours=1)
ASSISTED_ROLES: frozenset[str] = frozenset({Role.COMMUNE_ASSISTANT.value})


def submit_limit_for(role: str | None) -> throttle.Limit:
    s = get_settings()
    if role in ASSISTED_ROLES:
        return throttle.Limit("form.submit.assisted", s.assisted_submits_per_hour, HOUR)
    return throttle.Limit("form.submit", s.form_submits_per_hour, HOUR)


def _limit(door: str, role: str | None) -> throttle.Limit:
    if door == "submit":
        return submit_limit_for(role)
    return throttle.Limit("form.track", get_settings().track_posts_per_hour, HOUR)


def door_refusal(session: Session, door: str, key: str, *, role: str | None = None
                 ) -> tuple[Msg, dict[str, str]] | None:
    """Counts one POST to `door` ("submit" or "track") for `key` (the address; an assistant's account id) and
    returns the message and headers of a refusal, or None within the limit."""
    with unit_of_work(session):
        decision = throttle.hit(session, _limit(door, role), key)
    if decision.allowed:
        return None
    minutes = max(1, (decision.retry_after + 59) // 60)
    message = N_("Bạn đã gửi quá nhiều lần trong thời gian ngắn. Nội dung bạn nhập vẫn còn trên trang; "
                 "vui lòng chờ %(minutes)s phút rồi gửi lại.", minutes=minutes)
    return message, {"Retry-After": str(decision.retry_after)}
