"""The quarterly report for the Steering Committee (the section on receiving and handling PAKN of the province's
Resolution 57 report): a short paragraph in the register of those reports with the figures filled in, and the
table per agency. Exported as XLSX, CSV and a print-friendly A4 page (app/web/reports.py).

The report is a list of sections built by `SECTIONS` in order; another domain adds its own with
`register_section(name, build)`, where `build(session, period, now)` returns a Section: initiatives and solutions
(issue 12) are registered here, from app.reports (which may read app.initiatives; never the other way round). A
section's table goes into the CSV (after the per-agency table) and the XLSX (a sheet of its own).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from app.db import utcnow
from app.exports import Column as XlsxColumn
from app.exports import Sheet, csv_text, xlsx_bytes
from app.kinds import Kind
from app.reports import initiatives, queries, snapshots, tables
from app.reports.queries import Period
from app.reports.tables import Line
from app.timefmt import format_date, format_number, to_local


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    columns: tuple = ()
    lines: list[Line] = field(default_factory=list)
    total: Line | None = None
    first_column: str = "Đơn vị"


@dataclass
class QuarterlyReport:
    period: Period
    generated_at: datetime
    sections: list[Section]

    @property
    def table(self) -> Section:
        return next(s for s in self.sections if s.columns)

    @property
    def other_tables(self) -> list[Section]:
        """The tables of the sections after the first table (e.g. initiatives): in the exports after it."""
        return [s for s in self.sections if s.columns and s is not self.table]


SectionBuilder = Callable[[Session, Period, datetime], Section | None]
SECTIONS: list[tuple[str, SectionBuilder]] = []


def register_section(name: str, build: SectionBuilder) -> None:
    """Adds (or replaces, by name) a section, after those already registered."""
    global SECTIONS
    SECTIONS = [s for s in SECTIONS if s[0] != name] + [(name, build)]


def _n(value) -> str:
    return format_number(value or 0)


def _pct(value) -> str:
    return "–" if value is None else f"{format_number(value, 1)}%"


def summary_paragraphs(session: Session, period: Period, now: datetime) -> list[str]:
    total = snapshots.figures(session=session, period=period, by="agency", now=now)[0].total
    kinds = snapshots.received(session=session, period=period, by="kind", now=now)
    pakn = kinds.get(Kind.FEEDBACK.value, 0) + kinds.get(Kind.PETITION.value, 0)
    skgp = kinds.get(Kind.INITIATIVE.value, 0) + kinds.get(Kind.SOLUTION.value, 0)
    published = queries.published_count(session=session, period=period)
    quarter = period.label.replace("Quý ", "quý ")
    first = (
        f"Trong {quarter}, hệ thống tiếp nhận {_n(total.received)} ý kiến, gồm {_n(pakn)} phản ánh, kiến nghị "
        f"(phản ánh: {_n(kinds.get(Kind.FEEDBACK.value))}, kiến nghị: {_n(kinds.get(Kind.PETITION.value))}) và "
        f"{_n(skgp)} sáng kiến, giải pháp; các cơ quan, đơn vị đã tiếp nhận xử lý {_n(total.accepted)} lượt, "
        f"chuyển đúng thẩm quyền {_n(total.transferred)} lượt, từ chối tiếp nhận {_n(total.rejected)} ý kiến "
        f"(có nêu lý do). Đã trả lời {_n(total.answered)} lượt, trong đó đúng hạn {_n(total.on_time)} lượt, "
        f"đạt {_pct(total.on_time_pct)}; trễ hạn {_n(total.late)} lượt."
    )
    median = "–" if total.median_days is None else format_number(total.median_days, 1)
    second = (
        f"Thời gian xử lý trung vị {median} ngày làm việc kể từ khi tiếp nhận. Người gửi đánh giá "
        f"{_n(total.rated)} lượt, trong đó hài lòng {_pct(total.satisfied_pct)}. Đã công khai {_n(published)} câu "
        f"trả lời có sự đồng ý của người gửi. Tại thời điểm lập báo cáo ({format_date(now)}), còn "
        f"{_n(total.overdue_now)} hồ sơ quá hạn và {_n(total.at_risk_now)} hồ sơ sắp đến hạn."
    )
    return [first, second]


def _summary(session: Session, period: Period, now: datetime) -> Section:
    return Section("Kết quả tiếp nhận, xử lý phản ánh, kiến nghị, sáng kiến, giải pháp",
                   summary_paragraphs(session, period, now))


def _agencies(session: Session, period: Period, now: datetime) -> Section:
    lines, total = tables.table(session=session, period=period, by="agency", now=now)
    return Section("Kết quả theo cơ quan, đơn vị", columns=tables.REPORT_COLUMNS, lines=lines, total=total)


def _initiatives(session: Session, period: Period, now: datetime) -> Section:
    """Initiatives and solutions (issue 12, app/initiatives/register.py through app/reports/initiatives.py)."""
    got = initiatives.for_period(session=session, period=period)
    f, ind = got.total.figures, got.indicator
    quarter = period.label.replace("Quý ", "quý ")
    first = (
        f"Trong {quarter}, các cơ quan, đơn vị tiếp nhận {_n(f.received)} sáng kiến, giải pháp; đã thẩm định, "
        f"quyết định {_n(f.assessed)}, trong đó được áp dụng {_n(f.adopted)}, thí điểm {_n(f.piloted)}; "
        f"{_n(f.in_practice)} sáng kiến, giải pháp được đưa vào thực tiễn."
    )
    second = (
        f"Chỉ tiêu mỗi cơ quan, đơn vị có ít nhất một sáng kiến được đưa vào thực tiễn trong năm {ind.year}: từ "
        f"01/01/{ind.year} đến {format_date(period.end)}, {_n(ind.reached)}/{_n(ind.agencies)} cơ quan, đơn vị đã "
        f"đạt ({_pct(ind.percent)}); còn {_n(ind.at_zero)} cơ quan, đơn vị chưa có sáng kiến nào được đưa vào "
        f"thực tiễn" + (f": {', '.join(a.name for a in got.at_zero)}." if got.at_zero else ".")
    )
    return Section(initiatives.TITLE, [first, second], columns=initiatives.COLUMNS, lines=got.lines,
                   total=got.total)


register_section("summary", _summary)
register_section("agencies", _agencies)
register_section("initiatives", _initiatives)


def build(*, session: Session, period: Period, now: datetime | None = None) -> QuarterlyReport:
    now = now or utcnow()
    sections = [s for _, make in SECTIONS if (s := make(session, period, now)) is not None]
    return QuarterlyReport(period=period, generated_at=now, sections=sections)


# ------------------------------------------------------------------ exports

NUMBER = "#,##0"
DECIMAL = "#,##0.0"


def _row(line: Line, columns) -> list:
    return [line.name, *(line.value(c) for c in columns)]


def csv_export(report: QuarterlyReport) -> str:
    """The per-agency table; each further section's table follows after an empty row: its title, its header, its
    lines and total."""
    table = report.table
    header = [table.first_column, *(c.label for c in table.columns)]
    rows = [_row(line, table.columns) for line in [*table.lines, table.total]]
    for section in report.other_tables:
        rows += [[], [section.title], [section.first_column, *(c.label for c in section.columns)]]
        rows += [_row(line, section.columns) for line in [*section.lines, section.total]]
    return csv_text(header, rows)


def xlsx_export(report: QuarterlyReport) -> bytes:
    """Bold frozen header, widths, number formats; the totals row sums the counts and computes the on-time
    percentage with formulas (the median of all items is not a sum: it is the query's value)."""
    table = report.table
    cols = [XlsxColumn(table.first_column, 48)] + [
        XlsxColumn(c.label, 14, DECIMAL if c.decimals else NUMBER) for c in table.columns]
    keys = [c.key for c in table.columns]
    totals: list = ["Tổng cộng"]
    for i, column in enumerate(table.columns, start=1):
        if column.key == "on_time_pct":
            totals.append(("=PCT", keys.index("on_time") + 1, keys.index("answered") + 1))
        elif column.percent or column.decimals:
            totals.append(table.total.value(column))
        else:
            totals.append(("=SUM", i))
    about = [
        ("Báo cáo", f"Tiếp nhận, xử lý PAKN–SKGP, {report.period.label}", None),
        ("Từ ngày", report.period.start, "dd/mm/yyyy"),
        ("Đến ngày", report.period.end, "dd/mm/yyyy"),
        ("Lập lúc", to_local(report.generated_at).replace(tzinfo=None), "dd/mm/yyyy hh:mm"),
        *(("Tóm tắt", p, None) for s in report.sections for p in s.paragraphs),
    ]
    sheets = [Sheet(section.title, [XlsxColumn(section.first_column, 48)]
                    + [XlsxColumn(c.label, 14, DECIMAL if c.decimals else NUMBER) for c in section.columns],
                    [_row(line, section.columns) for line in section.lines],
                    totals=["Tổng cộng", *(("=SUM", i) for i in range(1, len(section.columns) + 1))])
              for section in report.other_tables]
    return xlsx_bytes(report.period.label.replace("/", "-"), cols,
                      [_row(line, table.columns) for line in table.lines], totals=totals, about=about, sheets=sheets)
