"""`Idempotency-Key`: a retried POST returns the original response instead of doing the work twice.

The key row is inserted in the same transaction as the work it guards, under a unique (client, key) index.
A concurrent retry with the same key blocks on that index (PostgreSQL) or on the write lock (SQLite) until the
first transaction ends, then fails to insert, finds the row and replays the result. The stored response is
written right after the work commits; if a crash falls in between, the row still names the resource, and the
response is rebuilt from it. Nothing is created twice in any case.
"""

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from app.config import get_settings
from app.db import utcnow
from app.integrations.models import IdempotencyRecord

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces (a UUID fits)
WAIT_FOR_OTHER_SECONDS = 3.0


class IdempotencyKeyInvalid(Exception):
    pass


class IdempotencyMismatch(Exception):
    """The key was used before with a different request."""


class IdempotencyInProgress(Exception):
    """The first request with this key has not finished yet."""


@dataclass
class Outcome:
    status_code: int
    body: Any
    replayed: bool = False


def fingerprint(endpoint: str, payload: Any) -> str:
    canonical = json.dumps([endpoint, payload], sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise IdempotencyKeyInvalid("Idempotency-Key phải gồm 1–255 ký tự ASCII in được, không có dấu cách.")
    return key


def _load(session: Session, client_id: int, key: str) -> IdempotencyRecord | None:
    return session.exec(
        select(IdempotencyRecord).where(IdempotencyRecord.api_client_id == client_id, IdempotencyRecord.key == key)
    ).first()


def _replay(
    session: Session, record: IdempotencyRecord, rebuild: Callable[[int], tuple[int, Any]] | None
) -> Outcome | None:
    if record.status_code is not None:
        body = json.loads(record.response_body) if record.response_body else None
        return Outcome(record.status_code, body, replayed=True)
    if record.resource_id is not None and rebuild is not None:
        status, body = rebuild(record.resource_id)
        return Outcome(status, body, replayed=True)
    return None


def execute(
    *,
    session: Session,
    client_id: int,
    key: str | None,
    endpoint: str,
    payload: Any,
    action: Callable[[IdempotencyRecord | None], tuple[int, Any, int | None]],
    rebuild: Callable[[int], tuple[int, Any]] | None = None,
    resource_id: int | None = None,
    attach: bool = True,
    now: datetime | None = None,
) -> Outcome:
    """Runs `action` once per (client, key).

    `action(record)` does the work and commits; it returns (status, body, resource id). The key row commits
    in the same transaction: with `attach` it is added to the session before the work (the work's first write
    flushes it), otherwise the action adds it itself (the API's item creation does so from the item's first
    event, after attachments were checked, so no lock is held while files are read). A concurrent request with
    the same key then fails on the unique index, and replays the winner's result.

    Errors raised by `action` are not remembered: the key row rolls back with the failed work, so a corrected
    retry may reuse the key."""
    if key is None:
        status, body, _ = action(None)
        return Outcome(status, body)
    validate_key(key)
    now = now or utcnow()
    digest = fingerprint(endpoint, payload)

    existing = _load(session, client_id, key)
    if existing is not None and existing.expires_at <= now:
        session.exec(delete(IdempotencyRecord).where(IdempotencyRecord.id == existing.id))
        existing = None
    session.commit()  # end this read before the work (which may read files before it writes)
    if existing is not None:
        return _resolve(session, client_id, key, digest, rebuild, now)

    ttl = timedelta(hours=get_settings().api_idempotency_hours)
    record = IdempotencyRecord(api_client_id=client_id, key=key, endpoint=endpoint, fingerprint=digest,
                               resource_id=resource_id, created_at=now, expires_at=now + ttl)
    if attach:
        session.add(record)
    try:
        status, body, created_id = action(record)
    except IntegrityError:
        session.rollback()
        if _load(session, client_id, key) is None:
            raise  # some other constraint
        return _resolve(session, client_id, key, digest, rebuild, now)
    except BaseException:
        session.rollback()
        raise
    record.status_code = status
    record.response_body = json.dumps(body, ensure_ascii=False, default=str)
    if created_id is not None:
        record.resource_id = created_id
    session.add(record)
    session.commit()
    return Outcome(status, body)


def _resolve(session: Session, client_id: int, key: str, digest: str, rebuild, now: datetime) -> Outcome:
    """The answer for a key that was used before: 409 for another request, else the first result."""
    existing = _wait_for_other(session, client_id, key, digest, rebuild, now)
    if existing is None:
        raise IdempotencyInProgress("Idempotency-Key vừa hết hạn; vui lòng gửi lại.")
    if existing.fingerprint != digest:
        raise IdempotencyMismatch(
            "Idempotency-Key này đã được dùng cho một yêu cầu khác. Hãy dùng khóa mới cho yêu cầu mới."
        )
    outcome = _replay(session, existing, rebuild)
    if outcome is None:
        raise IdempotencyInProgress("Yêu cầu trước với cùng Idempotency-Key đang được xử lý; vui lòng thử lại sau.")
    return outcome


def _wait_for_other(
    session: Session, client_id: int, key: str, digest: str, rebuild, now: datetime
) -> IdempotencyRecord | None:
    """The row that beat us. If it is expired it is deleted and None returned; if its request is still
    running (no result, nothing to rebuild from) we wait a little for it."""
    deadline = time.monotonic() + WAIT_FOR_OTHER_SECONDS
    while True:
        existing = _load(session, client_id, key)
        if existing is None:
            return None
        if existing.expires_at <= now:
            session.exec(delete(IdempotencyRecord).where(IdempotencyRecord.id == existing.id))
            session.commit()
            return None
        if existing.fingerprint != digest:
            return existing
        if existing.status_code is not None or (existing.resource_id is not None and rebuild is not None):
            return existing
        if time.monotonic() >= deadline:
            return existing
        session.rollback()  # end the read so the next one sees the other transaction's commit
        time.sleep(0.05)
