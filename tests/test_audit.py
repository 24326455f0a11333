"""The hash-chained trail: `pakn audit verify` finds the first altered or removed row."""

from sqlalchemy import text
from sqlmodel import select

from app.events import chain as audit
from app.events.models import Event
from app.submissions import service


def test_chain_verifies_and_detects_an_altered_row(db, submit, make_account):
    officer = make_account("so-khcn")
    sub = submit()
    service.accept(session=db, submission=sub, actor=officer)
    count, broken = audit.verify(db)
    assert broken is None and count >= 3
    accepted = db.exec(select(Event).where(Event.submission_id == sub.id,
                                                     Event.type == "accepted")).one()
    db.execute(text("UPDATE events SET internal_note = 'sửa lén' WHERE id = :id"), {"id": accepted.id})
    db.expire_all()
    _, broken = audit.verify(db)
    assert broken is not None and broken.event_id == accepted.id
    assert "altered" in broken.problem


def test_chain_detects_a_removed_row(db, submit):
    sub = submit()
    first_id = service.history(session=db, submission=sub)[0].id
    db.execute(text("DELETE FROM events WHERE id = :id"), {"id": first_id})
    db.expire_all()
    _, broken = audit.verify(db)
    assert broken is not None and broken.event_id > first_id


def test_every_event_links_to_the_one_before(db, submit):
    sub = submit()
    events = service.history(session=db, submission=sub)
    assert events[1].prev_hash == events[0].hash and len(events[0].hash) == 64


def test_logins_are_in_the_trail(client, make_account, db):
    from tests.conftest import login

    account = make_account("so-khcn")
    login(client, account.username)
    event = db.exec(select(Event).where(Event.subject_account_id == account.id,
                                                  Event.type == "logged_in")).first()
    assert event is not None and event.submission_id is None
