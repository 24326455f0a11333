"""Side effects of submission events on deadline clocks (subscribed to the event bus; run in the event's transaction).

The clocks follow the state the event moved the item to, and the agency it then sits with, so the same code
serves live events and a replay of an item's history (`pakn sla backfill`):

- assigned: the accept clock runs for the holding agency; a transfer stops the previous agency's clock
  (outcome "transferred") and starts one for the new agency. An answer clock already running keeps its due
  date (the sender's answer-by) and follows the item to the new agency.
- in_progress: the accept clock stops (met by accepting); the answer clock starts (first acceptance, or a
  reopened item) or resumes with the working time it had left.
- info_requested: every running clock pauses.
- answered, closed, rejected: every clock stops, recording whether it was met on time and by how much.

A clock marked by a calendar change that the recompute job has not reached yet is settled first (its due date
moved and its `deadline_changed` event written, nested in this event's transaction), so pausing, stopping or
transferring never works from a due date the calendar has already moved.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.events import bus
from app.events.models import Event
from app.kinds import OPEN_STATES, EventType, State
from app.sla import service
from app.sla.calendar import WorkingCalendar
from app.sla.models import Clock, Phase, SubmissionDeadline
from app.submissions.models import Submission

# Events the deadline machinery writes itself: they never move a clock.
OWN_EVENTS = frozenset({
    EventType.DEADLINE_AT_RISK, EventType.DEADLINE_OVERDUE, EventType.DEADLINE_CHANGED,
    EventType.EXTENSION_REQUESTED, EventType.EXTENSION_GRANTED, EventType.EXTENSION_REFUSED,
})
STOPPING_STATES = frozenset({State.ANSWERED, State.CLOSED, State.REJECTED})
# Events about an item's publication (app/publication): they never move a clock either.
PUBLICATION_EVENTS = frozenset({
    EventType.PUBLISHED, EventType.PUBLICATION_EDITED, EventType.PUBLICATION_WITHDRAWN, EventType.UNPUBLISHED,
})


def on_submission_event(
    *, session: Session, submission: Submission, event: Event, calendar: WorkingCalendar | None = None
) -> None:
    if event.type in OWN_EVENTS or event.type in PUBLICATION_EVENTS or event.type == EventType.SUBMITTED:
        return
    if event.type == EventType.PRIORITY_CHANGED:  # the urgent (or normal) policy applies from now on
        service.replan_for_priority(session=session, submission=submission, now=event.created_at,
                                    calendar=calendar or service.working_calendar(session=session))
        return
    state = event.to_state or submission.state
    agency_id = event.agency_id
    now = event.created_at
    # An item leaving `submitted` was created in this transaction: it has no clocks yet (no query needed).
    rows = [] if event.from_state == State.SUBMITTED else service.open_deadlines(session=session,
                                                                                 submission_id=submission.id)
    if not rows and state not in (State.ASSIGNED, State.IN_PROGRESS):
        return
    # A clock still waiting for a calendar recompute gets its new due date (and deadline_changed event) first.
    service.settle_pending(session=session, rows=rows, now=now, submissions={submission.id: submission})
    cal = calendar or service.working_calendar(session=session)
    outcome = event.type

    if state in STOPPING_STATES:
        for row in rows:
            service.stop(row, now, outcome, cal)
        return
    if state == State.INFO_REQUESTED:
        for row in rows:
            service.pause(row, now, cal)
        return

    for row in rows:
        if row.clock == Clock.PAUSED:
            service.resume(row, now, cal)
    accepts = [r for r in rows if r.phase == Phase.ACCEPT]
    answers = [r for r in rows if r.phase == Phase.ANSWER]
    for row in answers:
        if row.agency_id != agency_id:
            row.agency_id = agency_id
            row.updated_at = now

    if state == State.ASSIGNED:
        for row in accepts:
            if row.agency_id != agency_id:
                service.stop(row, now, outcome, cal)
        if agency_id is not None and not any(r.agency_id == agency_id for r in accepts):
            service.start_clock(session=session, submission=submission, phase=Phase.ACCEPT, agency_id=agency_id,
                                now=now, calendar=cal)
        return

    for row in accepts:
        service.stop(row, now, outcome, cal)
    if state == State.IN_PROGRESS and not answers:
        service.start_clock(session=session, submission=submission, phase=Phase.ANSWER, agency_id=agency_id,
                            now=now, calendar=cal)


def replay_missing(*, session: Session) -> int:
    """Gives clocks to open items that have none by replaying their history (for items older than the SLA tables).

    Crossings already behind us are then recorded by the next sweep, like any missed crossing.
    """
    has_clock = select(SubmissionDeadline.submission_id)
    items = session.exec(
        select(Submission).where(col(Submission.state).in_(sorted(OPEN_STATES)),
                                 col(Submission.id).not_in(has_clock))
    ).all()
    cal = service.working_calendar(session=session)
    for submission in items:
        history = session.exec(select(Event).where(Event.submission_id == submission.id)
                               .order_by(col(Event.created_at), col(Event.id))).all()
        for event in history:
            on_submission_event(session=session, submission=submission, event=event, calendar=cal)
        session.flush()
    return len(items)


def register() -> None:
    bus.subscribe("sla", lambda session, event, submission: on_submission_event(
        session=session, submission=submission, event=event), order=20)
