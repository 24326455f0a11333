"""Tests for the pure working-day calendar used by SLA deadlines.

Expected holiday dates below were read from the installed ``holidays`` package
(VN) and cross-checked with the government's announcements where known; if the
package's data changes these tests are meant to fail loudly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.sla import calendar as cal
from app.sla.calendar import LOCAL_TZ, WorkingCalendar

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DEFAULT = WorkingCalendar()


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


# --------------------------------------------------------------- strategies

dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2039, 12, 31))


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    """Default calendar or one with random province exceptions in 2025–2027."""
    window = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
    off = draw(st.frozensets(window.filter(lambda d: d.weekday() < 5), max_size=15))
    work = draw(st.frozensets(window.filter(lambda d: d.weekday() >= 5), max_size=15))
    return draw(st.sampled_from([DEFAULT, WorkingCalendar(extra_days_off=off, extra_working_days=work)]))


zones = st.sampled_from([UTC, LOCAL_TZ, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")])
aware_datetimes = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2039, 12, 31), timezones=zones
)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=300))


@st.composite
def working_instants(draw: st.DrawFn) -> datetime:
    """An aware datetime inside the default working hours of a working day."""
    day = DEFAULT.next_working_day(draw(dates))
    start, end = draw(st.sampled_from(DEFAULT.working_hours))
    span = datetime.combine(day, end) - datetime.combine(day, start)
    offset = draw(st.timedeltas(min_value=timedelta(0), max_value=span))
    moment = datetime.combine(day, start, LOCAL_TZ) + offset
    return moment.astimezone(draw(zones))


# --------------------------------------------------------------- properties


@SETTINGS
@given(calendar=calendars(), start=dates, n=st.integers(min_value=1, max_value=300))
def test_add_then_count_back_gives_n(calendar: WorkingCalendar, start: date, n: int) -> None:
    result = calendar.add_working_days(start, n)
    assert result > start
    assert calendar.working_days_between(start, result) == n
    assert calendar.working_days_between(result, start) == -n
    # Minimal: the day before the result is still one working day short.
    assert calendar.working_days_between(start, result - timedelta(days=1)) == n - 1


@SETTINGS
@given(calendar=calendars(), start=dates, n=st.integers(min_value=0, max_value=300))
def test_add_working_days_never_lands_on_non_working_day(
    calendar: WorkingCalendar, start: date, n: int
) -> None:
    assert calendar.is_working_day(calendar.add_working_days(start, n))


@SETTINGS
@given(calendar=calendars(), start=dates)
def test_zero_days_snaps_to_next_working_day(calendar: WorkingCalendar, start: date) -> None:
    result = calendar.add_working_days(start, 0)
    if calendar.is_working_day(start):
        assert result == start
    else:
        assert result > start
        assert calendar.working_days_between(start, result) == 1


@SETTINGS
@given(calendar=calendars(), a=dates, b=dates, c=dates)
def test_working_days_between_is_additive(calendar: WorkingCalendar, a: date, b: date, c: date) -> None:
    assert calendar.working_days_between(a, c) == (
        calendar.working_days_between(a, b) + calendar.working_days_between(b, c)
    )


@SETTINGS
@given(calendar=calendars(), start=aware_datetimes, duration=durations)
def test_add_working_time_lands_within_working_hours(
    calendar: WorkingCalendar, start: datetime, duration: timedelta
) -> None:
    result = calendar.add_working_time(start, duration)
    assert result.tzinfo is UTC
    assert result >= start
    assert calendar.is_working_time(result)


@SETTINGS
@given(calendar=calendars(), start=working_instants(), duration=durations)
def test_working_time_between_inverts_add_working_time(
    calendar: WorkingCalendar, start: datetime, duration: timedelta
) -> None:
    end = calendar.add_working_time(start, duration)
    assert calendar.working_time_between(start, end) == duration
    assert calendar.working_time_between(end, start) == -duration


@SETTINGS
@given(start=aware_datetimes, duration=durations)
def test_working_time_between_inverts_from_any_start(start: datetime, duration: timedelta) -> None:
    """Starts outside office hours are snapped forward, which adds no working time."""
    assert DEFAULT.working_time_between(start, DEFAULT.add_working_time(start, duration)) == duration


@SETTINGS
@given(calendar=calendars(), start=aware_datetimes, n=st.integers(min_value=0, max_value=60))
def test_deadline_after_working_days_is_close_of_business(
    calendar: WorkingCalendar, start: datetime, n: int
) -> None:
    deadline = calendar.deadline_after_working_days(start, n)
    assert deadline.tzinfo is UTC
    due = deadline.astimezone(LOCAL_TZ)
    assert due.time() == time(17, 0)
    assert due.date() == calendar.add_working_days(start.astimezone(LOCAL_TZ).date(), n)


# --------------------------------------------------------------- explicit national calendar


def test_tet_2026() -> None:
    # Package: 30 Tết (Mon 16/2) .. mùng 4 (Fri 20/2); Tết itself is Tue 17/2.
    for d in (16, 17, 18, 19, 20):
        assert not cal.is_working_day(date(2026, 2, d))
    assert cal.is_working_day(date(2026, 2, 13))
    assert cal.is_working_day(date(2026, 2, 23))
    assert cal.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert cal.working_days_between(date(2026, 2, 12), date(2026, 2, 24)) == 3
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1


def test_tet_2027() -> None:
    # Tết falls on Sat 6/2/2027: the weekend days move to 29 Tết (Thu 4/2) and Wed 10/2.
    for d in (4, 5, 8, 9, 10):
        assert not cal.is_working_day(date(2027, 2, d))
    assert cal.is_working_day(date(2027, 2, 3))
    assert cal.is_working_day(date(2027, 2, 11))
    assert cal.add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)
    assert cal.working_days_between(date(2027, 2, 1), date(2027, 2, 12)) == 4


def test_reunification_and_labour_day() -> None:
    assert not cal.is_working_day(date(2026, 4, 30))
    assert not cal.is_working_day(date(2026, 5, 1))
    assert cal.add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)
    # 2025: Fri 2/5 was made a day off in exchange for working Sat 26/4.
    for d in (date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2)):
        assert not cal.is_working_day(d)
    assert cal.is_working_day(date(2025, 4, 26))


@pytest.mark.parametrize(
    ("off", "working_after"),
    [
        ((date(2025, 9, 1), date(2025, 9, 2)), date(2025, 9, 3)),  # Tue 2/9 + Mon 1/9
        ((date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)), date(2026, 9, 3)),  # Wed 2/9 + Tue 1/9
        ((date(2027, 9, 2), date(2027, 9, 3)), date(2027, 9, 6)),  # Thu 2/9 + Fri 3/9
    ],
)
def test_national_day_with_adjacent_day(off: tuple[date, ...], working_after: date) -> None:
    for d in off:
        assert not cal.is_working_day(d)
    assert cal.add_working_days(off[0] - timedelta(days=1), 1) == working_after


def test_package_swapped_working_saturdays() -> None:
    """The package records the government's swaps; we must honour both sides."""
    vn = holidays.country_holidays("VN", years=range(2024, 2027))
    swaps = {
        date(2024, 5, 4): date(2024, 4, 29),  # work Sat 4/5, off Mon 29/4
        date(2025, 4, 26): date(2025, 5, 2),  # work Sat 26/4, off Fri 2/5
        date(2026, 8, 22): date(2026, 8, 31),  # work Sat 22/8, off Mon 31/8
    }
    assert set(swaps) <= vn.weekend_workdays
    for saturday, day_off in swaps.items():
        assert saturday.weekday() == 5
        assert cal.is_working_day(saturday)
        assert not cal.is_working_day(day_off)
    # Thu 20/8/2026 + 2 working days crosses the working Saturday.
    assert cal.add_working_days(date(2026, 8, 20), 2) == date(2026, 8, 22)
    assert cal.working_days_between(date(2026, 8, 28), date(2026, 9, 3)) == 1


