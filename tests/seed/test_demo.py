"""Demo data: every state and kind, coherent histories made by the domain service, deterministic text.

Self-contained: each database is a fresh SQLite file, migrated with Alembic and seeded with the
reference data, independent of the shared test database in tests/conftest.py.
"""

import re
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlmodel import Session, col, select

from app.accounts import passwords
from app.agencies.models import Commune, Field
from app.config import get_settings
from app.db import make_engine, utcnow
from app.kinds import Kind, State
from app.notifications.contacts import is_reserved_email, is_reserved_phone
from app.seed.demo import ANSWER_CLOSINGS, TOPICS, seed_demo
from app.seed.reference import FIELDS, seed_reference
from app.submissions import service
from app.submissions.models import Submission

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
COUNT = 60
REACHABLE = {State.TRIAGE, State.ASSIGNED, State.IN_PROGRESS, State.ANSWERED, State.CLOSED}


@pytest.fixture(scope="module", autouse=True)
def fast_hashing():
    """130 agency accounts are created per database: keep argon2 cheap here."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PAKN_ARGON2_TIME_COST", "1")
        mp.setenv("PAKN_ARGON2_MEMORY_KIB", "1024")
        get_settings.cache_clear()
        passwords._hasher.cache_clear()
        yield
    get_settings.cache_clear()
    passwords._hasher.cache_clear()


def seeded_engine(path: Path):
    engine = make_engine(f"sqlite:///{path}")
    config = Config(str(ALEMBIC_INI))
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    with Session(engine, expire_on_commit=False) as session:
        seed_reference(session=session, credentials_path=None)
    return engine


@pytest.fixture(scope="module")
def demo(tmp_path_factory, fast_hashing):
    engine = seeded_engine(tmp_path_factory.mktemp("demo") / "pakn.db")
    with Session(engine, expire_on_commit=False) as session:
        created = seed_demo(session=session, count=COUNT)
    yield engine, created
    engine.dispose()


@pytest.fixture
def db(demo):
    engine, _ = demo
    with Session(engine, expire_on_commit=False) as session:
        yield session


def items(db: Session) -> list[Submission]:
    return list(db.exec(select(Submission).order_by(col(Submission.id))).all())


def test_every_field_has_a_topic_of_every_kind_and_every_template_fills():
    assert set(TOPICS) == {code for code, _ in FIELDS}
    ctx = dict(xa="xã Mường Nhé", Xa="Xã Mường Nhé", xa_ten="Mường Nhé", ban="bản Huổi Lếch",
               Ban="Bản Huổi Lếch", mang="Viettel", thu_tuc="cấp giấy khai sinh", nong_san="gạo Điện Biên",
               di_tich="Đồi A1", tieng="tiếng Mông", n="3", co_quan="Sở Y tế", ong_ba="Ông/Bà", loai="phản ánh")
    for code, topics in TOPICS.items():
        assert {t.kind for t in topics} == set(Kind), code
        for t in topics:
            assert 5 <= len(t.title.format_map(ctx)) <= 200
            assert len(t.body.format_map(ctx)) >= 20 and len(t.answer.format_map(ctx)) >= 10
    for closing in ANSWER_CLOSINGS:
        closing.format_map(ctx)


def test_creates_the_requested_number(demo, db):
    _, created = demo
    assert created == COUNT
    assert len(items(db)) == COUNT


def test_every_reachable_state_and_every_kind(db):
    subs = items(db)
    states = Counter(s.state for s in subs)
    assert set(states) == REACHABLE, states
    assert {s.kind for s in subs} == {k.value for k in Kind}
    # Roughly the intended mix: 15 / 20 / 25 / 25 / 15 %.
    assert states[State.TRIAGE] == pytest.approx(0.15 * COUNT, abs=3)
    assert states[State.IN_PROGRESS] + states[State.ANSWERED] >= 0.4 * COUNT


def test_spread_over_fields_and_communes(db):
    subs = items(db)
    field_codes = {f.id: f.code for f in db.exec(select(Field)).all()}
    assert {field_codes[s.field_id] for s in subs} == {code for code, _ in FIELDS}
    assert len({s.commune_id for s in subs}) == len(db.exec(select(Commune)).all()) == 45


def test_realistic_senders(db):
    subs = items(db)
    for s in subs:
        assert s.sender_phone or s.sender_email
        if s.sender_phone:
            assert re.fullmatch(r"0[35789]\d{8}|02\d{9}", s.sender_phone), s.sender_phone
        # only reserved addresses that no channel ever sends to (issue 9)
        assert not s.sender_phone or is_reserved_phone(s.sender_phone)
        assert not s.sender_email or is_reserved_email(s.sender_email)
        assert 5 <= len(s.title) <= 200 and 20 <= len(s.content) <= 10_000
    assert {s.sender_type for s in subs} == {"individual", "business", "organisation"}
    assert any(s.hide_identity for s in subs)
    assert any(s.sender_phone is None for s in subs), "some senders give an email only"
    assert any(s.sender_phone and s.sender_email for s in subs)
    # Vietnamese with diacritics, not ASCII placeholders.
    assert sum(1 for s in subs if not s.title.isascii()) == len(subs)
    assert sum(1 for s in subs if not s.sender_name.isascii()) >= 0.9 * len(subs)


def test_histories_are_complete_ordered_and_in_the_past(db):
    now = utcnow()
    for s in items(db):
        events = service.history(session=db, submission=s)
        assert events[0].type == "submitted", s.tracking_code
        assert events[0].created_at == s.created_at
        assert events[-1].to_state == s.state
        stamps = [e.created_at for e in events]
        assert stamps == sorted(stamps)
        for stamp in [*stamps, s.created_at, s.updated_at, s.accepted_at, s.answered_at]:
            assert stamp is None or (stamp.tzinfo is not None and stamp <= now)
        assert s.created_at >= now - timedelta(days=100)

        for a, b in zip(events, events[1:], strict=False):
            assert b.from_state == a.to_state  # each transition starts where the last one ended

        if s.state in (State.ANSWERED, State.CLOSED):
            assert s.answer_text and len(s.answer_text) >= 10
            assert "trả lời như sau" in s.answer_text
            assert s.answered_at >= s.accepted_at >= s.created_at
        elif s.state == State.IN_PROGRESS:
            assert s.accepted_at >= s.created_at and s.answer_text is None
        else:
            assert s.accepted_at is None and s.answer_text is None


def test_triage_items_wait_with_the_coordinator_and_some_were_assigned(db):
    subs = items(db)
    triaged = [s for s in subs if any(e.type == "sent_to_triage" for e in service.history(session=db, submission=s))]
    assert any(s.state == State.TRIAGE for s in triaged)
    assert any(s.state != State.TRIAGE for s in triaged), "the coordinator assigned some triage items"
    for s in triaged:
        if s.state != State.TRIAGE:
            assert "assigned" in [e.type for e in service.history(session=db, submission=s)]


def test_same_seed_same_titles(demo, db, tmp_path):
    first = [s.title for s in items(db)]
    engine = seeded_engine(tmp_path / "again.db")
    try:
        with Session(engine, expire_on_commit=False) as session:
            seed_demo(session=session, count=COUNT, rng_seed=2026)
            assert [s.title for s in items(session)] == first
            seed_demo(session=session, count=20, rng_seed=7)
            other = [s.title for s in items(session)][COUNT:]
            assert other != first[:20]
    finally:
        engine.dispose()
