"""/api/v1/submissions: send, read and list items on behalf of senders. Thin: parse, call, serialise."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from app.accounts.models import ApiClient, ApiScope
from app.api.auth import require_scope
from app.api.errors import domain_errors, validation_problem
from app.api.inputs import Body, read_body, reject_unknown_query, text_errors
from app.api.problems import ApiProblem, problem_responses
from app.attachments import service as attachments_service
from app.attachments.http import file_response
from app.attachments.service import ALLOWED_TYPES
from app.clientaddr import client_address
from app.config import get_settings
from app.db import get_session, unit_of_work
from app.integrations import service
from app.integrations.idempotency import Outcome
from app.integrations.schemas import (
    REACH_INPUT_FIELDS,
    SUBMISSION_INPUT_FIELDS,
    RatingIn,
    SubmissionOut,
    SubmissionPage,
)
from app.kinds import Kind, State
from app.submissions import lookup

router = APIRouter(prefix="/api/v1", tags=["submissions"], dependencies=[Depends(reject_unknown_query)])

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
           description="Khóa tùy chọn (ví dụ một UUID) để gửi lại an toàn: cùng khóa và cùng nội dung trả về "
                       "đúng kết quả lần đầu; cùng khóa khác nội dung → 409. Khóa được giữ ít nhất 24 giờ."),
]
SenderContact = Annotated[
    str | None,
    Header(alias="X-Sender-Contact", max_length=254,
           description="Số điện thoại hoặc thư điện tử người gửi đã khai: cho phép xem hồ sơ do nơi khác gửi."),
]
QueryTime = Annotated[
    str | None,
    Query(max_length=40, pattern=r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$",
          json_schema_extra={"format": "date-time"}, description="ISO 8601; không ghi múi giờ thì hiểu là UTC"),
]
TrackingCode = Annotated[str, Path(max_length=40, description="Mã tra cứu, ví dụ DB-2026-7KQ4M9")]

SUBMISSION_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/SubmissionIn"}},
            "multipart/form-data": {"schema": {"$ref": "#/components/schemas/SubmissionMultipart"}},
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/SubmissionIn"}},
        },
    }
}


def respond(outcome: Outcome) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


async def submission_body(request: Request) -> Body:
    """JSON, or multipart/form-data whose file parts are named `attachments` (checked by the domain)."""
    settings = get_settings()
    return await read_body(request, allow_multipart=True, max_files=settings.attachment_max_files,
                           max_file_bytes=settings.attachment_max_bytes)


@router.post(
    "/submissions",
    status_code=201,
    response_model=SubmissionOut,
    summary="Gửi phản ánh, kiến nghị, sáng kiến, giải pháp",
    description="JSON, hoặc multipart/form-data với tệp đính kèm (trường `attachments`, tối đa 5 tệp).",
    responses=problem_responses(400, 401, 403, 409, 413, 415, 422, 429),
    openapi_extra=SUBMISSION_BODY,
)
def create_submission(
    client: ApiClient = Depends(require_scope(ApiScope.SUBMIT)),
    body: Body = Depends(submission_body),
    idempotency_key: IdempotencyKey = None,
    session: Session = Depends(get_session),
):
    raw = {k: body.values[k] for k in (*SUBMISSION_INPUT_FIELDS, *REACH_INPUT_FIELDS) if k in body.values}
    if errors := text_errors(raw):
        raise validation_problem(errors)
    with domain_errors():
        outcome = service.submit_for_client(
            session=session, client=client, raw=raw, idempotency_key=idempotency_key, attachments=body.files
        )
    return respond(outcome)


def aware_utc(raw: str | None, name: str) -> datetime | None:
    """Query times in ISO 8601 (2026-11-22 or 2026-11-22T08:00:00+07:00); without a zone they are UTC."""
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise validation_problem({name: "Không phải thời điểm ISO 8601 hợp lệ (ví dụ 2026-11-22T08:00:00+07:00)."}) \
            from None


def _not_found() -> ApiProblem:
    return ApiProblem(404, "Không có hồ sơ với mã này, hoặc ứng dụng không được xem hồ sơ này "
                           "(cần là hồ sơ do ứng dụng gửi, hoặc header X-Sender-Contact đúng).")


def _contact_guard(request: Request, session: Session, code: str, contact: str | None) -> None:
    """X-Sender-Contact proves a sender's contact: failures are limited per code, contact and address (429)."""
    if contact and (refused := lookup.refusal(session, address=client_address(request), code=code,
                                              contact=contact)) is not None:
        raise ApiProblem(429, str(lookup.refusal_message(refused)), type_="rate-limited",
                         headers={"Retry-After": str(refused.retry_after)})


def _missed(request: Request, session: Session, code: str, contact: str | None) -> ApiProblem:
    """The one 404 for unknown codes and codes this client may not see; a wrong contact counts as a failure."""
    if contact:
        with unit_of_work(session):
            lookup.count_failure(session, address=client_address(request), code=code, contact=contact)
    return _not_found()


def _load(request: Request, session: Session, client: ApiClient, code: str, contact: str | None):
    _contact_guard(request, session, code, contact)
    submission = service.find_for_client(session=session, client=client, code=code, contact=contact)
    if submission is None:
        raise _missed(request, session, code, contact)
    return submission


