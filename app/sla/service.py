"""Deadlines (SLA): the province calendar, deadline policies, the stored clocks of each item, extensions, and the
read models the pages show (badges, the at-risk overview, the sender's due date).

Clocks are started, paused, resumed and stopped by app/sla/flows.py as submission events happen, and their
crossings are recorded by app/sla/scheduled.py. Functions that change something only flush: the door (route, CLI
command, job) commits. This module records events and decides nothing about messages: which e-mails an event sends
is decided by the notifications subscriber (app/notifications/flows.py), from the event and its `data`.

A calendar change does not move due dates in the coordinator's request: it is logged (`CalendarChange`) and the
running clocks it affects are marked with one UPDATE (`recompute_from`); `scheduled.recompute_calendar` (run by the
`sla_calendar_recompute` job in batches, and to completion by `pakn calendar add|remove`) then moves each due date
once and writes its `deadline_changed` event. Anything else that touches a marked clock first settles it
(`settle_pending`), so no clock is paused, stopped, extended or swept on a due date the calendar has moved.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import event as sa_event
from sqlalchemy import func, inspect, update
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.accounts.models import Account
from app.accounts.permissions import can_manage_deadlines
from app.agencies.models import Agency
from app.cache import Cached, bump
from app.config import get_settings
from app.db import utcnow
from app.errors import Invalid, NotPermitted
from app.events import service as events
from app.i18n import N_
from app.kinds import EventType, Kind, Priority, State
from app.sla import clock
from app.sla.calendar import LOCAL_TZ, WorkingCalendar, national_non_working_days
from app.sla.models import (
    CalendarChange,
    CalendarEntry,
    Clock,
    DeadlineExtension,
    DeadlinePolicy,
    EntryKind,
    ExtensionStatus,
    Phase,
    SubmissionDeadline,
    Unit,
)
from app.submissions import permissions
from app.submissions.models import Submission
from app.timefmt import format_date, format_datetime

log = logging.getLogger("pakn.sla")

EXTENSION_MAX_DAYS = 30
REASON_MIN = 10
TEXT_MAX = 2000
POLICY_MAX = {Unit.WORKING_DAYS: 365, Unit.WORKING_HOURS: 600}
UNIT_LABELS = {Unit.WORKING_DAYS: "ngày làm việc", Unit.WORKING_HOURS: "giờ làm việc"}
PHASE_LABELS = {Phase.ACCEPT: "Tiếp nhận hoặc chuyển", Phase.ANSWER: "Trả lời / đánh giá"}
ENTRY_KIND_LABELS = {EntryKind.DAY_OFF: "Ngày nghỉ", EntryKind.WORKING_DAY: "Ngày làm việc bù"}
PRIORITY_LABELS = {Priority.NORMAL: "Thường", Priority.URGENT: "Khẩn"}
# What ends an answer clock as met: an answer, or the decision on an initiative or solution (app/initiatives).
ANSWERING_OUTCOMES = frozenset({EventType.ANSWERED, EventType.DECIDED})




def _require_coordinator(actor: Account) -> None:
    if not can_manage_deadlines(actor):
        raise NotPermitted("Chỉ Cơ quan thường trực được thực hiện thao tác này.")


def _event(session: Session, submission: Submission, type_: EventType, *, now: datetime, **kwargs):
    return events.record(session, type_, submission=submission, now=now, **kwargs)


# ------------------------------------------------------------------ calendar


@lru_cache(maxsize=8)
def _hours(spec: str):
    return clock.parse_working_hours(spec)


def _calendar_of(entries: dict[date, str]) -> WorkingCalendar:
    return WorkingCalendar(
        extra_days_off=frozenset(d for d, k in entries.items() if k == EntryKind.DAY_OFF),
        extra_working_days=frozenset(d for d, k in entries.items() if k == EntryKind.WORKING_DAY),
        working_hours=_hours(get_settings().working_hours),
    )


def _entries(session: Session) -> dict[date, str]:
    return dict(session.exec(select(CalendarEntry.day, CalendarEntry.kind)).all())


_CALENDAR = Cached(lambda session: _calendar_of(_entries(session)))


def working_calendar(*, session: Session) -> WorkingCalendar:
    """The national calendar plus the province's entries and the configured office hours (per-process copy,
    reloaded when an entry changes: add_entry and remove_entry bump the cache stamp)."""
    return _CALENDAR.get(session)


def list_entries(*, session: Session, year: int | None = None) -> list[CalendarEntry]:
    stmt = select(CalendarEntry).order_by(col(CalendarEntry.day))
    if year is not None:
        stmt = stmt.where(CalendarEntry.day >= date(year, 1, 1), CalendarEntry.day <= date(year, 12, 31))
    return list(session.exec(stmt).all())


def national_days_off(year: int) -> list[date]:
    """Weekdays the national calendar (holidays package) makes days off in `year`, for the calendar page."""
    return sorted(d for d in national_non_working_days(year) if d.weekday() < 5)


def add_entry(
    *,
    session: Session,
    actor: Account | None,
    day: date,
    kind: str,
    description: str,
    legal_reference: str,
    now: datetime | None = None,
) -> CalendarEntry:
    """Adds a province day off or swapped-in working day and marks the running clocks whose due dates it may move
    (the recompute job moves them). `actor` None = CLI."""
    now = now or utcnow()
    if actor is not None:
        _require_coordinator(actor)
    description = " ".join((description or "").split())
    legal_reference = " ".join((legal_reference or "").split())
    errors = {}
    if kind not in EntryKind._value2member_map_:
        errors["kind"] = "Vui lòng chọn ngày nghỉ hoặc ngày làm việc bù."
    if not 3 <= len(description) <= 300:
        errors["description"] = "Vui lòng ghi nội dung (3–300 ký tự), ví dụ: Nghỉ kỷ niệm Ngày giải phóng Điện Biên."
    if not 3 <= len(legal_reference) <= 300:
        errors["legal_reference"] = "Vui lòng ghi văn bản quyết định (3–300 ký tự), ví dụ: Quyết định số …/QĐ-UBND."
    if not errors:
        if session.exec(select(CalendarEntry).where(CalendarEntry.day == day)).first():
            errors["day"] = f"Ngày {format_date(day)} đã có trong lịch của tỉnh; xóa mục cũ trước khi thêm mới."
        else:
            nationally_off = day in national_non_working_days(day.year)
            if kind == EntryKind.DAY_OFF and nationally_off:
                errors["day"] = f"Ngày {format_date(day)} vốn đã là ngày nghỉ theo lịch nhà nước."
            if kind == EntryKind.WORKING_DAY and not nationally_off:
                errors["day"] = f"Ngày {format_date(day)} vốn đã là ngày làm việc."
    if errors:
        raise Invalid(errors)
    entry = CalendarEntry(day=day, kind=EntryKind(kind), description=description, legal_reference=legal_reference,
                          created_by_account_id=actor.id if actor else None, created_at=now)
    session.add(entry)
    session.flush()
    bump(session)
    label = ENTRY_KIND_LABELS[EntryKind(kind)].lower()
    _record_change(session, actor, day, None, kind, now,
                   f"Ngày {format_date(day)} thành {label}: {description} ({legal_reference}).")
    return entry


def remove_entry(*, session: Session, actor: Account | None, entry: CalendarEntry,
                 now: datetime | None = None) -> None:
    now = now or utcnow()
    if actor is not None:
        _require_coordinator(actor)
    day, kind, description = entry.day, entry.kind, entry.description
    session.delete(entry)
    session.flush()
    bump(session)
    _record_change(session, actor, day, kind, None, now, f"Bỏ ngoại lệ lịch ngày {format_date(day)} ({description}).")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL_TZ).astimezone(UTC)


def _record_change(session: Session, actor: Account | None, day: date, before_kind: str | None,
                   after_kind: str | None, now: datetime, note: str) -> CalendarChange:
    """Logs the change and marks, with one UPDATE, every running clock whose due date is on or after `day` (a
    clock already waiting for an earlier change keeps that mark: the recompute covers every change from it on)."""
    change = CalendarChange(day=day, before_kind=before_kind, after_kind=after_kind, note=note, changed_at=now,
                            changed_by_account_id=actor.id if actor else None)
    session.add(change)
    session.flush()
    if datetime.combine(day + timedelta(days=1), time(0), LOCAL_TZ) > now:  # a day behind us moves no due date
        marked = session.execute(
            update(SubmissionDeadline)
            .where(col(SubmissionDeadline.clock) == Clock.RUNNING.value,
                   col(SubmissionDeadline.due_at) >= _day_start(day),
                   col(SubmissionDeadline.recompute_from).is_(None))
            .values(recompute_from=change.id)
            .execution_options(synchronize_session="fetch")
        )
        change.clocks_marked = marked.rowcount
    session.flush()
    return change


def pending_recompute(*, session: Session) -> int:
    """How many clocks still wait for the recompute of a calendar change (read through a partial index)."""
    return session.exec(select(func.count()).select_from(SubmissionDeadline)
                        .where(col(SubmissionDeadline.recompute_from).is_not(None))).one()


@dataclass
class Recompute:
    """What settling pending clocks needs, read once per batch: today's calendar and entries, and the changes
    from the earliest one a clock still waits for."""

    entries: dict[date, str]
    calendar: WorkingCalendar
    changes: list[CalendarChange]
    _before: dict[int, WorkingCalendar] = field(default_factory=dict)

    def change(self, change_id: int) -> CalendarChange | None:
        return next((c for c in self.changes if c.id == change_id), None)

    def before(self, change_id: int) -> WorkingCalendar:
        """The calendar as it was just before change `change_id`: today's entries with that change and every
        later one undone (latest first, so each day gets back its entry from before the first of them)."""
        if change_id not in self._before:
            entries = dict(self.entries)
            for c in sorted((c for c in self.changes if c.id >= change_id), key=lambda c: -c.id):
                if c.before_kind is None:
                    entries.pop(c.day, None)
                else:
                    entries[c.day] = c.before_kind
            self._before[change_id] = _calendar_of(entries)
        return self._before[change_id]


def recompute_context(*, session: Session, rows: list[SubmissionDeadline]) -> Recompute | None:
    marks = [r.recompute_from for r in rows if r.recompute_from is not None]
    if not marks:
        return None
    entries = _entries(session)
    changes = list(session.exec(select(CalendarChange).where(col(CalendarChange.id) >= min(marks))
                                .order_by(col(CalendarChange.id))).all())
    return Recompute(entries=entries, calendar=_calendar_of(entries), changes=changes)


def settle_pending(*, session: Session, rows: list[SubmissionDeadline], now: datetime,
                   submissions: dict[int, Submission] | None = None, context: Recompute | None = None) -> int:
    """Brings marked clocks up to date with the calendar: a running clock keeps the working time it had left when
    the first change it waits for was made, counted under the calendar of that moment, and gets it under today's;
    each moved due date writes one `deadline_changed` event naming the change(s). Clears the marks (a clock that
    is no longer running just loses its mark). Returns how many due dates moved."""
    pending = [r for r in rows if r.recompute_from is not None]
    if not pending:
        return 0
    context = context or recompute_context(session=session, rows=pending)
    moved = 0
    for row in pending:
        change_id, row.recompute_from = row.recompute_from, None
        row.updated_at = now
        change = context.change(change_id)
        if row.clock != Clock.RUNNING or change is None:
            continue
        at = change.changed_at
        left = clock.remaining(row, at, context.before(change_id))
        if left <= 0:
            continue
        new_due = context.calendar.add_working_time(at, timedelta(seconds=left))
        if new_due == row.due_at:
            continue
        old_due = row.due_at
        row.due_at = new_due
        clock.arm(row, now, context.calendar)
        latest = _day_start(max(old_due, new_due).astimezone(LOCAL_TZ).date() + timedelta(days=1))
        note = " ".join(c.note for c in context.changes if c.id >= change_id and _day_start(c.day) < latest)
        submission = (submissions or {}).get(row.submission_id) or session.get(Submission, row.submission_id)
        _event(session, submission, EventType.DEADLINE_CHANGED, now=now, actor_role="system",
               internal_note=f"{clock.PHASE_LABELS[row.phase]}: {format_datetime(old_due)} → "
                             f"{format_datetime(new_due)}. {note or change.note}")
        moved += 1
    session.flush()
    return moved


def recompute_batch(*, session: Session, now: datetime, batch_size: int) -> tuple[int, int]:
    """Settles up to `batch_size` marked clocks, oldest first, in the caller's unit of work: (clocks, moved)."""
    stmt = (select(SubmissionDeadline).where(col(SubmissionDeadline.recompute_from).is_not(None))
            .order_by(col(SubmissionDeadline.id)).limit(batch_size)
            .execution_options(populate_existing=True))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = list(session.exec(stmt).all())
    if not rows:
        return 0, 0
    ids = {r.submission_id for r in rows}
    submissions = {s.id: s for s in session.exec(select(Submission).where(col(Submission.id).in_(ids))).all()}
    return len(rows), settle_pending(session=session, rows=rows, now=now, submissions=submissions)


