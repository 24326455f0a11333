"""`pakn audit verify`: the audit chain, its signed checkpoints, and the rows the events vouch for.

Four checks, each naming the first bad row (and counting the others):
  chain        every row has the next seq, links to the row before and hashes to its content; the head matches
               the newest row; no row was written outside the app (seq NULL)            (app/events/chain.py)
  checkpoints  every line of the checkpoint file carries a valid HMAC; every checkpointed seq still has the
               checkpointed hash; the chain reaches the newest checkpoint           (app/events/checkpoints.py)
  items        each item's state, agency, answer and rating are what its events say: the state and agency of the
               last event that changed its state, the SHA-256 of the answer recorded by its last ANSWERED event (or
               DECIDED: an initiative's decision), the rating of its last RATED event (cleared by REOPENED)
  attachments  each attachment row's SHA-256, and the bytes of its file on disk, are the hash its ATTACHMENT_ADDED
               event recorded; every file an event recorded still has its row

It reads the whole chain once (the item and attachment facts are collected during that walk), then the items and
attachments in batches. It sits above the domains (it reads submissions and attachments), like app/cli.py.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select
from sqlmodel import Session

from app.attachments import storage
from app.attachments.models import Attachment
from app.config import get_settings
from app.events import chain, checkpoints
from app.events.types import EventType
from app.submissions.models import Submission

# Events that set an item's state (and leave its agency in the row's agency_id).
STATE_EVENTS = frozenset({
    EventType.SUBMITTED, EventType.ROUTED, EventType.SENT_TO_TRIAGE, EventType.ASSIGNED, EventType.ACCEPTED,
    EventType.TRANSFERRED, EventType.REJECTED, EventType.INFO_REQUESTED, EventType.INFO_PROVIDED,
    EventType.ANSWERED, EventType.CLOSED, EventType.RATED, EventType.REOPENED,
    EventType.DECIDED,  # the decision on an initiative or solution is its answer (app/initiatives)
})
ANSWER_EVENTS = frozenset({EventType.ANSWERED, EventType.DECIDED})
_LEGACY = "legacy"  # an ANSWERED event written before events recorded the answer's hash: not checkable


@dataclass
class Finding:
    area: str  # chain | checkpoints | items | attachments
    row: str  # the first bad row: "sự kiện #12 (seq 12)", "hồ sơ DB-2026-ABCDEF", "tệp đính kèm #3"
    problem: str
    event_id: int | None = None
    seq: int | None = None
    tracking_code: str | None = None
    attachment_id: int | None = None


@dataclass
class AuditReport:
    events: int = 0
    checkpoints: int = 0  # valid lines in the checkpoint file
    checkpoint_file: Path | None = None
    items: int = 0
    attachments: int = 0
    files_checked: bool = True
    findings: list[Finding] = field(default_factory=list)  # at most `limit` per area, in order
    counts: dict[str, int] = field(default_factory=dict)  # every finding, per area

    @property
    def ok(self) -> bool:
        return not self.counts

    def first(self, area: str) -> Finding | None:
        return next((f for f in self.findings if f.area == area), None)

    def add(self, finding: Finding, limit: int) -> None:
        n = self.counts.get(finding.area, 0)
        if n < limit:
            self.findings.append(finding)
        self.counts[finding.area] = n + 1


@dataclass
class _Item:
    state: str | None = None
    agency_id: int | None = None
    state_event: int | None = None
    answer_sha: str | None = None  # _LEGACY when the event predates the recorded hash
    answer_event: int | None = None
    rating: bool | None = None
    rating_event: int | None = None


@dataclass
class _File:
    sha256: str
    event_id: int
    submission_id: int | None


class _Facts:
    """What the events say, collected while the chain is walked (in chain order: later events win)."""

    def __init__(self) -> None:
        self.items: dict[int, _Item] = {}
        self.files: dict[int, _File] = {}

    def visit(self, row: Any) -> None:
        if row.submission_id is None:
            return
        item = self.items.setdefault(row.submission_id, _Item())
        kind = row.type
        if kind in STATE_EVENTS:
            item.state, item.agency_id, item.state_event = row.to_state, row.agency_id, row.id
        if kind in ANSWER_EVENTS:
            item.answer_sha = _data(row).get("answer_sha256", _LEGACY)
            item.answer_event = row.id
        elif kind == EventType.RATED:
            item.rating, item.rating_event = _data(row).get("satisfied"), row.id
        elif kind == EventType.REOPENED:
            item.rating, item.rating_event = None, row.id
        elif kind == EventType.ATTACHMENT_ADDED:
            for f in _data(row).get("files", ()):
                if isinstance(f, dict) and "id" in f:
                    self.files[f["id"]] = _File(str(f.get("sha256")), row.id, row.submission_id)


def _data(row: Any) -> dict:
    try:
        value = json.loads(row.data) if row.data else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _batches(session: Session, table: Table, columns: list[str], size: int = 1000) -> Iterator[Any]:
    conn = session.connection()
    last = 0
    cols = [table.c[name] for name in ["id", *columns]]
    while True:
        rows = conn.execute(select(*cols).where(table.c.id > last).order_by(table.c.id).limit(size)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def _event_label(event_id: int | None, seq: int | None) -> str:
    if event_id is None:
        return f"seq {seq} (đã bị xóa)"
    return f"sự kiện #{event_id}" + (f" (seq {seq})" if seq is not None else "")


def run(session: Session, *, checkpoint_file: Path | None = None, key: bytes | None = None,
        check_files: bool = True, limit: int = 20) -> AuditReport:
    """Every check; `key` defaults to PAKN_AUDIT_KEY or the key file (never created here)."""
    settings = get_settings()
    path = checkpoint_file or settings.effective_audit_checkpoint_file
    key = key or settings.effective_audit_key(create=False)
    report = AuditReport(checkpoint_file=path, files_checked=check_files)

    contents = checkpoints.read(path, key)
    report.checkpoints = len(contents.checkpoints)
    for bad in contents.bad:
        report.add(Finding("checkpoints", f"dòng {bad.line} của {path}", bad.problem), limit)

    facts = _Facts()
    result = chain.check(session, anchors=contents.checkpoints, visit=facts.visit)
    report.events = result.count
    if result.broken is not None:
        b = result.broken
        report.add(Finding("chain", _event_label(b.event_id, b.seq), b.problem, event_id=b.event_id,
                           seq=b.seq), limit)
    if result.checkpoint is not None:
        b = result.checkpoint
        if b.from_seq is not None:  # a rewrite: name the first row that may have been changed
            first_id = chain.first_event_at_or_after(session, b.from_seq)
            row = f"sự kiện #{first_id} (seq {b.from_seq}) … {_event_label(b.event_id, b.seq)}"
            report.add(Finding("checkpoints", row, b.problem, event_id=first_id, seq=b.from_seq), limit)
        else:
            report.add(Finding("checkpoints", _event_label(b.event_id, b.seq), b.problem,
                               event_id=b.event_id, seq=b.seq), limit)

    _check_items(session, facts, report, limit)
    _check_attachments(session, facts, report, limit, check_files)
    return report


def _check_items(session: Session, facts: _Facts, report: AuditReport, limit: int) -> None:
    for row in _batches(session, Submission.__table__,
                        ["tracking_code", "state", "agency_id", "answer_text", "rating_satisfied"]):
        report.items += 1
        item = facts.items.get(row.id)

        def bad(problem: str, row=row) -> None:
            report.add(Finding("items", f"hồ sơ {row.tracking_code}", problem, tracking_code=row.tracking_code),
                       limit)

        if item is None or item.state_event is None:
            bad("không có sự kiện nào trong nhật ký ghi trạng thái của hồ sơ (hồ sơ được thêm ngoài ứng dụng)")
            continue
        if row.state != item.state:
            bad(f"trạng thái là “{row.state}” nhưng sự kiện #{item.state_event} (lần đổi trạng thái cuối) để lại "
                f"“{item.state}”")
        if row.agency_id != item.agency_id:
            bad(f"cơ quan xử lý là #{row.agency_id} nhưng sự kiện #{item.state_event} (lần đổi trạng thái cuối) "
                f"ghi cơ quan #{item.agency_id}")
        if item.answer_event is None:
            if row.answer_text is not None:
                bad("có nội dung trả lời nhưng nhật ký không có sự kiện trả lời nào")
        elif item.answer_sha != _LEGACY and chain.text_digest(row.answer_text) != item.answer_sha:
            bad(f"nội dung trả lời khác với nội dung sự kiện #{item.answer_event} đã ghi (SHA-256)")
        if row.rating_satisfied != item.rating:
            source = f"sự kiện #{item.rating_event}" if item.rating_event else "nhật ký (chưa có đánh giá)"
            bad(f"đánh giá là {row.rating_satisfied} nhưng {source} ghi {item.rating}")


def _check_attachments(session: Session, facts: _Facts, report: AuditReport, limit: int, check_files: bool) -> None:
    expected = dict(facts.files)
    for row in _batches(session, Attachment.__table__, ["submission_id", "sha256", "storage_key"]):
        report.attachments += 1
        fact = expected.pop(row.id, None)

        def bad(problem: str, row=row) -> None:
            report.add(Finding("attachments", f"tệp đính kèm #{row.id} (hồ sơ #{row.submission_id})", problem,
                               attachment_id=row.id), limit)

        if fact is None:
            bad("không có sự kiện ATTACHMENT_ADDED nào ghi tệp này (được thêm ngoài ứng dụng)")
            continue
        if row.submission_id != fact.submission_id:
            bad(f"thuộc hồ sơ #{row.submission_id}, sự kiện #{fact.event_id} ghi hồ sơ #{fact.submission_id}")
        if row.sha256 != fact.sha256:
            bad(f"SHA-256 lưu trong bảng khác với SHA-256 sự kiện #{fact.event_id} đã ghi")
        if check_files:
            try:
                path = storage.path_for(row.storage_key)
            except ValueError:
                bad("khóa lưu trữ không hợp lệ")
                continue
            if not path.is_file():
                bad(f"thiếu tệp trên đĩa ({path})")
            elif storage.sha256_of(path) != fact.sha256:
                bad(f"nội dung tệp trên đĩa khác với SHA-256 sự kiện #{fact.event_id} đã ghi")
    for attachment_id, fact in sorted(expected.items()):
        report.add(Finding("attachments", f"tệp đính kèm #{attachment_id} (hồ sơ #{fact.submission_id})",
                           f"sự kiện #{fact.event_id} ghi tệp này nhưng bảng không còn hàng của nó",
                           attachment_id=attachment_id), limit)
