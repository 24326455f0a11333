"""`Idempotency-Key`: a retried POST returns the original response instead of doing the work twice.

`execute` is the unit of work of every API write: the key's row, the work it guards and the stored response
commit together, in one transaction, or not at all. The row sits under a unique (client, key) index. On SQLite
the write lock serialises requests, so the second one finds the first one's row. On PostgreSQL a concurrent
request with the same key blocks on that index until the first transaction ends, then fails to insert, reads
the committed row and replays its response. Nothing is created twice in any case.
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from app.config import get_settings
from app.db import unit_of_work, utcnow
from app.integrations.models import IdempotencyRecord

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces (a UUID fits)


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
    action: Callable[[], tuple[int, Any, int | None]],
    rebuild: Callable[[int], tuple[int, Any]] | None = None,
    now: datetime | None = None,
    key_after_work: bool = False,
    ttl: timedelta | None = None,
) -> Outcome:
    """Runs `action()` -> (status, body, resource id) once per (client, key), in one unit of work with the key.

    Errors raised by `action` are not remembered: the key row rolls back with the failed work, so a corrected
    retry may reuse the key.

    `key_after_work` writes the key once, with the response, after the work (one statement fewer): only for work
    that a repeat cannot refuse (creating an item). A twin then does the work too, fails on the key's unique
    index, rolls all of it back and replays the first answer; work on an existing item writes the key first, so
    that a retry replays instead of meeting the lifecycle's refusal.

    `ttl` overrides how long the key is kept (the web forms' offline queue keeps its keys for weeks: a village
    without signal may retry days later)."""
    if key is None:
        with unit_of_work(session):
            status, body, _ = action()
        return Outcome(status, body)
    validate_key(key)
    now = now or utcnow()
    digest = fingerprint(endpoint, payload)
    ttl = ttl or timedelta(hours=get_settings().api_idempotency_hours)
    for _attempt in range(2):
        try:
            with unit_of_work(session):
                # The key first: a twin that got there before (a retry, or a concurrent request: on PostgreSQL
                # this INSERT waits for the twin's commit) makes it fail on the unique index before any work, and
                # the request replays the twin's answer. The response is stored with the work, in one commit.
                record = IdempotencyRecord(api_client_id=client_id, key=key, endpoint=endpoint, fingerprint=digest,
                                           created_at=now, expires_at=now + ttl)
                if not key_after_work:
                    session.add(record)
                    session.flush()
                status, body, resource_id = action()
                record.status_code, record.resource_id = status, resource_id
                record.response_body = json.dumps(body, ensure_ascii=False, default=str)
                session.add(record)
            return Outcome(status, body)
        except IntegrityError:
            existing = _load(session, client_id, key)
            session.rollback()
            if existing is None:
                raise  # some other constraint
            if existing.expires_at > now:
                return _answer(session, existing, digest, rebuild)
            with unit_of_work(session):  # an expired key may be used again
                session.exec(delete(IdempotencyRecord).where(IdempotencyRecord.id == existing.id))
    raise IdempotencyInProgress("Idempotency-Key vừa hết hạn; vui lòng gửi lại.")


def _answer(session: Session, existing: IdempotencyRecord, digest: str, rebuild) -> Outcome:
    """The answer for a key that was used before: 409 for another request, else the first result."""
    if existing.fingerprint != digest:
        raise IdempotencyMismatch(
            "Idempotency-Key này đã được dùng cho một yêu cầu khác. Hãy dùng khóa mới cho yêu cầu mới."
        )
    outcome = _replay(session, existing, rebuild)
    if outcome is None:
        raise IdempotencyInProgress("Yêu cầu trước với cùng Idempotency-Key đang được xử lý; vui lòng thử lại sau.")
    return outcome
