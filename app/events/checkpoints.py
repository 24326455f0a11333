"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint is the chain head (seq, hash, the id of that event) and the time, signed with HMAC-SHA256 under a key
that is not in the database (`PAKN_AUDIT_KEY`, or `<data_dir>/audit_key`, 0600), appended as one JSON line to a
file outside the database (`<data_dir>/audit-checkpoints.jsonl` by default). Someone who can rewrite the database
can recompute every hash of the chain with the app's own function, but cannot sign: `pakn audit verify` finds the
rewrite at the next checkpoint, and finds removed newest events when the chain ends before the newest checkpoint.

A checkpoint is only taken when the rows since the previous one link onto it, so a rewrite is never signed.
The periodic job (`checkpoint_job`, every `PAKN_AUDIT_CHECKPOINT_SECONDS`) runs in every process: an exclusive
`flock` on the file serialises them and an unchanged head writes nothing.
"""

import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session

from app.config import get_settings
from app.db import utcnow
from app.events import chain
from app.events.chain import Anchor

log = logging.getLogger("pakn.audit")

FORMAT = 1


@dataclass(frozen=True)
class Checkpoint(Anchor):
    event_id: int | None = None
    line: int = 0  # 1-based line in the file


@dataclass
class BadLine:
    line: int
    problem: str


@dataclass
class Contents:
    checkpoints: list[Checkpoint] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)


class CheckpointRefused(Exception):
    """The chain since the previous checkpoint does not link onto it, or the file's newest line is not valid:
    nothing is signed (signing now would bless a rewrite)."""


def key_id(key: bytes) -> str:
    """A short public name for the key, so a line signed with another key is told from a forged one."""
    return hashlib.sha256(b"pakn-audit-key-id:" + key).hexdigest()[:8]


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _mac(key: bytes, payload: dict) -> str:
    return hmac.new(key, _canonical(payload), hashlib.sha256).hexdigest()


def sign(key: bytes, *, seq: int, hash_: str, event_id: int | None, at: datetime) -> dict:
    payload = {"v": FORMAT, "seq": seq, "hash": hash_, "event_id": event_id,
               "at": at.isoformat(timespec="seconds"), "key_id": key_id(key)}
    return {**payload, "mac": _mac(key, payload)}


def parse(text: str, key: bytes | None, line: int = 0) -> Checkpoint:
    """One line → a Checkpoint whose signature holds; ValueError (Vietnamese, for the report) otherwise."""
    try:
        obj = json.loads(text)
        payload = {k: obj[k] for k in ("v", "seq", "hash", "event_id", "at", "key_id")}
        mac = obj["mac"]
        seq, digest = int(payload["seq"]), str(payload["hash"])
    except (ValueError, KeyError, TypeError):
        raise ValueError("không phải một dòng điểm neo hợp lệ") from None
    if key is None:
        raise ValueError("không có khóa ký (PAKN_AUDIT_KEY hoặc tệp audit_key) để kiểm tra chữ ký")
    if payload["key_id"] != key_id(key):
        raise ValueError(f"được ký bằng một khóa khác (mã khóa {payload['key_id']}, khóa hiện tại {key_id(key)})")
    if not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(key, payload)):
        raise ValueError("chữ ký không khớp: dòng đã bị sửa hoặc giả mạo")
    return Checkpoint(seq=seq, hash=digest, at=str(payload["at"]), event_id=payload["event_id"], line=line)


def read(path: Path | None = None, key: bytes | None = None) -> Contents:
    """Every line of the file, checked; a missing file is an empty list."""
    path = path or get_settings().effective_audit_checkpoint_file
    contents = Contents()
    if not path.exists():
        return contents
    with path.open(encoding="utf-8") as f:
        for number, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                contents.checkpoints.append(parse(text, key, number))
            except ValueError as exc:
                contents.bad.append(BadLine(number, str(exc)))
    return contents


def _newest(f: BinaryIO, key: bytes) -> Checkpoint | None:
    """The last line of the (locked) file, which must be a valid checkpoint."""
    size = f.seek(0, os.SEEK_END)
    if size == 0:
        return None
    f.seek(max(0, size - 65536))
    lines = [line for line in f.read().splitlines() if line.strip()]
    if not lines:
        return None
    try:
        return parse(lines[-1].decode("utf-8", "replace"), key)
    except ValueError as exc:
        raise CheckpointRefused(f"dòng cuối của tệp điểm neo {exc}") from None


@dataclass
class Taken:
    checkpoint: Checkpoint | None  # None: the head has not moved since `previous` (or the chain is empty)
    previous: Checkpoint | None
    events_checked: int = 0


def take(session: Session, *, now: datetime | None = None, path: Path | None = None,
         key: bytes | None = None) -> Taken:
    """Checks the rows since the newest checkpoint and appends a signed checkpoint of the head. Read-only on the
    database. Raises CheckpointRefused when the chain since the newest checkpoint does not hold."""
    settings = get_settings()
    path = path or settings.effective_audit_checkpoint_file
    key = key or settings.effective_audit_key(create=True)
    assert key is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o640)
    with os.fdopen(fd, "r+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)  # released when the file is closed
        previous = _newest(f, key)
        seq, digest, event_id = chain.head(session)
        if seq == 0 or (previous is not None and (previous.seq, previous.hash) == (seq, digest)):
            return Taken(None, previous)
        report = chain.walk(session, start=previous, until_seq=seq)
        problem = report.checkpoint or report.broken
        if problem is None and (report.last_seq, report.last_hash) != (seq, digest):
            problem = chain.Break(event_id, f"đầu chuỗi (seq {seq}) không khớp với sự kiện mới nhất "
                                            f"(seq {report.last_seq})", seq)
        if problem is not None:
            where = f"sự kiện #{problem.event_id}" if problem.event_id else f"seq {problem.seq}"
            raise CheckpointRefused(f"chuỗi kể từ điểm neo trước không còn nguyên vẹn ({where}: {problem.problem})")
        line = sign(key, seq=seq, hash_=digest, event_id=event_id, at=now or utcnow())
        f.write(_canonical(line) + b"\n")
        f.flush()
        os.fsync(f.fileno())
    return Taken(parse(_canonical(line).decode(), key), previous, report.count)


def checkpoint_job(session: Session, now: datetime) -> None:
    """The periodic job (app/main.py register_jobs). Never raises: a refusal is logged as an error, and the
    next `pakn audit verify` reports the cause."""
    try:
        take(session, now=now)
    except CheckpointRefused as exc:
        log.error("Không ký điểm neo nhật ký: %s", exc)
    except OSError:
        log.exception("Không ghi được tệp điểm neo nhật ký")