# ------------------------------------------------------------------ policies


@dataclass(frozen=True)
class PolicyTerms:
    """What a clock needs of its policy (a read-only copy shared by the process)."""

    id: int
    version: int
    amount: int
    unit: str


def _load_policies(session: Session) -> dict[tuple[str, str, str], PolicyTerms]:
    rows = session.exec(select(DeadlinePolicy).where(DeadlinePolicy.is_current == True)  # noqa: E712
                        .order_by(col(DeadlinePolicy.version))).all()
    return {(p.kind, p.priority, p.phase): PolicyTerms(p.id, p.version, p.amount, p.unit) for p in rows}


_POLICIES = Cached(_load_policies)


def current_terms(*, session: Session, kind: str, priority: str, phase: str) -> PolicyTerms | None:
    """The current policy's terms (newest version wins), from the per-process copy."""
    return _POLICIES.get(session).get((str(kind), str(priority), str(phase)))


def current_policy(*, session: Session, kind: str, priority: str, phase: str) -> DeadlinePolicy | None:
    return session.exec(
        select(DeadlinePolicy).where(
            DeadlinePolicy.kind == kind, DeadlinePolicy.priority == priority, DeadlinePolicy.phase == phase,
            DeadlinePolicy.is_current == True,  # noqa: E712
        ).order_by(col(DeadlinePolicy.version).desc())
    ).first()


