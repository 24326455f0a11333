"""Publication of answered items (Luật Bảo vệ dữ liệu cá nhân 2025, Điều 9; Nghị định 20/2008, Điều 19).

- **Consent** is separate from the consent to processing and optional: the SUBMITTED event carries it
  (`publish_consent`), and `on_submission_event` writes the `publications` row. The author of an initiative or a
  solution may also give it later from the tracking page (`consent`, a PUBLICATION_CONSENTED event). The sender
  withdraws it from the tracking page at any time (`withdraw`): the item leaves every public listing in the same
  transaction, the published copy is erased, and it can never be published again.
- **Review**: the item's agency or the coordinator publishes an answered item with consent (`publish`); an
  initiative or a solution (issue 12) may be published before its decision, so that the public can support it
  (`publishable`: any state but rejected, the answer optional until there is one); the
  published text is an edited copy (`draft` proposes one with contacts and the sender's name removed), the item's
  own text stays intact. The sender appears as initials and commune, or not at all when they asked to hide their
  identity. Attachments are published only when ticked.
- **Every publication, edit and withdrawal is an event** (published, publication_edited, publication_withdrawn,
  unpublished). A reopened item is taken down until it is answered and reviewed again; a rejected one too.

Every status change is one conditional UPDATE on the row as read (`_move`): of two people acting at once, one
wins and the other gets `Conflict`.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.accounts.models import Account
from app.accounts.permissions import HANDLING_ROLES, is_coordinator
from app.agencies import service as agencies_service
from app.attachments.models import Attachment
from app.db import utcnow
from app.errors import Conflict, Invalid, InvalidTransition, NotPermitted
from app.events import bus
from app.events import service as events
from app.events.chain import text_digest
from app.events.models import Event
from app.i18n import N_
from app.kinds import EventType, Kind, State
from app.publication.models import Publication, PublicationStatus
from app.sla.models import Phase, SubmissionDeadline
from app.sla.service import ANSWERING_OUTCOMES
from app.submissions import search
from app.submissions.models import Submission

PUBLISHABLE_STATES = frozenset({State.ANSWERED, State.CLOSED})
# Published for the public's support before their answer (the assessment's decision): app/initiatives.
FOR_SUPPORT_KINDS = frozenset({Kind.INITIATIVE, Kind.SOLUTION})
TITLE_MAX, TEXT_MAX = 200, 20_000

CONSENT_TEXT = N_("Cho phép công khai nội dung và câu trả lời (không kèm thông tin cá nhân)")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(\+?84|0)[\s.-]?\d{2,3}([\s.-]?\d{3}){2}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)\d{9}(\d{3})?(?!\d)")  # CMND (9) / CCCD (12 digits)
HIDDEN = "[đã ẩn]"


# ------------------------------------------------------------------ consent


def on_submission_event(session: Session, event: Event, submission: Submission) -> None:
    """Subscribed to the event bus: consent given with the item, and a reopened item taken down."""
    if event.type == EventType.SUBMITTED and events.data_of(event).get("publish_consent"):
        session.add(Publication(submission_id=submission.id, consented_at=event.created_at,
                                updated_at=event.created_at))
        session.flush()
    elif event.type in ANSWERING_OUTCOMES:
        # An initiative or a solution published for support before its decision: the public read model learns
        # the answer's date and whether it was on time (the published text is edited by a reviewer, as ever).
        row = for_submission(session=session, submission_id=submission.id)
        if row is not None and row.status == PublicationStatus.PUBLISHED and row.answered_at is None:
            _move(session, row, PublicationStatus.PUBLISHED, event.created_at, answered_at=submission.answered_at,
                  on_time=answer_on_time(session=session, submission_id=submission.id))
    elif event.type in (EventType.REOPENED, EventType.REJECTED):
        row = for_submission(session=session, submission_id=submission.id)
        if row is not None and row.status == PublicationStatus.PUBLISHED:
            _move(session, row, PublicationStatus.CONSENTED, event.created_at, published_at=None)
            events.record(session, EventType.UNPUBLISHED, submission=submission, now=event.created_at,
                          actor_role="system", from_state=submission.state,
                          public_note="Tạm gỡ khỏi trang công khai: hồ sơ được xử lý lại."
                          if event.type == EventType.REOPENED else "Gỡ khỏi trang công khai: hồ sơ bị từ chối.")


def register() -> None:
    bus.subscribe("publication", on_submission_event, order=50)


def for_submission(*, session: Session, submission_id: int) -> Publication | None:
    return session.exec(select(Publication).where(Publication.submission_id == submission_id)).first()


def _move(session: Session, row: Publication, to: PublicationStatus, now: datetime, **changes) -> None:
    values = {"status": to, "updated_at": now, **changes}
    stmt = (update(Publication)
            .where(col(Publication.id) == row.id, col(Publication.status) == row.status,
                   col(Publication.updated_at) == row.updated_at)
            .values(**values).execution_options(synchronize_session=False))
    if session.execute(stmt).rowcount != 1:
        raise Conflict(N_("Thông tin công khai vừa được người khác cập nhật. Vui lòng tải lại trang."))
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()


def consent(*, session: Session, submission: Submission, now: datetime | None = None) -> Publication:
    """Consent given after sending (offered to the authors of initiatives and solutions on the tracking page).
    Once only: a second consent changes nothing, and consent withdrawn is final (InvalidTransition)."""
    now = now or utcnow()
    row = for_submission(session=session, submission_id=submission.id)
    if row is None:
        table = Publication.__table__
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        made = session.execute(insert(table).values(
            submission_id=submission.id, status=PublicationStatus.CONSENTED, consented_at=now, updated_at=now,
            attachment_ids="", search_text="").on_conflict_do_nothing(index_elements=["submission_id"])
            .returning(table.c.id)).scalar()
        row = for_submission(session=session, submission_id=submission.id)
        if made is not None:
            events.record(session, EventType.PUBLICATION_CONSENTED, submission=submission, now=now,
                          actor_role="sender", from_state=submission.state)
            return row
    if row.status == PublicationStatus.WITHDRAWN:
        raise InvalidTransition(N_("Bạn đã rút lại sự đồng ý công khai hồ sơ này; không cho phép lại được."))
    return row


def withdraw(*, session: Session, submission: Submission, now: datetime | None = None) -> Publication:
    """The sender withdraws consent: unpublished at once, the published copy erased, never published again."""
    now = now or utcnow()
    row = for_submission(session=session, submission_id=submission.id)
    if row is None or row.status == PublicationStatus.WITHDRAWN:
        raise InvalidTransition(N_("Bạn chưa cho phép công khai hồ sơ này, hoặc đã rút lại."))
    was_published = row.status == PublicationStatus.PUBLISHED
    _move(session, row, PublicationStatus.WITHDRAWN, now, withdrawn_at=now, published_at=None, title=None,
          question=None, answer=None, sender_label=None, attachment_ids="", search_text="")
    events.record(session, EventType.PUBLICATION_WITHDRAWN, submission=submission, now=now, actor_role="sender",
                  from_state=submission.state, public_note="Người gửi rút lại sự đồng ý công khai.",
                  data={"was_published": was_published})
    return row


# ------------------------------------------------------------------ review


def may_publish(actor: Account, submission: Submission) -> bool:
    """The item's agency (its staff) or the coordinator."""
    if is_coordinator(actor):
        return True
    return actor.role in HANDLING_ROLES and submission.agency_id is not None and submission.agency_id == actor.agency_id


