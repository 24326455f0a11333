"""The domain service: every submission and every change of its state goes through here and leaves a
hash-chained event row (app/events), whose subscribers add the side effects (notifications, deadlines, webhooks)
in the same transaction.

Services only flush: the door (route, CLI command, job) wraps each call in `app.db.unit_of_work`, which commits
once. Every state change is one conditional UPDATE on the row as it is now (`_transition`): of two people acting
at once, exactly one changes the item and leaves an event; the other gets `Conflict`. Files are checked before
the unit of work opens (`attachments.service.stage`), so no lock is held while images are decoded."""

from datetime import datetime

from sqlalchemy import ColumnElement, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from app.accounts.models import Account
from app.agencies import service as agencies_service
from app.agencies.models import Agency
from app.attachments import service as attachments_service
from app.attachments.service import Owner, StagedBatch
from app.db import utcnow
from app.errors import Conflict, Invalid, InvalidTransition, NotPermitted
from app.events import service as events
from app.events.chain import text_digest
from app.events.models import Event
from app.i18n import N_
from app.kinds import REJECT_REASON_LABELS, Channel, EventType, RejectReason, State
from app.routing.engine import RoutingDecision, RoutingInput
from app.routing.service import route
from app.submissions import lifecycle, permissions, search
from app.submissions.contact import contact_matches, new_tracking_code, normalize_tracking_code
from app.submissions.lifecycle import Action
from app.submissions.models import Submission
from app.submissions.schemas import SubmissionCreate

ANSWER_MAX = 20_000
NOTE_MAX = 5_000
ANSWER_VISIBLE_STATES = frozenset({State.ANSWERED, State.CLOSED})


def record_event(
    session: Session,
    submission: Submission | None,
    type_: EventType,
    *,
    subject_account: Account | None = None,
    **kwargs,
) -> Event:
    """Appends one event about the item (published to the subscribed domains, app/events/bus.py)."""
    return events.record(session, type_, submission=submission,
                         subject_account_id=subject_account.id if subject_account else None, **kwargs)


LOST_RACE = N_("Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang để xem trạng thái mới.")


