"""The abuse-limit counter (app/throttle.py) that the anonymous and sign-in doors share."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from app import throttle
from app.throttle import Limit, ThrottleCounter

GUESSES = Limit("test.guess", 3, timedelta(hours=1))
NOW = datetime(2026, 12, 2, 10, 15, tzinfo=UTC)


def test_the_fourth_attempt_in_a_window_is_refused_and_the_next_window_starts_afresh(db):
    decisions = [throttle.hit(db, GUESSES, "0912345678", now=NOW) for _ in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert decisions[-1].retry_after == 45 * 60
    assert not throttle.exceeded(db, GUESSES, "0912345678", now=NOW).allowed
    assert throttle.exceeded(db, GUESSES, "0987654321", now=NOW).allowed  # another key has its own count
    assert throttle.hit(db, GUESSES, "0912345678", now=NOW + timedelta(hours=1)).allowed


def test_keys_are_stored_hashed_and_old_windows_are_purged(db):
    throttle.hit(db, GUESSES, "ai.do@example.org", now=NOW)
    rows = db.exec(select(ThrottleCounter)).all()
    assert len(rows) == 1 and "example" not in rows[0].key_hash and len(rows[0].key_hash) == 64
    assert throttle.purge(db, NOW + timedelta(days=3)) == 1
    assert db.exec(select(ThrottleCounter)).all() == []
