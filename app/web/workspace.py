"""The officer's workspace around the inbox: saved filters, export of the list on screen, bulk assign/accept with
one confirmation (each item still its own conditional transition, in its own unit of work), and the item-page
assignment to a named officer (the ITEM_ACTIONS entry "assign-officer" in app/web/officer.py calls `assign_officer`).
"""

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.accounts.models import Account
from app.agencies import service as agencies_service
from app.assignments import service as assignment_service
from app.db import get_session, unit_of_work
from app.errors import DomainError, Invalid
from app.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Column, attachment_disposition, csv_text, xlsx_bytes
from app.inbox import filters as inbox_filters
from app.inbox import service as inbox_service
from app.kinds import KIND_LABELS, STATE_LABELS
from app.routing import service as routing_service
from app.routing.engine import RoutingInput
from app.sla import service as sla_service
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from app.timefmt import format_datetime
from app.web.common import current_handler, form_data, render, require_csrf

router = APIRouter(prefix="/officer", dependencies=[Depends(require_csrf)])

BULK_MAX = 100


def assign_officer(session: Session, submission: Submission, actor: Account, officer_id: str) -> None:
    """The item page's "Phân công" form: an officer of the holding agency by id, or "" to remove the assignee."""
    officer = None
    if officer_id:
        officer = session.get(Account, int(officer_id)) if officer_id.isdigit() else None
        if officer is None:
            raise Invalid({"officer": "Vui lòng chọn cán bộ trong danh sách."})
    assignment_service.assign(session=session, submission=submission, actor=actor, officer=officer)


def _back_to_inbox(query: str) -> RedirectResponse:
    return RedirectResponse("/officer/inbox" + (f"?{query}" if query else ""), status_code=303)


@router.post("/inbox/filters")
def save_filter(request: Request, actor: Account = Depends(current_handler), form: FormData = Depends(form_data),
                session: Session = Depends(get_session)):
    filters, _errors = inbox_filters.parse(form, session=session)
    try:
        with unit_of_work(session):
            inbox_service.save_filter(session=session, account_id=actor.id, name=str(form.get("filter_name", "")),
                                      filters=filters)
    except Invalid as exc:
        request.session["flash"] = str(exc.errors.get("filter_name", ""))
    else:
        request.session["flash"] = "Đã lưu bộ lọc."
    return _back_to_inbox(filters.query_string())


@router.post("/inbox/filters/delete")
def delete_filter(request: Request, actor: Account = Depends(current_handler), form: FormData = Depends(form_data),
                  session: Session = Depends(get_session)):
    filter_id = str(form.get("filter_id", ""))
    if filter_id.isdigit():
        with unit_of_work(session):
            inbox_service.delete_filter(session=session, account_id=actor.id, filter_id=int(filter_id))
    request.session["flash"] = "Đã xóa bộ lọc."
    return _back_to_inbox("")


EXPORT_HEADER = ["Mã hồ sơ", "Tiêu đề", "Loại", "Lĩnh vực", "Xã, phường", "Trạng thái", "Thời hạn",
                 "Hạn (giờ Việt Nam)", "Cán bộ", "Người gửi", "Ngày gửi"]


def _export_rows(session: Session, actor: Account, request: Request) -> list[list]:
    filters, _errors = inbox_filters.parse(request.query_params, session=session)
    items = inbox_service.export_rows(session=session, agency_id=actor.agency_id, filters=filters,
                                      account_id=actor.id)
    ids = [i.id for i in items]
    badges = sla_service.badges_for(session=session, submission_ids=ids)
    assignees = assignment_service.assignees(session=session, submission_ids=ids)
    ref = agencies_service.reference(session=session)
    rows = []
    for item in items:
        badge = badges.get(item.id)
        assignee = assignees.get(item.id)
        rows.append([item.tracking_code, item.title, str(KIND_LABELS[item.kind]), ref.field_by_id[item.field_id].name,
                     ref.commune_by_id[item.commune_id].name, str(STATE_LABELS[item.state]),
                     badge.text if badge else "", format_datetime(badge.due_at) if badge and badge.due_at else "",
                     assignee.display_name if assignee else "", item.sender_name, format_datetime(item.created_at)])
    return rows


@router.get("/inbox/export.csv")
def export_csv(request: Request, actor: Account = Depends(current_handler), session: Session = Depends(get_session)):
    """The inbox list as filtered and sorted on screen (every page), as CSV (formula cells escaped)."""
    rows = _export_rows(session, actor, request)
    return Response(csv_text(EXPORT_HEADER, rows), media_type=CSV_MEDIA_TYPE, headers={
        "Content-Disposition": attachment_disposition("hop-ho-so.csv"), "Cache-Control": "no-store"})


