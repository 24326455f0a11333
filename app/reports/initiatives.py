"""Initiatives and solutions (Resolution 57) in the staff reports: the block of the coordinator's dashboard and the
figures of the quarterly report's section. Every figure comes from app/initiatives/register.py (the adoption
register's one query layer), so the register page /officer/sang-kien, the dashboard and the report agree.

- received, assessed (decided), adopted, piloted and put into practice in the period, per agency;
- the indicator "at least one initiative put into practice per agency this year": counted from 1 January to the end
  of the period (the whole year on the dashboard), with the agencies still at zero;
- items whose public support reached the threshold, flagged for the Steering Committee.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from app.agencies.models import Agency
from app.initiatives import register
from app.reports.queries import Period
from app.reports.tables import Column, Line

RECEIVED = Column("received", "Tiếp nhận", "Sáng kiến, giải pháp gửi đến trong kỳ (theo đơn vị đang giữ hồ sơ).")
ASSESSED = Column("assessed", "Đã thẩm định", "Sáng kiến, giải pháp đã có quyết định thẩm định trong kỳ.")
ADOPTED = Column("adopted", "Được áp dụng", "Quyết định “được áp dụng” trong kỳ.")
PILOTED = Column("piloted", "Thí điểm", "Quyết định “thí điểm” trong kỳ.")
IN_PRACTICE = Column("in_practice", "Đưa vào thực tiễn",
                     "Sáng kiến, giải pháp bắt đầu triển khai trong kỳ (theo hồ sơ triển khai của đơn vị).")
IN_PRACTICE_YEAR = Column("in_practice_year", "Đưa vào thực tiễn từ đầu năm",
                          "Sáng kiến, giải pháp bắt đầu triển khai từ ngày 1/1 đến hết kỳ; 0 là đơn vị chưa đạt chỉ "
                          "tiêu “mỗi đơn vị ít nhất một sáng kiến được đưa vào thực tiễn mỗi năm”.")
COLUMNS = (RECEIVED, ASSESSED, ADOPTED, PILOTED, IN_PRACTICE, IN_PRACTICE_YEAR)
TITLE = "Sáng kiến, giải pháp theo Nghị quyết 57"


@dataclass
class Figures:
    received: int = 0
    assessed: int = 0
    adopted: int = 0
    piloted: int = 0
    in_practice: int = 0
    in_practice_year: int = 0

    def add(self, other: "Figures") -> None:
        for key in self.__dataclass_fields__:
            setattr(self, key, getattr(self, key) + getattr(other, key))

    @property
    def any(self) -> bool:
        return any(getattr(self, key) for key in self.__dataclass_fields__)


@dataclass
class PeriodFigures:
    """The report section's figures: lines of the agencies with any figure, the total, the indicator up to the end
    of the period and the agencies still at zero."""
    lines: list[Line]
    total: Line
    indicator: register.Indicator
    at_zero: list[Agency]


def for_period(*, session: Session, period: Period) -> PeriodFigures:
    rows = register.register(session=session, first=period.start, last=period.end)
    year_rows = {r.agency.id: r for r in register.register(session=session, first=date(period.end.year, 1, 1),
                                                              last=period.end)}
    total = Figures()
    lines = []
    for row in rows:
        figures = Figures(row.received, row.assessed, row.adopted, row.piloted, row.in_practice,
                          year_rows[row.agency.id].in_practice)
        total.add(figures)
        if figures.any:
            lines.append(Line(row.agency.code, row.agency.name, figures))
    year = period.end.year
    return PeriodFigures(lines=lines, total=Line("total", "Tổng cộng", total),
                         indicator=register.indicator(session=session, year=year, until=period.end),
                         at_zero=register.agencies_at_zero(session=session, year=year, until=period.end))


@dataclass
class DashboardBlock:
    """What the dashboard shows: for the coordinator the province's indicator this year with the agencies at zero;
    for an agency its own register line; for both the items flagged for the Steering Committee."""
    year: int
    indicator: register.Indicator | None = None
    at_zero: list[Agency] = field(default_factory=list)
    own: register.RegisterRow | None = None
    flagged: list[register.Flagged] = field(default_factory=list)


def dashboard_block(*, session: Session, year: int, agency_id: int | None) -> DashboardBlock:
    block = DashboardBlock(year=year, flagged=register.flagged(session=session, agency_id=agency_id, limit=20))
    if agency_id is None:
        block.indicator = register.indicator(session=session, year=year)
        block.at_zero = register.agencies_at_zero(session=session, year=year)
    else:
        block.own = next(iter(register.register(session=session, year=year, agency_id=agency_id)), None)
    return block
