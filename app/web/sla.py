"""Deadline pages: the coordinator's at-risk/overdue overview, calendar, policies and extension decisions, and the
officer's extension request from the item page. Thin: parse, call app/sla/service.py, render."""

from datetime import date

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, select

from app.accounts.models import Account
from app.agencies.models import Agency
from app.db import get_session, unit_of_work, utcnow
from app.errors import Invalid, NotPermitted
from app.sla import clock
from app.sla import service as sla_service
from app.sla.models import CalendarEntry, DeadlineExtension, DeadlinePolicy, ExtensionStatus
from app.submissions.models import Submission
from app.web.common import PageError, coordinator_only, current_handler, is_htmx, render, require_csrf, templates
from app.web.officer import _item_context, submission_for_handler

router = APIRouter(prefix="/sla", dependencies=[Depends(require_csrf)])

templates.env.filters.update(
    sla_phase=lambda p: clock.PHASE_LABELS.get(p, p),
    sla_policy=sla_service.describe_policy,
)
templates.env.globals.update(
    sla_entry_kinds={k.value: v for k, v in sla_service.ENTRY_KIND_LABELS.items()},
    sla_units={k.value: v for k, v in sla_service.UNIT_LABELS.items()},
    sla_priorities={k.value: v for k, v in sla_service.PRIORITY_LABELS.items()},
    sla_phases={k.value: v for k, v in sla_service.PHASE_LABELS.items()},
)




@router.get("", dependencies=[Depends(coordinator_only)])
def sla_home():
    return RedirectResponse("/sla/overview", status_code=303)


# ------------------------------------------------------------------ overview


@router.get("/overview")
def overview(request: Request, agency: str = "", actor: Account = Depends(coordinator_only),
             session: Session = Depends(get_session)):
    selected = session.exec(select(Agency).where(Agency.code == agency)).first() if agency else None
    groups = sla_service.overview(session=session, agency_id=selected.id if selected else None)
    return render(request, "sla/overview.html", {
        "account": actor, "groups": groups, "selected": selected,
        "total_overdue": sum(len(g.overdue) for g in groups), "total_at_risk": sum(len(g.at_risk) for g in groups),
    })


# ------------------------------------------------------------------ calendar


def _calendar_page(request: Request, session: Session, actor: Account, year: int, *, values: dict | None = None,
                   errors: dict | None = None, status_code: int = 200, tool: dict | None = None):
    return render(request, "sla/calendar.html", {
        "account": actor, "year": year, "entries": sla_service.list_entries(session=session, year=year),
        "national": sla_service.national_days_off(year), "values": values or {}, "errors": errors or {},
        "tool": tool or {}, "recomputing": sla_service.pending_recompute(session=session),
    }, status_code=status_code)


def _parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


@router.get("/calendar")
def calendar_page(request: Request, year: int = 0, start: str = "", n: str = "",
                  actor: Account = Depends(coordinator_only), session: Session = Depends(get_session)):
    year = year if 2000 <= year <= 2100 else utcnow().astimezone(clock.LOCAL_TZ).year
    tool: dict = {"start": start, "n": n}
    if start or n:
        day = _parse_day(start)
        try:
            count = int(n)
        except ValueError:
            count = -1
        if day is None or not 0 <= count <= 365:
            tool["error"] = "Nhập ngày bắt đầu (YYYY-MM-DD) và số ngày làm việc từ 0 đến 365."
        else:
            tool["result"] = sla_service.working_calendar(session=session).add_working_days(day, count)
    return _calendar_page(request, session, actor, year, tool=tool)


@router.post("/calendar")
def calendar_add(
    request: Request,
    day: str = Form("", max_length=20),
    kind: str = Form("", max_length=20),
    description: str = Form("", max_length=1000),
    legal_reference: str = Form("", max_length=1000),
    actor: Account = Depends(coordinator_only),
    session: Session = Depends(get_session),
):
    values = {"day": day, "kind": kind, "description": description, "legal_reference": legal_reference}
    parsed = _parse_day(day)
    if parsed is None:
        return _calendar_page(request, session, actor, utcnow().year, values=values,
                              errors={"day": "Vui lòng chọn ngày (YYYY-MM-DD)."}, status_code=422)
    try:
        with unit_of_work(session):
            sla_service.add_entry(session=session, actor=actor, day=parsed, kind=kind, description=description,
                                  legal_reference=legal_reference)
    except Invalid as exc:
        return _calendar_page(request, session, actor, parsed.year, values=values, errors=exc.errors,
                              status_code=422)
    return RedirectResponse(f"/sla/calendar?year={parsed.year}", status_code=303)


@router.post("/calendar/{entry_id}/delete")
def calendar_remove(entry_id: int, actor: Account = Depends(coordinator_only),
                    session: Session = Depends(get_session)):
    entry = session.get(CalendarEntry, entry_id)
    if entry is None:
        raise PageError(404, "Không tìm thấy ngày này trong lịch", back_url="/sla/calendar")
    year = entry.day.year
    with unit_of_work(session):
        sla_service.remove_entry(session=session, actor=actor, entry=entry)
    return RedirectResponse(f"/sla/calendar?year={year}", status_code=303)


# ------------------------------------------------------------------ policies


def _policies_page(request: Request, session: Session, actor: Account, *, errors: dict | None = None,
                   values: dict | None = None, status_code: int = 200, message: str | None = None):
    history = sla_service.list_policies(session=session, current_only=False)
    return render(request, "sla/policies.html", {
        "account": actor, "policies": sla_service.list_policies(session=session),
        "history": [p for p in history if not p.is_current], "errors": errors or {}, "values": values or {},
        "message": message,
    }, status_code=status_code)