@router.get("/inbox/export.xlsx")
def export_xlsx(request: Request, actor: Account = Depends(current_handler), session: Session = Depends(get_session)):
    rows = _export_rows(session, actor, request)
    widths = (16, 48, 12, 28, 24, 22, 22, 18, 22, 24, 18)
    columns = [Column(heading, width) for heading, width in zip(EXPORT_HEADER, widths, strict=True)]
    return Response(xlsx_bytes("Hộp hồ sơ", columns, rows), media_type=XLSX_MEDIA_TYPE, headers={
        "Content-Disposition": attachment_disposition("hop-ho-so.xlsx"), "Cache-Control": "no-store"})


@dataclass
class BulkOutcome:
    item: Submission
    ok: bool
    message: str


BULK_ACTIONS = {"accept": "Tiếp nhận", "assign": "Phân công"}


@router.post("/inbox/bulk")
def bulk(request: Request, actor: Account = Depends(current_handler), form: FormData = Depends(form_data),
         session: Session = Depends(get_session)):
    """First post: the confirmation page (which items, which action). Second post (confirm=1): each item in its
    own unit of work and conditional transition; the page reports which succeeded and why the others did not."""
    codes = list(dict.fromkeys(str(c) for c in form.getlist("codes")))[:BULK_MAX]
    action = str(form.get("bulk_action", ""))
    officer_id = str(form.get("officer", ""))
    back = str(form.get("back", ""))[:2000]
    items = [s for s in (submissions_service.get_by_code(session=session, code=c) for c in codes)
             if s is not None and s.agency_id == actor.agency_id]
    officers = assignment_service.officers(session=session, agency_id=actor.agency_id)
    officer = next((o for o in officers if str(o.id) == officer_id), None)
    problem = None
    if not items:
        problem = "Vui lòng đánh dấu ít nhất một hồ sơ trong danh sách."
    elif action not in BULK_ACTIONS:
        problem = "Vui lòng chọn thao tác: tiếp nhận hoặc phân công."
    elif action == "assign" and officer is None:
        problem = "Vui lòng chọn cán bộ được phân công."
    context = {"account": actor, "items": items, "action": action, "action_label": BULK_ACTIONS.get(action, ""),
               "officer": officer, "back": back, "problem": problem, "outcomes": None}
    if problem or form.get("confirm") != "1":
        return render(request, "officer/bulk.html", context, status_code=422 if problem else 200)
    outcomes = []
    for item in items:
        try:
            with unit_of_work(session):
                if action == "accept":
                    submissions_service.accept(session=session, submission=item, actor=actor)
                    message = "Đã tiếp nhận."
                else:
                    assignment_service.assign(session=session, submission=item, actor=actor, officer=officer)
                    message = f"Đã phân công cho {officer.display_name}."
            outcomes.append(BulkOutcome(item, True, message))
        except DomainError as exc:
            session.expire(item)
            outcomes.append(BulkOutcome(item, False, _message(exc)))
    context["outcomes"] = outcomes
    return render(request, "officer/bulk.html", context)


def _message(exc: DomainError) -> str:
    if isinstance(exc, Invalid):
        return " ".join(str(m) for m in exc.errors.values())
    return str(exc)


def agencies_for_transfer(session: Session, submission: Submission) -> dict:
    """The transfer picker: the routing rules' suggestion first (the agency the first matching rule names once the
    holder itself is left out), then every agency grouped by its kind, each group in Vietnamese alphabetical order."""
    ref = agencies_service.reference(session=session)
    holder = ref.agency_by_id.get(submission.agency_id)
    decision = routing_service.route(session=session, item=RoutingInput(
        kind=submission.kind.value, field_code=ref.field_by_id[submission.field_id].code,
        commune_code=ref.commune_by_id[submission.commune_id].code, text=f"{submission.title}\n{submission.content}"),
        excluding_agency=holder.code if holder else None)
    suggestion = ref.agency_by_code.get(decision.agency_code) if decision.agency_code else None
    groups: dict[str, list] = {}
    for agency in agencies_service.agencies_alphabetical(session=session):
        if agency.id != submission.agency_id:
            groups.setdefault(AGENCY_KIND_LABELS.get(agency.kind, "Khác"), []).append(agency)
    ordered = {label: groups[label] for label in AGENCY_KIND_LABELS.values() if label in groups}
    ordered.update({k: v for k, v in groups.items() if k not in ordered})
    return {"suggested": suggestion if suggestion and suggestion.id != submission.agency_id else None,
            "groups": ordered}


AGENCY_KIND_LABELS = {
    "so_nganh": "Sở, ban, ngành tỉnh",
    "ubnd_xa": "Ủy ban nhân dân xã, phường",
    "don_vi": "Đơn vị sự nghiệp",
    "luc_luong": "Lực lượng vũ trang",
    "mat_tran": "Mặt trận Tổ quốc",
    "dang": "Cơ quan Đảng tỉnh",
    "dang_uy_xa": "Đảng ủy xã, phường",
}
