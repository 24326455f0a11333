"""The coordinator's routing rule pages: list, create, edit, reorder, switch on/off, and try a draft first."""

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, func, select
from starlette.datastructures import FormData

from app.accounts.models import Account
from app.agencies import service as agencies_service
from app.agencies.models import Agency
from app.db import get_session, unit_of_work
from app.errors import Invalid
from app.kinds import EVENT_LABELS, KIND_LABELS
from app.routing import service as routing_service
from app.routing.models import RoutingRule
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from app.web.common import PageError, coordinator_only, form_data, render, require_csrf

router = APIRouter(prefix="/coordinator", dependencies=[Depends(require_csrf)])

RULE_FIELDS = ("name", "kind", "field_code", "commune_code", "keywords", "target_agency_code", "priority",
               "is_active")
TRIAL_FIELDS = ("t_title", "t_content", "t_kind", "t_field_code", "t_commune_code")




def rule_by_id(rule_id: int, actor: Account = Depends(coordinator_only),
               session: Session = Depends(get_session)) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise PageError(404, "Không tìm thấy quy tắc", "Quy tắc không tồn tại.", back_url="/coordinator/rules")
    return rule


def _choices(session: Session) -> dict:
    agencies = agencies_service.list_agencies(session=session)
    fields = agencies_service.list_fields(session=session)
    communes = agencies_service.list_communes(session=session)
    return {
        "options": {
            "kinds": list(KIND_LABELS.items()),
            "fields": [(f.code, f.name) for f in fields],
            "communes": [(c.code, c.name) for c in communes],
            "agencies": [(a.code, a.name) for a in agencies_service.agencies_alphabetical(session=session)],
        },
        "kinds": KIND_LABELS,
        "agencies_by_id": {a.id: a for a in agencies},
        "field_names": {f.code: f.name for f in fields},
        "commune_names": {c.code: c.name for c in communes},
    }


def _values_of(rule: RoutingRule, session: Session) -> dict:
    target = session.get(Agency, rule.target_agency_id)
    return {"name": rule.name, "kind": rule.kind or "", "field_code": rule.field_code or "",
            "commune_code": rule.commune_code or "", "keywords": rule.keywords or "",
            "target_agency_code": target.code, "priority": str(rule.priority), "is_active": rule.is_active}


def _form_values(form) -> dict:
    values = {k: str(form.get(k, "") or "")[:10_000] for k in RULE_FIELDS + TRIAL_FIELDS}
    values["is_active"] = values["is_active"] in ("1", "on", "true")
    return values


def _edit_page(request: Request, session: Session, actor: Account, *, rule: RoutingRule | None, values: dict,
               errors: dict | None = None, trial=None, saved_trial=None, trial_errors: dict | None = None,
               status_code: int = 200):
    history = routing_service.rule_history(session=session, rule_id=rule.id) if rule else []
    actor_ids = {e.actor_account_id for e in history if e.actor_account_id}
    context = {
        "account": actor, "rule": rule, "values": values, "errors": errors or {}, "trial": trial,
        "saved_trial": saved_trial, "trial_errors": trial_errors or {}, "message": request.session.pop("flash", None),
        "history": history, "event_labels": EVENT_LABELS, "event_data": submissions_service.event_data,
        "accounts": {a.id: a for a in session.exec(select(Account).where(col(Account.id).in_(actor_ids))).all()},
        **_choices(session),
    }
    return render(request, "rules/edit.html", context, status_code=status_code, block="trial_result")


@router.get("", dependencies=[Depends(coordinator_only)])
def coordinator_home():
    return RedirectResponse("/coordinator/rules", status_code=303)


RULES_PAGE_SIZE = 25


