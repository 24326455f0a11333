"""Figures of reaching villages, one query each, for the coordinator's dashboard (issue 11 places them there) and
for /reach/figures until then: submissions by channel and source tag, and communes with nothing in 30 days."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.agencies.models import Commune
from app.db import utcnow
from app.reach.models import ItemReach
from app.submissions.models import Submission


@dataclass(frozen=True)
class SourceCount:
    channel: str
    source_tag: str | None  # None: no tag (not through a poster link)
    count: int


def submissions_by_source(*, session: Session, since: datetime | None = None,
                          until: datetime | None = None) -> list[SourceCount]:
    """Items per (channel, source tag) created in [since, until), most first."""
    query = (select(Submission.source, ItemReach.source_tag, func.count())
             .select_from(Submission)
             .outerjoin(ItemReach, col(ItemReach.submission_id) == col(Submission.id))
             .group_by(Submission.source, ItemReach.source_tag))
    if since is not None:
        query = query.where(col(Submission.created_at) >= since)
    if until is not None:
        query = query.where(col(Submission.created_at) < until)
    rows = [SourceCount(str(channel), tag, int(n)) for channel, tag, n in session.exec(query).all()]
    return sorted(rows, key=lambda r: (-r.count, r.channel, r.source_tag or ""))


@dataclass(frozen=True)
class SilentCommune:
    code: str
    name: str
    last_at: datetime | None  # the last item ever, None when there never was one


def silent_communes(*, session: Session, days: int = 30, now: datetime | None = None) -> list[SilentCommune]:
    """Communes from which no item arrived in the last `days` days (any channel), the quietest first."""
    since = (now or utcnow()) - timedelta(days=days)
    last = (select(Submission.commune_id, func.max(Submission.created_at).label("last_at"))
            .group_by(Submission.commune_id).subquery())
    rows = session.exec(
        select(Commune.code, Commune.name, last.c.last_at)
        .outerjoin(last, last.c.commune_id == Commune.id)
        .where((last.c.last_at.is_(None)) | (last.c.last_at < since))
    ).all()
    return sorted((SilentCommune(code, name, _aware(at)) for code, name, at in rows),
                  key=lambda c: (c.last_at is not None, c.last_at or datetime.min, c.name))


def _aware(value):
    """SQLite hands a max() of a UTC column back as text or naive time."""
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)
