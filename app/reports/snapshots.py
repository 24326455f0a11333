"""Snapshots of the figures most people look at, so a public page never aggregates a million items per request.

The job `refresh` (every REFRESH_SECONDS, registered in app/main.py) computes with the one query layer
(app/reports/queries.py) the figures /thong-ke offers (every period of its menu, by agency and by commune), the
monthly series, and what the default dashboard and the quarterly report read, and stores each as JSON in
`report_snapshots`. Readers call `figures()`, `series()` or `received()` here: a snapshot younger than `max_age`
is returned as it is (with the time it was computed, shown on the page); a missing or older one is computed live.
The figures of the current period are at most REFRESH_SECONDS old; past periods are refreshed every PAST_SECONDS
(readers take them up to PAST_MAX_AGE old).
"""

import json
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import date, datetime, timedelta

from sqlmodel import Session

from app.db import unit_of_work, utcnow
from app.reports import queries
from app.reports.models import ReportSnapshot
from app.reports.queries import Breakdown, Figures, Period

REFRESH_SECONDS = 300
PAST_SECONDS = 3600
MAX_AGE = timedelta(seconds=REFRESH_SECONDS * 3)
PAST_MAX_AGE = timedelta(seconds=PAST_SECONDS * 2)
DIMENSIONS = ("kind", "field", "commune", "channel")
_FIGURE_FIELDS = [f.name for f in fields(Figures)]


def _period_json(p: Period) -> list:
    return [p.start.isoformat(), p.end.isoformat(), p.label]


def _period_of(value: list) -> Period:
    return Period(date.fromisoformat(value[0]), date.fromisoformat(value[1]), value[2])


def _dump_breakdown(b: Breakdown) -> str:
    return json.dumps({"period": _period_json(b.period), "by": b.by, "total": asdict(b.total),
                       "rows": [[k, asdict(f)] for k, f in b.rows.items()]}, ensure_ascii=False)


def _load_breakdown(payload: str) -> Breakdown:
    data = json.loads(payload)
    out = Breakdown(period=_period_of(data["period"]), by=data["by"], total=Figures(**data["total"]))
    out.rows = {k: Figures(**f) for k, f in data["rows"]}
    return out


def _key(kind: str, period: Period, *parts) -> str:
    return "|".join([kind, period.key, *(str(p) for p in parts)])


def _read(session: Session, key: str, max_age: timedelta | None, now: datetime,
          period: Period) -> ReportSnapshot | None:
    """The snapshot if fresh enough: `max_age`, or by default MAX_AGE for a period that is not over yet and
    PAST_MAX_AGE for a past one (refreshed hourly by the job)."""
    if max_age is None:
        max_age = PAST_MAX_AGE if period.end < queries.today_local(now) else MAX_AGE
    row = session.get(ReportSnapshot, key)
    return row if row is not None and row.computed_at >= now - max_age else None


def _store(session: Session, key: str, payload: str, now: datetime) -> None:
    with unit_of_work(session):
        row = session.get(ReportSnapshot, key)
        if row is None:
            session.add(ReportSnapshot(key=key, computed_at=now, payload=payload))
        else:
            row.computed_at, row.payload = now, payload
        session.flush()


# ------------------------------------------------------------------ readers


def figures(*, session: Session, period: Period, by: str | None = None, agency_id: int | None = None,
            now: datetime | None = None, max_age: timedelta | None = None) -> tuple[Breakdown, datetime]:
    """(figures, when they were computed): the snapshot if fresh, else computed now."""
    now = now or utcnow()
    if (row := _read(session, _key("figures", period, by, agency_id), max_age, now, period)) is not None:
        return _load_breakdown(row.payload), row.computed_at
    now_rows = None
    if agency_id is None and (row := session.get(ReportSnapshot, _now_key(by))) is not None \
            and row.computed_at >= now - MAX_AGE:
        # at risk / overdue do not depend on the period: a live page for any period takes them from the job
        now_rows = [tuple(r) for r in json.loads(row.payload)]
    return queries.figures(session=session, period=period, by=by, agency_id=agency_id, now=now,
                           now_rows=now_rows), now


def _now_key(by: str | None) -> str:
    return f"now|{by}"


def series(*, session: Session, period: Period, now: datetime | None = None,
           max_age: timedelta | None = None) -> list[tuple[Period, int, int]]:
    """Received and answered per month of `period`."""
    now = now or utcnow()
    if (row := _read(session, _key("series", period), max_age, now, period)) is not None:
        return [(_period_of(p), r, a) for p, r, a in json.loads(row.payload)]
    return queries.series(session=session, buckets=queries.months_of(period))


def received(*, session: Session, period: Period, by: str, agency_id: int | None = None,
             now: datetime | None = None, max_age: timedelta | None = None) -> dict:
    now = now or utcnow()
    if (row := _read(session, _key("received", period, by, agency_id), max_age, now, period)) is not None:
        return {k: n for k, n in json.loads(row.payload)}
    return queries.received(session=session, period=period, by=by, agency_id=agency_id)


def received_by_dimensions(*, session: Session, period: Period, agency_id: int | None = None,
                           now: datetime | None = None, max_age: timedelta | None = None) -> dict[str, dict]:
    """"Received" by kind, field, commune and channel: the snapshots of each, or one live query for all four."""
    now = now or utcnow()
    rows = {by: _read(session, _key("received", period, by, agency_id), max_age, now, period) for by in DIMENSIONS}
    if all(rows.values()):
        return {by: {k: n for k, n in json.loads(row.payload)} for by, row in rows.items()}
    return queries.received_by_dimensions(session=session, period=period, agency_id=agency_id)


# ------------------------------------------------------------------ the job


def _standard_periods(now: datetime) -> list[tuple[Period, bool]]:
    """(period, is current) for every period /thong-ke offers, and the years of the monthly series."""
    current = queries.current_quarter(now)
    year = queries.year_period(current.start.year)
    out = [(p, p in (current, year)) for p in (
        *queries.previous_quarters(8, now), year, queries.year_period(current.start.year - 1))]
    return out


def refresh(session: Session, now: datetime) -> int:
    """Recomputes the snapshots that are due (current periods every run, past ones hourly); returns how many."""
    written = 0

    def due(key: str, current: bool) -> bool:
        row = session.get(ReportSnapshot, key)
        limit = REFRESH_SECONDS if current else PAST_SECONDS
        return row is None or row.computed_at < now - timedelta(seconds=limit - 30)

    def put(key: str, current: bool, compute: Callable[[], str]) -> None:
        nonlocal written
        if due(key, current):
            payload = compute()
            _store(session, key, payload, now)
            written += 1

    for by in ("agency", "commune", None):
        put(_now_key(by), True, lambda b=by: json.dumps(queries.now_figures(session=session, now=now, by=b)))
    for period, current in _standard_periods(now):
        for by in ("agency", "commune"):
            put(_key("figures", period, by, None), current, lambda p=period, b=by: _dump_breakdown(
                queries.figures(session=session, period=p, by=b, now=now)))
        if (period.end - period.start).days > 300:  # the years: the monthly series of /thong-ke
            put(_key("series", period), current, lambda p=period: json.dumps([
                [_period_json(m), r, a] for m, r, a in queries.series(session=session, buckets=queries.months_of(p))],
                ensure_ascii=False))
        if any(due(_key("received", period, by, None), current) for by in DIMENSIONS):
            # the dashboard's "received by …", the report's kinds: one query for the four
            dims = queries.received_by_dimensions(session=session, period=period)
            for by in DIMENSIONS:
                _store(session, _key("received", period, by, None), json.dumps(list(dims[by].items())), now)
                written += 1
    return written