def initials(name: str) -> str:
    """'Nguyễn Văn An' → 'N.V.A.'"""
    return "".join(p[0].upper() + "." for p in name.split() if p[:1].isalpha())


def sender_label(submission: Submission, commune_name: str) -> str | None:
    if submission.hide_identity:
        return None
    who = initials(submission.sender_name)
    return f"{who} ({commune_name})" if who else commune_name


def scrub(text: str, submission: Submission) -> str:
    """The text with the sender's contacts, ID numbers, address and name replaced by "[đã ẩn]" (a proposal: the
    officer reads and edits it before publishing)."""
    out = _EMAIL.sub(HIDDEN, text)
    out = _PHONE.sub(HIDDEN, out)
    out = _ID_NUMBER.sub(HIDDEN, out)
    for value in (submission.sender_address, submission.sender_name, submission.sender_phone,
                  submission.sender_email):
        if value and len(value) >= 3:
            out = re.sub(re.escape(value), HIDDEN, out, flags=re.IGNORECASE)
    return out


@dataclass(frozen=True)
class Draft:
    title: str
    question: str
    answer: str
    sender_label: str | None
    attachment_ids: frozenset[int]


def draft(*, session: Session, submission: Submission, row: Publication | None) -> Draft:
    """What the review form starts from: the current published copy, or a scrubbed copy of the item."""
    commune = agencies_service.reference(session=session).commune_by_id[submission.commune_id]
    label = sender_label(submission, commune.name)
    if row is not None and row.question is not None:
        return Draft(row.title or "", row.question, row.answer or "", label, attachment_set(row))
    return Draft(scrub(submission.title, submission), scrub(submission.content, submission),
                 scrub(submission.answer_text or "", submission), label, frozenset())


def attachment_set(row: Publication) -> frozenset[int]:
    return frozenset(int(i) for i in row.attachment_ids.split(",") if i.isdigit())


