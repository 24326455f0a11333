"""The agency admin's pages: officer accounts of their own agency (add, lock/unlock, reset the password)."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.accounts import service as accounts_service
from app.accounts.models import Account
from app.accounts.permissions import can_manage_accounts
from app.agencies.models import Agency
from app.db import get_session, unit_of_work
from app.web.common import PageError, current_account, render, require_csrf

router = APIRouter(prefix="/agency", dependencies=[Depends(require_csrf)])


def agency_admin(actor: Account = Depends(current_account)) -> Account:
    if not can_manage_accounts(actor):
        raise PageError(403, "Không có quyền truy cập", "Chỉ quản trị đơn vị được quản lý tài khoản cán bộ.",
                        back_url="/officer/inbox")
    return actor


def managed_officer(
    account_id: int, actor: Account = Depends(agency_admin), session: Session = Depends(get_session)
) -> Account:
    """404, not 403, for an account outside the admin's agency: it does not exist as far as they can tell."""
    try:
        return accounts_service.managed_officer(session=session, actor=actor, account_id=account_id)
    except accounts_service.AccountNotManageable:
        raise PageError(404, "Không tìm thấy tài khoản", "Tài khoản không tồn tại hoặc không thuộc đơn vị của bạn.",
                        back_url="/agency/accounts") from None


def _list_page(request: Request, session: Session, actor: Account, *, errors: dict | None = None,
               values: dict | None = None, status_code: int = 200):
    context = {
        "account": actor,
        "agency": session.get(Agency, actor.agency_id),
        "accounts": accounts_service.agency_accounts(session=session, agency_id=actor.agency_id),
        "errors": errors or {},
        "values": values or {},
        "message": request.session.pop("flash", None),
    }
    return render(request, "agency/accounts.html", context, status_code=status_code)


def _password_page(request: Request, actor: Account, issued: accounts_service.OneTimePassword, *, new: bool):
    return render(request, "agency/password.html", {"account": actor, "officer": issued.account,
                                                    "password": issued.password, "new": new})


@router.get("", dependencies=[Depends(agency_admin)])
def agency_home():
    return RedirectResponse("/agency/accounts", status_code=303)


@router.get("/accounts")
def accounts(request: Request, actor: Account = Depends(agency_admin), session: Session = Depends(get_session)):
    return _list_page(request, session, actor)


@router.post("/accounts")
def add_officer(
    request: Request,
    username: str = Form("", max_length=200),
    display_name: str = Form("", max_length=500),
    email: str = Form("", max_length=500),
    actor: Account = Depends(agency_admin),
    session: Session = Depends(get_session),
):
    values = {"username": username, "display_name": display_name, "email": email}
    one_time_password = accounts_service.new_one_time_password()  # hashing is slow: before the unit of work
    try:
        with unit_of_work(session):
            issued = accounts_service.add_officer(session=session, actor=actor, one_time_password=one_time_password,
                                                  **values)
    except accounts_service.AccountInvalid as exc:
        return _list_page(request, session, actor, errors=exc.errors, values=values, status_code=422)
    return _password_page(request, actor, issued, new=True)


@router.post("/accounts/{account_id}/disable")
def disable(request: Request, officer: Account = Depends(managed_officer), actor: Account = Depends(agency_admin),
            session: Session = Depends(get_session)):
    return _change(request, session, lambda: accounts_service.disable_officer(
        session=session, actor=actor, account=officer), f"Đã khóa tài khoản {officer.username}; "
        "mọi phiên đăng nhập của tài khoản này đã kết thúc.")


@router.post("/accounts/{account_id}/enable")
def enable(request: Request, officer: Account = Depends(managed_officer), actor: Account = Depends(agency_admin),
           session: Session = Depends(get_session)):
    return _change(request, session, lambda: accounts_service.enable_officer(
        session=session, actor=actor, account=officer), f"Đã mở khóa tài khoản {officer.username}.")


def _change(request: Request, session: Session, run, done: str):
    try:
        with unit_of_work(session):
            run()
    except accounts_service.AuthError as exc:
        request.session["flash"] = str(exc)
    else:
        request.session["flash"] = done
    return RedirectResponse("/agency/accounts", status_code=303)


@router.post("/accounts/{account_id}/reset-password")
def reset_password(request: Request, officer: Account = Depends(managed_officer),
                   actor: Account = Depends(agency_admin), session: Session = Depends(get_session)):
    one_time_password = accounts_service.new_one_time_password()
    with unit_of_work(session):
        issued = accounts_service.reset_officer_password(session=session, actor=actor, account=officer,
                                                         one_time_password=one_time_password)
    return _password_page(request, actor, issued, new=False)
