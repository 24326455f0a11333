"""Officer pages: the agency inbox and the item page where every handling action is taken."""

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from app.accounts.models import Account
from app.agencies import service as agencies_service
from app.agencies.models import Agency, Commune, Field
from app.assignments import service as assignment_service
from app.attachments import service as attachments_service
from app.attachments.http import uploads_from_form
from app.config import get_settings
from app.db import get_session
from app.errors import Invalid, InvalidTransition, NotPermitted
from app.exports import CSV_MEDIA_TYPE, attachment_disposition, csv_text
from app.inbox import filters as inbox_filters
from app.inbox import service as inbox_service
from app.kinds import EVENT_LABELS, KIND_LABELS, REJECT_REASON_LABELS, STATE_LABELS
from app.reach import service as reach_service
from app.sla import service as sla_service
from app.submissions import permissions
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from app.timefmt import format_datetime
from app.web import workspace
from app.web.common import PageError, coordinator_only, current_handler, form_data, is_htmx, render, require_csrf

router = APIRouter(prefix="/officer", dependencies=[Depends(require_csrf)])


def _not_found() -> PageError:
    # 404, not 403: another agency's items do not exist as far as this account can tell.
    return PageError(404, "Không tìm thấy hồ sơ", "Hồ sơ không tồn tại hoặc không thuộc đơn vị của bạn.",
                     back_url="/officer/inbox")


def submission_for_handler(
    code: str, actor: Account = Depends(current_handler), session: Session = Depends(get_session)
) -> Submission:
    submission = submissions_service.get_by_code(session=session, code=code)
    if submission is None:
        raise _not_found()
    former = frozenset()
    if submission.agency_id != actor.agency_id:
        former = frozenset(submissions_service.agencies_that_held(session=session, submission=submission))
    if not permissions.can_view(actor, submission, former):
        raise _not_found()
    return submission




@router.get("", dependencies=[Depends(current_handler)])
def officer_home():
    return RedirectResponse("/officer/inbox", status_code=303)


def _names(session: Session) -> dict:
    return {
        "fields": {f.id: f.name for f in session.exec(select(Field)).all()},
        "communes": {c.id: c.name for c in session.exec(select(Commune)).all()},
    }


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1


@router.get("/inbox")
def inbox(request: Request, actor: Account = Depends(current_handler), session: Session = Depends(get_session)):
    """Filters, search and sort from the query string: a plain GET form without JavaScript, a list swap with htmx."""
    filters, errors = inbox_filters.parse(request.query_params, session=session)
    result = inbox_service.inbox(session=session, agency_id=inbox_filters.scope_of(actor, filters, session=session),
                                 filters=filters, page=_page_number(request.query_params.get("page")),
                                 account_id=actor.id)
    ids = [i.id for i in result.items]
    context = {
        "account": actor,
        "agency": session.get(Agency, actor.agency_id),
        "result": result,
        "filters": filters,
        "errors": errors,
        "states": STATE_LABELS,
        "kinds": KIND_LABELS,
        "sorts": inbox_filters.SORTS,
        "stages": inbox_filters.STAGES,
        "field_list": agencies_service.list_fields(session=session),
        "commune_list": agencies_service.list_communes(session=session),
        "names": _names(session),
        "sla_badges": sla_service.badges_for(session=session, submission_ids=ids),
        "assignees": assignment_service.assignees(session=session, submission_ids=ids),
        "officers": assignment_service.officers(session=session, agency_id=actor.agency_id),
        "views": inbox_filters.VIEWS,
        "column_sorts": inbox_filters.COLUMN_SORTS,
        "saved_filters": inbox_service.saved_filters(session=session, account_id=actor.id),
        "message": request.session.pop("flash", None),
    }
    response = render(request, "officer/inbox.html", context, block="inbox_list",
                      status_code=422 if errors else 200)
    if is_htmx(request):
        query = filters.query_string(page=result.page)
        response.headers["HX-Push-Url"] = "/officer/inbox" + (f"?{query}" if query else "")
    return response


@router.get("/review")
def review(request: Request, actor: Account = Depends(coordinator_only), session: Session = Depends(get_session)):
    """Answers the sender was not satisfied with."""
    items = submissions_service.review_list(session=session)
    return render(request, "officer/review.html", {"account": actor, "items": items, "names": _names(session),
                                                   "agencies": {a.id: a for a in agencies_service.list_agencies(
                                                       session=session)}})


def former_holder_view(session: Session, actor: Account, submission: Submission):
    """(history, the event at which the item left the actor's agency or None): what the actor's view stops at."""
    history = submissions_service.history(session=session, submission=submission)
    return history, permissions.left_actor_at(actor, submission, history)


