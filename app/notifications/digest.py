"""The daily digest: at 07:30 (Asia/Ho_Chi_Minh) on each working day of the province's calendar, everyone who chose
"digest" for a topic gets one message listing every line queued for them since their previous digest.

A periodic job (registered in app/main.py with the working calendar of app/sla, which this layer may not import)
calls `send_due` every few minutes; jobs are claimed, so one process runs it at a time. The latest digest time
that has passed is computed from the clock, so a late run (the server was down at 07:30) still sends, and lines
queued on a Saturday or a holiday wait for the next working day's 07:30. Lines are claimed by setting their
`message_id` in the transaction that queues the digest message, so each line is sent once.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.notifications import flows
from app.notifications.models import DigestEntry
from app.timefmt import LOCAL_TZ

DIGEST_AT = time(7, 30)
LOOK_BACK_DAYS = 40  # longer than any run of days off (Tết)


def latest_slot(now: datetime, is_working_day: Callable[[date], bool]) -> datetime | None:
    """The most recent 07:30 of a working day at or before `now` (UTC), or None."""
    local = now.astimezone(LOCAL_TZ)
    day = local.date()
    for _ in range(LOOK_BACK_DAYS):
        slot = datetime.combine(day, DIGEST_AT, tzinfo=LOCAL_TZ)
        if slot <= local and is_working_day(day):
            return slot.astimezone(now.tzinfo)
        day -= timedelta(days=1)
    return None


def send_due(session: Session, now: datetime, is_working_day: Callable[[date], bool]) -> int:
    """Queues one digest per recipient for every line created before the latest slot; returns how many."""
    slot = latest_slot(now, is_working_day)
    if slot is None:
        return 0
    rows = session.exec(select(DigestEntry).where(col(DigestEntry.message_id).is_(None),
                                                  col(DigestEntry.created_at) < slot)
                        .order_by(col(DigestEntry.recipient), col(DigestEntry.id))).all()
    by_recipient: dict[tuple[str, str], list[DigestEntry]] = {}
    for row in rows:
        by_recipient.setdefault((row.channel, row.recipient), []).append(row)
    sent = 0
    for (channel, recipient), entries in by_recipient.items():
        message = flows.queue_digest(session, channel, recipient, slot, [e.line for e in entries])
        session.flush()
        ids = [e.id for e in entries]
        claimed = session.exec(update(DigestEntry).where(col(DigestEntry.id).in_(ids),
                                                         col(DigestEntry.message_id).is_(None))
                               .values(message_id=message.id).execution_options(synchronize_session=False))
        if claimed.rowcount != len(ids):  # another process took some of these lines meanwhile: let it send them
            session.rollback()
            return sent
        sent += 1
    session.flush()
    return sent
