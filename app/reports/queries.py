"""The one query layer behind every figure: /thong-ke, /du-lieu-mo, the coordinator's dashboard, the quarterly
report and their exports all call `figures()` (and `series()`, `silent_communes()`), so they always agree.

Every figure is a SQL aggregate over an indexed column (migration 0020 adds covering indexes), never a loop over
items in Python. Definitions (docs/reports.md):

- received: items created in the period (`submissions.created_at`), by the agency holding them now;
- accepted / transferred: accept clocks stopped in the period by an acceptance / a transfer, counted for the
  agency whose clock it was (the one that accepted, or handed the item on);
- answered: answer clocks stopped by an answer in the period (a reopened item answered again counts again),
  for the agency that answered; on time / late: whether that clock was met (`submission_deadlines.on_time`);
- handling time: the working time the answer clock ran (from acceptance to answer, pauses for information left
  out, extensions included), stored in working seconds when the clock stopped (`budget_seconds -
  margin_seconds`) and shown in working days of the province's office hours; median and 90th percentile
  (nearest rank) computed in SQL with window functions, identically on SQLite and PostgreSQL;
- rejected: items refused in the period (state rejected, last change in the period);
- satisfaction: ratings given in the period, share "satisfied";
- at risk / overdue now: running clocks past 75 % of their time / past their due instant, at `now`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, select
from sqlmodel import Session

from app.db import utcnow
from app.i18n import N_
from app.kinds import EventType, State
from app.publication.models import Publication, PublicationStatus
from app.sla import service as sla_service
from app.sla.clock import day_seconds
from app.sla.models import Clock, Phase, SubmissionDeadline
from app.submissions.models import Submission
from app.timefmt import LOCAL_TZ

S = Submission.__table__.c
D = SubmissionDeadline.__table__.c

# Dimensions a figure can be broken down by: the submission column, and for clock figures the clock's own agency.
DIMENSIONS = {
    "agency": S.agency_id,
    "commune": S.commune_id,
    "kind": S.kind,
    "field": S.field_id,
    "channel": S.source,
}
TOTAL = "total"


# ------------------------------------------------------------------ periods


@dataclass(frozen=True)
class Period:
    """Local (Vietnam) calendar days, both ends included."""

    start: date
    end: date
    label: str

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=LOCAL_TZ)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=LOCAL_TZ)

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter(year: int, q: int) -> Period:
    if not 1 <= q <= 4:
        raise ValueError("quarter")
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)
    return Period(start, end, N_("Quý %(quarter)s/%(year)s", quarter=["I", "II", "III", "IV"][q - 1], year=year))


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), N_("Năm %(year)s", year=year))


def today_local(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LOCAL_TZ).date()


def current_quarter(now: datetime | None = None) -> Period:
    return quarter(*quarter_of(today_local(now)))


def previous_quarters(count: int, now: datetime | None = None) -> list[Period]:
    """The current quarter and the `count - 1` before it, newest first."""
    year, q = quarter_of(today_local(now))
    out = []
    for _ in range(count):
        out.append(quarter(year, q))
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return out


def parse_quarter(value: str) -> Period | None:
    """'2026-Q3' (or '2026-3') → that quarter; None when it is not one."""
    value = (value or "").strip().upper().replace("Q", "")
    try:
        year, q = (int(p) for p in value.split("-"))
        return quarter(year, q) if 2000 <= year <= 2100 else None
    except ValueError:
        return None


def quarter_code(period: Period) -> str:
    return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"


# ------------------------------------------------------------------ figures


@dataclass
class Figures:
    """One line of figures (a group, or the total)."""

    received: int = 0
    accepted: int = 0
    transferred: int = 0
    rejected: int = 0
    answered: int = 0
    on_time: int = 0
    late: int = 0
    median_days: float | None = None
    p90_days: float | None = None
    rated: int = 0
    satisfied: int = 0
    at_risk_now: int = 0
    overdue_now: int = 0

    @property
    def on_time_pct(self) -> float | None:
        return round(100 * self.on_time / self.answered, 1) if self.answered else None

    @property
    def satisfied_pct(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None


@dataclass
class Breakdown:
    period: Period
    by: str | None
    rows: dict = field(default_factory=dict)  # group key → Figures (group key: id or code)
    total: Figures = field(default_factory=Figures)

    def row(self, key) -> Figures:
        return self.rows.setdefault(key, Figures())


def _group(by: str | None, clock_side: bool = False):
    if by is None:
        return literal(TOTAL)
    if by == "agency" and clock_side:
        return D.agency_id
    return DIMENSIONS[by]


def _needs_join(by: str | None, agency_id: int | None, clock_side: bool) -> bool:
    return clock_side and by is not None and by != "agency"


def _received(session: Session, period: Period, by: str | None, agency_id: int | None):
    g = _group(by)
    stmt = (select(g.label("g"), func.count().label("n")).select_from(Submission.__table__)
            .where(S.created_at >= period.since, S.created_at < period.until).group_by(g))
    if agency_id is not None:
        stmt = stmt.where(S.agency_id == agency_id)
    return session.execute(stmt).all()


def _clock_from(by: str | None):
    if _needs_join(by, None, True):
        return SubmissionDeadline.__table__.join(Submission.__table__, S.id == D.submission_id)
    return SubmissionDeadline.__table__


def _stopped(session: Session, period: Period, by: str | None, agency_id: int | None):
    """Accepted, transferred, answered, on time, late: clocks stopped in the period."""
    g = _group(by, clock_side=True)
    is_accept = D.phase == Phase.ACCEPT.value
    answered = and_(D.phase == Phase.ANSWER.value, D.outcome == EventType.ANSWERED.value)
    stmt = (select(
        g.label("g"),
        func.sum(case((and_(is_accept, D.outcome == EventType.ACCEPTED.value), 1), else_=0)),
        func.sum(case((and_(is_accept, D.outcome == EventType.TRANSFERRED.value), 1), else_=0)),
        func.sum(case((answered, 1), else_=0)),
        func.sum(case((and_(answered, D.on_time.is_(True)), 1), else_=0)),
    ).select_from(_clock_from(by))
        .where(D.stopped_at >= period.since, D.stopped_at < period.until).group_by(g))
    if agency_id is not None:
        stmt = stmt.where(D.agency_id == agency_id)
    return session.execute(stmt).all()


def _durations(session: Session, period: Period, by: str | None, agency_id: int | None):
    """Median and 90th percentile (nearest rank) of the answer clocks' working seconds, per group, in SQL."""
    g = _group(by, clock_side=True)
    used = (D.budget_seconds - D.margin_seconds).label("used")
    inner = (select(g.label("g"), used).select_from(_clock_from(by))
             .where(D.stopped_at >= period.since, D.stopped_at < period.until, D.phase == Phase.ANSWER.value,
                    D.outcome == EventType.ANSWERED.value, D.margin_seconds.is_not(None)))
    if agency_id is not None:
        inner = inner.where(D.agency_id == agency_id)
    inner = inner.subquery()
    ranked = select(
        inner.c.g, inner.c.used,
        func.row_number().over(partition_by=inner.c.g, order_by=inner.c.used).label("rn"),
        func.count().over(partition_by=inner.c.g).label("n"),
    ).subquery()
    rn, n = ranked.c.rn, ranked.c.n
    middle = rn.in_([(n + 1) // 2, (n + 2) // 2])
    stmt = select(
        ranked.c.g,
        func.avg(case((middle, ranked.c.used))),
        func.min(case((rn * 10 >= n * 9, ranked.c.used))),
    ).group_by(ranked.c.g)
    return session.execute(stmt).all()


def _rejected(session: Session, period: Period, by: str | None, agency_id: int | None):
    g = _group(by)
    stmt = (select(g.label("g"), func.count()).select_from(Submission.__table__)
            .where(S.state == State.REJECTED.value, S.updated_at >= period.since, S.updated_at < period.until)
            .group_by(g))
    if agency_id is not None:
        stmt = stmt.where(S.agency_id == agency_id)
    return session.execute(stmt).all()


def _ratings(session: Session, period: Period, by: str | None, agency_id: int | None):
    g = _group(by)
    stmt = (select(g.label("g"), func.count(), func.sum(case((S.rating_satisfied.is_(True), 1), else_=0)))
            .select_from(Submission.__table__)
            .where(S.rated_at >= period.since, S.rated_at < period.until).group_by(g))
    if agency_id is not None:
        stmt = stmt.where(S.agency_id == agency_id)
    return session.execute(stmt).all()


def _now(session: Session, now: datetime, by: str | None, agency_id: int | None):
    """Running clocks at risk / overdue at `now` (the sweep's own definitions, app/sla/clock.py)."""
    g = _group(by, clock_side=True)
    if by == "agency":
        # `+ 0`: read the running clocks through their (clock, at_risk_at) index; grouping by the bare column
        # lets SQLite walk every clock in agency order instead.
        g = D.agency_id + 0
    stmt = (select(g.label("g"),
                   func.sum(case((and_(D.at_risk_at <= now, D.due_at > now), 1), else_=0)),
                   func.sum(case((D.due_at <= now, 1), else_=0)))
            .select_from(_clock_from(by))
            .where(D.clock == Clock.RUNNING.value, D.at_risk_at <= now).group_by(g))
    if agency_id is not None:
        stmt = stmt.where(D.agency_id == agency_id)
    return session.execute(stmt).all()


def _key(value):
    return value.value if hasattr(value, "value") else value


ADDITIVE = ("received", "accepted", "transferred", "answered", "on_time", "late", "rejected", "rated", "satisfied",
            "at_risk_now", "overdue_now")


def _fill(out: Breakdown, line, session: Session, period: Period, grouping: str | None, agency_id: int | None,
          now: datetime, day: int, *, counts: bool = True, now_rows: list | None = None) -> None:
    if counts:
        for g, n in _received(session, period, grouping, agency_id):
            line(g).received = int(n)
        for g, acc, tr, ans, ok in _stopped(session, period, grouping, agency_id):
            f = line(g)
            f.accepted, f.transferred, f.answered, f.on_time = int(acc or 0), int(tr or 0), int(ans or 0), int(ok or 0)
            f.late = f.answered - f.on_time
        for g, n in _rejected(session, period, grouping, agency_id):
            line(g).rejected = int(n)
        for g, n, ok in _ratings(session, period, grouping, agency_id):
            f = line(g)
            f.rated, f.satisfied = int(n), int(ok or 0)
        for g, risk, over in (now_figures(session=session, now=now, by=grouping, agency_id=agency_id)
                              if now_rows is None else now_rows):
            f = line(g)
            f.at_risk_now, f.overdue_now = int(risk or 0), int(over or 0)
    for g, median, p90 in _durations(session, period, grouping, agency_id):
        f = line(g)
        f.median_days = round(float(median) / day, 1) if median is not None else None
        f.p90_days = round(float(p90) / day, 1) if p90 is not None else None


def now_figures(*, session: Session, now: datetime, by: str | None = None,
                agency_id: int | None = None) -> list[tuple]:
    """(group, at risk, overdue) at `now`: the same whatever the period (snapshots.py keeps them)."""
    return [(g, int(risk or 0), int(over or 0)) for g, risk, over in _now(session, now, by, agency_id)]


def figures(*, session: Session, period: Period, by: str | None = None, agency_id: int | None = None,
            now: datetime | None = None, now_rows: list | None = None) -> Breakdown:
    """Every figure for the period, broken down `by` a dimension (agency, commune, kind, field, channel) or not,
    optionally for one agency only. With a breakdown, the total's counts are the sums of the groups (every item
    and clock is in exactly one group); its median and 90th percentile are their own query. `now_rows`: the
    at-risk/overdue figures already computed for this grouping (`now_figures`), else they are queried."""
    now = now or utcnow()
    day = day_seconds(sla_service.working_calendar(session=session))
    out = Breakdown(period=period, by=by)
    if by:
        _fill(out, lambda key: out.row(_key(key)), session, period, by, agency_id, now, day, now_rows=now_rows)
        for name in ADDITIVE:
            setattr(out.total, name, sum(getattr(f, name) for f in out.rows.values()))
    _fill(out, lambda key: out.total, session, period, None, agency_id, now, day, counts=not by,
          now_rows=now_rows)
    return out


# ------------------------------------------------------------------ series and gaps


def months_of(period: Period) -> list[Period]:
    out, day = [], period.start.replace(day=1)
    while day <= period.end:
        nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        out.append(Period(max(day, period.start), min(nxt - timedelta(days=1), period.end),
                          f"{day.month:02d}/{day.year}"))
        day = nxt
    return out


def series(*, session: Session, buckets: Iterable[Period],
           agency_id: int | None = None) -> list[tuple[Period, int, int]]:
    """(bucket, received, answered) for each bucket (e.g. the months of a year), in two statements: one
    conditional sum per bucket, so the buckets follow Vietnam's calendar exactly on both databases."""
    buckets = list(buckets)
    if not buckets:
        return []
    lo, hi = min(b.since for b in buckets), max(b.until for b in buckets)
    received = select(*[func.sum(case((and_(S.created_at >= b.since, S.created_at < b.until), 1), else_=0))
                        for b in buckets]).where(S.created_at >= lo, S.created_at < hi)
    answered = select(*[func.sum(case((and_(D.stopped_at >= b.since, D.stopped_at < b.until), 1), else_=0))
                        for b in buckets]).where(D.stopped_at >= lo, D.stopped_at < hi,
                                                 D.phase == Phase.ANSWER.value,
                                                 D.outcome == EventType.ANSWERED.value)
    if agency_id is not None:
        received = received.where(S.agency_id == agency_id)
        answered = answered.where(D.agency_id == agency_id)
    r = session.execute(received).one()
    a = session.execute(answered).one()
    return [(b, int(r[i] or 0), int(a[i] or 0)) for i, b in enumerate(buckets)]


def received(*, session: Session, period: Period, by: str, agency_id: int | None = None) -> dict:
    """Only the "received" figure, broken down `by` a dimension (one indexed statement)."""
    return {_key(g): int(n) for g, n in _received(session, period, by, agency_id)}


def published_count(*, session: Session, period: Period) -> int:
    """Items published in the period and still public (app/publication)."""
    p = Publication.__table__.c
    return int(session.execute(
        select(func.count()).select_from(Publication.__table__)
        .where(p.status == PublicationStatus.PUBLISHED.value, p.published_at >= period.since,
               p.published_at < period.until)).scalar() or 0)


def received_by_dimensions(*, session: Session, period: Period, agency_id: int | None = None) -> dict[str, dict]:
    """"Received" by kind, field, commune and channel at once: one indexed scan grouped by the four columns (a few
    thousand groups at most), summed per dimension here."""
    cols = [S.kind, S.field_id, S.commune_id, S.source]
    stmt = (select(*cols, func.count()).select_from(Submission.__table__)
            .where(S.created_at >= period.since, S.created_at < period.until).group_by(*cols))
    if agency_id is not None:
        stmt = stmt.where(S.agency_id == agency_id)
    out: dict[str, dict] = {"kind": {}, "field": {}, "commune": {}, "channel": {}}
    for kind, field_id, commune_id, source, n in session.execute(stmt):
        for dim, key in (("kind", _key(kind)), ("field", field_id), ("commune", commune_id), ("channel", _key(source))):
            out[dim][key] = out[dim].get(key, 0) + int(n)
    return out
