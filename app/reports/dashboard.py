"""The coordinator's dashboard (each agency sees its own): every figure from app/reports/queries.py, each with the
link to the inbox list of the items behind it (app/inbox/filters.py: the same definitions as the queries)."""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session

from app.inbox.filters import InboxFilters
from app.reach import figures as reach_figures
from app.reports import snapshots, tables
from app.reports.initiatives import DashboardBlock, dashboard_block
from app.reports.queries import Period
from app.reports.tables import Line

RANKED = 15
DIMENSIONS = ("kind", "field", "commune", "channel")


@dataclass
class Dashboard:
    period: Period
    agency_code: str  # "" for an agency's own view; "all" or a code for the coordinator
    total: Line
    by_dimension: dict[str, list[tuple[str, str, int]]]  # dimension → (code, name, received)
    by_volume: list[Line]
    by_lateness: list[Line]
    silent_communes: list  # app.reach.figures.SilentCommune: nothing from there in 30 days, the quietest first
    by_source: list  # app.reach.figures.SourceCount: channel and poster tag of the period's items (coordinator)
    base: InboxFilters
    computed_at: datetime
    initiatives: DashboardBlock | None = None  # the year of the period's end (issue 12)

    def link(self, **changes) -> str:
        return "/officer/inbox?" + replace(self.base, **changes).query_string()

    def stage_link(self, stage: str, **changes) -> str:
        return self.link(stage=stage, done_from=self.period.start, done_to=self.period.end,
                         created_from=None, created_to=None, **changes)

    def received_link(self, **changes) -> str:
        return self.link(**changes)


def build(*, session: Session, period: Period, agency_id: int | None, agency_code: str,
          now: datetime | None = None) -> Dashboard:
    """`agency_id`: the agency whose figures these are (None: every agency, the coordinator's view)."""
    breakdown, computed_at = snapshots.figures(session=session, period=period,
                                               by="agency" if agency_id is None else None, agency_id=agency_id,
                                               now=now)
    total = Line("total", "Tổng cộng", breakdown.total)
    by_agency = tables.lines(session, breakdown) if agency_id is None else []
    dims = {}
    received = snapshots.received_by_dimensions(session=session, period=period, agency_id=agency_id, now=now)
    for by in DIMENSIONS:
        counts = received[by]
        named = tables.names(session, by)
        dims[by] = sorted(((named[k][0], named[k][1], n) for k, n in counts.items() if k in named),
                          key=lambda row: -row[2])
    return Dashboard(
        period=period, agency_code=agency_code, total=total, by_dimension=dims, computed_at=computed_at,
        by_volume=sorted(by_agency, key=lambda line: -line.figures.received)[:RANKED],
        by_lateness=sorted((line for line in by_agency if line.figures.late or line.figures.overdue_now),
                           key=lambda line: (-line.figures.late, -line.figures.overdue_now))[:RANKED],
        silent_communes=reach_figures.silent_communes(session=session, now=now),
        by_source=reach_figures.submissions_by_source(session=session, since=period.since, until=period.until)
        if agency_id is None else [],
        base=InboxFilters(created_from=period.start, created_to=period.end, agency=agency_code, sort="newest"),
        initiatives=dashboard_block(session=session, year=period.end.year, agency_id=agency_id),
    )
