"""The arithmetic of one deadline clock (pure: no database, no I/O).

A clock has a budget of working seconds. Running, it has an exact `due_at`; paused, it keeps the working time
that was left. "At risk" means at least 75 % of the budget is used; "overdue" means `due_at` has passed.
These functions compute instants and labels; app/sla/service.py stores them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Protocol

from app.i18n import N_
from app.kinds import PHASE_LABELS  # noqa: F401 (the pages read it here)
from app.sla.calendar import LOCAL_TZ, WorkingCalendar
from app.sla.models import Clock, Status, Unit

AT_RISK_NUMERATOR, AT_RISK_DENOMINATOR = 3, 4  # at risk from 75 % of the working time used


class ClockRow(Protocol):
    clock: str
    status: str
    due_at: datetime
    at_risk_at: datetime
    budget_seconds: int
    remaining_seconds: int | None
    next_check_at: datetime | None
    at_risk_recorded_at: datetime | None
    overdue_recorded_at: datetime | None
    on_time: bool | None
    margin_seconds: int | None


def parse_working_hours(spec: str) -> tuple[tuple[time, time], ...]:
    """"07:30-11:30,13:30-17:00" → ((07:30, 11:30), (13:30, 17:00)); ValueError on anything else."""
    windows = []
    for part in spec.split(","):
        try:
            start, end = (time.fromisoformat(p.strip()) for p in part.split("-"))
        except ValueError as exc:
            raise ValueError(f"giờ làm việc không hợp lệ: {part!r} (dạng HH:MM-HH:MM)") from exc
        windows.append((start, end))
    return tuple(windows)


def day_seconds(calendar: WorkingCalendar) -> int:
    """Working seconds in one full working day (7.5 h with the default office hours)."""
    return sum(
        int((datetime.combine(datetime.min, end) - datetime.combine(datetime.min, start)).total_seconds())
        for start, end in calendar.working_hours
    )


def seconds(delta: timedelta) -> int:
    """Whole seconds, rounded toward zero so a budget never exceeds the working time it stands for."""
    return int(delta.total_seconds())


def plan(*, amount: int, unit: str, start: datetime, calendar: WorkingCalendar) -> tuple[datetime, int]:
    """(due instant, budget in working seconds) of a clock started at `start`.

    Working days end at close of business of the n-th working day after the start day (the start day never
    counts, as in "trong n ngày làm việc"); working hours are counted inside office hours from the start.
    """
    if amount < 1:
        raise ValueError("amount must be >= 1")
    if unit == Unit.WORKING_DAYS:
        due = calendar.deadline_after_working_days(start, amount)
    elif unit == Unit.WORKING_HOURS:
        due = calendar.add_working_time(start, timedelta(hours=amount))
    else:
        raise ValueError(f"unknown unit {unit!r}")
    return due, seconds(calendar.working_time_between(start, due))


def at_risk_threshold(budget_seconds: int) -> int:
    """Working seconds used from which a clock is at risk (ceil of 75 %)."""
    return -(-budget_seconds * AT_RISK_NUMERATOR // AT_RISK_DENOMINATOR)


def remaining(row: ClockRow, now: datetime, calendar: WorkingCalendar) -> int:
    """Signed working seconds until due: negative when overdue; the kept value while paused."""
    if row.clock == Clock.PAUSED:
        return row.remaining_seconds or 0
    return seconds(calendar.working_time_between(now, row.due_at))


def next_check(row: ClockRow) -> datetime | None:
    """The earliest crossing of a running clock not yet recorded; None when paused, stopped or all recorded."""
    if row.clock != Clock.RUNNING:
        return None
    if row.at_risk_recorded_at is None:
        return row.at_risk_at
    if row.overdue_recorded_at is None:
        return row.due_at
    return None


def status_at(row: ClockRow, now: datetime) -> Status:
    if row.clock == Clock.RUNNING:
        if now >= row.due_at:
            return Status.OVERDUE
        if now >= row.at_risk_at:
            return Status.AT_RISK
        return Status.ON_TRACK
    if row.clock == Clock.PAUSED:
        left = row.remaining_seconds or 0
        if left <= 0:
            return Status.OVERDUE
        if row.budget_seconds - left >= at_risk_threshold(row.budget_seconds):
            return Status.AT_RISK
        return Status.ON_TRACK
    return Status(row.status)


def arm(row: ClockRow, now: datetime, calendar: WorkingCalendar) -> None:
    """Recompute `at_risk_at`, `status` and `next_check_at` of a running clock from `due_at` and the budget.

    A crossing that lies in the future again (after an extension or a calendar change) is forgotten, so it
    is recorded anew when reached; one already behind us stays recorded.
    """
    left = remaining(row, now, calendar)
    used = row.budget_seconds - left
    need = at_risk_threshold(row.budget_seconds) - used
    row.at_risk_at = calendar.add_working_time(now, timedelta(seconds=need)) if need > 0 else min(now, row.due_at)
    if row.at_risk_at > now:
        row.at_risk_recorded_at = None
    if row.due_at > now:
        row.overdue_recorded_at = None
    row.status = status_at(row, now)
    row.next_check_at = next_check(row)


def shift_due(due: datetime, working_days: int, calendar: WorkingCalendar) -> datetime:
    """`due` moved `working_days` working days later, at the same local time of day."""
    local = due.astimezone(LOCAL_TZ)
    day = calendar.add_working_days(local.date(), working_days)
    return datetime.combine(day, local.time(), LOCAL_TZ).astimezone(UTC)


def whole_days(working_seconds: int, calendar: WorkingCalendar) -> int:
    """Working seconds as started working days (any part of a day counts as one), at least 1."""
    return max(1, math.ceil(working_seconds / day_seconds(calendar)))


# ------------------------------------------------------------------ badges


@dataclass(frozen=True)
class Badge:
    """What the inbox and item pages show: a level for the colour, a short text and the due instant."""

    level: str  # on_track | at_risk | overdue | paused | on_time | late
    text: str
    due_at: datetime | None
    phase: str




def working_days_left(due_at: datetime, now: datetime, calendar: WorkingCalendar) -> int:
    """The one count of days every deadline display uses (badges, the item page, the sender's page, the API):
    working days after today (Vietnam time) up to and including the due day. Today never counts, as the day of
    receipt never counts in the due date itself (`WorkingCalendar.deadline_after_working_days`): on the day an item
    arrives under a 10-working-day rule it reads 10; on the due day it reads 0; after it, minus the days late."""
    today = now.astimezone(LOCAL_TZ).date()
    return calendar.working_days_between(today, due_at.astimezone(LOCAL_TZ).date())


def left_text(left_seconds: int, days_left: int, calendar: WorkingCalendar) -> str:
    """"còn N ngày làm việc" (N from `working_days_left`), or the working hours when less than a working day is
    left (the due day itself, and the last hours of a deadline counted in working hours)."""
    if days_left < 1 or left_seconds < day_seconds(calendar):
        return N_("còn %(hours)s giờ làm việc", hours=max(1, math.ceil(left_seconds / 3600)))
    return N_("còn %(days)s ngày làm việc", days=days_left)


def late_text(days_left: int) -> str:
    """An overdue deadline in the same count: working days after the due day up to today, at least 1."""
    return N_("quá hạn %(days)s ngày làm việc", days=max(1, -days_left))


def _paused_days(left_seconds: int, calendar: WorkingCalendar) -> int:
    """A paused clock has no date: the whole working days of its kept time (what resuming now would leave)."""
    return left_seconds // day_seconds(calendar)


def badge(row: ClockRow, now: datetime, calendar: WorkingCalendar, phase: str) -> Badge:
    """Live label of a clock at `now` (does not wait for the sweep)."""
    if row.clock == Clock.STOPPED:
        if row.on_time is None:
            return Badge("on_time", "Đã dừng", row.due_at, phase)
        if row.on_time:
            return Badge("on_time", "Đúng hạn", row.due_at, phase)
        days = working_days_left(row.due_at, row.stopped_at, calendar) if row.stopped_at else -1
        return Badge("late", f"Trễ hạn {max(1, -days)} ngày làm việc", row.due_at, phase)
    if row.clock == Clock.PAUSED:
        left = row.remaining_seconds or 0
        text = "Tạm dừng chờ bổ sung" + (f" · {left_text(left, _paused_days(left, calendar), calendar)}"
                                          if left > 0 else "")
        return Badge("paused", text, None, phase)
    status = status_at(row, now)
    if status == Status.OVERDUE:
        text = late_text(working_days_left(row.due_at, now, calendar))
        return Badge("overdue", str(text)[0].upper() + str(text)[1:], row.due_at, phase)
    if status == Status.AT_RISK:
        return Badge("at_risk", "Sắp đến hạn", row.due_at, phase)
    text = left_text(remaining(row, now, calendar), working_days_left(row.due_at, now, calendar), calendar)
    return Badge("on_track", str(text)[0].upper() + str(text)[1:], row.due_at, phase)
