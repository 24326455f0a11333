"""Items created and read through the API on behalf of senders. The submission rules themselves stay in
app.submissions.service; this module adds which client created what, access by client, and the views."""

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.accounts.models import ApiClient
from app.agencies import service as agencies_service
from app.agencies.models import Commune, Field
from app.attachments import service as attachments_service
from app.attachments.models import Attachment
from app.attachments.service import StagedBatch
from app.db import child_rows, rows_from_json, utcnow
from app.errors import Invalid
from app.events import chain
from app.events import service as events
from app.events.models import Event
from app.integrations import idempotency
from app.integrations.models import (
    ApiChannel,
    ApiSubmission,
    RateLimitWindow,
    WebhookDelivery,
    WebhookSubscription,
)
from app.integrations.ratelimit import window_start
from app.integrations.schemas import (
    REACH_INPUT_FIELDS,
    AnswerOut,
    AttachmentOut,
    HistoryEntry,
    InfoRequestOut,
    LocationOut,
    RatingOut,
    Ref,
    RejectionOut,
    SenderOut,
    SubmissionOut,
    SubmissionSummary,
)
from app.kinds import (
    EVENT_PUBLIC_LABELS,
    KIND_LABELS,
    OPEN_STATES,
    REJECT_REASON_LABELS,
    STATE_LABELS,
    Channel,
    EventType,
    RejectReason,
    State,
)
from app.notifications.models import OutboxMessage
from app.reach import service as reach_service
from app.reach.models import ItemReach
from app.reach.schemas import ReachDetails, parse_details
from app.sla import service as sla_service
from app.sla.models import SubmissionDeadline
from app.submissions import service as submissions_service
from app.submissions.contact import contact_matches, mask_email, mask_name, mask_phone, normalize_tracking_code
from app.submissions.models import Submission
from app.submissions.schemas import SubmissionCreate, parse_submission

log = logging.getLogger("pakn.api")

PAGE_MAX = 100


def on_submission_event(session: Session, submission: Submission, event) -> None:
    """Subscribed to the event bus: an item's SUBMITTED event names the API client that sent it (its data, set by
    `create_submission`); the row is written in the item's own transaction, before the webhooks look for it."""
    if event.type != EventType.SUBMITTED:
        return
    origin = events.data_of(event)
    if origin.get("api_client_id"):
        session.add(ApiSubmission(submission_id=submission.id, api_client_id=origin["api_client_id"],
                                  channel=ApiChannel(origin.get("channel", ApiChannel.API))))
        session.flush()


def create_submission(
    *, session: Session, client: ApiClient, data: SubmissionCreate, channel: ApiChannel = ApiChannel.API,
    batch: StagedBatch | None = None, details: ReachDetails | None = None,
) -> Submission:
    """The item on behalf of `client`, with its urgency and place (the caller's unit of work commits)."""
    return reach_service.submit(session=session, data=data, details=details or ReachDetails(),
                                source=Channel(channel), batch=batch,
                                origin={"api_client_id": client.id, "channel": channel})


def creator_id(*, session: Session, submission: Submission) -> int | None:
    row = session.get(ApiSubmission, submission.id)
    return row.api_client_id if row else None


@dataclass
class Loaded:
    """An item with everything its API view shows, read in one statement (`load_for_client`)."""

    submission: Submission
    events: list
    attachments: list
    deadlines: list
    reach: ItemReach | None = None


