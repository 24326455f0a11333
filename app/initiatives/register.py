"""The adoption register and the indicators the coordinator's dashboard and the quarterly report show (one query
layer, so every surface shows the same figures):

- `register(year)`: per agency, initiatives and solutions received, assessed (decided), adopted, piloted and put
  into practice in that year (the province's calendar year, Asia/Ho_Chi_Minh);
- `agencies_at_zero(year)`: agencies with no initiative put into practice that year (the indicator "at least one
  initiative put into practice per agency per year");
- `flagged(…)`: items whose public support reached the threshold (for the Steering Committee);
- `export_rows`: the register as spreadsheet rows (app/exports.py writes CSV and XLSX).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.agencies import service as agencies_service
from app.agencies.models import Agency
from app.initiatives.models import Assessment, Decision, Implementation
from app.kinds import Kind
from app.submissions.models import Submission
from app.timefmt import LOCAL_TZ

ASSESSED_KIND_VALUES = (Kind.INITIATIVE.value, Kind.SOLUTION.value)
HEADINGS = ("Mã đơn vị", "Đơn vị", "Tiếp nhận", "Đã thẩm định", "Được áp dụng", "Thí điểm", "Đưa vào thực tiễn")


def year_bounds(year: int) -> tuple[datetime, datetime]:
    start = datetime.combine(date(year, 1, 1), time(0), LOCAL_TZ).astimezone(UTC)
    end = datetime.combine(date(year + 1, 1, 1), time(0), LOCAL_TZ).astimezone(UTC)
    return start, end


@dataclass
class RegisterRow:
    agency: Agency
    received: int = 0
    assessed: int = 0
    adopted: int = 0
    piloted: int = 0
    in_practice: int = 0

    def cells(self) -> list:
        return [self.agency.code, self.agency.name, self.received, self.assessed, self.adopted, self.piloted,
                self.in_practice]


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants of the local days first…last (both included)."""
    start = datetime.combine(first, time(0), LOCAL_TZ).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), LOCAL_TZ).astimezone(UTC)
    return start, end


def register(*, session: Session, year: int | None = None, agency_id: int | None = None,
             first: date | None = None, last: date | None = None) -> list[RegisterRow]:
    """Every agency (or one), in the reference order, with its figures for `year` (or the local days first…last,
    both included: a report's period). Received and decided items count for the agency holding them now; put into
    practice counts for the agency that recorded the implementation, by its start date."""
    if first is None or last is None:
        first, last = date(year, 1, 1), date(year, 12, 31)
    start, end = day_bounds(first, last)
    agencies = agencies_service.reference(session=session).agencies
    rows = {a.id: RegisterRow(a) for a in agencies if agency_id is None or a.id == agency_id}

    received = select(Submission.agency_id, func.count()).where(
        col(Submission.kind).in_(ASSESSED_KIND_VALUES), Submission.created_at >= start, Submission.created_at < end,
        col(Submission.agency_id).is_not(None)).group_by(col(Submission.agency_id))
    for aid, n in session.exec(received).all():
        if aid in rows:
            rows[aid].received = n

    decided = (select(Submission.agency_id, Assessment.decision, func.count())
               .join(Assessment, col(Assessment.submission_id) == Submission.id)
               .where(col(Assessment.decided_at) >= start, col(Assessment.decided_at) < end)
               .group_by(col(Submission.agency_id), col(Assessment.decision)))
    for aid, decision, n in session.exec(decided).all():
        row = rows.get(aid)
        if row is None:
            continue
        row.assessed += n
        if decision == Decision.ADOPTED:
            row.adopted += n
        elif decision == Decision.PILOT:
            row.piloted += n

    practice = (select(Implementation.agency_id, func.count())
                .where(Implementation.started_on >= first, Implementation.started_on <= last)
                .group_by(col(Implementation.agency_id)))
    for aid, n in session.exec(practice).all():
        if aid in rows:
            rows[aid].in_practice = n
    return list(rows.values())


def _year_to(year: int, until: date | None) -> tuple[date, date]:
    return date(year, 1, 1), min(until, date(year, 12, 31)) if until else date(year, 12, 31)


def agencies_at_zero(*, session: Session, year: int, until: date | None = None) -> list[Agency]:
    """Agencies with no initiative or solution put into practice in `year` (up to `until`, e.g. the end of a report's
    quarter): the indicator's "still at zero"."""
    first, last = _year_to(year, until)
    return [r.agency for r in register(session=session, first=first, last=last) if r.in_practice == 0]


@dataclass
class Indicator:
    year: int
    agencies: int
    reached: int  # agencies with at least one initiative put into practice

    @property
    def at_zero(self) -> int:
        return self.agencies - self.reached

    @property
    def percent(self) -> float:
        return round(100 * self.reached / self.agencies, 1) if self.agencies else 0.0


def indicator(*, session: Session, year: int, until: date | None = None) -> Indicator:
    first, last = _year_to(year, until)
    rows = register(session=session, first=first, last=last)
    return Indicator(year=year, agencies=len(rows), reached=sum(1 for r in rows if r.in_practice > 0))


@dataclass
class Flagged:
    submission: Submission
    assessment: Assessment
    agency: Agency | None


def flagged(*, session: Session, agency_id: int | None = None, limit: int = 100) -> list[Flagged]:
    """Items whose confirmed supports reached the threshold, newest flag first."""
    stmt = (select(Submission, Assessment).join(Assessment, col(Assessment.submission_id) == Submission.id)
            .where(col(Assessment.flagged_at).is_not(None))
            .order_by(col(Assessment.flagged_at).desc()).limit(limit))
    if agency_id is not None:
        stmt = stmt.where(Submission.agency_id == agency_id)
    ref = agencies_service.reference(session=session)
    return [Flagged(s, a, ref.agency_by_id.get(s.agency_id)) for s, a in session.exec(stmt).all()]


def export_rows(*, session: Session, year: int, agency_id: int | None = None) -> tuple[tuple[str, ...], list[list]]:
    return HEADINGS, [r.cells() for r in register(session=session, year=year, agency_id=agency_id)]
