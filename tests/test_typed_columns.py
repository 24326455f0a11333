"""Vocabulary columns are typed (app.db.enum_type): the database refuses a value outside the vocabulary, rows load
as enum members, and the migrated schema has exactly the CHECK constraints the models generate."""

import re
from enum import StrEnum

import pytest
from sqlalchemy import Enum, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from app.accounts.models import Account, Role
from app.events.models import Event
from app.events.types import EventType
from app.kinds import Channel, Kind, Priority, SenderType, State
from app.notifications.models import OutboxMessage, OutboxStatus
from app.notifications.service import enqueue
from app.sla.models import Clock, Phase, Status, SubmissionDeadline
from app.submissions.models import Submission

# (table, column): a few of the typed columns, of several domains
OUT_OF_VOCABULARY = [
    ("submissions", "state"),
    ("submissions", "kind"),
    ("submissions", "priority"),
    ("submissions", "source"),
    ("submissions", "reject_reason"),
    ("events", "type"),
    ("accounts", "role"),
    ("submission_deadlines", "clock"),
    ("submission_deadlines", "outcome"),
    ("outbox_messages", "status"),
]


@pytest.fixture
def rows(db: Session, submit):
    """At least one row in each table the tests update (a routed item has events and an accept clock)."""
    submission = submit()
    enqueue(session=db, channel="email", recipient="a@example.vn", subject="Thử", body="x")
    db.commit()
    return submission


@pytest.mark.parametrize(("table", "column"), OUT_OF_VOCABULARY)
def test_the_database_refuses_a_value_outside_the_vocabulary(db: Session, rows, table: str, column: str):
    assert db.exec(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0  # noqa: S608
    with pytest.raises(IntegrityError, match=f"ck_{table}_{column}|CHECK constraint failed"):
        with db.begin_nested():
            db.exec(text(f"UPDATE {table} SET {column} = 'bogus'"))  # noqa: S608


def test_a_value_of_the_vocabulary_is_accepted_by_raw_sql(db: Session, rows):
    db.exec(text("UPDATE submissions SET state = 'closed', reject_reason = 'duplicate' WHERE id = :id"),
            params={"id": rows.id})
    db.expire_all()
    assert db.get(Submission, rows.id).state is State.CLOSED


def test_rows_load_as_enum_members(db: Session, rows):
    db.expire_all()
    submission = db.get(Submission, rows.id)
    assert type(submission.state) is State and submission.state is State.ASSIGNED
    assert submission.kind is Kind.FEEDBACK and submission.priority is Priority.NORMAL
    assert submission.sender_type is SenderType.INDIVIDUAL and submission.source is Channel.WEB
    assert submission.reject_reason is None
    # still equal to the plain strings, so templates, JSON and comparisons see no difference
    assert submission.state == "assigned" and f"{submission.state}" == "assigned"

    event = db.exec(select(Event).where(Event.submission_id == rows.id).order_by(Event.id)).first()
    assert event.type is EventType.SUBMITTED
    deadline = db.exec(select(SubmissionDeadline).where(SubmissionDeadline.submission_id == rows.id)).one()
    assert (deadline.phase, deadline.clock, deadline.status) == (Phase.ACCEPT, Clock.RUNNING, Status.ON_TRACK)
    assert type(deadline.clock) is Clock
    assert type(db.exec(select(Account)).first().role) is Role
    assert type(db.exec(select(OutboxMessage)).first().status) is OutboxStatus


def test_queries_take_members_and_strings_alike(db: Session, rows):
    by_member = db.exec(select(Submission.id).where(Submission.state == State.ASSIGNED)).all()
    by_string = db.exec(select(Submission.id).where(Submission.state == "assigned")).all()
    assert rows.id in by_member and by_member == by_string


def _typed_columns() -> list[tuple[str, str, type[StrEnum]]]:
    return [(table.name, column.name, column.type.enum_class)
            for table in SQLModel.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, Enum)]


def test_every_vocabulary_column_is_typed():
    typed = {(table, column) for table, column, _ in _typed_columns()}
    columns = ("kind", "state", "priority", "sender_type", "source", "reject_reason")
    assert {("submissions", c) for c in columns} <= typed
    assert {("events", "type"), ("accounts", "role"), ("outbox_messages", "status"),
            ("submission_deadlines", "phase"), ("submission_deadlines", "clock"), ("submission_deadlines", "status"),
            ("submission_deadlines", "outcome"), ("deadline_extensions", "status"), ("calendar_entries", "kind"),
            ("deadline_policies", "phase"), ("deadline_policies", "unit"), ("attachments", "owner"),
            ("api_submissions", "channel"), ("webhook_deliveries", "event_type"), ("routing_rules", "kind")} <= typed
    for _table, _column, enum_class in _typed_columns():
        assert issubclass(enum_class, StrEnum)


def test_the_migrated_schema_has_the_check_constraints_of_the_models(engine):
    """`alembic check` compares neither CHECK constraints nor an Enum with its VARCHAR: this does."""
    inspector = inspect(engine)
    values = {(table, column): {m.value for m in enum_class} for table, column, enum_class in _typed_columns()}
    for table in SQLModel.metadata.sorted_tables:
        expected = {c.name for c in table.constraints if c.__class__.__name__ == "CheckConstraint"}
        found = {c["name"]: c["sqltext"] for c in inspector.get_check_constraints(table.name)}
        assert set(found) == expected, table.name
        for (t, column), allowed in values.items():
            if t == table.name:
                # SQLite keeps the text as written; PostgreSQL rewrites it (= ANY (ARRAY['a'::character varying, …]))
                assert set(re.findall(r"'([^']*)'", found[f"ck_{t}_{column}"])) == allowed, (t, column)
