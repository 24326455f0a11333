"""The audit trail: events are linked into the hash chain at commit, in seq order; signed checkpoints outside the
database; `pakn audit verify` finds every tamper case of issue 8 and names the first bad row."""

import hashlib
import io
import json
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, select
from typer.testing import CliRunner

from app import audit as full_audit
from app.accounts.models import Role
from app.attachments import service as attachments_service
from app.attachments import storage
from app.attachments.models import Attachment
from app.attachments.service import IncomingFile, verify_storage
from app.cli import cli
from app.config import get_settings
from app.events import chain as audit
from app.events import checkpoints
from app.events import service as events
from app.events.models import ChainHead, Event
from app.kinds import EventType
from app.submissions import service
from app.submissions.models import Submission
from tests.attachments import files
from tests.conftest import agency, submission_data
from tests.databases import scratch_database

KEY = b"test-audit-key-kept-outside-the-database"
DATABASE_URL = os.environ.get("DATABASE_URL", "")
postgres_only = pytest.mark.skipif(not DATABASE_URL.startswith("postgresql"), reason="needs PostgreSQL")


class Anchors:
    """A checkpoint file of the test's own, signed with a test key."""

    def __init__(self, path: Path):
        self.path = path

    def take(self, db) -> checkpoints.Checkpoint:
        taken = checkpoints.take(db, path=self.path, key=KEY)
        assert taken.checkpoint is not None
        return taken.checkpoint

    def verify(self, db, **kwargs) -> full_audit.AuditReport:
        db.expire_all()
        return full_audit.run(db, checkpoint_file=self.path, key=KEY, **kwargs)


@pytest.fixture
def anchors(tmp_path) -> Anchors:
    return Anchors(tmp_path / "audit-checkpoints.jsonl")


