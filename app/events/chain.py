"""The hash-chained audit trail: every event row stores its position (`seq`), the hash of the row before it and
its own hash.

Events are linked when their transaction commits, not when they are written. `append` only inserts the row
(unlinked: seq NULL, empty hashes) and remembers it in the session; a `before_commit` hook on every Session then,
in one short critical section at the very end of the transaction, locks the single chain-head row (FOR UPDATE on
PostgreSQL; SQLite writers are serialised by the database anyway), reads the head, gives this transaction's events
the next positions in id order, computes their hashes, writes them and moves the head, and the transaction commits.
On PostgreSQL the head lock is held for two statements (lock and read the head; write this transaction's events and
the head in one statement) and the COMMIT, not for the whole unit of work (docs/architecture.md, "The audit chain",
has the measured figures).

On PostgreSQL ids come from a sequence when the row is inserted, so they are not in commit order: the chain order is
`seq`, and `walk`/`verify` follow `seq`, never the id.
"""

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, inspect, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from app.events.models import ChainHead, Event

_FIELDS = (
    "id", "submission_id", "subject_account_id", "type", "from_state", "to_state", "actor_account_id",
    "actor_role", "agency_id", "public_note", "internal_note", "data",
)
_EVENTS = Event.__table__
_HEAD = ChainHead.__table__

# session.info keys: the events this session wrote and has not linked yet; when the last link asked for the head
# lock and when it got it (time.perf_counter(), for measurements: bench/chain_lock.py).
PENDING_KEY = "pakn_chain_unlinked"
LOCK_REQUESTED_KEY = "pakn_chain_lock_requested"
LOCKED_AT_KEY = "pakn_chain_locked_at"


def _record(event: Any) -> dict:
    record = {name: getattr(event, name) for name in _FIELDS}
    record["created_at"] = event.created_at.isoformat(timespec="microseconds")
    return record


def _digest(record: dict, prev_hash: str) -> str:
    canonical = json.dumps({**record, "prev_hash": prev_hash}, ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_hash(event: Any, prev_hash: str) -> str:
    """The row's hash: its content and the previous row's hash (an Event or a result row with the same names).
    `seq` is not part of it (it did not exist when older rows were hashed); verify checks it separately."""
    return _digest(_record(event), prev_hash)


def text_digest(text: str | None) -> str | None:
    """SHA-256 of a text an event vouches for without copying it (e.g. the answer)."""
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


def append(session: Session, event: Event) -> Event:
    """Inserts the event (so it has an id) unlinked; it is linked into the chain when the session commits.
    The caller commits (or rolls back: then nothing of it remains)."""
    session.add(event)
    session.flush()
    pending = session.info.setdefault(PENDING_KEY, [])
    pending.append(event)
    return event


def written(session: Session) -> list[Event]:
    """The events this transaction wrote so far (linked at commit), oldest first."""
    return sorted(session.info.get(PENDING_KEY, []), key=lambda e: (e.created_at, e.id))


def _unlinked(session: Session) -> list[Event]:
    pending = session.info.pop(PENDING_KEY, None)
    if not pending:
        return []
    # Rows of a rolled-back transaction are no longer persistent in the session: they are gone, skip them.
    alive = {e.id: e for e in pending if inspect(e).persistent and inspect(e).dict.get("seq") is None}
    return [alive[i] for i in sorted(alive)]


def _link_at_commit(session: OrmSession) -> None:
    """before_commit, on every Session: link this transaction's events, as late as possible. A nested
    (SAVEPOINT) transaction leaves them to the outer commit. In the tests' sessions (join_transaction_mode=
    "create_savepoint") every session.commit() is a root commit, so events are linked there too."""
    if session.in_nested_transaction() or not session.info.get(PENDING_KEY):
        return
    events = _unlinked(session)  # type: ignore[arg-type]
    if not events:
        return
    session.flush()  # everything else the unit of work wrote goes out before the lock is taken
    link(session, events)  # type: ignore[arg-type]


sa_event.listen(OrmSession, "before_commit", _link_at_commit)


_PG_WRITE = ("WITH move_head AS (UPDATE event_chain_head SET last_seq = %s, last_hash = %s, last_event_id = %s "
             "WHERE id = 1) "
             "UPDATE events SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash "
             "FROM (VALUES <rows>) AS v (id, seq, prev_hash, hash) WHERE events.id = v.id")


def _pg_write_sql(n: int) -> str:
    """The events and the head in one statement (a data-modifying CTE), as driver SQL with placeholders only:
    built before the lock, nothing left to compile inside it."""
    return _PG_WRITE.replace("<rows>", ", ".join(["(%s::integer, %s::integer, %s, %s)"] * n))


def link(session: Session, events: list[Event]) -> None:
    """The critical section: lock and read the head, number and hash `events` (already inserted, in id order),
    write them and the head. The caller's COMMIT ends it."""
    conn = session.connection()
    records = [(e.id, _record(e)) for e in events]  # every attribute read (and loaded) before the lock
    postgres = conn.dialect.name == "postgresql"
    write_sql = _pg_write_sql(len(records)) if postgres else None
    session.info[LOCK_REQUESTED_KEY] = time.perf_counter()
    if postgres:
        head = conn.exec_driver_sql("SELECT last_seq, last_hash FROM event_chain_head WHERE id = 1 FOR UPDATE").first()
    else:
        head = conn.execute(select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == 1)).first()
    session.info[LOCKED_AT_KEY] = time.perf_counter()
    if head is None:  # the migration inserts it; this covers a hand-emptied table
        conn.execute(insert(_HEAD).values(id=1, last_seq=0, last_hash=""))
        seq, prev = 0, ""
    else:
        seq, prev = head[0] or 0, head[1]
    rows = []
    for event_id, record in records:
        seq += 1
        digest = _digest(record, prev)
        rows.append((event_id, seq, prev, digest))
        prev = digest
    if postgres:
        conn.exec_driver_sql(write_sql, (seq, prev, rows[-1][0], *(value for row in rows for value in row)))
    else:  # SQLite: writers are serialised by the database (and no CTE may write there)
        conn.execute(update(_EVENTS).where(_EVENTS.c.id == bindparam("_id"))
                     .values(seq=bindparam("_seq"), prev_hash=bindparam("_prev"), hash=bindparam("_hash")),
                     [{"_id": i, "_seq": n, "_prev": p, "_hash": h} for i, n, p, h in rows])
        conn.execute(update(_HEAD).where(_HEAD.c.id == 1).values(last_seq=seq, last_hash=prev,
                                                                 last_event_id=rows[-1][0]))
    for e, (_, n, p, h) in zip(events, rows, strict=True):  # the objects show what the rows hold, no extra flush
        set_committed_value(e, "seq", n)
        set_committed_value(e, "prev_hash", p)
        set_committed_value(e, "hash", h)

