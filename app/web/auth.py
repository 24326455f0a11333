"""Login, logout and the password change forced at first login."""

import time

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.accounts import service as accounts_service
from app.accounts import twofactor
from app.accounts.models import Account, Role
from app.clientaddr import client_address
from app.db import get_session, unit_of_work
from app.web.common import LoginRequired, optional_account, render, require_csrf

router = APIRouter(dependencies=[Depends(require_csrf)])
PENDING_SECONDS = 300  # between the right password and the second factor


def home_for(account: Account) -> str:
    if account.role == Role.COMMUNE_ASSISTANT:
        return "/assistant"
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
    ip = client_address(request)
    try:
        account = accounts_service.authenticate(session=session, username=username, password=password, ip=ip)
    except accounts_service.LoginThrottled as exc:
        return render(request, "auth/login.html", {"values": values, "error": str(exc)}, status_code=429)
    if account is not None and twofactor.enabled(account):
        # The password was right; the session starts only after the second factor (/login/2fa).
        session.rollback()
        request.session["pending_2fa"] = {"account_id": account.id, "at": int(time.time()), "next": next}
        return RedirectResponse("/login/2fa", status_code=303)
    with unit_of_work(session):
        token = accounts_service.record_login(session=session, username=username, ip=ip, account=account)
    if account is None:
        return render(request, "auth/login.html", {"values": values, "error": accounts_service.BAD_CREDENTIALS},
                      status_code=401)
    return _signed_in(request, account, token, next)


def _signed_in(request: Request, account: Account, token: str, next_url: str):
    old_csrf = request.session.get("csrf")
    request.session.clear()  # a new login gets a fresh session: no fixation
    request.session["csrf"] = old_csrf
    request.session["auth"] = token
    if account.must_change_password:
        return RedirectResponse("/account/password", status_code=303)
    if twofactor.must_enrol(account):
        return RedirectResponse("/account/2fa", status_code=303)
    return RedirectResponse(_safe_next(next_url) or home_for(account), status_code=303)


def _pending(request: Request, session: Session) -> Account | None:
    pending = request.session.get("pending_2fa")
    if not isinstance(pending, dict) or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop("pending_2fa", None)
        return None
    account = session.get(Account, pending.get("account_id"))
    return account if account is not None and account.is_active and twofactor.enabled(account) else None


@router.get("/login/2fa")
def second_factor_form(request: Request, session: Session = Depends(get_session)):
    if _pending(request, session) is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "auth/second_factor.html", {"error": None})


@router.post("/login/2fa")
def second_factor(request: Request, code: str = Form("", max_length=64), session: Session = Depends(get_session)):
    account = _pending(request, session)
    if account is None:
        return render(request, "auth/login.html", {"values": {}, "error": "Phiên đăng nhập đã hết hạn (quá 5 phút). "
                      "Vui lòng nhập lại tên đăng nhập và mật khẩu."}, status_code=401)
    ip = client_address(request)
    try:
        with unit_of_work(session):
            twofactor.check_second_factor(session, account, code)
            token = accounts_service.record_login(session=session, username=account.username, ip=ip,
                                                  account=account)
    except twofactor.SecondFactorError as exc:
        with unit_of_work(session):  # the failure is counted although the answer is an error
            twofactor.count_failure(session, account)
        return render(request, "auth/second_factor.html", {"error": str(exc)}, status_code=401)
    next_url = request.session["pending_2fa"].get("next", "")
    return _signed_in(request, account, token, next_url)


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

    def refused(message: str, status_code: int = 422):
        return render(request, "auth/password.html", {"account": account, "error": message, "done": False},
                      status_code=status_code)

    if (message := accounts_service.current_password_refusal(session=session, account=account)) is not None:
        return refused(message, 429)
    words = accounts_service.guessable_words(session=session, account=account)
    try:
        password_hash = accounts_service.new_password_hash(account=account, current=current, new=new,
                                                           confirm=confirm, user_inputs=words)
        with unit_of_work(session):
            accounts_service.change_password(session=session, account=account,
                                             password_hash=password_hash, keep_token=request.session.get("auth"))
    except accounts_service.WrongCurrentPassword as exc:
        with unit_of_work(session):
            accounts_service.record_wrong_current_password(session=session, account=account)
        return refused(str(exc))
    except accounts_service.AuthError as exc:
        return refused(str(exc))
    if twofactor.must_enrol(account):
        return RedirectResponse("/account/2fa", status_code=303)
    return RedirectResponse(home_for(account), status_code=303)