def _checked(value: str, *, field: str, label: str, minimum: int, maximum: int) -> str:
    value = (value or "").strip()
    if len(value) < minimum:
        raise Invalid({field: f"{label} quá ngắn (ít nhất {minimum} ký tự)."})
    if len(value) > maximum:
        raise Invalid({field: f"{label} quá dài (tối đa {maximum} ký tự)."})
    return value


def answer_on_time(*, session: Session, submission_id: int) -> bool | None:
    """Whether the latest answer met its deadline (the answer clock stopped by it)."""
    return session.exec(
        select(SubmissionDeadline.on_time)
        .where(SubmissionDeadline.submission_id == submission_id, SubmissionDeadline.phase == Phase.ANSWER,
               col(SubmissionDeadline.outcome).in_(sorted(ANSWERING_OUTCOMES)))
        .order_by(col(SubmissionDeadline.stopped_at).desc(), col(SubmissionDeadline.id).desc())
    ).first()


def publishable(submission: Submission) -> bool:
    """Answered items; initiatives and solutions also before their decision (for support), unless rejected."""
    if submission.kind in FOR_SUPPORT_KINDS:
        return submission.state != State.REJECTED
    return submission.state in PUBLISHABLE_STATES and submission.answered_at is not None


def publish(
    *, session: Session, submission: Submission, actor: Account, title: str, question: str, answer: str,
    attachment_ids: set[int] | frozenset[int] = frozenset(), now: datetime | None = None,
) -> Publication:
    """Publishes the reviewed copy, or replaces the copy already published (an edit)."""
    now = now or utcnow()
    if not may_publish(actor, submission):
        raise NotPermitted(N_("Chỉ đơn vị xử lý hồ sơ hoặc Cơ quan thường trực được công khai hồ sơ này."))
    row = for_submission(session=session, submission_id=submission.id)
    if row is None:
        raise InvalidTransition(N_("Người gửi chưa đồng ý công khai hồ sơ này."))
    if row.status == PublicationStatus.WITHDRAWN:
        raise InvalidTransition(N_("Người gửi không cho phép công khai hồ sơ này."))
    if not publishable(submission):
        raise InvalidTransition(N_("Chỉ công khai được hồ sơ đã có trả lời."))
    title = _checked(title, field="title", label="Tiêu đề", minimum=5, maximum=TITLE_MAX)
    question = _checked(question, field="question", label="Nội dung câu hỏi", minimum=10, maximum=TEXT_MAX)
    answer = _checked(answer, field="answer", label="Nội dung trả lời",
                      minimum=10 if submission.answered_at is not None else 0, maximum=TEXT_MAX)
    own_files = set(session.exec(select(Attachment.id).where(Attachment.submission_id == submission.id)).all())
    if set(attachment_ids) - own_files:
        raise Invalid({"attachments": "Tệp đính kèm không thuộc hồ sơ này."})
    ref = agencies_service.reference(session=session)
    edit = row.status == PublicationStatus.PUBLISHED
    _move(session, row, PublicationStatus.PUBLISHED, now,
          published_at=row.published_at if edit else now, published_by_account_id=actor.id,
          title=title, question=question, answer=answer,
          sender_label=sender_label(submission, ref.commune_by_id[submission.commune_id].name),
          attachment_ids=",".join(str(i) for i in sorted(attachment_ids)),
          kind=submission.kind, field_id=submission.field_id, commune_id=submission.commune_id,
          agency_id=submission.agency_id, received_at=submission.created_at, answered_at=submission.answered_at,
          on_time=answer_on_time(session=session, submission_id=submission.id),
          search_text=" ".join(search.words(f"{title} {question} {answer}")))
    events.record(session, EventType.PUBLICATION_EDITED if edit else EventType.PUBLISHED, submission=submission,
                  now=now, actor=actor, from_state=submission.state,
                  public_note=None if edit else "Đã công khai nội dung và câu trả lời (không kèm thông tin cá nhân).",
                  data={"title_sha256": text_digest(title), "question_sha256": text_digest(question),
                        "answer_sha256": text_digest(answer), "attachments": sorted(attachment_ids)})
    return row


def review_queue(*, session: Session, agency_id: int | None, limit: int = 100) -> list[Submission]:
    """Answered items with consent not yet published, and initiatives and solutions with consent (for support),
    of one agency or all for the coordinator."""
    for_support = and_(col(Submission.kind).in_(sorted(FOR_SUPPORT_KINDS)), col(Submission.state) != State.REJECTED)
    stmt = (select(Submission).join(Publication, col(Publication.submission_id) == Submission.id)
            .where(Publication.status == PublicationStatus.CONSENTED,
                   or_(col(Submission.state).in_(sorted(PUBLISHABLE_STATES)), for_support))
            .order_by(col(Submission.answered_at).desc(), col(Submission.id).desc()).limit(limit))
    if agency_id is not None:
        stmt = stmt.where(Submission.agency_id == agency_id)
    return list(session.exec(stmt).all())