# ----------------------------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class Anchor:
    """A position the chain must still have: `hash` at `seq` (a signed checkpoint, app/events/checkpoints.py)."""

    seq: int
    hash: str
    at: str = ""  # when it was taken, for messages


@dataclass
class Break:
    event_id: int | None  # the first bad row (None when it was removed: then `seq` says where)
    problem: str  # Vietnamese, for the operator
    seq: int | None = None
    from_seq: int | None = None  # a rewrite found by a checkpoint: the first row that may have been changed


@dataclass
class ChainReport:
    count: int = 0  # rows walked
    last_seq: int = 0
    last_hash: str = ""
    last_event_id: int | None = None
    broken: Break | None = None  # first missing, reordered, altered, unlinked row, or a head that disagrees
    checkpoint: Break | None = None  # first disagreement with an anchor (a signed checkpoint)
    anchors_matched: int = 0

    @property
    def ok(self) -> bool:
        return self.broken is None and self.checkpoint is None


def head(session: Session) -> tuple[int, str, int | None]:
    """(last_seq, last_hash, last_event_id) of the chain head; (0, "", None) for an empty chain."""
    row = session.connection().execute(
        select(_HEAD.c.last_seq, _HEAD.c.last_hash, _HEAD.c.last_event_id).where(_HEAD.c.id == 1)).first()
    return (row.last_seq or 0, row.last_hash, row.last_event_id) if row else (0, "", None)