@router.get("/account/2fa")
def two_factor_page(request: Request, account: Account | None = Depends(optional_account)):
    account = _account_or_login(request, account)
    if account.must_change_password:
        return RedirectResponse("/account/password", status_code=303)
    return _two_factor_page(request, account)


def _two_factor_page(request: Request, account: Account, *, error: str | None = None,
                     codes: list[str] | None = None, status_code: int = 200):
    context = {"account": account, "error": error, "codes": codes, "enabled": twofactor.enabled(account),
               "required": twofactor.required_for(account)}
    if not twofactor.enabled(account):
        secret = request.session.get("totp_pending") or twofactor.new_secret()
        request.session["totp_pending"] = secret  # kept until the person proves their app has it
        context |= {"secret": twofactor.grouped(secret), "uri": twofactor.provisioning_uri(secret, account)}
    return render(request, "auth/two_factor.html", context, status_code=status_code)


@router.post("/account/2fa/enable")
def two_factor_enable(request: Request, code: str = Form("", max_length=64),
                      account: Account | None = Depends(optional_account), session: Session = Depends(get_session)):
    account = _account_or_login(request, account)
    secret = request.session.get("totp_pending")
    if twofactor.enabled(account) or not secret:
        return RedirectResponse("/account/2fa", status_code=303)
    codes, refused = _with_code(request, session, account, lambda: twofactor.enable(session, account, secret, code))
    if refused is not None:
        return refused
    request.session.pop("totp_pending", None)
    return _two_factor_page(request, account, codes=codes)


def _with_code(request: Request, session: Session, account: Account, action, *, code: str | None = None):
    """Runs `action()` in one unit of work, after checking `code` (the current TOTP or a recovery code) when given;
    a wrong code is counted in a unit of its own and the 2FA page comes back with the message: (result, None) or
    (None, that page)."""
    try:
        with unit_of_work(session):
            if code is not None:
                twofactor.check_second_factor(session, account, code)
            return action(), None
    except twofactor.SecondFactorError as exc:
        with unit_of_work(session):
            twofactor.count_failure(session, account)
        return None, _two_factor_page(request, account, error=str(exc), status_code=422)


@router.post("/account/2fa/recovery-codes")
def two_factor_new_codes(request: Request, code: str = Form("", max_length=64),
                         account: Account | None = Depends(optional_account),
                         session: Session = Depends(get_session)):
    account = _account_or_login(request, account)
    if not twofactor.enabled(account):
        return RedirectResponse("/account/2fa", status_code=303)
    codes, refused = _with_code(request, session, account,
                                lambda: twofactor.issue_recovery_codes(session, account), code=code)
    return refused or _two_factor_page(request, account, codes=codes)


@router.post("/account/2fa/disable")
def two_factor_disable(request: Request, code: str = Form("", max_length=64),
                       account: Account | None = Depends(optional_account), session: Session = Depends(get_session)):
    account = _account_or_login(request, account)
    if not twofactor.enabled(account):
        return RedirectResponse("/account/2fa", status_code=303)
    if twofactor.required_for(account):
        return _two_factor_page(request, account, status_code=422,
                                error="Vai trò của bạn bắt buộc dùng xác thực hai bước; không thể tắt.")
    _done, refused = _with_code(request, session, account, lambda: twofactor.disable(session, account), code=code)
    return refused or RedirectResponse("/account/2fa", status_code=303)
