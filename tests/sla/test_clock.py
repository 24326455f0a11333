"""The arithmetic of one clock, without a database: due instants, the 75 % point, badges."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from app.sla import clock
from app.sla.calendar import LOCAL_TZ, WorkingCalendar

CAL = WorkingCalendar()


def local(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def row(start, amount, unit, now=None):
    due, budget = clock.plan(amount=amount, unit=unit, start=start, calendar=CAL)
    r = SimpleNamespace(clock="running", status="on_track", due_at=due, at_risk_at=due, budget_seconds=budget,
                        remaining_seconds=None, next_check_at=None, at_risk_recorded_at=None,
                        overdue_recorded_at=None, on_time=None, margin_seconds=None)
    clock.arm(r, now or start, CAL)
    return r


def test_two_working_days_across_tet_2026():
    r = row(local(2026, 2, 12, 9), 2, "working_days")
    assert r.due_at == local(2026, 2, 23, 17).astimezone(UTC)  # Fri 13/2, then Tết 16–20/2, Mon 23/2
    assert r.budget_seconds == 21 * 3600  # Thu 6 h + Fri 7.5 h + Mon 7.5 h
    assert r.at_risk_at == local(2026, 2, 23, 9, 45).astimezone(UTC)  # 15.75 h used
    assert r.next_check_at == r.at_risk_at


def test_urgent_fifteen_working_hours():
    r = row(local(2026, 3, 2, 10), 15, "working_hours")
    assert r.due_at == local(2026, 3, 4, 10).astimezone(UTC)
    assert r.budget_seconds == 15 * 3600
    # 11.25 h: Mon 5 h, Tue 7.5 h → 12.5 h > 11.25, so Tue at 7.5 - 1.25 = 6.25 h of the day: 15:45.
    assert r.at_risk_at == local(2026, 3, 3, 15, 45).astimezone(UTC)


def test_start_outside_office_hours_counts_from_next_window():
    r = row(local(2026, 3, 7, 20), 2, "working_days")  # Saturday evening
    assert r.due_at == local(2026, 3, 10, 17).astimezone(UTC)  # Mon 9, Tue 10
    assert r.budget_seconds == 15 * 3600


@pytest.mark.parametrize(
    ("now", "level", "text"),
    [
        # Today never counts (docs/deadlines.md): on Mon 2/3 the days left are Tue 3/3 … Fri 13/3.
        (local(2026, 3, 2, 8), "on_track", "Còn 9 ngày làm việc"),
        (local(2026, 3, 11, 16), "at_risk", "Sắp đến hạn"),
        (local(2026, 3, 13, 17), "overdue", "Quá hạn 1 ngày làm việc"),  # due Fri 13/3 17:00
        (local(2026, 3, 16, 8), "overdue", "Quá hạn 1 ngày làm việc"),  # half an hour of Monday
        (local(2026, 3, 17, 12), "overdue", "Quá hạn 2 ngày làm việc"),
    ],
)
def test_badges(now, level, text):
    r = row(local(2026, 2, 27, 16), 10, "working_days")  # Fri 27/2 → 10 working days → Fri 13/3
    assert r.due_at == local(2026, 3, 13, 17).astimezone(UTC)
    b = clock.badge(r, now.astimezone(UTC), CAL, "answer")
    assert (b.level, b.text) == (level, text)


def test_badge_hours_when_less_than_a_day_is_left():
    r = row(local(2026, 3, 2, 10), 15, "working_hours")
    b = clock.badge(r, local(2026, 3, 2, 10).astimezone(UTC), CAL, "answer")
    assert b.text == "Còn 2 ngày làm việc"
    b = clock.badge(r, local(2026, 3, 3, 14).astimezone(UTC), CAL, "answer")
    assert (b.level, b.text) == ("on_track", "Còn 6 giờ làm việc")  # 3 h on Tuesday + 2.5 h on Wednesday
    b = clock.badge(r, local(2026, 3, 4, 8).astimezone(UTC), CAL, "answer")
    assert (b.level, b.text) == ("at_risk", "Sắp đến hạn")


def test_shift_due_keeps_time_of_day_and_skips_holidays():
    due = local(2026, 4, 29, 17).astimezone(UTC)
    assert clock.shift_due(due, 1, CAL) == local(2026, 5, 4, 17).astimezone(UTC)  # 30/4 and 1/5 off


def test_arm_forgets_crossings_that_moved_back_into_the_future():
    r = row(local(2026, 3, 2, 8), 2, "working_days")
    now = r.due_at + timedelta(hours=1)
    r.at_risk_recorded_at = r.overdue_recorded_at = now
    r.due_at = clock.shift_due(r.due_at, 3, CAL)
    r.budget_seconds += 3 * clock.day_seconds(CAL)
    clock.arm(r, now, CAL)
    # 22 h used of 22 + 22.5 h: both crossings lie ahead again and will be recorded again when reached.
    assert r.due_at == local(2026, 3, 9, 17).astimezone(UTC)
    assert r.overdue_recorded_at is None and r.at_risk_recorded_at is None
    assert r.status == "on_track"
    assert r.next_check_at == r.at_risk_at > now


def test_working_hours_setting_is_parsed():
    assert clock.parse_working_hours("08:00-12:00, 13:00-17:00")[1][1].hour == 17
    with pytest.raises(ValueError):
        clock.parse_working_hours("8h-12h")


def test_on_the_day_of_receipt_the_badge_reads_the_rules_number_of_days():
    """A 10-working-day rule reads "Còn 10 ngày làm việc" on the day the item arrives, whatever the hour, and a
    2-working-day rule "Còn 2 ngày làm việc" (the badges used to say 11 and 3)."""
    for hour in (8, 10, 16):
        start = local(2026, 3, 2, hour)
        ten = row(start, 10, "working_days")
        assert clock.badge(ten, start.astimezone(UTC), CAL, "answer").text == "Còn 10 ngày làm việc"
        two = row(start, 2, "working_days")
        assert clock.badge(two, start.astimezone(UTC), CAL, "accept").text == "Còn 2 ngày làm việc"
    # On the due day itself: the working hours left.
    due_day = local(2026, 3, 4, 9)
    assert clock.badge(row(local(2026, 3, 2, 10), 2, "working_days"), due_day.astimezone(UTC), CAL,
                       "accept").text == "Còn 6 giờ làm việc"  # 9:00–11:30 and 13:30–17:00
    assert clock.working_days_left(local(2026, 3, 4, 17).astimezone(UTC), due_day.astimezone(UTC), CAL) == 0