def load_for_client(
    *, session: Session, client: ApiClient, code: str, contact: str | None = None
) -> Loaded | None:
    """`find_for_client` and the item's history, files and clocks in one statement (the hot read of the API)."""
    normalized = normalize_tracking_code(code)
    if normalized is None:
        return None
    dialect = session.get_bind().dialect.name
    stmt = (
        select(Submission, ApiSubmission.api_client_id, ItemReach,
               child_rows(Event.__table__.c.submission_id, Submission.id, dialect=dialect),
               child_rows(Attachment.__table__.c.submission_id, Submission.id, dialect=dialect),
               child_rows(SubmissionDeadline.__table__.c.submission_id, Submission.id, dialect=dialect))
        .outerjoin(ApiSubmission, col(ApiSubmission.submission_id) == col(Submission.id))
        .outerjoin(ItemReach, col(ItemReach.submission_id) == col(Submission.id))
        .where(Submission.tracking_code == normalized)
    )
    row = session.exec(stmt).first()
    if row is None:
        return None
    submission, creator, reach, events_json, attachments_json, deadlines_json = row
    if not _may_see(client, submission, creator, contact):
        return None
    return Loaded(submission, rows_from_json(Event, events_json, order_by=("created_at", "id")),
                  rows_from_json(Attachment, attachments_json), rows_from_json(SubmissionDeadline, deadlines_json),
                  reach)


def loaded_view(session: Session, loaded: Loaded) -> SubmissionOut:
    due = due_from(sla_service.public_deadline_from(loaded.deadlines, now=utcnow(),
                                                    calendar=sla_service.working_calendar(session=session)))
    return submission_view(session, loaded.submission, events=loaded.events, attachments=loaded.attachments,
                           due=due, reach=loaded.reach)


def find_for_client(
    *, session: Session, client: ApiClient, code: str, contact: str | None = None
) -> Submission | None:
    """An item the client created, or one whose sender's phone/email the client gives; None otherwise."""
    submission = submissions_service.get_by_code(session=session, code=code)
    if submission is None or not _may_see(client, submission, creator_id(session=session, submission=submission),
                                          contact):
        return None
    return submission


def _may_see(client: ApiClient, submission: Submission, creator: int | None, contact: str | None) -> bool:
    """The one rule of API access to an item: the client sent it, or it gives the sender's phone or e-mail."""
    return creator == client.id or bool(contact and contact_matches(contact, submission.sender_phone,
                                                                     submission.sender_email))


class CursorInvalid(ValueError):
    pass


CURSOR_PATTERN = r"^s[0-9]{1,12}$"


def encode_cursor(submission_id: int) -> str:
    """The keyset position: "s" and the last item's id (the API document declares the pattern exactly)."""
    return f"s{submission_id}"


def decode_cursor(cursor: str) -> int:
    if not re.fullmatch(CURSOR_PATTERN, cursor):
        raise CursorInvalid("Tham số cursor không hợp lệ; hãy dùng giá trị next_cursor của trang trước.")
    return min(int(cursor[1:]), 2_147_483_647)  # beyond every id: the first page (and no integer overflow)


@dataclass
class ListFilters:
    state: list[str] | None = None
    kind: str | None = None
    field_code: str | None = None
    commune_code: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None


def list_for_client(
    *, session: Session, client: ApiClient, filters: ListFilters, cursor: str | None = None, limit: int = 20
) -> tuple[list[Submission], str | None]:
    """The client's own items, newest first, by keyset on the item id (stable while items are added)."""
    limit = max(1, min(limit, PAGE_MAX))
    stmt = (
        select(Submission)
        .join(ApiSubmission, col(ApiSubmission.submission_id) == col(Submission.id))
        .where(ApiSubmission.api_client_id == client.id)
    )
    if cursor:
        stmt = stmt.where(col(Submission.id) < decode_cursor(cursor))
    if filters.state:
        stmt = stmt.where(col(Submission.state).in_(filters.state))
    if filters.kind:
        stmt = stmt.where(Submission.kind == filters.kind)
    if filters.field_code:
        stmt = stmt.join(Field, col(Field.id) == col(Submission.field_id)).where(Field.code == filters.field_code)
    if filters.commune_code:
        stmt = stmt.join(Commune, col(Commune.id) == col(Submission.commune_id)).where(
            Commune.code == filters.commune_code
        )
    if filters.created_after:
        stmt = stmt.where(Submission.created_at >= filters.created_after)
    if filters.created_before:
        stmt = stmt.where(Submission.created_at < filters.created_before)
    if filters.updated_after:
        stmt = stmt.where(Submission.updated_at >= filters.updated_after)
    rows = list(session.exec(stmt.order_by(col(Submission.id).desc()).limit(limit + 1)).all())
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


