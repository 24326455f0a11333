"""Who is told what: everyone's own e-mail, phone and notification choices (/account/notifications); the agency
admin's page for their agency's shared inbox and their officers' contacts (/agency/contacts); the coordinator's
list of agencies nobody would hear from, with a form for any agency's inbox (/coordinator/contacts)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from app.accounts import service as accounts_service
from app.accounts.models import Account
from app.accounts.permissions import can_edit_account_contact, can_edit_agency_contact, is_coordinator
from app.agencies.models import Agency
from app.db import get_session, unit_of_work, vietnamese
from app.errors import Invalid
from app.notifications import contacts
from app.notifications import service as notifications_service
from app.notifications.flows import MODE_LABELS, TOPIC_LABELS
from app.notifications.models import Topic
from app.web.agency_admin import agency_admin
from app.web.common import PageError, coordinator_only, current_account, form_data, render, require_csrf

router = APIRouter(dependencies=[Depends(require_csrf)])

agency_admin_only = agency_admin  # the agency admin's guard of app/web/agency_admin.py

# Topics each kind of owner may hear about (the coordinator's topics only for the coordinator's people).
STAFF_TOPICS = [t for t in Topic if t != Topic.EXTENSION_REQUESTED]


def _topics_for(account: Account | None = None, agency: Agency | None = None) -> list[Topic]:
    coordinator = (account is not None and is_coordinator(account)) or (agency is not None and agency.is_coordinator)
    return list(Topic) if coordinator else STAFF_TOPICS


def _choices(form: FormData, topics: list[Topic]) -> dict[str, str]:
    return {t.value: str(form.get(f"pref_{t.value}")) for t in topics if form.get(f"pref_{t.value}") is not None}


def _common(request: Request, actor: Account) -> dict:
    return {"account": actor, "topic_labels": TOPIC_LABELS, "mode_labels": MODE_LABELS,
            "message": request.session.pop("flash", None)}


# --- my own -----------------------------------------------------------------------------------------------

def _mine_page(request: Request, session: Session, actor: Account, *, errors: dict | None = None,
               values: dict | None = None, status_code: int = 200):
    owner = f"account:{actor.id}"
    context = {**_common(request, actor), "topics": _topics_for(account=actor),
               "prefs": notifications_service.preferences_of(session=session, owner=owner),
               "values": values or {"email": actor.email or "", "phone": actor.phone or ""}, "errors": errors or {}}
    return render(request, "notifications/account.html", context, status_code=status_code)


@router.get("/account/notifications")
def my_notifications(request: Request, actor: Account = Depends(current_account),
                     session: Session = Depends(get_session)):
    return _mine_page(request, session, actor)


@router.post("/account/notifications")
def save_my_notifications(request: Request, actor: Account = Depends(current_account),
                          form: FormData = Depends(form_data), session: Session = Depends(get_session)):
    values = {"email": str(form.get("email", ""))[:300], "phone": str(form.get("phone", ""))[:40]}
    try:
        with unit_of_work(session):
            contacts.set_account_contact(session=session, actor=actor, account=actor, **values)
            notifications_service.set_preferences(session=session, owner=f"account:{actor.id}",
                                                  choices=_choices(form, _topics_for(account=actor)))
    except Invalid as exc:
        return _mine_page(request, session, actor, errors=exc.errors, values=values, status_code=422)
    request.session["flash"] = "Đã lưu thông tin liên hệ và lựa chọn nhận thông báo."
    return RedirectResponse("/account/notifications", status_code=303)


# --- the agency admin ---------------------------------------------------------------------------------------

def _agency_page(request: Request, session: Session, actor: Account, *, errors: dict | None = None,
                 values: dict | None = None, status_code: int = 200):
    agency = session.get(Agency, actor.agency_id)
    context = {**_common(request, actor), "agency": agency, "topics": _topics_for(agency=agency),
               "prefs": notifications_service.preferences_of(session=session, owner=f"agency:{agency.id}"),
               "officers": accounts_service.agency_accounts(session=session, agency_id=agency.id),
               "values": values or {"email": agency.email or "", "phone": agency.phone or ""},
               "errors": errors or {}}
    return render(request, "notifications/agency.html", context, status_code=status_code)


@router.get("/agency/contacts")
def agency_contacts(request: Request, actor: Account = Depends(agency_admin_only),
                    session: Session = Depends(get_session)):
    return _agency_page(request, session, actor)


@router.post("/agency/contacts")
def save_agency_contacts(request: Request, actor: Account = Depends(agency_admin_only),
                         form: FormData = Depends(form_data), session: Session = Depends(get_session)):
    agency = session.get(Agency, actor.agency_id)
    values = {"email": str(form.get("email", ""))[:1100], "phone": str(form.get("phone", ""))[:300]}
    try:
        with unit_of_work(session):
            contacts.set_agency_contact(session=session, actor=actor, agency=agency, **values)
            notifications_service.set_preferences(session=session, owner=f"agency:{agency.id}",
                                                  choices=_choices(form, _topics_for(agency=agency)))
    except Invalid as exc:
        return _agency_page(request, session, actor, errors=exc.errors, values=values, status_code=422)
    request.session["flash"] = "Đã lưu hộp thư chung của đơn vị."
    return RedirectResponse("/agency/contacts", status_code=303)


@router.post("/agency/contacts/accounts/{account_id}")
def save_officer_contact(request: Request, account_id: int, actor: Account = Depends(agency_admin_only),
                         form: FormData = Depends(form_data), session: Session = Depends(get_session)):
    target = session.get(Account, account_id)
    if target is None or target.agency_id != actor.agency_id or not can_edit_account_contact(actor, target):
        raise PageError(404, "Không tìm thấy tài khoản", "Tài khoản không tồn tại hoặc không thuộc đơn vị của bạn.",
                        back_url="/agency/contacts")
    try:
        with unit_of_work(session):
            contacts.set_account_contact(session=session, actor=actor, account=target,
                                         email=str(form.get("email", ""))[:300], phone=str(form.get("phone", ""))[:40])
    except Invalid as exc:
        return _agency_page(request, session, actor, errors={f"account-{account_id}": str(exc)}, status_code=422)
    request.session["flash"] = f"Đã lưu liên hệ của {target.display_name}."
    return RedirectResponse(f"/agency/contacts#account-{account_id}", status_code=303)


# --- the coordinator ----------------------------------------------------------------------------------------

def _coordinator_page(request: Request, session: Session, actor: Account, *, errors: dict | None = None,
                      values: dict | None = None, status_code: int = 200):
    context = {**_common(request, actor), "missing": contacts.agencies_without_contact(session=session),
               "agencies": session.exec(select(Agency).order_by(vietnamese(col(Agency.name)))).all(),
               "values": values or {}, "errors": errors or {}}
    return render(request, "notifications/coordinator.html", context, status_code=status_code)


@router.get("/coordinator/contacts")
def coordinator_contacts(request: Request, actor: Account = Depends(coordinator_only),
                         session: Session = Depends(get_session)):
    return _coordinator_page(request, session, actor)


@router.post("/coordinator/contacts")
def save_any_agency_contact(request: Request, actor: Account = Depends(coordinator_only),
                            form: FormData = Depends(form_data), session: Session = Depends(get_session)):
    code = str(form.get("agency_code", ""))[:64]
    values = {"agency_code": code, "email": str(form.get("email", ""))[:1100],
              "phone": str(form.get("phone", ""))[:300]}
    agency = session.exec(select(Agency).where(Agency.code == code)).first()
    if agency is None or not can_edit_agency_contact(actor, agency.id):
        return _coordinator_page(request, session, actor, errors={"agency_code": "Vui lòng chọn cơ quan."},
                                 values=values, status_code=422)
    try:
        with unit_of_work(session):
            contacts.set_agency_contact(session=session, actor=actor, agency=agency, email=values["email"],
                                        phone=values["phone"])
    except Invalid as exc:
        return _coordinator_page(request, session, actor, errors=exc.errors, values=values, status_code=422)
    request.session["flash"] = f"Đã lưu hộp thư chung của {agency.name}."
    return RedirectResponse("/coordinator/contacts", status_code=303)