def _transition(session: Session, submission: Submission, action: Action, now: datetime,
                *, guards: tuple[ColumnElement[bool], ...] = (), **changes) -> str:
    """Moves the item with one conditional UPDATE that matches only the row as this transaction read it (same
    state, same agency, plus `guards`); on PostgreSQL a concurrent writer waits for our row lock and then matches
    nothing. Returns the previous state; raises InvalidTransition (wrong state) or Conflict (lost a race)."""
    previous, agency_id = submission.state, submission.agency_id
    values = {"state": lifecycle.next_state(action, previous), "updated_at": now, **changes}
    stmt = (update(Submission)
            .where(col(Submission.id) == submission.id, col(Submission.state) == previous,
                   col(Submission.agency_id).is_not_distinct_from(agency_id), *guards)
            .values(**values)
            .execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        raise Conflict(LOST_RACE)
    for key, value in values.items():
        set_committed_value(submission, key, value)
    return previous


def _insert_with_new_code(session: Session, submission: Submission, now: datetime) -> None:
    """Inserts the item under a fresh random tracking code: one INSERT … ON CONFLICT DO NOTHING per try (the
    unique index decides; a taken code, about one in a billion, just draws again), then the object joins the
    session as the row it is, without reading it back."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    table = Submission.__table__
    while True:
        submission.tracking_code = new_tracking_code(now)
        search.fill(submission)  # the code is searchable too
        values = {c.name: getattr(submission, c.name) for c in table.columns if c.name != "id"}
        stmt = insert(table).values(**values).on_conflict_do_nothing(index_elements=["tracking_code"])
        new_id = session.execute(stmt.returning(table.c.id)).scalar()
        if new_id is not None:
            break
    submission.id = new_id
    make_transient_to_detached(submission)
    session.add(submission)


def _attach(session: Session, submission: Submission, batch: StagedBatch | None, owner: Owner, *,
            actor: Account | None = None, now: datetime) -> None:
    """Stores the staged files with one ATTACHMENT_ADDED event whose data holds each file's SHA-256."""
    if not batch:
        return
    rows = attachments_service.store(session=session, submission_id=submission.id, batch=batch, owner=owner,
                                     actor_id=actor.id if actor else None, now=now)
    event = record_event(session, submission, EventType.ATTACHMENT_ADDED, now=now, from_state=submission.state,
                         actor=actor, actor_role="sender" if owner == Owner.SENDER else None,
                         public_note=", ".join(row.original_name for row in rows),
                         data={"owner": owner.value, "files": [attachments_service.describe(row) for row in rows]})
    for row in rows:
        row.event_id = event.id
    session.flush()


def attach(*, session: Session, submission: Submission, batch: StagedBatch | None, actor: Account,
           now: datetime | None = None) -> None:
    """Stores an agency's checked files on the item with their ATTACHMENT_ADDED event (e.g. the evidence of an
    initiative put into practice, app/initiatives)."""
    _attach(session, submission, batch, Owner.AGENCY, actor=actor, now=now or utcnow())


def submit(
    *, session: Session, data: SubmissionCreate, source: Channel = Channel.WEB, now: datetime | None = None,
    batch: StagedBatch | None = None, origin: dict | None = None, route_to: tuple[Agency, str] | None = None,
    triage: str | None = None,
) -> Submission:
    """Stores a new item with the sender's checked files (`batch`), routed at once; returns it with its tracking
    code. `origin` (which API client, which request) goes into the SUBMITTED event for the subscribers.
    `route_to` (agency, explanation) sends it to that agency instead of the routing rules (a solution to a
    challenge goes to the challenge's owner agency). `triage` (why): straight to the coordinator's triage without
    the rules (an SMS says nothing of its field)."""
    now = now or utcnow()
    ref = agencies_service.reference(session=session)
    field = ref.field_by_code.get(data.field_code)
    commune = ref.commune_by_code.get(data.commune_code)
    errors = {}
    if field is None:
        errors["field_code"] = N_("Lĩnh vực không có trong danh mục.")
    if commune is None:
        errors["commune_code"] = N_("Xã, phường không có trong danh mục.")
    if errors:
        raise Invalid(errors)

    if route_to is not None:
        decision = RoutingDecision(agency_code=route_to[0].code, rule_id=None, explanation=route_to[1])
    elif triage is not None:
        decision = RoutingDecision(agency_code=None, rule_id=None, explanation=triage)
    else:
        decision = route(session=session, item=RoutingInput(
            kind=data.kind.value, field_code=field.code, commune_code=commune.code,
            text=f"{data.title}\n{data.content}"))
    routed = decision.agency_code is not None
    action = Action.ROUTE if routed else Action.SEND_TO_TRIAGE
    agency = ref.agency_by_code[decision.agency_code] if routed else ref.coordinator
    submission = Submission(
        tracking_code="",
        kind=data.kind,
        priority=data.priority,
        field_id=field.id,
        commune_id=commune.id,
        title=data.title,
        content=data.content,
        sender_type=data.sender_type,
        sender_name=data.sender_name,
        sender_phone=data.sender_phone,
        sender_email=data.sender_email,
        sender_address=data.sender_address,
        hide_identity=data.hide_identity,
        notify_by=data.notify_by,
        consented_at=now,
        source=Channel(source),
        # Stored already routed (one INSERT); the events below tell the two steps.
        state=lifecycle.next_state(action, State.SUBMITTED),
        agency_id=agency.id,
        routing_rule_id=decision.rule_id,
        routing_explanation=decision.explanation,
        created_at=now,
        updated_at=now,
    )
    _insert_with_new_code(session, submission, now)
    consent = {"publish_consent": True} if data.publish_consent else {}
    record_event(session, submission, EventType.SUBMITTED, now=now, actor_role="sender",
                 to_state=State.SUBMITTED.value, data={**(origin or {}), **consent} or None)
    record_event(session, submission, EventType.ROUTED if routed else EventType.SENT_TO_TRIAGE, now=now,
                 from_state=State.SUBMITTED.value, internal_note=decision.explanation,
                 data={"rule_id": decision.rule_id} if routed else None)
    _attach(session, submission, batch, Owner.SENDER, now=now)
    return submission


def _text(value: str | None, *, field: str, label: str, minimum: int, maximum: int) -> str:
    """Labels of texts a sender writes are N_() so the message can be shown in English on the citizen pages."""
    text = (value or "").strip()
    if len(text) < minimum:
        raise Invalid({field: N_("%(label)s quá ngắn (ít nhất %(min_length)s ký tự).", label=label,
                                 min_length=minimum)})
    if len(text) > maximum:
        raise Invalid({field: N_("%(label)s quá dài (tối đa %(max_length)s ký tự).", label=label,
                                 max_length=maximum)})
    return text


def accept(*, session: Session, submission: Submission, actor: Account, now: datetime | None = None) -> Submission:
    now = now or utcnow()
    permissions.require(actor, Action.ACCEPT, submission)
    previous = _transition(session, submission, Action.ACCEPT, now, accepted_at=now)
    record_event(session, submission, EventType.ACCEPTED, now=now, from_state=previous, actor=actor)
    return submission


def transfer(
    *, session: Session, submission: Submission, actor: Account, to_agency: Agency | None, reason: str,
    now: datetime | None = None,
) -> Submission:
    """Hands the item to another agency; the accept clock restarts there, the sender's clock does not."""
    now = now or utcnow()
    permissions.require(actor, Action.TRANSFER, submission)
    lifecycle.next_state(Action.TRANSFER, submission.state)
    if to_agency is None:
        raise Invalid({"agency_code": "Vui lòng chọn cơ quan nhận hồ sơ."})
    if to_agency.id == submission.agency_id:
        raise Invalid({"agency_code": "Không thể chuyển hồ sơ cho chính đơn vị đang xử lý."})
    reason = _text(reason, field="reason", label="Lý do chuyển", minimum=5, maximum=NOTE_MAX)
    from_agency_id = submission.agency_id
    previous = _transition(session, submission, Action.TRANSFER, now, agency_id=to_agency.id, accepted_at=None)
    record_event(session, submission, EventType.TRANSFERRED, now=now, from_state=previous, actor=actor,
                 public_note=f"Chuyển đến {to_agency.name}.", internal_note=reason,
                 data={"from_agency_id": from_agency_id, "to_agency_id": to_agency.id})
    return submission


def reject(
    *, session: Session, submission: Submission, actor: Account, reason_code: str, detail: str,
    duplicate_of: str | None = None, now: datetime | None = None,
) -> Submission:
    """Refuses the item with a catalogued reason the sender will read."""
    now = now or utcnow()
    permissions.require(actor, Action.REJECT, submission)
    lifecycle.next_state(Action.REJECT, submission.state)
    if reason_code not in RejectReason._value2member_map_:
        raise Invalid({"reason_code": "Vui lòng chọn lý do từ chối."})
    detail = _text(detail, field="detail", label="Giải thích cho người gửi", minimum=10, maximum=NOTE_MAX)
    original = None
    if reason_code == RejectReason.DUPLICATE:
        original = get_by_code(session=session, code=duplicate_of or "")
        if original is None or original.id == submission.id:
            raise Invalid({"duplicate_of": "Vui lòng nhập mã tra cứu của hồ sơ bị trùng."})
    reason = RejectReason(reason_code)
    previous = _transition(session, submission, Action.REJECT, now, reject_reason=reason, reject_detail=detail,
                           duplicate_of=original.tracking_code if original else None)
    label = REJECT_REASON_LABELS[reason]
    note = f"{label}" + (f" ({original.tracking_code})" if original else "") + f". {detail}"
    record_event(session, submission, EventType.REJECTED, now=now, from_state=previous, actor=actor,
                 public_note=note, data={"reason": reason_code})
    return submission


def request_info(
    *, session: Session, submission: Submission, actor: Account, question: str, now: datetime | None = None
) -> Submission:
    """Asks the sender for more; the deadline clock pauses until they reply."""
    now = now or utcnow()
    permissions.require(actor, Action.REQUEST_INFO, submission)
    lifecycle.next_state(Action.REQUEST_INFO, submission.state)
    question = _text(question, field="question", label="Câu hỏi", minimum=10, maximum=NOTE_MAX)
    previous = _transition(session, submission, Action.REQUEST_INFO, now)
    record_event(session, submission, EventType.INFO_REQUESTED, now=now, from_state=previous, actor=actor,
                 public_note=question)
    return submission


def pending_question(*, session: Session, submission: Submission) -> str | None:
    if submission.state != State.INFO_REQUESTED:
        return None
    return session.exec(
        select(Event.public_note)
        .where(Event.submission_id == submission.id, Event.type == EventType.INFO_REQUESTED)
        .order_by(col(Event.id).desc())
    ).first()


def check_reply(reply: str | None) -> str:
    return _text(reply, field="reply", label=N_("Nội dung bổ sung"), minimum=5, maximum=10_000)


def provide_info(
    *, session: Session, submission: Submission, reply: str, now: datetime | None = None,
    batch: StagedBatch | None = None,
) -> Submission:
    """The sender's reply (optionally with more photos or documents) returns the item to the agency; once per
    question: a second reply to the same question finds the item no longer waiting."""
    now = now or utcnow()
    lifecycle.next_state(Action.PROVIDE_INFO, submission.state)
    reply = check_reply(reply)
    previous = _transition(session, submission, Action.PROVIDE_INFO, now)
    record_event(session, submission, EventType.INFO_PROVIDED, now=now, from_state=previous,
                 actor_role="sender", public_note=reply)
    _attach(session, submission, batch, Owner.SENDER, now=now)
    return submission


def check_answer(text: str | None) -> str:
    return _text(text, field="answer_text", label="Nội dung trả lời", minimum=10, maximum=ANSWER_MAX)


def answer(
    *, session: Session, submission: Submission, actor: Account, text: str, now: datetime | None = None,
    batch: StagedBatch | None = None,
) -> Submission:
    """The agency's official reply, optionally with documents (all stored, or none)."""
    now = now or utcnow()
    permissions.require(actor, Action.ANSWER, submission)
    lifecycle.next_state(Action.ANSWER, submission.state)  # a wrong state is reported before a short text
    text = check_answer(text)
    previous = _transition(session, submission, Action.ANSWER, now, answer_text=text, answered_at=now)
    record_event(session, submission, EventType.ANSWERED, now=now, from_state=previous, actor=actor,
                 data={"answer_sha256": text_digest(text)})
    _attach(session, submission, batch, Owner.AGENCY, actor=actor, now=now)
    return submission


def conclude(
    *, session: Session, submission: Submission, actor: Account, text: str, event_type: EventType,
    public_note: str | None = None, data: dict | None = None, now: datetime | None = None,
) -> Submission:
    """Ends the handling of an item with an outcome other than a plain answer (the decision on an initiative or a
    solution, app/initiatives): the ANSWER transition, so the sender reads `text` as the answer and may rate it,
    and every clock stops as on an answer (app/sla/flows.py), recorded as `event_type`. The caller has checked
    that `actor` may decide."""
    now = now or utcnow()
    lifecycle.next_state(Action.ANSWER, submission.state)
    text = check_answer(text)
    previous = _transition(session, submission, Action.ANSWER, now, answer_text=text, answered_at=now)
    record_event(session, submission, event_type, now=now, from_state=previous, actor=actor,
                 public_note=public_note, data={**(data or {}), "answer_sha256": text_digest(text)})
    return submission


def visible_answer(submission: Submission) -> str | None:
    """The answer as every door shows it: only while the item stands answered (a reopened item's old answer is
    history, not its answer)."""
    return submission.answer_text if submission.state in ANSWER_VISIBLE_STATES else None


def close(
    *, session: Session, submission: Submission, actor: Account | None = None, now: datetime | None = None
) -> Submission:
    """Closes an answered item (the coordinator, or the system after the rating window)."""
    now = now or utcnow()
    if actor is not None:
        permissions.require(actor, Action.CLOSE, submission)
    previous = _transition(session, submission, Action.CLOSE, now)
    record_event(session, submission, EventType.CLOSED, now=now, from_state=previous, actor=actor)
    return submission


def rate(
    *, session: Session, submission: Submission, satisfied: bool, comment: str = "", now: datetime | None = None
) -> Submission:
    """The sender rates the answer once; a rating closes the item, 'not satisfied' asks for review."""
    now = now or utcnow()
    if submission.rated_at is not None:
        raise InvalidTransition(N_("Hồ sơ này đã được đánh giá."))
    if visible_answer(submission) is None:
        raise InvalidTransition(N_("Chỉ đánh giá được sau khi có trả lời."))
    comment = (comment or "").strip()
    if len(comment) > NOTE_MAX:
        raise Invalid({"comment": N_("Nhận xét quá dài (tối đa %(max_length)s ký tự).", max_length=NOTE_MAX)})
    previous = _transition(session, submission, Action.RATE, now, guards=(col(Submission.rated_at).is_(None),),
                           rating_satisfied=satisfied, rating_comment=comment or None, rated_at=now)
    record_event(session, submission, EventType.RATED, now=now, from_state=previous, actor_role="sender",
                 public_note=("Hài lòng" if satisfied else "Chưa hài lòng") + (f": {comment}" if comment else ""),
                 data={"satisfied": satisfied})
    return submission


def reopen(
    *, session: Session, submission: Submission, actor: Account, agency: Agency | None, note: str,
    now: datetime | None = None,
) -> Submission:
    """The coordinator reopens an item whose sender was not satisfied, to the same or another agency."""
    now = now or utcnow()
    permissions.require(actor, Action.REOPEN, submission)
    if submission.rating_satisfied is not False:
        raise InvalidTransition("Chỉ mở lại hồ sơ mà người gửi chưa hài lòng với trả lời.")
    if agency is None:
        raise Invalid({"agency_code": "Vui lòng chọn cơ quan xử lý lại."})
    note = _text(note, field="note", label="Ghi chú", minimum=5, maximum=NOTE_MAX)
    from_agency_id = submission.agency_id
    previous = _transition(session, submission, Action.REOPEN, now, agency_id=agency.id, accepted_at=None,
                           answered_at=None, rating_satisfied=None, rated_at=None)
    record_event(session, submission, EventType.REOPENED, now=now, from_state=previous, actor=actor,
                 public_note=f"Giao {agency.name} xử lý lại.", internal_note=note,
                 data={"from_agency_id": from_agency_id, "to_agency_id": agency.id})
    return submission


def add_note(*, session: Session, submission: Submission, actor: Account, text: str,
             now: datetime | None = None) -> Event:
    """An internal note: visible to handling agencies and the coordinator, never to the sender."""
    now = now or utcnow()
    permissions.require_note(actor, submission)
    text = _text(text, field="note", label="Ghi chú", minimum=2, maximum=NOTE_MAX)
    return record_event(session, submission, EventType.NOTE_ADDED, now=now, from_state=submission.state,
                        actor=actor, internal_note=text)


def assign(
    *, session: Session, submission: Submission, actor: Account, agency: Agency | None, note: str = "",
    now: datetime | None = None,
) -> Submission:
    """The coordinator gives an untriaged item to an agency."""
    now = now or utcnow()
    permissions.require(actor, Action.ASSIGN, submission)
    if agency is None:
        raise Invalid({"agency_code": "Vui lòng chọn cơ quan xử lý."})
    previous = _transition(session, submission, Action.ASSIGN, now, agency_id=agency.id)
    record_event(session, submission, EventType.ASSIGNED, now=now, from_state=previous, actor=actor,
                 internal_note=note.strip() or None, data={"to_agency_id": agency.id})
    return submission


def get_by_code(*, session: Session, code: str) -> Submission | None:
    normalized = normalize_tracking_code(code)
    if normalized is None:
        return None
    return session.exec(select(Submission).where(Submission.tracking_code == normalized)).first()


def find_for_sender(*, session: Session, code: str, contact: str) -> Submission | None:
    """The item, if `contact` is the phone or email given with it; None otherwise (never says which)."""
    submission = get_by_code(session=session, code=code)
    if submission is None or not contact_matches(contact, submission.sender_phone, submission.sender_email):
        return None
    return submission


def history(*, session: Session, submission: Submission) -> list[Event]:
    return list(
        session.exec(
            select(Event)
            .where(Event.submission_id == submission.id)
            .order_by(col(Event.created_at), col(Event.id))
        ).all()
    )


event_data = events.data_of


def agencies_that_held(*, session: Session, submission: Submission) -> set[int]:
    """Every agency the item was ever with: former holders keep read access to what they did."""
    ids = {submission.agency_id} if submission.agency_id else set()
    for event in history(session=session, submission=submission):
        if event.agency_id:
            ids.add(event.agency_id)
        ids.update(v for k, v in event_data(event).items() if k.endswith("agency_id") and v)
    return ids


def review_list(*, session: Session) -> list[Submission]:
    """Answers the sender was not satisfied with: the coordinator decides whether to reopen."""
    return list(session.exec(
        select(Submission).where(Submission.rating_satisfied == False, Submission.state == State.CLOSED)  # noqa: E712
        .order_by(col(Submission.rated_at).desc())
    ).all())


__all__ = [
    "Conflict", "Invalid", "InvalidTransition", "NotPermitted", "accept", "add_note", "answer", "assign", "close",
    "attach", "conclude",
    "find_for_sender", "get_by_code", "history", "provide_info", "rate", "record_event", "reject",
    "reopen", "request_info", "review_list", "submit", "transfer",
]
