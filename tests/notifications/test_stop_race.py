"""The stop keyword sent 20 times at once (Kannel forwards each as its own request): one opt-out, one confirmation.
Each attempt in its own connection and unit of work, on committed data; SQLite and PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import Session, delete, select

from app import cache
from app.db import unit_of_work
from app.notifications import incoming
from app.notifications.models import OutboxMessage, SmsOptOut
from app.throttle import ThrottleCounter

ATTEMPTS = 20
PHONE = "0977000123"


def test_twenty_stops_at_once_record_one(engine, initial_credentials):
    barrier = threading.Barrier(ATTEMPTS)

    def stop(_i: int) -> None:
        with Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            with unit_of_work(s):
                incoming.handle(s, sender=PHONE, text="TC")

    try:
        with ThreadPoolExecutor(ATTEMPTS) as pool:
            list(pool.map(stop, range(ATTEMPTS)))
        with Session(engine) as s:
            assert len(s.exec(select(SmsOptOut).where(SmsOptOut.phone == PHONE)).all()) == 1
            replies = s.exec(select(OutboxMessage).where(OutboxMessage.recipient == PHONE)).all()
            assert [r.body for r in replies] == [replies[0].body] and "khong nhan SMS thong bao nua" in replies[0].body
    finally:
        with Session(engine) as s:
            s.exec(delete(OutboxMessage).where(OutboxMessage.recipient == PHONE))
            s.exec(delete(SmsOptOut).where(SmsOptOut.phone == PHONE))
            s.exec(delete(ThrottleCounter))
            cache.bump(s)
            s.commit()