@dataclass(frozen=True)
class Due:
    """The sender-facing deadline (app.sla.service.public_deadline): answer-by, or accept-by before acceptance."""

    at: datetime | None = None
    paused: bool = False  # waiting for the sender's information: the clock stands still, no date
    days_left: int | None = None  # app.sla.clock.working_days_left: the count the pages show


def due_from(info: dict | None) -> Due:
    return Due(at=info["due_at"], paused=bool(info["paused"]), days_left=info.get("days_left")) if info else Due()


def due_of(session: Session, submission: Submission) -> Due:
    return due_from(sla_service.public_deadline(session=session, submission=submission))


def dues_of(session: Session, submissions: list[Submission]) -> dict[int, Due]:
    infos = sla_service.public_deadlines(session=session, submission_ids=[s.id for s in submissions])
    return {i: due_from(info) for i, info in infos.items()}


def is_open(state: str) -> bool:
    return state in OPEN_STATES


def state_label(state: str) -> str:
    return STATE_LABELS.get(State(state), state) if state in State._value2member_map_ else state


def _agency_ref(session: Session, agency_id: int | None) -> Ref | None:
    agency = agencies_service.reference(session=session).agency_by_id.get(agency_id) if agency_id else None
    return Ref(code=agency.code, name=agency.name) if agency else None


def summary_view(session: Session, submission: Submission, due: Due | None = None) -> SubmissionSummary:
    due = due if due is not None else due_of(session, submission)
    return SubmissionSummary(
        tracking_code=submission.tracking_code,
        kind=submission.kind,
        title=submission.title,
        state=submission.state,
        state_label=state_label(submission.state),
        is_open=is_open(submission.state),
        agency=_agency_ref(session, submission.agency_id),
        due_at=due.at,
        due_paused=due.paused,
        due_days_left=due.days_left,
        created_at=submission.created_at,
        updated_at=submission.updated_at,
    )


_UNREAD = object()


def submission_view(session: Session, submission: Submission, *, events: list | None = None,
                    attachments: list | None = None, due: Due | None = None, reach=_UNREAD) -> SubmissionOut:
    """Everything the sender may see about their item: no officer names, no internal notes. A caller that has
    the item's whole history and files at hand (it created the item in this transaction) passes them."""
    if events is None:
        events = submissions_service.history(session=session, submission=submission)
    if attachments is None:
        attachments = attachments_service.for_submission(session=session, submission_id=submission.id)
    history = [
        HistoryEntry(at=e.created_at, type=e.type, label=EVENT_PUBLIC_LABELS[e.type], note=e.public_note)
        for e in events
        if e.type in EVENT_PUBLIC_LABELS  # internal events (notes…) never reach the sender
    ]
    ref = agencies_service.reference(session=session)
    field_row = ref.field_by_id[submission.field_id]
    commune = ref.commune_by_id[submission.commune_id]
    answer = None
    if (text := submissions_service.visible_answer(submission)) is not None:
        answer = AnswerOut(text=text, answered_at=submission.answered_at)
    rejection = None
    if submission.state == State.REJECTED:
        reason = submission.reject_reason
        rejection = RejectionOut(
            reason=reason,
            reason_label=REJECT_REASON_LABELS.get(RejectReason(reason)) if reason in RejectReason._value2member_map_
            else None,
            detail=submission.reject_detail,
            duplicate_of=submission.duplicate_of,
        )
    info_request = None
    if submission.state == State.INFO_REQUESTED:
        last = next((e for e in reversed(events) if e.type == EventType.INFO_REQUESTED), None)
        if last is not None:
            info_request = InfoRequestOut(question=last.public_note, requested_at=last.created_at)
    rating = None
    if submission.rated_at is not None and submission.rating_satisfied is not None:
        rating = RatingOut(satisfied=submission.rating_satisfied, comment=submission.rating_comment,
                           rated_at=submission.rated_at)
    if reach is _UNREAD:
        reach = reach_service.reach_of(session=session, submission_id=submission.id)
    return SubmissionOut(
        **summary_view(session, submission, due).model_dump(),
        priority=submission.priority,
        village=reach.village if reach else None,
        location=LocationOut(lat=reach.lat, lon=reach.lon, accuracy_m=reach.accuracy_m)
        if reach and reach.lat is not None else None,
        kind_label=KIND_LABELS.get(submission.kind, submission.kind),
        field=Ref(code=field_row.code, name=field_row.name),
        commune=Ref(code=commune.code, name=commune.name),
        content=submission.content,
        source=submission.source,
        sender=SenderOut(
            type=submission.sender_type,
            name=mask_name(submission.sender_name),
            phone=mask_phone(submission.sender_phone),
            email=mask_email(submission.sender_email),
            hide_identity=submission.hide_identity,
        ),
        answer=answer,
        rejection=rejection,
        info_request=info_request,
        rating=rating,
        attachments=[
            AttachmentOut(id=a.id, name=a.original_name, content_type=a.content_type, size=a.size, owner=a.owner,
                          created_at=a.created_at,
                          url=f"/api/v1/submissions/{submission.tracking_code}/attachments/{a.id}")
            for a in attachments
        ],
        history=history,
    )