def list_policies(*, session: Session, current_only: bool = True) -> list[DeadlinePolicy]:
    stmt = select(DeadlinePolicy)
    if current_only:
        stmt = stmt.where(DeadlinePolicy.is_current == True)  # noqa: E712
    kinds = {k.value: i for i, k in enumerate(Kind)}
    rows = session.exec(stmt).all()
    return sorted(rows, key=lambda p: (p.phase != Phase.ACCEPT, kinds.get(p.kind, 99), p.priority != Priority.NORMAL,
                                       -p.version))


def update_policy(
    *,
    session: Session,
    actor: Account,
    policy: DeadlinePolicy,
    amount: int | str,
    unit: str,
    legal_basis: str,
    now: datetime | None = None,
) -> DeadlinePolicy:
    """A new version becomes current; open items keep the version their clock started with."""
    now = now or utcnow()
    _require_coordinator(actor)
    errors = {}
    legal_basis = " ".join((legal_basis or "").split())
    if not policy.is_current:
        errors["policy"] = "Chỉ sửa được phiên bản đang áp dụng."
    if unit not in Unit._value2member_map_:
        errors["unit"] = "Đơn vị phải là ngày làm việc hoặc giờ làm việc."
    try:
        amount = int(str(amount).strip())
    except ValueError:
        amount = 0
    if "unit" not in errors and not 1 <= amount <= POLICY_MAX[Unit(unit)]:
        errors["amount"] = f"Thời hạn phải từ 1 đến {POLICY_MAX[Unit(unit)]} {UNIT_LABELS[Unit(unit)]}."
    if not 5 <= len(legal_basis) <= 500:
        errors["legal_basis"] = "Vui lòng ghi căn cứ pháp lý (5–500 ký tự)."
    if not errors and (amount, unit, legal_basis) == (policy.amount, policy.unit, policy.legal_basis):
        errors["amount"] = "Không có gì thay đổi so với phiên bản đang áp dụng."
    if errors:
        raise Invalid(errors)
    latest = session.exec(
        select(func.max(DeadlinePolicy.version)).where(
            DeadlinePolicy.kind == policy.kind, DeadlinePolicy.priority == policy.priority,
            DeadlinePolicy.phase == policy.phase)
    ).one()
    policy.is_current = False
    new = DeadlinePolicy(kind=policy.kind, priority=policy.priority, phase=policy.phase, amount=amount, unit=Unit(unit),
                         legal_basis=legal_basis, version=(latest or 0) + 1, is_current=True, created_at=now,
                         created_by_account_id=actor.id)
    session.add(policy)
    session.flush()  # retire the old version before the new one becomes current
    session.add(new)
    session.flush()
    bump(session)
    return new


