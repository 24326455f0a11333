"""The domain service: every submission and every change of its state goes through here,
inside one transaction, and leaves an event row."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import Account
from app.accounts.permissions import can_handle_submission, can_triage
from app.agencies.models import Agency, Commune, Field
from app.db import utcnow
from app.routing.engine import RoutingInput
from app.routing.service import route
from app.submissions import lifecycle
from app.submissions.contact import contact_matches, new_tracking_code, normalize_tracking_code
from app.submissions.kinds import EventType, State
from app.submissions.lifecycle import Action, InvalidTransition
from app.submissions.models import Submission, SubmissionEvent
from app.submissions.schemas import SubmissionCreate

ANSWER_MAX = 20_000


class SubmissionInvalid(Exception):
    """Validation that needs the database (unknown field or commune); carries per-field messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class NotPermitted(Exception):
    pass


def _event(
    session: Session,
    submission: Submission,
    type_: EventType,
    *,
    now: datetime,
    from_state: str | None = None,
    actor: Account | None = None,
    actor_role: str | None = None,
    public_note: str | None = None,
    internal_note: str | None = None,
) -> SubmissionEvent:
    event = SubmissionEvent(
        submission_id=submission.id,
        type=type_.value,
        from_state=from_state,
        to_state=submission.state,
        actor_account_id=actor.id if actor else None,
        actor_role=actor.role if actor else (actor_role or "system"),
        agency_id=submission.agency_id,
        public_note=public_note,
        internal_note=internal_note,
        created_at=now,
    )
    session.add(event)
    return event


def _transition(submission: Submission, action: Action, now: datetime) -> str:
    previous = submission.state
    submission.state = lifecycle.next_state(action, previous).value
    submission.updated_at = now
    return previous


def _unique_code(session: Session, now: datetime) -> str:
    while True:
        code = new_tracking_code(now)
        if session.exec(select(Submission.id).where(Submission.tracking_code == code)).first() is None:
            return code


def submit(
    *, session: Session, data: SubmissionCreate, source: str = "web", now: datetime | None = None
) -> Submission:
    """Stores a new item, routes it and commits; returns it with its tracking code."""
    now = now or utcnow()
    errors = {}
    field = session.exec(select(Field).where(Field.code == data.field_code)).first()
    commune = session.exec(select(Commune).where(Commune.code == data.commune_code)).first()
    if field is None:
        errors["field_code"] = "Lĩnh vực không có trong danh mục."
    if commune is None:
        errors["commune_code"] = "Xã, phường không có trong danh mục."
    if errors:
        raise SubmissionInvalid(errors)

    try:
        submission = Submission(
            tracking_code=_unique_code(session, now),
            kind=data.kind.value,
            priority=data.priority.value,
            field_id=field.id,
            commune_id=commune.id,
            title=data.title,
            content=data.content,
            sender_type=data.sender_type.value,
            sender_name=data.sender_name,
            sender_phone=data.sender_phone,
            sender_email=data.sender_email,
            sender_address=data.sender_address,
            hide_identity=data.hide_identity,
            consented_at=now,
            source=source,
            state=State.SUBMITTED.value,
            created_at=now,
            updated_at=now,
        )
        session.add(submission)
        session.flush()
        _event(session, submission, EventType.SUBMITTED, now=now, actor_role="sender")

        decision = route(
            session=session,
            item=RoutingInput(
                kind=submission.kind,
                field_code=field.code,
                commune_code=commune.code,
                text=f"{submission.title}\n{submission.content}",
            ),
        )
        submission.routing_rule_id = decision.rule_id
        submission.routing_explanation = decision.explanation
        if decision.agency_code is not None:
            agency = session.exec(select(Agency).where(Agency.code == decision.agency_code)).one()
            submission.agency_id = agency.id
            previous = _transition(submission, Action.ROUTE, now)
            _event(session, submission, EventType.ROUTED, now=now, from_state=previous,
                   internal_note=decision.explanation)
        else:
            coordinator = session.exec(select(Agency).where(Agency.is_coordinator == True)).one()  # noqa: E712
            submission.agency_id = coordinator.id
            previous = _transition(submission, Action.SEND_TO_TRIAGE, now)
            _event(session, submission, EventType.SENT_TO_TRIAGE, now=now, from_state=previous,
                   internal_note=decision.explanation)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return submission