@router.get("/rules")
def rules(request: Request, actor: Account = Depends(coordinator_only), session: Session = Depends(get_session)):
    """Every rule in the engine's order, filtered by target agency, field and commune, a page at a time (each
    row keeps its place in the whole order: "Thứ tự" and the move buttons are about the whole list)."""
    used = dict(session.exec(select(Submission.routing_rule_id, func.count())
                             .where(col(Submission.routing_rule_id).is_not(None))
                             .group_by(Submission.routing_rule_id)).all())
    params = {k: str(request.query_params.get(k, ""))[:64] for k in ("agency", "field", "commune")}
    choices = _choices(session)
    ref = agencies_service.reference(session=session)
    target = ref.agency_by_code.get(params["agency"])
    all_rules = routing_service.list_rules(session=session)
    position = {r.id: i for i, r in enumerate(all_rules)}
    shown = [r for r in all_rules
             if (not params["agency"] or (target is not None and r.target_agency_id == target.id))
             and (not params["field"] or r.field_code == params["field"])
             and (not params["commune"] or r.commune_code == params["commune"])]
    pages = max(1, -(-len(shown) // RULES_PAGE_SIZE))
    try:
        page = min(max(1, int(request.query_params.get("page", 1))), pages)
    except ValueError:
        page = 1
    query = urlencode({k: v for k, v in params.items() if v})
    context = {"account": actor, "rules": shown[(page - 1) * RULES_PAGE_SIZE:page * RULES_PAGE_SIZE],
               "total": len(shown), "count_all": len(all_rules), "page": page, "pages": pages, "filter": params,
               "query": query, "position": position, "used": used, "message": request.session.pop("flash", None),
               **choices}
    return render(request, "rules/list.html", context)


@router.get("/rules/new")
def new_rule(request: Request, actor: Account = Depends(coordinator_only), session: Session = Depends(get_session)):
    values = {k: "" for k in RULE_FIELDS + TRIAL_FIELDS}
    values.update(priority=str(routing_service.next_priority(session=session)), is_active=True)
    return _edit_page(request, session, actor, rule=None, values=values)


@router.post("/rules")
def create_rule(request: Request, actor: Account = Depends(coordinator_only), form: FormData = Depends(form_data),
                session: Session = Depends(get_session)):
    try:
        draft = routing_service.parse_rule(form, session=session)
        with unit_of_work(session):
            rule = routing_service.create_rule(session=session, actor=actor, draft=draft)
    except Invalid as exc:
        return _edit_page(request, session, actor, rule=None, values=_form_values(form), errors=exc.errors,
                          status_code=422)
    request.session["flash"] = f"Đã tạo quy tắc {rule.id}."
    return RedirectResponse(f"/coordinator/rules/{rule.id}", status_code=303)


@router.get("/rules/test")
def test_form(request: Request, actor: Account = Depends(coordinator_only), session: Session = Depends(get_session)):
    values = {k: "" for k in TRIAL_FIELDS}
    return render(request, "rules/test.html", {"account": actor, "values": values, "errors": {}, "trial": None,
                                               **_choices(session)})


@router.post("/rules/test")
def test_rules(request: Request, actor: Account = Depends(coordinator_only), form: FormData = Depends(form_data),
               session: Session = Depends(get_session)):
    """Where a sample submission would go: with the saved rules, or with the draft rule of the edit form
    (`with_draft`) in place of the saved one. Nothing is saved."""
    values = _form_values(form)
    with_draft = form.get("with_draft") == "1"
    rule_id = str(form.get("rule_id", ""))
    rule = session.get(RoutingRule, int(rule_id)) if with_draft and rule_id.isdigit() else None
    errors: dict[str, str] = {}
    item = draft = None
    try:
        item = routing_service.parse_trial(form, session=session)
    except Invalid as exc:
        errors.update(exc.errors)
    if with_draft:
        try:
            draft = routing_service.parse_rule(form, session=session, name_required=False)
        except Invalid as exc:
            errors.update(exc.errors)
    trial = saved_trial = None
    if not errors:
        trial = routing_service.try_rules(session=session, item=item, draft=draft, draft_id=rule.id if rule else None)
        if draft is not None:
            saved_trial = routing_service.try_rules(session=session, item=item)
    status = 422 if errors else 200
    if with_draft:
        return _edit_page(request, session, actor, rule=rule, values=values, errors=errors, trial=trial,
                          saved_trial=saved_trial, trial_errors=errors, status_code=status)
    return render(request, "rules/test.html", {"account": actor, "values": values, "errors": errors, "trial": trial,
                                               **_choices(session)}, status_code=status, block="trial_result")


@router.get("/rules/{rule_id:int}")
def edit_rule(request: Request, rule: RoutingRule = Depends(rule_by_id), actor: Account = Depends(coordinator_only),
              session: Session = Depends(get_session)):
    values = {**{k: "" for k in TRIAL_FIELDS}, **_values_of(rule, session)}
    return _edit_page(request, session, actor, rule=rule, values=values)


@router.post("/rules/{rule_id:int}")
def update_rule(request: Request, rule: RoutingRule = Depends(rule_by_id), actor: Account = Depends(coordinator_only),
                form: FormData = Depends(form_data), session: Session = Depends(get_session)):
    try:
        draft = routing_service.parse_rule(form, session=session)
        with unit_of_work(session):
            changes = routing_service.update_rule(session=session, actor=actor, rule=rule, draft=draft)
    except Invalid as exc:
        return _edit_page(request, session, actor, rule=rule, values=_form_values(form), errors=exc.errors,
                          status_code=422)
    request.session["flash"] = f"Đã lưu quy tắc {rule.id}." if changes else "Không có thay đổi nào để lưu."
    return RedirectResponse(f"/coordinator/rules/{rule.id}", status_code=303)


def _back_to_list(request: Request, rule: RoutingRule, message: str) -> RedirectResponse:
    request.session["flash"] = message
    return RedirectResponse(f"/coordinator/rules#rule-{rule.id}", status_code=303)


@router.post("/rules/{rule_id:int}/move")
def move_rule(request: Request, direction: str = Form("", max_length=10), rule: RoutingRule = Depends(rule_by_id),
              actor: Account = Depends(coordinator_only), session: Session = Depends(get_session)):
    try:
        with unit_of_work(session):
            routing_service.move_rule(session=session, actor=actor, rule=rule, direction=direction)
    except Invalid as exc:
        return _back_to_list(request, rule, str(exc))
    return _back_to_list(request, rule, f"Đã chuyển quy tắc {rule.id} {'lên' if direction == 'up' else 'xuống'} "
                                        "một bậc.")


@router.post("/rules/{rule_id:int}/enable")
def enable_rule(request: Request, rule: RoutingRule = Depends(rule_by_id), actor: Account = Depends(coordinator_only),
                session: Session = Depends(get_session)):
    return _switch(request, session, actor, rule, True)


@router.post("/rules/{rule_id:int}/disable")
def disable_rule(request: Request, rule: RoutingRule = Depends(rule_by_id),
                 actor: Account = Depends(coordinator_only), session: Session = Depends(get_session)):
    return _switch(request, session, actor, rule, False)


def _switch(request: Request, session: Session, actor: Account, rule: RoutingRule, active: bool):
    try:
        with unit_of_work(session):
            routing_service.set_active(session=session, actor=actor, rule=rule, active=active)
    except Invalid as exc:
        return _back_to_list(request, rule, str(exc))
    return _back_to_list(request, rule, f"Đã {'bật' if active else 'tắt'} quy tắc {rule.id}.")