@pytest.fixture
def uploads(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    return tmp_path / "uploads"


def with_files(db, *uploads) -> Submission:
    batch = attachments_service.stage(list(uploads))
    with attachments_service.unit_with_files(db, batch):
        return service.submit(session=db, data=submission_data(), batch=batch)


def answered_and_rated(db, submit, officer, satisfied=True) -> Submission:
    item = submit()
    service.accept(session=db, submission=item, actor=officer)
    service.answer(session=db, submission=item, actor=officer, text="Nhà mạng đã lắp thêm trạm phát sóng tại bản.")
    service.rate(session=db, submission=item, satisfied=satisfied)
    return item


def rewrite_chain_from(db, seq: int) -> None:
    """What an attacker with database access does: recompute every hash from `seq` on with the app's own
    function, and move the head, so that the chain links again."""
    conn = db.connection()
    prev = conn.execute(text("SELECT hash FROM events WHERE seq = :s"), {"s": seq - 1}).scalar() or ""
    rows = conn.execute(Event.__table__.select().where(Event.__table__.c.seq >= seq)
                        .order_by(Event.__table__.c.seq)).all()
    for row in rows:
        digest = audit.event_hash(row, prev)
        conn.execute(text("UPDATE events SET prev_hash = :p, hash = :h WHERE id = :id"),
                     {"p": prev, "h": digest, "id": row.id})
        prev = digest
    conn.execute(text("UPDATE event_chain_head SET last_hash = :h WHERE id = 1"), {"h": prev})


# The chain ------------------------------------------------------------------------------------------------------


def test_chain_verifies_and_detects_an_altered_row(db, submit, make_account):
    officer = make_account("so-khcn")
    sub = submit()
    service.accept(session=db, submission=sub, actor=officer)
    db.commit()
    count, broken = audit.verify(db)
    assert broken is None and count >= 3
    accepted = db.exec(select(Event).where(Event.submission_id == sub.id,
                                                     Event.type == "accepted")).one()
    db.execute(text("UPDATE events SET internal_note = 'sửa lén' WHERE id = :id"), {"id": accepted.id})
    db.expire_all()
    db.commit()
    _, broken = audit.verify(db)
    assert broken is not None and broken.event_id == accepted.id
    assert "bị sửa" in broken.problem


def test_chain_detects_a_removed_row(db, submit):
    sub = submit()
    first_id = service.history(session=db, submission=sub)[0].id
    db.execute(text("DELETE FROM events WHERE id = :id"), {"id": first_id})
    db.expire_all()
    db.commit()
    _, broken = audit.verify(db)
    assert broken is not None and broken.event_id > first_id


def test_every_event_links_to_the_one_before(db, submit):
    sub = submit()
    events_ = service.history(session=db, submission=sub)
    assert events_[1].prev_hash == events_[0].hash and len(events_[0].hash) == 64
    assert events_[1].seq == events_[0].seq + 1


def test_logins_are_in_the_trail(client, make_account, db):
    from tests.conftest import login

    account = make_account("so-khcn")
    login(client, account.username)
    event = db.exec(select(Event).where(Event.subject_account_id == account.id,
                                                  Event.type == "logged_in")).first()
    assert event is not None and event.submission_id is None


def test_events_are_linked_at_commit_not_when_written(db):
    event = events.record(db, EventType.LOGGED_IN, actor_role="system")
    assert event.id is not None and event.seq is None and event.hash == ""  # inserted, not linked yet
    head_before = db.get(ChainHead, 1).last_seq
    db.commit()
    assert event.seq == head_before + 1 and len(event.hash) == 64
    db.expire_all()
    stored = db.get(Event, event.id)
    head = db.get(ChainHead, 1)
    assert (stored.seq, stored.hash) == (head.last_seq, head.last_hash) and head.last_event_id == event.id
    assert audit.verify(db)[1] is None


def test_a_rolled_back_transaction_leaves_no_gap(db):
    events.record(db, EventType.LOGGED_IN, actor_role="system")
    db.rollback()
    kept = events.record(db, EventType.LOGGED_OUT, actor_role="system")
    db.commit()
    previous = db.exec(select(Event).where(Event.seq == kept.seq - 1)).one()
    assert kept.prev_hash == previous.hash
    assert audit.verify(db)[1] is None


def test_verify_follows_seq_not_id(db):
    """On PostgreSQL the transaction that got the smaller id may commit last: the chain is in seq order."""
    first = Event(type=EventType.LOGGED_IN, actor_role="system")
    second = Event(type=EventType.LOGGED_OUT, actor_role="system")
    db.add_all([first, second])
    db.flush()
    assert first.id < second.id
    audit.link(db, [second])  # `second`'s transaction commits first
    audit.link(db, [first])
    db.commit()
    assert second.seq + 1 == first.seq and first.prev_hash == second.hash
    db.commit()
    count, broken = audit.verify(db)
    assert broken is None, broken
    assert full_audit.run(db, checkpoint_file=Path("/nonexistent")).ok


def test_an_event_written_outside_the_app_is_reported(db, submit):
    submit()
    db.execute(text("INSERT INTO events (type, actor_role, created_at, prev_hash, hash) "
                    "VALUES ('note_added', 'system', CURRENT_TIMESTAMP, '', '')"))
    forged = db.connection().execute(text("SELECT max(id) FROM events")).scalar()
    db.commit()
    _, broken = audit.verify(db)
    assert broken is not None and broken.event_id == forged and "không có seq" in broken.problem


# Checkpoints ---------------------------------------------------------------------------------------------------


def test_a_checkpoint_is_signed_and_only_written_when_the_head_moved(db, submit, anchors):
    submit()
    db.commit()
    cp = anchors.take(db)
    head = db.get(ChainHead, 1)
    assert (cp.seq, cp.hash, cp.event_id) == (head.last_seq, head.last_hash, head.last_event_id)
    assert checkpoints.take(db, path=anchors.path, key=KEY).checkpoint is None  # nothing new
    submit()
    assert anchors.take(db).seq > cp.seq
    lines = anchors.path.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["mac"]
    assert checkpoints.read(anchors.path, KEY).bad == []
    assert [b.problem for b in checkpoints.read(anchors.path, b"another key").bad][0].startswith("được ký bằng")


def test_a_checkpoint_is_refused_when_the_chain_since_the_last_one_does_not_hold(db, submit, anchors, caplog):
    submit()
    db.commit()
    anchors.take(db)
    item = submit()
    routed = service.history(session=db, submission=item)[-1]
    db.execute(text("UPDATE events SET internal_note = 'sửa' WHERE id = :id"), {"id": routed.id})
    with pytest.raises(checkpoints.CheckpointRefused, match=f"#{routed.id}"):
        checkpoints.take(db, path=anchors.path, key=KEY)
    assert len(anchors.path.read_text().splitlines()) == 1
    # The periodic job logs it and never raises (it shares the worker's session with other jobs).
    checkpoints.checkpoint_job(db, None)
    assert "Không ký điểm neo" in caplog.text


def test_the_key_is_made_once_with_0600_and_never_by_verify(tmp_path, monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path)
    monkeypatch.setattr(settings, "audit_key", "")
    assert settings.effective_audit_key() is None and not settings.audit_key_path.exists()
    key = settings.effective_audit_key(create=True)
    assert key and settings.effective_audit_key() == key
    assert settings.audit_key_path.stat().st_mode & 0o777 == 0o600
    monkeypatch.setattr(settings, "audit_key", "from-the-environment")
    assert settings.effective_audit_key() == b"from-the-environment"


# The tamper cases of issue 8: each passed the old `pakn audit verify` -----------------------------------------


def test_deleting_the_newest_events_and_updating_the_head_is_found(db, submit, anchors):
    submit()
    keep = db.get(ChainHead, 1)
    keep_seq, keep_hash, keep_id = keep.last_seq, keep.last_hash, keep.last_event_id
    item = submit()
    db.commit()
    anchors.take(db)
    removed = [e.seq for e in service.history(session=db, submission=item)]
    db.execute(text("DELETE FROM events WHERE seq > :s"), {"s": keep_seq})
    db.execute(text("UPDATE event_chain_head SET last_seq = :s, last_hash = :h, last_event_id = :e WHERE id = 1"),
               {"s": keep_seq, "h": keep_hash, "e": keep_id})
    assert audit.verify(db)[1] is None  # the chain alone still holds: that is all the old verify looked at

    db.commit()
    report = anchors.verify(db)
    finding = report.first("checkpoints")
    assert finding is not None and finding.seq == keep_seq + 1 == removed[0]
    assert f"seq {keep_seq + 1}…{removed[-1]}" in finding.problem


def test_changing_an_event_and_recomputing_the_later_hashes_is_found(db, submit, make_account, anchors):
    submit()
    db.commit()
    anchors.take(db)
    item = submit()
    later = submit()
    officer = make_account("so-khcn")
    service.accept(session=db, submission=later, actor=officer)
    db.commit()
    anchors.take(db)
    service.accept(session=db, submission=item, actor=officer)  # events after the newest checkpoint
    db.commit()

    first = service.history(session=db, submission=item)[0]  # the first event after the first checkpoint
    db.execute(text("UPDATE events SET public_note = 'đã sửa' WHERE id = :id"), {"id": first.id})
    rewrite_chain_from(db, first.seq)
    assert audit.verify(db)[1] is None  # the old check passes

    db.commit()
    report = anchors.verify(db)
    finding = report.first("checkpoints")
    assert finding is not None and finding.event_id == first.id and finding.seq == first.seq
    assert "viết lại" in finding.problem and report.counts["checkpoints"] == 1


def test_a_rewrite_after_the_newest_checkpoint_is_not_signed_by_the_next_one(db, submit, anchors):
    submit()
    db.commit()
    anchors.take(db)
    item = submit()
    first = service.history(session=db, submission=item)[0]
    db.execute(text("UPDATE events SET public_note = 'đã sửa' WHERE id = :id"), {"id": first.id})
    # The row's hash no longer matches: the next checkpoint refuses (the rewrite is not blessed) …
    with pytest.raises(checkpoints.CheckpointRefused):
        checkpoints.take(db, path=anchors.path, key=KEY)
    # … and verify names the row.
    assert anchors.verify(db).first("chain").event_id == first.id


@pytest.mark.parametrize(("column", "value"), [
    ("state", "'in_progress'"),
    ("answer_text", "'Một câu trả lời khác, viết thẳng vào bảng.'"),
    ("agency_id", "(SELECT id FROM agencies WHERE code = 'vnpt')"),
    ("rating_satisfied", "false"),
])
def test_changing_an_item_itself_is_found(db, submit, make_account, anchors, column, value):
    officer = make_account("so-khcn")
    item = answered_and_rated(db, submit, officer)
    other = answered_and_rated(db, submit, officer)
    db.commit()
    anchors.take(db)
    assert anchors.verify(db).ok
    db.execute(text(f"UPDATE submissions SET {column} = {value} WHERE id = :id"), {"id": item.id})  # noqa: S608
    assert audit.verify(db)[1] is None  # the chain does not cover current state

    db.commit()
    report = anchors.verify(db)
    assert report.counts == {"items": 1}, report.findings
    finding = report.first("items")
    assert finding.tracking_code == item.tracking_code != other.tracking_code


def test_swapping_an_attachments_bytes_and_its_stored_hash_is_found(db, submit, uploads, anchors):
    with_files(db, IncomingFile("hien-truong.jpg", io.BytesIO(files.jpeg())),
               IncomingFile("bien-ban.pdf", io.BytesIO(files.pdf())))
    db.commit()
    anchors.take(db)
    assert anchors.verify(db).ok
    photo, document = db.exec(select(Attachment).order_by(Attachment.id.desc()).limit(2)).all()[::-1]
    forged = files.pdf("Bien ban da sua")
    storage.path_for(document.storage_key).write_bytes(forged)
    db.execute(text("UPDATE attachments SET sha256 = :h, size = :n WHERE id = :id"),
               {"h": hashlib.sha256(forged).hexdigest(), "n": len(forged), "id": document.id})
    db.expire_all()
    assert verify_storage(session=db).ok  # the files match the table: the old checks see nothing

    db.commit()
    report = anchors.verify(db)
    assert set(report.counts) == {"attachments"}
    finding = report.first("attachments")
    assert finding.attachment_id == document.id != photo.id
    assert "SHA-256" in finding.problem
    # Without reading the files, the row's hash alone already disagrees with the event.
    assert anchors.verify(db, check_files=False).first("attachments").attachment_id == document.id


def test_swapping_only_the_bytes_is_found(db, submit, uploads, anchors):
    with_files(db, IncomingFile("bien-ban.pdf", io.BytesIO(files.pdf())))
    row = db.exec(select(Attachment).order_by(Attachment.id.desc())).first()
    storage.path_for(row.storage_key).write_bytes(files.pdf("Khac"))
    db.commit()
    finding = anchors.verify(db).first("attachments")
    assert finding.attachment_id == row.id and "trên đĩa" in finding.problem


def test_an_edited_checkpoint_line_is_reported(db, submit, anchors):
    submit()
    db.commit()
    anchors.take(db)
    submit()
    db.commit()
    anchors.take(db)
    lines = anchors.path.read_text().splitlines()
    forged = json.loads(lines[0])
    forged["seq"] -= 1
    anchors.path.write_text("\n".join([json.dumps(forged), lines[1]]) + "\n")
    db.commit()
    report = anchors.verify(db)
    assert report.counts == {"checkpoints": 1}
    assert report.first("checkpoints").row.startswith("dòng 1 ") and "chữ ký" in report.first("checkpoints").problem


def test_every_flow_verifies_clean(db, submit, make_account, uploads, anchors):
    officer = make_account("so-khcn")
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dieu-phoi")
    item = with_files(db, IncomingFile("a.jpg", io.BytesIO(files.jpeg())))
    service.accept(session=db, submission=item, actor=officer)
    service.request_info(session=db, submission=item, actor=officer, question="Xin cho biết vị trí cụ thể?")
    service.provide_info(session=db, submission=item, reply="Gần nhà văn hóa bản.",
                         batch=attachments_service.stage([IncomingFile("b.pdf", io.BytesIO(files.pdf()))]))
    service.answer(session=db, submission=item, actor=officer, text="Đã khắc phục xong, mời kiểm tra lại.")
    service.rate(session=db, submission=item, satisfied=False, comment="Vẫn yếu")
    service.reopen(session=db, submission=item, actor=coordinator, agency=agency(db, "vnpt"), note="Giao VNPT")
    moved = submit()
    service.add_note(session=db, submission=moved, actor=officer, text="Đã gọi điện")
    service.transfer(session=db, submission=moved, actor=officer, to_agency=agency(db, "vnpt"),
                     reason="Thuộc phạm vi của VNPT")
    db.commit()
    anchors.take(db)
    db.commit()
    report = anchors.verify(db)
    assert report.ok, report.findings
    assert report.checkpoints == 1 and report.attachments >= 2 and report.items >= 2


def test_demo_items_in_every_state_verify_clean(db, anchors):
    from app.seed.demo import seed_demo

    seed_demo(session=db, count=25, rng_seed=7)
    db.commit()
    anchors.take(db)
    db.commit()
    report = anchors.verify(db)
    assert report.ok, report.findings


# The command line ------------------------------------------------------------------------------------------------


def test_pakn_audit_checkpoint_and_verify(engine, initial_credentials, tmp_path):
    """On the committed database (no test transaction: the commands open their own sessions)."""
    runner = CliRunner()
    path = tmp_path / "cp.jsonl"
    with Session(engine) as s:  # some committed event, so there is a head to sign
        events.record(s, EventType.LOGGED_OUT, actor_role="system")
        s.commit()
    r = runner.invoke(cli, ["audit", "checkpoint", "--checkpoints", str(path)])
    assert r.exit_code == 0, r.output
    assert "Đã ký điểm neo seq" in r.output and path.exists()
    r = runner.invoke(cli, ["audit", "verify", "--checkpoints", str(path), "--no-files"])
    assert r.exit_code == 0, r.output
    assert "Nhật ký toàn vẹn" in r.output and "1 điểm neo" in r.output
    path.write_text(path.read_text().replace('"seq":', '"seq":1'))
    r = runner.invoke(cli, ["audit", "verify", "--checkpoints", str(path), "--no-files"])
    assert r.exit_code == 1 and "Điểm neo: dòng 1" in r.output


def test_the_coordinator_downloads_the_checkpoints(client, login_as, db, submit, tmp_path, monkeypatch):
    path = tmp_path / "cp.jsonl"
    monkeypatch.setattr(get_settings(), "audit_checkpoint_file", path)
    submit()
    checkpoints.take(db, key=KEY)
    login_as("so-khcn", Role.COORDINATOR)
    r = client.get("/officer/audit/checkpoints.jsonl")
    assert r.status_code == 200 and r.content == path.read_bytes() and b'"mac"' in r.content


# PostgreSQL: real concurrent transactions -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_schema(tmp_path_factory):
    """A throw-away schema with committed data (two sessions must see each other's commits)."""
    if not DATABASE_URL.startswith("postgresql"):
        pytest.skip("needs PostgreSQL")
    with scratch_database("audit", tmp_path_factory.mktemp("audit"), seed=True) as (_url, engine):
        yield engine


@postgres_only
def test_an_open_transaction_with_events_does_not_hold_the_chain(pg_schema):
    """The old append locked the head at the first event until commit: `b` waited for `a`. Now `b` commits while
    `a` is still open, and `a`'s event, which got the smaller id, comes later in the chain."""
    with Session(pg_schema) as a, Session(pg_schema) as b:
        first = events.record(a, EventType.LOGGED_IN, actor_role="system")
        b.connection().exec_driver_sql("SET LOCAL lock_timeout = '3s'")
        second = events.record(b, EventType.LOGGED_OUT, actor_role="system")
        b.commit()  # would fail with a lock timeout if `a` held the head
        a.commit()
        assert first.id < second.id and first.seq == second.seq + 1 and first.prev_hash == second.hash
    with Session(pg_schema) as s:
        count, broken = audit.verify(s)
        assert broken is None and count > 2


@postgres_only
def test_eight_concurrent_writers_make_one_unbroken_chain(pg_schema, tmp_path):
    def write():
        with Session(pg_schema) as s:
            for _ in range(15):
                events.record(s, EventType.LOGGED_IN, actor_role="system")
                events.record(s, EventType.LOGGED_OUT, actor_role="system")
                s.commit()

    with Session(pg_schema) as s:
        before = s.get(ChainHead, 1).last_seq
    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with Session(pg_schema) as s:
        head = s.get(ChainHead, 1)
        assert head.last_seq == before + 8 * 15 * 2
        assert s.exec(select(func.count()).select_from(Event).where(Event.seq.is_(None))).one() == 0
        checkpoints.take(s, path=tmp_path / "cp.jsonl", key=KEY)
        report = full_audit.run(s, checkpoint_file=tmp_path / "cp.jsonl", key=KEY)
        assert report.ok, report.findings