def _ensure_handler(actor: Account, submission: Submission) -> None:
    if not can_handle_submission(actor, submission):
        raise NotPermitted("Bạn không có quyền xử lý hồ sơ này.")


def accept(
    *, session: Session, submission: Submission, actor: Account, now: datetime | None = None
) -> Submission:
    now = now or utcnow()
    _ensure_handler(actor, submission)
    previous = _transition(submission, Action.ACCEPT, now)
    submission.accepted_at = now
    _event(session, submission, EventType.ACCEPTED, now=now, from_state=previous, actor=actor)
    session.commit()
    return submission


def answer(
    *, session: Session, submission: Submission, actor: Account, text: str, now: datetime | None = None
) -> Submission:
    now = now or utcnow()
    _ensure_handler(actor, submission)
    text = (text or "").strip()
    if len(text) < 10:
        raise SubmissionInvalid({"answer_text": "Nội dung trả lời quá ngắn (ít nhất 10 ký tự)."})
    if len(text) > ANSWER_MAX:
        raise SubmissionInvalid({"answer_text": f"Nội dung trả lời quá dài (tối đa {ANSWER_MAX} ký tự)."})
    previous = _transition(submission, Action.ANSWER, now)
    submission.answer_text = text
    submission.answered_at = now
    _event(session, submission, EventType.ANSWERED, now=now, from_state=previous, actor=actor)
    session.commit()
    return submission


def assign(
    *,
    session: Session,
    submission: Submission,
    actor: Account,
    agency: Agency,
    note: str = "",
    now: datetime | None = None,
) -> Submission:
    """The coordinator gives an untriaged item to an agency."""
    now = now or utcnow()
    if not can_triage(actor):
        raise NotPermitted("Chỉ Cơ quan thường trực được phân loại hồ sơ.")
    previous = _transition(submission, Action.ASSIGN, now)
    submission.agency_id = agency.id
    _event(session, submission, EventType.ASSIGNED, now=now, from_state=previous, actor=actor,
           internal_note=note.strip() or None)
    session.commit()
    return submission


def close(*, session: Session, submission: Submission, now: datetime | None = None) -> Submission:
    now = now or utcnow()
    previous = _transition(submission, Action.CLOSE, now)
    _event(session, submission, EventType.CLOSED, now=now, from_state=previous)
    session.commit()
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


def history(*, session: Session, submission: Submission) -> list[SubmissionEvent]:
    return list(
        session.exec(
            select(SubmissionEvent)
            .where(SubmissionEvent.submission_id == submission.id)
            .order_by(col(SubmissionEvent.created_at), col(SubmissionEvent.id))
        ).all()
    )


@dataclass
class InboxPage:
    items: list[Submission]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


INBOX_PAGE_SIZE = 25


def inbox(
    *, session: Session, agency_id: int, state: str | None = None, page: int = 1, sort: str = "newest"
) -> InboxPage:
    """One page of the agency's items; sort "urgency" puts the earliest running deadline first (app/sla)."""
    base = select(Submission).where(Submission.agency_id == agency_id)
    counts = dict(
        session.exec(
            select(Submission.state, func.count())
            .where(Submission.agency_id == agency_id)
            .group_by(Submission.state)
        ).all()
    )
    if state:
        base = base.where(Submission.state == state)
    total = session.exec(select(func.count()).select_from(base.subquery())).one()
    pages = max(1, -(-total // INBOX_PAGE_SIZE))
    page = min(max(1, page), pages)
    order = [col(Submission.created_at).desc(), col(Submission.id).desc()]
    if sort == "urgency":
        from app.sla.service import urgency_key

        order.insert(0, urgency_key().asc().nulls_last())
    items = session.exec(
        base.order_by(*order)
        .offset((page - 1) * INBOX_PAGE_SIZE)
        .limit(INBOX_PAGE_SIZE)
    ).all()
    return InboxPage(items=list(items), total=total, page=page, pages=pages, counts=counts)


__all__ = [
    "InvalidTransition", "NotPermitted", "SubmissionInvalid", "accept", "answer", "assign", "close",
    "find_for_sender", "get_by_code", "history", "inbox", "submit",
]