@router.get("/policies")
def policies_page(request: Request, actor: Account = Depends(coordinator_only),
                  session: Session = Depends(get_session)):
    return _policies_page(request, session, actor)


@router.post("/policies/{policy_id}")
def policy_update(
    request: Request,
    policy_id: int,
    amount: str = Form("", max_length=10),
    unit: str = Form("", max_length=20),
    legal_basis: str = Form("", max_length=2000),
    actor: Account = Depends(coordinator_only),
    session: Session = Depends(get_session),
):
    policy = session.get(DeadlinePolicy, policy_id)
    if policy is None:
        raise PageError(404, "Không tìm thấy quy định thời hạn", back_url="/sla/policies")
    try:
        with unit_of_work(session):
            new = sla_service.update_policy(session=session, actor=actor, policy=policy, amount=amount, unit=unit,
                                            legal_basis=legal_basis)
    except Invalid as exc:
        return _policies_page(request, session, actor, errors={policy_id: exc.errors},
                              values={policy_id: {"amount": amount, "unit": unit, "legal_basis": legal_basis}},
                              status_code=422)
    if is_htmx(request):
        return _policies_page(request, session, actor, message=f"Đã áp dụng phiên bản {new.version}.")
    return RedirectResponse("/sla/policies", status_code=303)


# ------------------------------------------------------------------ extensions


def _extensions_page(request: Request, session: Session, actor: Account, *, errors: dict | None = None,
                     status_code: int = 200):
    calendar = sla_service.working_calendar(session=session)
    pending = sla_service.list_extensions(session=session, status=ExtensionStatus.PENDING)
    decided = [e for e in sla_service.list_extensions(session=session, limit=50) if e.status != ExtensionStatus.PENDING]
    ids = {e.submission_id for e in pending + decided}
    submissions = {s.id: s for s in session.exec(select(Submission).where(Submission.id.in_(ids))).all()} if ids else {}
    agencies = {a.id: a for a in session.exec(select(Agency)).all()}
    return render(request, "sla/extensions.html", {
        "account": actor, "pending": pending, "decided": decided, "submissions": submissions, "agencies": agencies,
        "previews": {e.id: sla_service.extension_preview(session=session, extension=e, calendar=calendar)
                     for e in pending},
        "errors": errors or {},
    }, status_code=status_code)


@router.get("/extensions")
def extensions_page(request: Request, actor: Account = Depends(coordinator_only),
                    session: Session = Depends(get_session)):
    return _extensions_page(request, session, actor)


def _extension(session: Session, extension_id: int) -> DeadlineExtension:
    extension = session.get(DeadlineExtension, extension_id)
    if extension is None:
        raise PageError(404, "Không tìm thấy đề nghị gia hạn", back_url="/sla/extensions")
    return extension


@router.post("/extensions/{extension_id}/grant")
def extension_grant(
    request: Request,
    extension_id: int,
    working_days: str = Form("", max_length=10),
    note: str = Form("", max_length=5000),
    allow_more: str = Form(""),
    actor: Account = Depends(coordinator_only),
    session: Session = Depends(get_session),
):
    extension = _extension(session, extension_id)
    try:
        with unit_of_work(session):
            sla_service.grant_extension(session=session, actor=actor, extension=extension, working_days=working_days,
                                        note=note, allow_more=allow_more == "on")
    except Invalid as exc:
        return _extensions_page(request, session, actor, errors={extension_id: exc.errors}, status_code=422)
    return RedirectResponse("/sla/extensions", status_code=303)


@router.post("/extensions/{extension_id}/refuse")
def extension_refuse(
    request: Request,
    extension_id: int,
    note: str = Form("", max_length=5000),
    actor: Account = Depends(coordinator_only),
    session: Session = Depends(get_session),
):
    extension = _extension(session, extension_id)
    try:
        with unit_of_work(session):
            sla_service.refuse_extension(session=session, actor=actor, extension=extension, note=note)
    except Invalid as exc:
        return _extensions_page(request, session, actor, errors={extension_id: exc.errors}, status_code=422)
    return RedirectResponse("/sla/extensions", status_code=303)


@router.post("/items/{code}/extension")
def extension_request(
    request: Request,
    working_days: str = Form("", max_length=10),
    reason: str = Form("", max_length=5000),
    submission: Submission = Depends(submission_for_handler),
    actor: Account = Depends(current_handler),
    session: Session = Depends(get_session),
):
    try:
        with unit_of_work(session):
            sla_service.request_extension(session=session, submission=submission, actor=actor,
                                          working_days=working_days, reason=reason)
    except (Invalid, NotPermitted) as exc:
        errors = exc.errors if isinstance(exc, Invalid) else {"extension": str(exc)}
        panel = sla_service.item_panel(session=session, submission=submission, actor=actor, errors=errors,
                                       values={"working_days": working_days, "reason": reason})
        return render(request, "officer/item.html", _item_context(session, actor, submission, sla=panel),
                      status_code=422, block="item_main")
    if is_htmx(request):
        return render(request, "officer/item.html",
                      _item_context(session, actor, submission,
                                    message="Đã gửi đề nghị gia hạn đến Cơ quan thường trực."),
                      block="item_main")
    return RedirectResponse(f"/officer/items/{submission.tracking_code}#deadlines", status_code=303)

