"""Working-day calendar for SLA deadlines (pure: no database, no I/O).

Deadlines for phản ánh/kiến nghị are counted in *working* days (or working hours
for urgent items), so the calendar must know Vietnamese public holidays, the
government's day swaps and any extra days decided by the province. The
``holidays`` package already models national holidays, observed (nghỉ bù) days
and swapped days (a weekday made a day off in exchange for a working Saturday,
listed in ``weekend_workdays``); this module only layers province-level
exceptions and working-hours arithmetic on top of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "DEFAULT_CALENDAR",
    "DEFAULT_WORKING_HOURS",
    "LOCAL_TZ",
    "WorkingCalendar",
    "add_working_days",
    "is_working_day",
    "national_non_working_days",
    "working_days_between",
]

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Office hours of state agencies in Điện Biên: morning and afternoon shifts.
DEFAULT_WORKING_HOURS: tuple[tuple[time, time], ...] = (
    (time(7, 30), time(11, 30)),
    (time(13, 30), time(17, 0)),
)

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=256)
def national_non_working_days(year: int) -> frozenset[date]:
    """All national non-working dates of ``year`` (weekends included).

    Built once per year from the ``holidays`` package, because its
    ``is_working_day`` already combines holidays, observed days, substituted
    weekdays off and swapped-in working Saturdays; a frozenset makes every
    later lookup O(1) and keeps the cached value immutable.
    """
    vn = holidays.country_holidays("VN", years=year)
    day = date(year, 1, 1)
    off: set[date] = set()
    while day.year == year:
        if not vn.is_working_day(day):
            off.add(day)
        day += _ONE_DAY
    return frozenset(off)


def _validate_hours(hours: Iterable[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """Normalise working hours; reject shapes that would make arithmetic ambiguous."""
    normalised = tuple((start, end) for start, end in hours)
    if not normalised:
        raise ValueError("working_hours must contain at least one (start, end) window")
    previous_end: time | None = None
    for start, end in normalised:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("working_hours must be naive local times")
        if not start < end:
            raise ValueError(f"working window {start}-{end} is empty or reversed")
        if previous_end is not None and start < previous_end:
            raise ValueError("working_hours windows must be sorted and non-overlapping")
        previous_end = end
    return normalised


def _require_aware(value: datetime, name: str) -> None:
    """Naive datetimes are ambiguous for deadlines, so refuse them loudly."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Immutable Vietnamese working calendar plus province-level exceptions.

    ``extra_days_off`` are province decisions (e.g. a local festival) that make a
    normally working day non-working; ``extra_working_days`` are extra swapped-in
    working days (typically Saturdays). A date may not be in both.
    """

    extra_days_off: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()
    working_hours: tuple[tuple[time, time], ...] = field(default=DEFAULT_WORKING_HOURS)

    def __post_init__(self) -> None:
        off = frozenset(self.extra_days_off)
        work = frozenset(self.extra_working_days)
        if clash := off & work:
            raise ValueError(f"dates both off and working: {sorted(clash)}")
        object.__setattr__(self, "extra_days_off", off)
        object.__setattr__(self, "extra_working_days", work)
        object.__setattr__(self, "working_hours", _validate_hours(self.working_hours))

    # ----------------------------------------------------------------- dates

    def is_working_day(self, d: date) -> bool:
        """Province exceptions win over the national calendar."""
        if isinstance(d, datetime):
            raise TypeError("is_working_day expects a date, not a datetime")
        if d in self.extra_working_days:
            return True
        if d in self.extra_days_off:
            return False
        return d not in national_non_working_days(d.year)

    def next_working_day(self, d: date) -> date:
        """``d`` itself if it is a working day, otherwise the first one after it."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """Date ``n`` working days after ``start`` (``start`` itself never counts).

        ``n == 0`` snaps to the next working day so a zero-day SLA still lands
        on a day when someone can act on it.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return self.next_working_day(start)
        d = start
        remaining = n
        while remaining:
            d += _ONE_DAY
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Count working days d with ``a < d <= b``; negative when ``b < a``.

        The half-open interval mirrors ``add_working_days`` so the two are
        inverses: ``working_days_between(a, add_working_days(a, n)) == n``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        d = a + _ONE_DAY
        while d <= b:
            if self.is_working_day(d):
                count += 1
            d += _ONE_DAY
        return count

    # ------------------------------------------------------------- datetimes

    def _windows(self, day: date) -> list[tuple[datetime, datetime]]:
        """Aware local working windows of ``day`` (empty on non-working days)."""
        if not self.is_working_day(day):
            return []
        return [
            (datetime.combine(day, start, LOCAL_TZ), datetime.combine(day, end, LOCAL_TZ))
            for start, end in self.working_hours
        ]

    def is_working_time(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside a (closed) working window."""
        _require_aware(moment, "moment")
        local = moment.astimezone(LOCAL_TZ)
        return any(start <= local <= end for start, end in self._windows(local.date()))

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """Instant reached after ``duration`` of working time from ``start`` (UTC).

        Used for urgent items whose SLA is counted in working hours. Windows are
        treated as closed, so a deadline may land exactly at 11:30 or 17:00
        instead of spilling over to the next shift; a zero duration snaps to the
        next working instant.
        """
        _require_aware(start, "start")
        if duration < timedelta(0):
            raise ValueError("duration must be >= 0")
        cursor = start.astimezone(LOCAL_TZ)
        remaining = duration
        day = cursor.date()
        while True:
            for win_start, win_end in self._windows(day):
                segment_start = max(cursor, win_start)
                if segment_start > win_end:
                    continue
                available = win_end - segment_start
                if remaining <= available:
                    return (segment_start + remaining).astimezone(UTC)
                remaining -= available
            day += _ONE_DAY

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time elapsed between ``a`` and ``b``; negative when ``b < a``."""
        _require_aware(a, "a")
        _require_aware(b, "b")
        if b < a:
            return -self.working_time_between(b, a)
        lo = a.astimezone(LOCAL_TZ)
        hi = b.astimezone(LOCAL_TZ)
        total = timedelta(0)
        day = lo.date()
        while day <= hi.date():
            for win_start, win_end in self._windows(day):
                seg_lo = max(lo, win_start)
                seg_hi = min(hi, win_end)
                if seg_hi > seg_lo:
                    total += seg_hi - seg_lo
            day += _ONE_DAY
        return total

    def deadline_after_working_days(self, start: datetime, n: int) -> datetime:
        """End of office hours (17:00 local) of the n-th working day after ``start``.

        Day-based SLAs end at close of business, not at the submission's clock
        time, which is how agencies read "xử lý trong n ngày làm việc".
        """
        _require_aware(start, "start")
        local_day = start.astimezone(LOCAL_TZ).date()
        due_day = self.add_working_days(local_day, n)
        close = self.working_hours[-1][1]
        return datetime.combine(due_day, close, LOCAL_TZ).astimezone(UTC)


DEFAULT_CALENDAR = WorkingCalendar()


def is_working_day(d: date) -> bool:
    """``DEFAULT_CALENDAR.is_working_day`` for callers without province exceptions."""
    return DEFAULT_CALENDAR.is_working_day(d)


def add_working_days(start: date, n: int) -> date:
    """``DEFAULT_CALENDAR.add_working_days`` for callers without province exceptions."""
    return DEFAULT_CALENDAR.add_working_days(start, n)


def working_days_between(a: date, b: date) -> int:
    """``DEFAULT_CALENDAR.working_days_between`` for callers without province exceptions."""
    return DEFAULT_CALENDAR.working_days_between(a, b)