def describe_policy(policy: DeadlinePolicy) -> str:
    return f"{policy.amount} {UNIT_LABELS.get(policy.unit, policy.unit)}"


# ------------------------------------------------------------------ clocks (used inside another unit of work)


def deadlines_of(*, session: Session, submission_id: int) -> list[SubmissionDeadline]:
    return list(session.exec(
        select(SubmissionDeadline).where(SubmissionDeadline.submission_id == submission_id)
        .order_by(col(SubmissionDeadline.id))
    ).all())


def open_deadlines(*, session: Session, submission_id: int) -> list[SubmissionDeadline]:
    return list(session.exec(
        select(SubmissionDeadline).where(SubmissionDeadline.submission_id == submission_id,
                                         SubmissionDeadline.clock != Clock.STOPPED)
        .order_by(col(SubmissionDeadline.id))
    ).all())


def start_clock(*, session: Session, submission: Submission, phase: Phase, agency_id: int | None, now: datetime,
                calendar: WorkingCalendar) -> SubmissionDeadline | None:
    policy = current_terms(session=session, kind=submission.kind, priority=submission.priority, phase=phase)
    if policy is None:
        log.warning("no current %s policy for %s/%s: no deadline for %s", phase, submission.kind,
                    submission.priority, submission.tracking_code)
        return None
    due, budget = clock.plan(amount=policy.amount, unit=policy.unit, start=now, calendar=calendar)
    row = SubmissionDeadline(
        submission_id=submission.id, phase=phase, agency_id=agency_id, policy_id=policy.id,
        policy_version=policy.version, clock=Clock.RUNNING, started_at=now, original_due_at=due, due_at=due,
        at_risk_at=due, budget_seconds=budget, created_at=now, updated_at=now,
    )
    clock.arm(row, now, calendar)
    session.add(row)
    session.info.setdefault(STARTED_KEY, []).append(row)  # new_item_public_deadline reads them without a query
    return row


# session.info key: the clocks this transaction started, oldest first (the identity map holds flushed rows only
# weakly); forgotten when the transaction ends.
STARTED_KEY = "pakn_sla_started"