def test_holiday_on_weekend_gets_observed_day() -> None:
    # Giỗ Tổ 2026 is Sun 26/4 -> nghỉ bù Mon 27/4; 1/5/2027 is Sat -> Mon 3/5.
    assert not cal.is_working_day(date(2026, 4, 27))
    assert not cal.is_working_day(date(2027, 5, 3))
    assert cal.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)


def test_every_supported_year_has_sane_working_day_count() -> None:
    for year in range(2020, 2041):
        first, last = date(year, 1, 1), date(year, 12, 31)
        count = cal.working_days_between(first - timedelta(days=1), last)
        assert 240 <= count <= 255, year
        assert not cal.is_working_day(first)


# --------------------------------------------------------------- province exceptions


def test_extra_province_day_off() -> None:
    # Hypothetical provincial day off on Thu 7/5/2026 (Điện Biên Phủ Victory anniversary).
    province = WorkingCalendar(extra_days_off=frozenset({date(2026, 5, 7)}))
    assert cal.is_working_day(date(2026, 5, 7))
    assert not province.is_working_day(date(2026, 5, 7))
    assert province.add_working_days(date(2026, 5, 6), 1) == date(2026, 5, 8)
    assert province.working_days_between(date(2026, 5, 4), date(2026, 5, 8)) == 3