def _file_digest(upload) -> list[str]:
    """Name and SHA-256 of an upload (for the idempotency fingerprint); the stream is rewound for the real read."""
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.file.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.file.seek(0)
    return [upload.filename or "", digest.hexdigest()]


def _with_files(uploads: list, run) -> idempotency.Outcome:
    """Checks the files before the unit of work opens (no lock while images decode), runs `run(batch)`; the
    files stay only if the work committed (a replayed request stores nothing new)."""
    batch = attachments_service.stage(uploads)
    with batch.kept_only_on_success():
        outcome = run(batch)
    if outcome.replayed:
        batch.discard()
    return outcome


def submit_for_client(
    *, session: Session, client: ApiClient, raw: dict, idempotency_key: str | None, attachments: list | None = None
) -> idempotency.Outcome:
    """Validates (Invalid), then creates the item once per Idempotency-Key, the key's record committed with it.
    `attachments` are Starlette UploadFiles (or attachments.service.IncomingFile), checked by the domain."""
    errors: dict = {}
    try:
        details = parse_details({k: raw.get(k) for k in REACH_INPUT_FIELDS})
    except Invalid as exc:
        errors.update(exc.errors)
    try:
        data = parse_submission({k: v for k, v in raw.items() if k not in REACH_INPUT_FIELDS})
    except Invalid as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise Invalid(errors)
    uploads = list(attachments or [])
    payload = {"fields": raw, "files": [_file_digest(u) for u in uploads] if idempotency_key else []}

    def run(batch: StagedBatch) -> idempotency.Outcome:
        def action():
            submission = create_submission(session=session, client=client, data=data, batch=batch, details=details)
            # Its whole history is what this transaction wrote; without files it has none: no queries for them.
            history = [e for e in chain.written(session) if e.submission_id == submission.id]
            reach = session.get(ItemReach, submission.id) if details.any() else None  # in the identity map
            # Its clocks too were started here: the session holds them (no query, no flush before the key's row).
            due = due_from(sla_service.new_item_public_deadline(session=session, submission=submission))
            view = submission_view(session, submission, events=history, attachments=None if batch else [],
                                   due=due, reach=reach)
            return 201, view.model_dump(mode="json"), submission.id

        def rebuild(submission_id: int):
            return 201, submission_view(session, session.get(Submission, submission_id)).model_dump(mode="json")

        return idempotency.execute(session=session, client_id=client.id, key=idempotency_key,
                                   endpoint="POST /api/v1/submissions", payload=payload, action=action,
                                   rebuild=rebuild, key_after_work=True)

    return _with_files(uploads, run)