@router.get(
    "/submissions/{code}",
    response_model=SubmissionOut,
    summary="Xem một hồ sơ: trạng thái, cơ quan, hạn, lịch sử, trả lời",
    responses=problem_responses(401, 403, 404, 422, 429),
)
def read_submission(
    request: Request,
    code: TrackingCode,
    contact: SenderContact = None,
    client: ApiClient = Depends(require_scope(ApiScope.READ_OWN)),
    session: Session = Depends(get_session),
):
    _contact_guard(request, session, code, contact)
    loaded = service.load_for_client(session=session, client=client, code=code, contact=contact)
    if loaded is None:
        raise _missed(request, session, code, contact)
    return service.loaded_view(session, loaded)


@router.get(
    "/submissions/{code}/attachments/{attachment_id}",
    summary="Tải một tệp đính kèm của hồ sơ (của người gửi hoặc văn bản trả lời)",
    response_class=Response,
    responses={200: {"description": "Nội dung tệp", "content": {t: {"schema": {"type": "string", "format": "binary"}}
                                                                 for t in ALLOWED_TYPES}},
               **problem_responses(401, 403, 404, 422, 429)},
)
def download_attachment(
    request: Request,
    code: TrackingCode,
    attachment_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    contact: SenderContact = None,
    client: ApiClient = Depends(require_scope(ApiScope.READ_OWN)),
    session: Session = Depends(get_session),
):
    submission = _load(request, session, client, code, contact)
    attachment = attachments_service.get_for_submission(session=session, submission_id=submission.id,
                                                        attachment_id=attachment_id)
    response = file_response(attachment) if attachment is not None else None
    if response is None:
        raise ApiProblem(404, "Không có tệp này trong hồ sơ.")
    return response


@router.get(
    "/submissions",
    response_model=SubmissionPage,
    summary="Danh sách hồ sơ do ứng dụng gửi (mới nhất trước, phân trang bằng cursor)",
    responses=problem_responses(401, 403, 422, 429),
)
def list_submissions(
    state: Annotated[list[State] | None, Query(description="Lọc theo trạng thái (lặp lại để chọn nhiều)")] = None,
    kind: Kind | None = None,
    field_code: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9-]+$")] = None,
    commune_code: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9-]+$")] = None,
    created_after: QueryTime = None,
    created_before: QueryTime = None,
    updated_after: QueryTime = None,
    cursor: Annotated[str | None, Query(max_length=13, pattern=service.CURSOR_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=service.PAGE_MAX)] = 20,
    client: ApiClient = Depends(require_scope(ApiScope.READ_OWN)),
    session: Session = Depends(get_session),
):
    filters = service.ListFilters(
        state=[s.value for s in state] if state else None, kind=kind.value if kind else None,
        field_code=field_code, commune_code=commune_code, created_after=aware_utc(created_after, "created_after"),
        created_before=aware_utc(created_before, "created_before"),
        updated_after=aware_utc(updated_after, "updated_after"),
    )
    with domain_errors():
        items, next_cursor = service.list_for_client(
            session=session, client=client, filters=filters, cursor=cursor, limit=limit
        )
    dues = service.dues_of(session, items)
    return SubmissionPage(items=[service.summary_view(session, s, dues[s.id]) for s in items],
                          next_cursor=next_cursor)


REPLY_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ReplyIn"}},
            "multipart/form-data": {"schema": {"$ref": "#/components/schemas/ReplyMultipart"}},
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/ReplyIn"}},
        },
    }
}


@router.post(
    "/submissions/{code}/reply",
    response_model=SubmissionOut,
    summary="Người gửi bổ sung thông tin theo yêu cầu của cơ quan xử lý",
    description="JSON `{\"reply\": \"…\"}`, hoặc multipart/form-data với trường `reply` và tệp `attachments`.",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 429),
    openapi_extra=REPLY_BODY,
)
def reply(
    request: Request,
    code: TrackingCode,
    contact: SenderContact = None,
    idempotency_key: IdempotencyKey = None,
    client: ApiClient = Depends(require_scope(ApiScope.SUBMIT)),
    body: Body = Depends(submission_body),
    session: Session = Depends(get_session),
):
    text = body.values.get("reply")
    if not isinstance(text, str) or not text.strip():
        raise validation_problem({"reply": "Vui lòng nhập nội dung bổ sung (chuỗi ký tự)."})
    if errors := text_errors({"reply": text}):
        raise validation_problem(errors)
    submission = _load(request, session, client, code, contact)
    with domain_errors():
        outcome = service.reply_for_client(session=session, client=client, submission=submission,
                                           reply=text, idempotency_key=idempotency_key, attachments=body.files)
    return respond(outcome)


@router.post(
    "/submissions/{code}/rating",
    response_model=SubmissionOut,
    summary="Người gửi đánh giá mức độ hài lòng với trả lời (một lần)",
    responses=problem_responses(401, 403, 404, 409, 422, 429),
)
def rating(
    request: Request,
    code: TrackingCode,
    body: RatingIn,
    contact: SenderContact = None,
    idempotency_key: IdempotencyKey = None,
    client: ApiClient = Depends(require_scope(ApiScope.SUBMIT)),
    session: Session = Depends(get_session),
):
    if errors := text_errors(body.model_dump()):
        raise validation_problem(errors)
    submission = _load(request, session, client, code, contact)
    with domain_errors():
        outcome = service.rate_for_client(session=session, client=client, submission=submission,
                                          satisfied=body.satisfied, comment=body.comment,
                                          idempotency_key=idempotency_key)
    return respond(outcome)