def visible_attachments(session: Session, actor: Account, submission: Submission, left=None) -> list:
    files = attachments_service.for_submission(session=session, submission_id=submission.id)
    return [a for a in files if permissions.visible_until(left, a.created_at)]


def _item_context(session: Session, actor: Account, submission: Submission, **extra) -> dict:
    can = permissions.shown(actor, submission)
    history, left = former_holder_view(session, actor, submission)
    events = permissions.visible_history(actor, submission, history, submissions_service.event_data, left)
    actor_ids = {e.actor_account_id for e in events if e.actor_account_id}
    context = {
        "account": actor,
        "item": submission,
        "agency": session.get(Agency, submission.agency_id) if submission.agency_id else None,
        "field": session.get(Field, submission.field_id),
        "commune": session.get(Commune, submission.commune_id),
        "events": events,
        "event_labels": EVENT_LABELS,
        "accounts": {a.id: a for a in session.exec(select(Account).where(col(Account.id).in_(actor_ids))).all()},
        # Alphabetical (the assign and reopen pickers list it in this order); also the lookup by id.
        "agencies_by_id": {a.id: a for a in agencies_service.agencies_alphabetical(session=session)},
        "reject_reasons": REJECT_REASON_LABELS,
        "read_only": not can["note"],
        "question": submissions_service.pending_question(session=session, submission=submission),
        "can": can,
        "errors": {},
        "values": {},
        "message": None,
        "attachments": visible_attachments(session, actor, submission, left),
        "uploads": attachments_service.upload_rules(),
        "sla": sla_service.item_panel(session=session, submission=submission, actor=actor) if left is None else None,
        "left": left,
        "answer_visible": permissions.visible_until(left, submission.answered_at),
        "assignee": assignment_service.assignees(session=session, submission_ids=[submission.id]).get(submission.id),
        "officers": assignment_service.officers(session=session, agency_id=submission.agency_id)
        if assignment_service.may_assign(actor, submission) and left is None else [],
        "transfer_picker": workspace.agencies_for_transfer(session, submission) if can["transfer"] else None,
    }
    context["reach"] = reach_service.officer_view(session=session, submission=submission,
                                                  attachments=context["attachments"])
    context.update(extra)
    return context


@router.get("/items/{code}")
def item_page(
    request: Request,
    submission: Submission = Depends(submission_for_handler),
    actor: Account = Depends(current_handler),
    session: Session = Depends(get_session),
):
    context = _item_context(session, actor, submission, message=request.session.pop("flash", None))
    return render(request, "officer/item.html", context, block="item_main")


@dataclass(frozen=True)
class ItemAction:
    run: Callable[..., object]
    done: str
    fields: tuple[str, ...] = ()
    uploads: bool = False  # the form is multipart; its files reach `run` as f["attachments"]


def _agency(session: Session, code: str) -> Agency | None:
    return agencies_service.by_code(Agency, code, session=session) if code else None


ITEM_ACTIONS: dict[str, ItemAction] = {
    "accept": ItemAction(lambda s, sub, a, f: submissions_service.accept(session=s, submission=sub, actor=a),
                         "Đã tiếp nhận hồ sơ."),
    "answer": ItemAction(lambda s, sub, a, f: submissions_service.answer(
        session=s, submission=sub, actor=a, text=f["answer_text"], batch=f["batch"]),
        "Đã gửi trả lời cho người gửi.", ("answer_text",), uploads=True),
    "transfer": ItemAction(lambda s, sub, a, f: submissions_service.transfer(
        session=s, submission=sub, actor=a, to_agency=_agency(s, f["agency_code"]), reason=f["reason"]),
        "Đã chuyển hồ sơ.", ("agency_code", "reason")),
    "reject": ItemAction(lambda s, sub, a, f: submissions_service.reject(
        session=s, submission=sub, actor=a, reason_code=f["reason_code"], detail=f["detail"],
        duplicate_of=f["duplicate_of"]), "Đã từ chối hồ sơ; người gửi sẽ thấy lý do.",
        ("reason_code", "detail", "duplicate_of")),
    "request-info": ItemAction(lambda s, sub, a, f: submissions_service.request_info(
        session=s, submission=sub, actor=a, question=f["question"]),
        "Đã gửi yêu cầu bổ sung; thời hạn tạm dừng đến khi người gửi trả lời.", ("question",)),
    "assign": ItemAction(lambda s, sub, a, f: submissions_service.assign(
        session=s, submission=sub, actor=a, agency=_agency(s, f["agency_code"]), note=f["note"]),
        "Đã giao hồ sơ.", ("agency_code", "note")),
    "reopen": ItemAction(lambda s, sub, a, f: submissions_service.reopen(
        session=s, submission=sub, actor=a, agency=_agency(s, f["agency_code"]), note=f["note"]),
        "Đã mở lại hồ sơ.", ("agency_code", "note")),
    # Urgency and voice messages (app/reach)
    "urgency": ItemAction(lambda s, sub, a, f: reach_service.set_priority(
        session=s, submission=sub, actor=a, urgent=f["urgent"] == "yes", reason=f["priority_reason"]),
        "Đã đổi mức khẩn cấp; thời hạn được tính lại.", ("urgent", "priority_reason")),
    "interpreter": ItemAction(lambda s, sub, a, f: reach_service.mark_interpreter(session=s, submission=sub, actor=a),
                              "Đã đánh dấu cần phiên dịch."),
    "transcript": ItemAction(lambda s, sub, a, f: reach_service.save_transcript(
        session=s, submission=sub, actor=a, text=f["transcript"]), "Đã lưu bản dịch tiếng Việt.", ("transcript",)),
    "assign-officer": ItemAction(lambda s, sub, a, f: workspace.assign_officer(s, sub, a, f["officer"]),
                                 "Đã phân công cán bộ.", ("officer",)),
    "note": ItemAction(lambda s, sub, a, f: submissions_service.add_note(
        session=s, submission=sub, actor=a, text=f["note"]), "Đã thêm ghi chú nội bộ.", ("note",)),
}