def _rows(session: Session, after_seq: int, until_seq: int | None, batch: int = 2000) -> Iterator[Any]:
    """Linked rows in chain order, as plain result rows (nothing accumulates in the session's identity map)."""
    conn = session.connection()
    last = after_seq
    while True:
        stmt = select(_EVENTS).where(_EVENTS.c.seq > last)
        if until_seq is not None:
            stmt = stmt.where(_EVENTS.c.seq <= until_seq)
        rows = conn.execute(stmt.order_by(_EVENTS.c.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def _short(digest: str) -> str:
    return digest[:12] + "…" if digest else "(trống)"


def _when(anchor: Anchor) -> str:
    return f"điểm neo ký lúc {anchor.at}" if anchor.at else "điểm neo"


def walk(
    session: Session,
    *,
    anchors: Iterable[Anchor] = (),
    start: Anchor | None = None,
    until_seq: int | None = None,
    visit: Callable[[Any], None] | None = None,
) -> ChainReport:
    """Walks the chain by seq from `start` (a trusted anchor; the beginning if None) to `until_seq` (the end if
    None): every row must have the next seq, link to the row before and hash to its content; every anchor's seq
    must still carry the anchored hash, and the chain must reach the newest anchor. After a break the walk goes
    on from the row as stored, so `visit` sees every row and later anchors are still checked."""
    session.flush()
    report = ChainReport()
    by_seq: dict[int, list[Anchor]] = {}
    for a in sorted(anchors, key=lambda a: a.seq):
        if start is None or a.seq > start.seq:
            by_seq.setdefault(a.seq, []).append(a)
    good = start or Anchor(0, "")
    prev, expected = good.hash, good.seq + 1
    report.last_seq, report.last_hash = good.seq, good.hash
    if start is not None and start.seq > 0:
        row = session.connection().execute(
            select(_EVENTS.c.id, _EVENTS.c.hash).where(_EVENTS.c.seq == start.seq)).first()
        if row is None or row.hash != start.hash:
            report.checkpoint = Break(row.id if row else None, (
                f"{_when(start)} ghi hash {_short(start.hash)} cho seq {start.seq}, "
                + (f"hàng này nay có hash {_short(row.hash)}" if row else "hàng này không còn")), start.seq)
    for row in _rows(session, good.seq, until_seq):
        report.count += 1
        if report.broken is None:
            if row.seq != expected:
                report.broken = Break(row.id, f"thiếu seq {expected}, chuỗi nhảy tới seq {row.seq} "
                                              "(hàng đã bị xóa)", row.seq)
            elif row.prev_hash != prev:
                report.broken = Break(row.id, "prev_hash không khớp với sự kiện liền trước (hàng bị xóa hoặc "
                                              "đổi chỗ)", row.seq)
            elif row.hash != event_hash(row, prev):
                report.broken = Break(row.id, "hash không khớp với nội dung hàng (hàng đã bị sửa)", row.seq)
        for a in by_seq.get(row.seq, ()):
            if row.hash == a.hash:
                report.anchors_matched += 1
                if report.checkpoint is None:
                    good = a
            elif report.checkpoint is None:
                report.checkpoint = Break(row.id, (
                    f"chuỗi đã bị viết lại: {_when(a)} ghi hash {_short(a.hash)} cho seq {a.seq}, hàng này nay có "
                    f"hash {_short(row.hash)}; các sự kiện từ seq {good.seq + 1} đến seq {a.seq} đã bị sửa và "
                    "tính lại hash"), row.seq, from_seq=good.seq + 1)
        prev, expected = row.hash, row.seq + 1
        report.last_seq, report.last_hash, report.last_event_id = row.seq, row.hash, row.id
        if visit is not None:
            visit(row)
    if by_seq and report.checkpoint is None:
        newest = max(by_seq)
        if newest > report.last_seq:
            a = by_seq[newest][0]
            report.checkpoint = Break(None, (
                f"chuỗi kết thúc ở seq {report.last_seq} nhưng {_when(a)} đã có đến seq {a.seq}: các sự kiện "
                f"seq {report.last_seq + 1}…{a.seq} đã bị xóa"), report.last_seq + 1)
    return report


def first_event_at_or_after(session: Session, seq: int) -> int | None:
    return session.connection().execute(
        select(_EVENTS.c.id).where(_EVENTS.c.seq >= seq).order_by(_EVENTS.c.seq).limit(1)).scalar()


def check(session: Session, *, anchors: Iterable[Anchor] = (),
          visit: Callable[[Any], None] | None = None) -> ChainReport:
    """The whole chain up to the head, the head itself, rows that were never linked, and the anchors.
    For a consistent picture while the app runs, call it in one snapshot (REPEATABLE READ on PostgreSQL)."""
    head_seq, head_hash, head_event_id = head(session)
    report = walk(session, anchors=anchors, until_seq=head_seq, visit=visit)
    conn = session.connection()
    if report.broken is None and (report.last_seq, report.last_hash) != (head_seq, head_hash):
        if report.last_seq < head_seq:
            report.broken = Break(head_event_id, f"các sự kiện mới nhất đã bị xóa: đầu chuỗi ghi seq {head_seq}, "
                                                 f"chuỗi kết thúc ở seq {report.last_seq}", report.last_seq + 1)
        else:
            report.broken = Break(report.last_event_id, "đầu chuỗi không khớp với sự kiện mới nhất",
                                  report.last_seq)
    if report.broken is None:
        beyond = conn.execute(select(func.min(_EVENTS.c.seq)).where(_EVENTS.c.seq > head_seq)).scalar()
        if beyond is not None:
            report.broken = Break(first_event_at_or_after(session, beyond),
                                  f"có hàng sau đầu chuỗi (seq {beyond}…) mà đầu chuỗi không ghi nhận", beyond)
    if report.broken is None:
        unlinked = conn.execute(select(func.min(_EVENTS.c.id)).where(_EVENTS.c.seq.is_(None))).scalar()
        if unlinked is not None:
            report.broken = Break(unlinked, "hàng chưa được nối vào chuỗi (không có seq): được ghi ngoài ứng "
                                            "dụng")
    return report


def verify(session: Session) -> tuple[int, Break | None]:
    """(events checked, first broken link or None): the chain alone, without checkpoints."""
    report = check(session)
    return report.count, report.broken