@sa_event.listens_for(OrmSession, "after_transaction_end")
def _forget_started(session: OrmSession, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(STARTED_KEY, None)


def replan_for_priority(*, session: Session, submission: Submission, now: datetime,
                        calendar: WorkingCalendar) -> None:
    """Urgency was set or removed (app/reach): each open clock is planned again from its start under the policy of
    the new priority (a paused clock keeps its used time and gets the new budget's remainder). Extensions already
    granted are added back on top."""
    for row in open_deadlines(session=session, submission_id=submission.id):
        policy = current_terms(session=session, kind=submission.kind, priority=submission.priority, phase=row.phase)
        if policy is None:
            continue
        planned, budget = clock.plan(amount=policy.amount, unit=policy.unit, start=row.started_at,
                                     calendar=calendar)
        due = planned
        if row.due_at > row.original_due_at:  # a pause or an extension moved it: keep that shift
            due = calendar.add_working_time(planned, calendar.working_time_between(row.original_due_at, row.due_at))
        if row.clock == Clock.PAUSED:
            used = row.budget_seconds - (row.remaining_seconds or 0)
            row.remaining_seconds = max(0, budget - used)
        row.original_due_at, row.due_at, row.budget_seconds = planned, due, budget
        row.policy_id, row.policy_version = policy.id, policy.version
        row.updated_at = now
        if row.clock == Clock.RUNNING:
            clock.arm(row, now, calendar)


def pause(row: SubmissionDeadline, now: datetime, calendar: WorkingCalendar) -> None:
    if row.clock != Clock.RUNNING:
        return
    row.remaining_seconds = clock.remaining(row, now, calendar)
    row.status = clock.status_at(row, now)
    row.clock = Clock.PAUSED
    row.paused_at = now
    row.next_check_at = None
    row.updated_at = now


def resume(row: SubmissionDeadline, now: datetime, calendar: WorkingCalendar) -> None:
    """The clock restarts with the working time that was left when it paused."""
    if row.clock != Clock.PAUSED:
        return
    left = row.remaining_seconds or 0
    if left > 0:
        row.due_at = calendar.add_working_time(now, timedelta(seconds=left))
    row.clock = Clock.RUNNING
    row.paused_at = None
    row.remaining_seconds = None
    row.updated_at = now
    clock.arm(row, now, calendar)


def stop(row: SubmissionDeadline, now: datetime, outcome: str, calendar: WorkingCalendar) -> None:
    """Records whether the phase ended on time and by how many working seconds (negative = late)."""
    if row.clock == Clock.STOPPED:
        return
    if row.clock == Clock.RUNNING:
        row.margin_seconds = clock.remaining(row, now, calendar)
        row.on_time = now <= row.due_at
    else:
        row.margin_seconds = row.remaining_seconds or 0
        row.on_time = row.margin_seconds > 0
    row.status = clock.status_at(row, now)
    row.clock = Clock.STOPPED
    row.stopped_at = now
    row.outcome = outcome
    row.next_check_at = None
    row.paused_at = None
    row.updated_at = now


# ------------------------------------------------------------------ extensions


def extension_allowance(*, session: Session, submission_id: int) -> tuple[int, int]:
    """(granted so far, allowed in total) for the item: once, plus what the coordinator allowed on top."""
    granted, extra = session.exec(
        select(func.coalesce(func.sum(SubmissionDeadline.extensions_granted), 0),
               func.coalesce(func.sum(SubmissionDeadline.extra_extensions_allowed), 0))
        .where(SubmissionDeadline.submission_id == submission_id)
    ).one()
    return int(granted), get_settings().sla_extensions_per_item + int(extra)


def _open_answer_clock(session: Session, submission_id: int) -> SubmissionDeadline | None:
    return session.exec(
        select(SubmissionDeadline).where(SubmissionDeadline.submission_id == submission_id,
                                         SubmissionDeadline.phase == Phase.ANSWER,
                                         SubmissionDeadline.clock != Clock.STOPPED)
        .order_by(col(SubmissionDeadline.id).desc())
    ).first()


def pending_extension(*, session: Session, submission_id: int) -> DeadlineExtension | None:
    return session.exec(
        select(DeadlineExtension).where(DeadlineExtension.submission_id == submission_id,
                                        DeadlineExtension.status == ExtensionStatus.PENDING)
    ).first()


def extension_refusal(*, session: Session, submission: Submission) -> str | None:
    """Why the item cannot ask for an extension now, or None when it can."""
    if _open_answer_clock(session, submission.id) is None:
        return "Hồ sơ chưa có (hoặc không còn) thời hạn trả lời để gia hạn."
    if pending_extension(session=session, submission_id=submission.id):
        return "Đã có một đề nghị gia hạn đang chờ Cơ quan thường trực xem xét."
    granted, allowed = extension_allowance(session=session, submission_id=submission.id)
    if granted >= allowed:
        return (f"Hồ sơ đã được gia hạn {granted} lần; muốn gia hạn thêm cần Cơ quan thường trực cho phép.")
    return None


def _parse_days(value: int | str) -> int:
    try:
        days = int(str(value).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= EXTENSION_MAX_DAYS:
        raise Invalid({"working_days": f"Số ngày gia hạn phải từ 1 đến {EXTENSION_MAX_DAYS} ngày làm việc."})
    return days


def request_extension(
    *,
    session: Session,
    submission: Submission,
    actor: Account,
    working_days: int | str,
    reason: str,
    now: datetime | None = None,
) -> DeadlineExtension:
    now = now or utcnow()
    if not permissions.holds(actor, submission):
        raise NotPermitted("Bạn không có quyền xử lý hồ sơ này.")
    days = _parse_days(working_days)
    reason = (reason or "").strip()
    if not REASON_MIN <= len(reason) <= TEXT_MAX:
        raise Invalid({"reason": f"Vui lòng nêu lý do gia hạn ({REASON_MIN}–{TEXT_MAX} ký tự)."})
    refusal = extension_refusal(session=session, submission=submission)
    if refusal:
        raise Invalid({"extension": refusal})
    row = _open_answer_clock(session, submission.id)
    extension = DeadlineExtension(deadline_id=row.id, submission_id=submission.id, agency_id=submission.agency_id,
                                  working_days=days, reason=reason, requested_by_account_id=actor.id,
                                  requested_at=now, old_due_at=row.due_at)
    session.add(extension)
    _event(session, submission, EventType.EXTENSION_REQUESTED, now=now, actor=actor,
           internal_note=f"Đề nghị gia hạn {days} ngày làm việc. Lý do: {reason}",
           data={"working_days": days, "reason": reason})
    session.flush()
    return extension


def extension_preview(*, session: Session, extension: DeadlineExtension, working_days: int | None = None,
                      calendar: WorkingCalendar | None = None) -> datetime | None:
    """The due date the item would get if the extension were granted now (None while paused)."""
    row = session.get(SubmissionDeadline, extension.deadline_id)
    if row is None or row.clock != Clock.RUNNING:
        return None
    calendar = calendar or working_calendar(session=session)
    return clock.shift_due(row.due_at, working_days or extension.working_days, calendar)


ALREADY_DECIDED = "Đề nghị này đã được xử lý."


def _decidable(session: Session, extension: DeadlineExtension) -> tuple[Submission, SubmissionDeadline]:
    if extension.status != ExtensionStatus.PENDING:
        raise Invalid({"extension": ALREADY_DECIDED})
    row = session.get(SubmissionDeadline, extension.deadline_id)
    if row is None or row.clock == Clock.STOPPED:
        raise Invalid({"extension": "Hồ sơ không còn thời hạn trả lời đang chạy để gia hạn."})
    return session.get(Submission, extension.submission_id), row


def _decide(session: Session, extension: DeadlineExtension, status: ExtensionStatus, actor: Account,
            now: datetime) -> None:
    """Marks the request decided with one conditional UPDATE: of two coordinators deciding at once, exactly one
    wins (the other's UPDATE matches no pending row and is refused)."""
    values = {"status": status, "decided_by_account_id": actor.id, "decided_at": now}
    stmt = (update(DeadlineExtension)
            .where(col(DeadlineExtension.id) == extension.id, col(DeadlineExtension.status) == ExtensionStatus.PENDING)
            .values(**values).execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        raise Invalid({"extension": ALREADY_DECIDED})
    for key, value in values.items():
        set_committed_value(extension, key, value)


def grant_extension(
    *,
    session: Session,
    actor: Account,
    extension: DeadlineExtension,
    working_days: int | str | None = None,
    note: str = "",
    allow_more: bool = False,
    now: datetime | None = None,
) -> DeadlineExtension:
    """Moves the answer due date `working_days` working days later (the requested number unless changed)."""
    now = now or utcnow()
    _require_coordinator(actor)
    days = _parse_days(extension.working_days if working_days in (None, "") else working_days)
    note = (note or "").strip()[:TEXT_MAX]
    submission, row = _decidable(session, extension)
    _decide(session, extension, ExtensionStatus.GRANTED, actor, now)
    settle_pending(session=session, rows=[row], now=now, submissions={submission.id: submission})
    calendar = working_calendar(session=session)
    old_due = row.due_at
    if row.clock == Clock.RUNNING:
        row.due_at = clock.shift_due(old_due, days, calendar)
        row.budget_seconds += clock.seconds(calendar.working_time_between(old_due, row.due_at))
        clock.arm(row, now, calendar)
    else:  # paused: the kept working time grows by whole working days
        added = days * clock.day_seconds(calendar)
        row.remaining_seconds = (row.remaining_seconds or 0) + added
        row.budget_seconds += added
        row.due_at = clock.shift_due(old_due, days, calendar)
        row.status = clock.status_at(row, now)
    row.extensions_granted += 1
    if allow_more:
        row.extra_extensions_allowed += 1
    row.updated_at = now
    extension.working_days = days
    extension.decision_note = note or None
    extension.old_due_at = old_due
    extension.new_due_at = row.due_at
    paused = row.clock == Clock.PAUSED
    new_due_text = "" if paused else f" đến {format_datetime(row.due_at)}"
    _event(session, submission, EventType.EXTENSION_GRANTED, now=now, actor=actor,
           public_note=f"Thời hạn trả lời được gia hạn thêm {days} ngày làm việc{new_due_text}.",
           internal_note=note or None,
           data={"working_days": days, "new_due_at": None if paused else row.due_at.isoformat()})
    session.flush()
    return extension


def refuse_extension(*, session: Session, actor: Account, extension: DeadlineExtension, note: str,
                     now: datetime | None = None) -> DeadlineExtension:
    now = now or utcnow()
    _require_coordinator(actor)
    note = (note or "").strip()
    if not 5 <= len(note) <= TEXT_MAX:
        raise Invalid({"note": "Vui lòng ghi lý do không chấp thuận (5–2000 ký tự)."})
    submission, _row = _decidable(session, extension)
    _decide(session, extension, ExtensionStatus.REFUSED, actor, now)
    extension.decision_note = note
    _event(session, submission, EventType.EXTENSION_REFUSED, now=now, actor=actor, internal_note=note)
    session.flush()
    return extension


def list_extensions(*, session: Session, status: str | None = None, limit: int = 200) -> list[DeadlineExtension]:
    stmt = select(DeadlineExtension)
    if status:
        stmt = stmt.where(DeadlineExtension.status == status)
        stmt = stmt.order_by(col(DeadlineExtension.requested_at))
    else:
        stmt = stmt.order_by(col(DeadlineExtension.requested_at).desc())
    return list(session.exec(stmt.limit(limit)).all())


# ------------------------------------------------------------------ read models


def _most_urgent(rows: list[SubmissionDeadline]) -> SubmissionDeadline | None:
    running = sorted((r for r in rows if r.clock == Clock.RUNNING), key=lambda r: r.due_at)
    if running:
        return running[0]
    paused = [r for r in rows if r.clock == Clock.PAUSED]
    if paused:
        return paused[0]
    answered = [r for r in rows if r.phase == Phase.ANSWER and r.on_time is not None]
    return answered[-1] if answered else None


def badges_for(*, session: Session, submission_ids: list[int], now: datetime | None = None,
               calendar: WorkingCalendar | None = None) -> dict[int, clock.Badge]:
    """The badge of each item: its most urgent open clock, else how its answer went."""
    if not submission_ids:
        return {}
    now = now or utcnow()
    calendar = calendar or working_calendar(session=session)
    by_item: dict[int, list[SubmissionDeadline]] = defaultdict(list)
    for row in session.exec(
        select(SubmissionDeadline).where(col(SubmissionDeadline.submission_id).in_(submission_ids))
        .order_by(col(SubmissionDeadline.id))
    ).all():
        by_item[row.submission_id].append(row)
    badges = {}
    for sid, rows in by_item.items():
        row = _most_urgent(rows)
        if row is not None:
            badges[sid] = clock.badge(row, now, calendar, row.phase)
    return badges


def urgency_key():
    """SQL: the earliest due instant among an item's running clocks (NULL when none), for ORDER BY."""
    return (
        select(func.min(SubmissionDeadline.due_at))
        .where(SubmissionDeadline.submission_id == Submission.id, SubmissionDeadline.clock == Clock.RUNNING)
        .correlate(Submission)
        .scalar_subquery()
    )


def overdue_condition(now: datetime):
    """SQL: the item has a running clock whose due instant has passed (the inbox's "overdue" filter)."""
    return (
        select(SubmissionDeadline.id)
        .where(SubmissionDeadline.submission_id == Submission.id, SubmissionDeadline.clock == Clock.RUNNING,
               SubmissionDeadline.due_at <= now)
        .correlate(Submission)
        .exists()
    )


@dataclass
class DeadlineView:
    row: SubmissionDeadline
    badge: clock.Badge
    policy: DeadlinePolicy | None
    agency: Agency | None
    remaining_seconds: int


@dataclass
class ItemPanel:
    deadlines: list[DeadlineView]
    extensions: list[DeadlineExtension]
    can_request: bool
    refusal: str | None
    granted: int
    allowed: int
    max_days: int = EXTENSION_MAX_DAYS
    transfer_limit: datetime | None = None  # the legal limit to transfer an item outside the agency's remit
    transfer_days_left: int | None = None
    errors: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)


def item_panel(*, session: Session, submission: Submission, actor: Account, now: datetime | None = None,
               errors: dict | None = None, values: dict | None = None) -> ItemPanel:
    """Every clock of the item with its policy version and legal basis, and the extension requests."""
    now = now or utcnow()
    calendar = working_calendar(session=session)
    rows = deadlines_of(session=session, submission_id=submission.id)
    views = [
        DeadlineView(row=r, badge=clock.badge(r, now, calendar, r.phase),
                     policy=session.get(DeadlinePolicy, r.policy_id),
                     agency=session.get(Agency, r.agency_id) if r.agency_id else None,
                     remaining_seconds=clock.remaining(r, now, calendar) if r.clock != Clock.STOPPED else 0)
        for r in rows
    ]
    extensions = list(session.exec(
        select(DeadlineExtension).where(DeadlineExtension.submission_id == submission.id)
        .order_by(col(DeadlineExtension.requested_at))
    ).all())
    refusal = extension_refusal(session=session, submission=submission)
    granted, allowed = extension_allowance(session=session, submission_id=submission.id)
    limit = transfer_limit(submission, calendar)
    return ItemPanel(deadlines=views, extensions=extensions,
                     can_request=permissions.holds(actor, submission) and refusal is None,
                     refusal=refusal, granted=granted, allowed=allowed, errors=errors or {}, values=values or {},
                     transfer_limit=limit,
                     transfer_days_left=clock.working_days_left(limit, now, calendar) if limit else None)


LEGAL_TRANSFER_WORKING_DAYS = 5  # Nghị định 20/2008/NĐ-CP, Điều 9 khoản 1 điểm d


def transfer_limit(submission: Submission, calendar: WorkingCalendar) -> datetime | None:
    """Until the item is accepted: the end of the 5th working day after the day it was received (the day of receipt
    does not count), by which an item outside the agency's remit must have been transferred."""
    if submission.state not in (State.TRIAGE, State.ASSIGNED):
        return None
    return calendar.deadline_after_working_days(submission.created_at, LEGAL_TRANSFER_WORKING_DAYS)


@dataclass
class AgencyRisk:
    agency: Agency | None
    overdue: list[tuple[SubmissionDeadline, Submission, clock.Badge]] = field(default_factory=list)
    at_risk: list[tuple[SubmissionDeadline, Submission, clock.Badge]] = field(default_factory=list)


def overview(*, session: Session, now: datetime | None = None, agency_id: int | None = None) -> list[AgencyRisk]:
    """Running clocks at risk or overdue at `now`, by handling agency, worst agency first.

    Read from the stored instants (indexed on clock, at_risk_at), so it is exact even between two sweeps.
    """
    now = now or utcnow()
    calendar = working_calendar(session=session)
    stmt = (
        select(SubmissionDeadline, Submission)
        .join(Submission, col(Submission.id) == SubmissionDeadline.submission_id)
        .where(SubmissionDeadline.clock == Clock.RUNNING, SubmissionDeadline.at_risk_at <= now)
        .order_by(col(SubmissionDeadline.due_at))
    )
    if agency_id is not None:
        stmt = stmt.where(SubmissionDeadline.agency_id == agency_id)
    groups: dict[int | None, AgencyRisk] = {}
    agencies = {a.id: a for a in session.exec(select(Agency)).all()}
    for row, submission in session.exec(stmt).all():
        group = groups.setdefault(row.agency_id, AgencyRisk(agency=agencies.get(row.agency_id)))
        b = clock.badge(row, now, calendar, row.phase)
        (group.overdue if b.level == "overdue" else group.at_risk).append((row, submission, b))
    return sorted(groups.values(), key=lambda g: (-len(g.overdue), -len(g.at_risk),
                                                  g.agency.name if g.agency else ""))


def public_deadline(*, session: Session, submission: Submission, now: datetime | None = None) -> dict | None:
    """What the sender sees: the answer-by date (kept across transfers), or the accept-by date before acceptance,
    with the same count of working days left as the officers' badges (`clock.working_days_left`)."""
    return public_deadline_from(deadlines_of(session=session, submission_id=submission.id), now=now or utcnow(),
                                calendar=working_calendar(session=session))


def new_item_public_deadline(*, session: Session, submission: Submission,
                             now: datetime | None = None) -> dict | None:
    """public_deadline of an item created in this transaction, without a query: each of its clocks was started in
    this transaction, so the session holds them all (pending or flushed)."""
    rows = [r for r in session.info.get(STARTED_KEY, ())
            if r.submission_id == submission.id and (inspect(r).pending or inspect(r).persistent)]
    return public_deadline_from(rows, now=now or utcnow(), calendar=working_calendar(session=session))


def public_deadlines(*, session: Session, submission_ids: list[int]) -> dict[int, dict | None]:
    """public_deadline for many items with one query (API lists, Open311)."""
    rows: dict[int, list[SubmissionDeadline]] = {i: [] for i in submission_ids}
    if submission_ids:
        for row in session.exec(select(SubmissionDeadline)
                                .where(col(SubmissionDeadline.submission_id).in_(submission_ids))
                                .order_by(col(SubmissionDeadline.id))).all():
            rows[row.submission_id].append(row)
    calendar = working_calendar(session=session) if submission_ids else None
    now = utcnow()
    return {i: public_deadline_from(r, now=now, calendar=calendar) for i, r in rows.items()}


def public_deadline_from(rows: list[SubmissionDeadline], *, now: datetime | None = None,
                         calendar: WorkingCalendar | None = None) -> dict | None:
    """The rule of public_deadline over one item's clocks (oldest first). With `now` and `calendar`, a running
    clock also says how many working days are left ("days_left", "text": the badge's own words)."""
    open_answers = [r for r in rows if r.phase == Phase.ANSWER and r.clock != Clock.STOPPED]
    open_accepts = [r for r in rows if r.phase == Phase.ACCEPT and r.clock != Clock.STOPPED]
    if open_answers or open_accepts:
        row, label = (open_answers[-1], N_("Hạn trả lời")) if open_answers else (open_accepts[-1],
                                                                                    N_("Hạn tiếp nhận"))
        running = row.clock == Clock.RUNNING
        days_left = clock.working_days_left(row.due_at, now, calendar) if running and now and calendar else None
        text = ""
        if days_left is not None:
            left = clock.remaining(row, now, calendar)
            text = clock.left_text(left, days_left, calendar) if left > 0 else clock.late_text(days_left)
        return {"label": label, "due_at": None if row.clock == Clock.PAUSED else row.due_at,
                "paused": row.clock == Clock.PAUSED, "text": text, "days_left": days_left}
    answered = [r for r in rows if r.phase == Phase.ANSWER and r.outcome in ANSWERING_OUTCOMES]
    if not answered:
        return None
    row = answered[-1]
    return {"label": N_("Trả lời"), "due_at": row.due_at, "text": N_("đúng hạn") if row.on_time else N_("trễ hạn"),
            "paused": False, "days_left": None}


__all__ = [
    "NotPermitted", "Invalid", "add_entry", "badges_for", "current_policy", "grant_extension", "item_panel",
    "list_entries", "list_policies", "new_item_public_deadline", "overview", "pending_recompute", "public_deadline",
    "public_deadlines",
    "recompute_batch", "refuse_extension", "remove_entry", "request_extension", "settle_pending", "update_policy",
    "urgency_key", "working_calendar",
]
