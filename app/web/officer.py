"""Officer pages: the agency inbox and the item page where an item is accepted and answered."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select

from app.accounts.models import Account
from app.accounts.permissions import can_handle_submission, can_triage, can_view_submission
from app.agencies import service as agencies_service
from app.agencies.models import Agency, Commune, Field
from app.db import get_session
from app.sla import service as sla_service
from app.submissions import lifecycle
from app.submissions import service as submissions_service
from app.submissions.kinds import STATE_LABELS, State
from app.submissions.models import Submission
from app.web.common import PageError, current_handler, is_htmx, render, require_csrf

router = APIRouter(prefix="/officer", dependencies=[Depends(require_csrf)])


def _not_found() -> PageError:
    # 404, not 403: another agency's items do not exist as far as this account can tell.
    return PageError(404, "Không tìm thấy hồ sơ", "Hồ sơ không tồn tại hoặc không thuộc đơn vị của bạn.",
                     back_url="/officer/inbox")


def submission_for_handler(
    code: str, actor: Account = Depends(current_handler), session: Session = Depends(get_session)
) -> Submission:
    submission = submissions_service.get_by_code(session=session, code=code)
    if submission is None or not can_view_submission(actor, submission):
        raise _not_found()
    return submission


@router.get("")
def officer_home():
    return RedirectResponse("/officer/inbox", status_code=303)


@router.get("/inbox")
def inbox(
    request: Request,
    state: str = "",
    page: int = 1,
    sort: str = "urgency",
    actor: Account = Depends(current_handler),
    session: Session = Depends(get_session),
):
    state = state if state in State._value2member_map_ else ""
    sort = sort if sort in ("urgency", "newest") else "urgency"
    result = submissions_service.inbox(session=session, agency_id=actor.agency_id, state=state or None,
                                       page=max(1, min(page, 10_000)), sort=sort)
    context = {
        "account": actor,
        "agency": session.get(Agency, actor.agency_id),
        "result": result,
        "state": state,
        "states": STATE_LABELS,
        "names": _names(session),
        "sort": sort,
        "sla_badges": sla_service.badges_for(session=session, submission_ids=[i.id for i in result.items]),
    }
    return render(request, "officer/inbox.html", context, block="inbox_list")


def _names(session: Session) -> dict:
    return {
        "fields": {f.id: f.name for f in session.exec(select(Field)).all()},
        "communes": {c.id: c.name for c in session.exec(select(Commune)).all()},
    }


def _item_context(session: Session, actor: Account, submission: Submission, **extra) -> dict:
    can_act = can_handle_submission(actor, submission)
    actions = lifecycle.available_actions(submission.state) if can_act else []
    events = submissions_service.history(session=session, submission=submission)
    actor_ids = {e.actor_account_id for e in events if e.actor_account_id}
    context = {
        "account": actor,
        "item": submission,
        "agency": session.get(Agency, submission.agency_id) if submission.agency_id else None,
        "field": session.get(Field, submission.field_id),
        "commune": session.get(Commune, submission.commune_id),
        "events": events,
        "accounts": {a.id: a for a in session.exec(select(Account).where(col(Account.id).in_(actor_ids))).all()},
        "agencies_by_id": {a.id: a for a in agencies_service.list_agencies(session=session)},
        "can_accept": lifecycle.Action.ACCEPT in actions,
        "can_answer": lifecycle.Action.ANSWER in actions,
        "can_assign": can_triage(actor) and lifecycle.allowed(lifecycle.Action.ASSIGN, submission.state),
        "errors": {},
        "values": {},
        "message": None,
        "sla": sla_service.item_panel(session=session, submission=submission, actor=actor),
    }
    context.update(extra)
    return context


@router.get("/items/{code}")
def item_page(
    request: Request,
    submission: Submission = Depends(submission_for_handler),
    actor: Account = Depends(current_handler),
    session: Session = Depends(get_session),
):
    return render(request, "officer/item.html", _item_context(session, actor, submission), block="item_main")


def _after_action(request: Request, session: Session, actor: Account, submission: Submission, message: str):
    if is_htmx(request):
        return render(request, "officer/item.html",
                      _item_context(session, actor, submission, message=message), block="item_main")
    return RedirectResponse(f"/officer/items/{submission.tracking_code}", status_code=303)


def _refused(request, session, actor, submission, errors: dict, values: dict | None = None):
    session.rollback()
    session.refresh(submission)
    return render(request, "officer/item.html",
                  _item_context(session, actor, submission, errors=errors, values=values or {}),
                  status_code=422, block="item_main")


@router.post("/items/{code}/accept")
def accept(
    request: Request,
    submission: Submission = Depends(submission_for_handler),
    actor: Account = Depends(current_handler),
    session: Session = Depends(get_session),
):
    try:
        submissions_service.accept(session=session, submission=submission, actor=actor)
    except (lifecycle.InvalidTransition, submissions_service.NotPermitted) as exc:
        return _refused(request, session, actor, submission, {"action": str(exc)})
    return _after_action(request, session, actor, submission, "Đã tiếp nhận hồ sơ.")


@router.post("/items/{code}/answer")
def answer(
    request: Request,
    answer_text: str = Form("", max_length=50_000),
    submission: Submission = Depends(submission_for_handler),
    actor: Account = Depends(current_handler),
    session: Session = Depends(get_session),
):
    try:
        submissions_service.answer(session=session, submission=submission, actor=actor, text=answer_text)
    except submissions_service.SubmissionInvalid as exc:
        return _refused(request, session, actor, submission, exc.errors, {"answer_text": answer_text})
    except (lifecycle.InvalidTransition, submissions_service.NotPermitted) as exc:
        return _refused(request, session, actor, submission, {"action": str(exc)}, {"answer_text": answer_text})
    return _after_action(request, session, actor, submission, "Đã gửi trả lời cho người gửi.")


@router.post("/items/{code}/assign")
def assign(
    request: Request,
    agency_code: str = Form("", max_length=64),
    note: str = Form("", max_length=2000),
    submission: Submission = Depends(submission_for_handler),
    actor: Account = Depends(current_handler),
    session: Session = Depends(get_session),
):
    agency = agencies_service.by_code(Agency, agency_code, session=session)
    values = {"agency_code": agency_code, "note": note}
    if agency is None:
        return _refused(request, session, actor, submission, {"agency_code": "Vui lòng chọn cơ quan xử lý."}, values)
    try:
        submissions_service.assign(session=session, submission=submission, actor=actor, agency=agency, note=note)
    except (lifecycle.InvalidTransition, submissions_service.NotPermitted) as exc:
        return _refused(request, session, actor, submission, {"action": str(exc)}, values)
    return _after_action(request, session, actor, submission, f"Đã giao hồ sơ cho {agency.name}.")