def _act(
    *, session: Session, client: ApiClient, submission: Submission, idempotency_key: str | None, endpoint: str,
    payload: dict, do,
) -> idempotency.Outcome:
    """A sender's action on an existing item (reply, rating), once per Idempotency-Key; 200 with the item."""

    def action():
        do()
        return 200, submission_view(session, submission).model_dump(mode="json"), submission.id

    def rebuild(submission_id: int):
        return 200, submission_view(session, session.get(Submission, submission_id)).model_dump(mode="json")

    return idempotency.execute(
        session=session, client_id=client.id, key=idempotency_key, endpoint=endpoint,
        payload={"code": submission.tracking_code, **payload}, action=action, rebuild=rebuild,
    )


def reply_for_client(
    *, session: Session, client: ApiClient, submission: Submission, reply: str, idempotency_key: str | None,
    attachments: list | None = None,
) -> idempotency.Outcome:
    """The sender's answer to an information request (InvalidTransition when none is pending)."""
    uploads = list(attachments or [])
    submissions_service.check_reply(reply)
    digests = [_file_digest(u) for u in uploads] if idempotency_key else []
    return _with_files(uploads, lambda batch: _act(
        session=session, client=client, submission=submission, idempotency_key=idempotency_key,
        endpoint="POST /api/v1/submissions/{code}/reply", payload={"reply": reply, "files": digests},
        do=lambda: submissions_service.provide_info(session=session, submission=submission, reply=reply,
                                                    batch=batch),
    ))


def rate_for_client(
    *, session: Session, client: ApiClient, submission: Submission, satisfied: bool, comment: str,
    idempotency_key: str | None,
) -> idempotency.Outcome:
    """The sender's rating of the answer, once (InvalidTransition before an answer or on a second rating)."""
    return _act(
        session=session, client=client, submission=submission, idempotency_key=idempotency_key,
        endpoint="POST /api/v1/submissions/{code}/rating", payload={"satisfied": satisfied, "comment": comment},
        do=lambda: submissions_service.rate(session=session, submission=submission, satisfied=satisfied,
                                            comment=comment),
    )


@dataclass
class ClientOverview:
    client: ApiClient
    items: int
    requests_this_minute: int
    last_seen: datetime | None
    webhooks_active: int
    deliveries: dict[str, int]  # outbox status → count, for this client's webhook deliveries


def client_overviews(*, session: Session) -> list[ClientOverview]:
    """What the system admin sees per client: usage and delivery health, never item contents."""
    now_window = window_start(utcnow())
    clients = session.exec(select(ApiClient).order_by(col(ApiClient.id))).all()
    items = dict(session.exec(select(ApiSubmission.api_client_id, func.count())
                              .group_by(ApiSubmission.api_client_id)).all())
    last_seen = dict(session.exec(select(RateLimitWindow.api_client_id, func.max(RateLimitWindow.window_start))
                                  .group_by(RateLimitWindow.api_client_id)).all())
    current = dict(session.exec(select(RateLimitWindow.api_client_id, RateLimitWindow.count)
                                .where(RateLimitWindow.window_start == now_window)).all())
    hooks = dict(session.exec(select(WebhookSubscription.api_client_id, func.count())
                              .where(WebhookSubscription.active == True)  # noqa: E712
                              .group_by(WebhookSubscription.api_client_id)).all())
    deliveries: dict[int, dict[str, int]] = {}
    for client_id, status, n in session.exec(
        select(WebhookSubscription.api_client_id, OutboxMessage.status, func.count())
        .join(WebhookDelivery, col(WebhookDelivery.subscription_id) == col(WebhookSubscription.id))
        .join(OutboxMessage, col(OutboxMessage.id) == col(WebhookDelivery.message_id))
        .group_by(WebhookSubscription.api_client_id, OutboxMessage.status)
    ).all():
        deliveries.setdefault(client_id, {})[status] = n
    return [ClientOverview(client=c, items=items.get(c.id, 0), requests_this_minute=current.get(c.id, 0),
                           last_seen=last_seen.get(c.id), webhooks_active=hooks.get(c.id, 0),
                           deliveries=deliveries.get(c.id, {})) for c in clients]