@router.post("/items/{code}/{action}")
def item_action(
    request: Request,
    action: str,
    submission: Submission = Depends(submission_for_handler),
    actor: Account = Depends(current_handler),
    form: FormData = Depends(form_data),
    session: Session = Depends(get_session),
):
    spec = ITEM_ACTIONS.get(action)
    if spec is None:
        raise PageError(404, "Không tìm thấy trang", "Thao tác này không có trên hệ thống.")
    values = {name: str(form.get(name, ""))[:50_000] for name in spec.fields}
    try:
        # Files are checked before the unit of work opens; the action runs on the item as it is now.
        batch = attachments_service.stage(uploads_from_form(form)) if spec.uploads else None
        with attachments_service.unit_with_files(session, batch):
            spec.run(session, submission, actor, {**values, "batch": batch})
    except Invalid as exc:
        return _refused(request, session, actor, submission, exc.errors, values)
    except (InvalidTransition, NotPermitted) as exc:
        return _refused(request, session, actor, submission, {"action": str(exc)}, values)
    if is_htmx(request):
        context = _item_context(session, actor, submission, message=spec.done)
        return render(request, "officer/item.html", context, block="item_main")
    request.session["flash"] = spec.done
    return RedirectResponse(f"/officer/items/{submission.tracking_code}", status_code=303)


def _refused(request, session, actor, submission, errors: dict, values: dict):
    session.rollback()  # the page shows the item as it is now (expired objects reload)
    return render(request, "officer/item.html",
                  _item_context(session, actor, submission, errors=errors, values=values),
                  status_code=422, block="item_main")


@router.get("/audit/checkpoints.jsonl")
def audit_checkpoints(actor: Account = Depends(coordinator_only)):
    """The signed checkpoints of the audit chain (app/events/checkpoints.py), to keep a copy away from the server."""
    path = get_settings().effective_audit_checkpoint_file
    headers = {"Content-Disposition": 'attachment; filename="audit-checkpoints.jsonl"', "Cache-Control": "no-store"}
    if not path.exists():
        return Response(b"", media_type="application/x-ndjson", headers=headers)
    return FileResponse(path, media_type="application/x-ndjson", headers=headers)


@router.get("/items/{code}/audit.csv")
def audit_export(
    submission: Submission = Depends(submission_for_handler),
    actor: Account = Depends(coordinator_only),
    session: Session = Depends(get_session),
):
    """The item's full trail for the coordinator, hashes included, as a spreadsheet-friendly CSV."""
    events = submissions_service.history(session=session, submission=submission)
    accounts = {a.id: a for a in session.exec(select(Account)).all()}
    agencies = {a.id: a.name for a in agencies_service.list_agencies(session=session)}
    header = ["id", "thời điểm", "sự kiện", "từ", "đến", "người thực hiện", "vai trò", "cơ quan",
              "ghi chú công khai", "ghi chú nội bộ", "dữ liệu", "hash trước", "hash"]
    rows = []
    for e in events:
        who = accounts[e.actor_account_id].username if e.actor_account_id in accounts else e.actor_role
        rows.append([e.id, format_datetime(e.created_at), EVENT_LABELS.get(e.type, e.type), e.from_state or "",
                     e.to_state or "", who, e.actor_role, agencies.get(e.agency_id, ""), e.public_note or "",
                     e.internal_note or "", e.data or "", e.prev_hash, e.hash])
    return Response(csv_text(header, rows), media_type=CSV_MEDIA_TYPE, headers={
        "Content-Disposition": attachment_disposition(f"{submission.tracking_code}-nhat-ky.csv")})
