"""Login, logout and the password change forced at first login."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.accounts import service as accounts_service
from app.accounts.models import Account, Role
from app.db import get_session, unit_of_work
from app.web.common import LoginRequired, optional_account, render, require_csrf

router = APIRouter(dependencies=[Depends(require_csrf)])


def home_for(account: Account) -> str:
    return "/officer/inbox" if account.role != Role.SYSTEM_ADMIN else "/admin"


def _safe_next(next_url: str) -> str | None:
    # Only local paths: an open redirect after login is a phishing tool.
    if next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url:
        return next_url
    return None


@router.get("/login")
def login_form(request: Request, next: str = "", account: Account | None = Depends(optional_account)):
    if account is not None and not account.must_change_password:
        return RedirectResponse(home_for(account), status_code=303)
    return render(request, "auth/login.html", {"values": {"next": next}, "error": None})


@router.post("/login")
def login(
    request: Request,
    username: str = Form("", max_length=200),
    password: str = Form("", max_length=1000),
    next: str = Form("", max_length=2000),
    session: Session = Depends(get_session),
):
    values = {"username": username, "next": next}
    if not username.strip() or not password:
        return render(request, "auth/login.html",
                      {"values": values, "error": "Vui lòng nhập tên đăng nhập và mật khẩu."}, status_code=422)
    ip = request.client.host if request.client else "unknown"
    try:
        account = accounts_service.authenticate(session=session, username=username, password=password, ip=ip)
    except accounts_service.LoginThrottled as exc:
        return render(request, "auth/login.html", {"values": values, "error": str(exc)}, status_code=429)
    with unit_of_work(session):
        token = accounts_service.record_login(session=session, username=username, ip=ip, account=account)
    if account is None:
        return render(request, "auth/login.html", {"values": values, "error": accounts_service.BAD_CREDENTIALS},
                      status_code=401)
    old_csrf = request.session.get("csrf")
    request.session.clear()  # a new login gets a fresh session: no fixation
    request.session["csrf"] = old_csrf
    request.session["auth"] = token
    if account.must_change_password:
        return RedirectResponse("/account/password", status_code=303)
    return RedirectResponse(_safe_next(next) or home_for(account), status_code=303)


@router.post("/logout")
def logout(request: Request, session: Session = Depends(get_session)):
    token = request.session.get("auth")
    if token:
        with unit_of_work(session):
            accounts_service.end_session(session=session, token=token)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def _account_or_login(request: Request, account: Account | None) -> Account:
    if account is None:
        raise LoginRequired("/account/password")
    return account


@router.get("/account/password")
def password_form(request: Request, account: Account | None = Depends(optional_account)):
    account = _account_or_login(request, account)
    return render(request, "auth/password.html", {"account": account, "error": None, "done": False})


@router.post("/account/password")
def change_password(
    request: Request,
    current: str = Form("", max_length=1000),
    new: str = Form("", max_length=1000),
    confirm: str = Form("", max_length=1000),
    account: Account | None = Depends(optional_account),
    session: Session = Depends(get_session),
):
    account = _account_or_login(request, account)
    try:
        password_hash = accounts_service.new_password_hash(account=account, current=current, new=new,
                                                           confirm=confirm)
        with unit_of_work(session):
            accounts_service.change_password(session=session, account=account,
                                             password_hash=password_hash, keep_token=request.session.get("auth"))
    except accounts_service.AuthError as exc:
        return render(request, "auth/password.html", {"account": account, "error": str(exc), "done": False},
                      status_code=422)
    return RedirectResponse(home_for(account), status_code=303)