def test_extra_working_saturday() -> None:
    province = WorkingCalendar(extra_working_days=frozenset({date(2026, 5, 9)}))
    assert not cal.is_working_day(date(2026, 5, 9))
    assert province.is_working_day(date(2026, 5, 9))
    assert province.add_working_days(date(2026, 5, 8), 1) == date(2026, 5, 9)
    assert province.working_days_between(date(2026, 5, 8), date(2026, 5, 11)) == 2


def test_extras_may_not_overlap_and_are_normalised() -> None:
    d = date(2026, 5, 9)
    with pytest.raises(ValueError):
        WorkingCalendar(extra_days_off=frozenset({d}), extra_working_days=frozenset({d}))
    c = WorkingCalendar(extra_working_days={d})  # type: ignore[arg-type]
    assert isinstance(c.extra_working_days, frozenset)
    assert hash(c) == hash(WorkingCalendar(extra_working_days=frozenset({d})))


def test_invalid_working_hours_rejected() -> None:
    with pytest.raises(ValueError):
        WorkingCalendar(working_hours=())
    with pytest.raises(ValueError):
        WorkingCalendar(working_hours=((time(11), time(9)),))
    with pytest.raises(ValueError):
        WorkingCalendar(working_hours=((time(8), time(12)), (time(11), time(17))))


# --------------------------------------------------------------- datetime helpers


def test_add_working_time_skips_lunch_and_tet() -> None:
    # Fri 13/2/2026 16:00: one hour left today, then Tết until Mon 23/2 07:30.
    result = DEFAULT.add_working_time(local(2026, 2, 13, 16), timedelta(hours=2))
    assert result == local(2026, 2, 23, 8, 30).astimezone(UTC)
    assert result.tzinfo is UTC
    # 10:30 + 2h working = 11:30 then 13:30 + 1h.
    assert DEFAULT.add_working_time(local(2026, 3, 2, 10, 30), timedelta(hours=2)) == local(
        2026, 3, 2, 14, 30
    )


def test_add_working_time_ends_exactly_at_close_and_snaps_zero() -> None:
    start = local(2026, 3, 2, 16)
    assert DEFAULT.add_working_time(start, timedelta(hours=1)) == local(2026, 3, 2, 17)
    # Zero duration from lunch break snaps to the afternoon shift.
    assert DEFAULT.add_working_time(local(2026, 3, 2, 12), timedelta(0)) == local(2026, 3, 2, 13, 30)


def test_add_working_time_accepts_other_timezones() -> None:
    # 2026-03-02 00:30 UTC is 07:30 local on Monday.
    start = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
    assert DEFAULT.add_working_time(start, timedelta(hours=4)) == local(2026, 3, 2, 11, 30)


def test_working_time_between_counts_only_office_hours() -> None:
    # Fri 13/2/2026 08:00 -> Mon 23/2/2026 08:00 across Tết: 3h30 + 3h30 + 0h30.
    assert DEFAULT.working_time_between(local(2026, 2, 13, 8), local(2026, 2, 23, 8)) == timedelta(
        hours=7, minutes=30
    )
    assert DEFAULT.working_time_between(local(2026, 3, 7, 8), local(2026, 3, 8, 18)) == timedelta(0)


def test_deadline_after_working_days() -> None:
    assert DEFAULT.deadline_after_working_days(local(2026, 2, 12, 9), 3) == local(2026, 2, 24, 17).astimezone(
        UTC
    )
    # 20:00 UTC on 12/2 is already 03:00 on Fri 13/2 in Hà Nội time.
    start = datetime(2026, 2, 12, 20, tzinfo=UTC)
    assert DEFAULT.deadline_after_working_days(start, 1) == datetime(2026, 2, 23, 10, tzinfo=UTC)


def test_naive_datetimes_and_bad_arguments_rejected() -> None:
    naive = datetime(2026, 3, 2, 9)
    with pytest.raises(ValueError):
        DEFAULT.add_working_time(naive, timedelta(hours=1))
    with pytest.raises(ValueError):
        DEFAULT.working_time_between(naive, local(2026, 3, 2, 10))
    with pytest.raises(ValueError):
        DEFAULT.deadline_after_working_days(naive, 1)
    with pytest.raises(ValueError):
        DEFAULT.add_working_time(local(2026, 3, 2, 9), timedelta(hours=-1))
    with pytest.raises(ValueError):
        DEFAULT.add_working_days(date(2026, 3, 2), -1)
    with pytest.raises(TypeError):
        DEFAULT.is_working_day(naive)


def test_module_level_functions_use_default_calendar() -> None:
    assert cal.DEFAULT_CALENDAR == WorkingCalendar()
    assert cal.add_working_days(date(2026, 2, 12), 3) == DEFAULT.add_working_days(date(2026, 2, 12), 3)
    assert cal.working_days_between(date(2026, 1, 1), date(2026, 12, 31)) == 249
    assert cal.national_non_working_days(2026) is cal.national_non_working_days(2026)
