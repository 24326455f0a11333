"""Figures as tables: the columns every surface shows (pages, CSV, XLSX, JSON), named once, with the description
of each field published on /du-lieu-mo. Rows come from `queries.figures` only (through its snapshots)."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.agencies import service as agencies_service
from app.i18n import N_
from app.kinds import CHANNEL_LABELS, KIND_LABELS, Channel, Kind
from app.reports import queries, snapshots
from app.reports.queries import Breakdown, Figures, Period


@dataclass(frozen=True)
class Column:
    key: str  # attribute of queries.Figures
    label: str
    description: str
    percent: bool = False
    decimals: int = 0


RECEIVED = Column("received", N_("Tiếp nhận"), N_("Số hồ sơ gửi đến trong kỳ (theo đơn vị đang giữ hồ sơ)."))
ACCEPTED = Column("accepted", N_("Tiếp nhận xử lý"), N_("Số lần đơn vị tiếp nhận xử lý hồ sơ trong kỳ."))
TRANSFERRED = Column("transferred", N_("Chuyển đơn vị khác"), N_("Số hồ sơ đơn vị chuyển cho đơn vị khác trong kỳ."))
REJECTED = Column("rejected", N_("Từ chối"), N_("Số hồ sơ bị từ chối tiếp nhận trong kỳ (có nêu lý do cho người gửi)."))
ANSWERED = Column("answered", N_("Đã trả lời"),
                  N_("Số lượt trả lời trong kỳ (hồ sơ mở lại và trả lời lại được tính lại)."))
ON_TIME = Column("on_time", N_("Trả lời đúng hạn"),
                 N_("Số lượt trả lời trước hạn trả lời (kể cả gia hạn đã được duyệt)."))
LATE = Column("late", N_("Trả lời trễ hạn"), N_("Số lượt trả lời sau hạn trả lời."))
ON_TIME_PCT = Column("on_time_pct", N_("Đúng hạn (%)"), N_("Tỷ lệ trả lời đúng hạn trên số đã trả lời, %."), True, 1)
MEDIAN = Column("median_days", N_("Số ngày xử lý (trung vị)"),
                N_("Trung vị số ngày làm việc từ khi tiếp nhận xử lý đến khi trả lời (không tính thời gian chờ "
                   "người gửi bổ sung; ngày làm việc theo lịch của tỉnh)."), decimals=1)
P90 = Column("p90_days", N_("Số ngày xử lý (90%)"),
             N_("Thời gian xử lý của 90% lượt trả lời không quá số ngày làm việc này."), decimals=1)
RATED = Column("rated", N_("Lượt đánh giá"), N_("Số lượt người gửi đánh giá câu trả lời trong kỳ."))
SATISFIED = Column("satisfied", N_("Lượt hài lòng"), N_("Số lượt người gửi đánh giá “hài lòng” trong kỳ."))
SATISFIED_PCT = Column("satisfied_pct", N_("Hài lòng (%)"), N_("Tỷ lệ đánh giá “hài lòng” trên số lượt đánh giá, %."),
                       True, 1)
AT_RISK = Column("at_risk_now", N_("Sắp đến hạn"),
                 N_("Số hồ sơ đang xử lý đã dùng từ 75% thời hạn (tại thời điểm xem)."))
OVERDUE = Column("overdue_now", N_("Đang quá hạn"), N_("Số hồ sơ đang xử lý đã quá hạn (tại thời điểm xem)."))

PUBLIC_COLUMNS = (RECEIVED, ANSWERED, ON_TIME_PCT, MEDIAN, SATISFIED_PCT, OVERDUE)
REPORT_COLUMNS = (RECEIVED, ACCEPTED, TRANSFERRED, REJECTED, ANSWERED, ON_TIME, LATE, ON_TIME_PCT, MEDIAN,
                  SATISFIED_PCT, OVERDUE)
ALL_COLUMNS = (RECEIVED, ACCEPTED, TRANSFERRED, REJECTED, ANSWERED, ON_TIME, LATE, ON_TIME_PCT, MEDIAN, P90, RATED,
               SATISFIED, SATISFIED_PCT, AT_RISK, OVERDUE)

DIMENSION_LABELS = {"agency": "Đơn vị", "commune": "Xã, phường", "kind": "Loại", "field": "Lĩnh vực",
                    "channel": "Kênh"}


@dataclass(frozen=True)
class Line:
    key: str  # the code of the group (agency, commune, field code; kind, channel value) or "total"
    name: str
    figures: Figures

    def value(self, column: Column):
        return getattr(self.figures, column.key)


def names(session: Session, by: str) -> dict:
    """Group key (as the query returns it) → (code, name)."""
    ref = agencies_service.reference(session=session)
    if by == "agency":
        return {a.id: (a.code, a.name) for a in ref.agencies}
    if by == "commune":
        return {c.id: (c.code, c.name) for c in ref.communes}
    if by == "field":
        return {f.id: (f.code, f.name) for f in ref.fields}
    if by == "kind":
        return {k.value: (k.value, str(KIND_LABELS[k])) for k in Kind}
    if by == "channel":
        return {c.value: (c.value, CHANNEL_LABELS.get(c, c.value)) for c in Channel}
    raise ValueError(by)


def lines(session: Session, breakdown: Breakdown, *, all_groups: bool = False) -> list[Line]:
    """One line per group with any figure (or every known group, with zeros), in name order."""
    named = names(session, breakdown.by)
    keys = list(named) if all_groups else [k for k in named if k in breakdown.rows]
    out = [Line(named[k][0], named[k][1], breakdown.rows.get(k, Figures())) for k in keys]
    return sorted(out, key=lambda line: line.name)


def table(*, session: Session, period: Period, by: str, agency_id: int | None = None,
          now: datetime | None = None, all_groups: bool = False) -> tuple[list[Line], Line]:
    rows, total, _ = timed_table(session=session, period=period, by=by, agency_id=agency_id, now=now,
                                 all_groups=all_groups)
    return rows, total


def timed_table(*, session: Session, period: Period, by: str, agency_id: int | None = None,
                now: datetime | None = None, all_groups: bool = False) -> tuple[list[Line], Line, datetime]:
    """The lines, the total, and when the figures were computed (a snapshot's time, or now)."""
    breakdown, at = snapshots.figures(session=session, period=period, by=by, agency_id=agency_id, now=now)
    return lines(session, breakdown, all_groups=all_groups), Line("total", N_("Tổng cộng"), breakdown.total), at


def period_options(now: datetime | None = None) -> list[tuple[str, Period]]:
    """What /thong-ke and the dashboard offer: this quarter and the seven before it, this year and last year."""
    quarters = [(queries.quarter_code(p), p) for p in queries.previous_quarters(8, now)]
    year = queries.today_local(now).year
    return quarters[:1] + [(str(year), queries.year_period(year))] + quarters[1:] + [
        (str(year - 1), queries.year_period(year - 1))]


def parse_period(value: str, now: datetime | None = None) -> Period:
    """'2026-Q3' (quarter), '2026' (year) or 'YYYY-MM-DD_YYYY-MM-DD'; anything else: the current quarter."""
    value = (value or "").strip()
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return queries.year_period(int(value))
    if "_" in value:
        try:
            start, end = (datetime.strptime(v, "%Y-%m-%d").date() for v in value.split("_", 1))
        except ValueError:
            return queries.current_quarter(now)
        if start <= end and (end - start).days <= 3660:
            return Period(start, end, f"{start:%d/%m/%Y} – {end:%d/%m/%Y}")
    return queries.parse_quarter(value) or queries.current_quarter(now)


def period_code(period: Period) -> str:
    q = queries.parse_quarter(queries.quarter_code(period))
    if q == period:
        return queries.quarter_code(period)
    if period == queries.year_period(period.start.year):
        return str(period.start.year)
    return period.key
