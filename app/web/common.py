"""What every HTML route shares: templates, CSRF, the logged-in account, and page errors."""

import secrets
from collections.abc import Callable
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Depends, Request
from jinja2_fragments.fastapi import Jinja2Blocks
from sqlmodel import Session
from starlette.datastructures import FormData

from app.accounts import twofactor
from app.accounts.models import ROLE_LABELS, Account, Role
from app.accounts.permissions import is_coordinator, is_handler
from app.accounts.service import account_for_token
from app.config import PROJECT_ROOT
from app.db import get_session
from app.i18n import (
    LANGUAGE_NAMES,
    N_,
    gettext,
    locale_for,
    ngettext,
    remember_locale,
    reset_locale,
    translate,
    use_locale,
)
from app.kinds import (
    EVENT_PUBLIC_LABELS,
    KIND_LABELS,
    SENDER_TYPE_LABELS,
    STATE_LABELS,
    Kind,
    State,
)
from app.text import unstorable
from app.timefmt import format_date, format_datetime, format_number
from app.web.static_files import static_url_factory

templates = Jinja2Blocks(directory=str(PROJECT_ROOT / "templates"))
# Citizen pages speak the visitor's language (app/i18n.py); `_()` and `{% trans %}` take Vietnamese msgids.
templates.env.add_extension("jinja2.ext.i18n")
templates.env.policies["ext.i18n.trimmed"] = True
templates.env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
templates.env.globals["static"] = static_url_factory(PROJECT_ROOT / "static")
templates.env.filters.update(
    datetime=format_datetime,
    date=format_date,
    number=format_number,
    kind_label=lambda k: KIND_LABELS.get(Kind(k), k) if k in Kind._value2member_map_ else k,
    state_label=lambda s: STATE_LABELS.get(State(s), s) if s in State._value2member_map_ else s,
    role_label=lambda r: ROLE_LABELS.get(Role(r), r) if r in Role._value2member_map_ else r,
    sender_type_label=lambda t: SENDER_TYPE_LABELS.get(t, t),
    event_label=lambda t: EVENT_PUBLIC_LABELS.get(t, t),
    translate=translate,
)

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


class _LazyCsrf:
    """The page's CSRF token, made (and the session cookie with it) only if the page has a form that prints it: a
    page without one (the public lists and statistics) sets no cookie and may be kept by shared caches."""

    def __init__(self, request: Request):
        self._request = request

    def __str__(self) -> str:
        return csrf_token(self._request)

    __html__ = __str__


def is_htmx(request: Request) -> bool:
    """An htmx request that wants a fragment. htmx's history restore (back button after hx-push-url, with the
    history cache off) also sends HX-Request but needs the whole page."""
    return (request.headers.get("hx-request") == "true"
            and request.headers.get("hx-history-restore-request") != "true")


class PageError(Exception):
    """An error page in Vietnamese with a status code; never a stack trace."""

    def __init__(self, status_code: int, title: str, detail: str = "", back_url: str | None = None):
        super().__init__(title)
        self.status_code = status_code
        self.title = title
        self.detail = detail
        self.back_url = back_url


class FormExpired(PageError):
    """The CSRF check failed (session expired, or the form came from an older session). Carries the posted form,
    so a page that can show its form again filled in (the citizen form) does so instead of an error page."""

    def __init__(self, form: FormData | None, **kwargs):
        super().__init__(**kwargs)
        self.form = form


class LoginRequired(Exception):
    def __init__(self, next_url: str):
        super().__init__(next_url)
        self.next_url = next_url


class PasswordChangeRequired(Exception):
    pass


class TwoFactorEnrolmentRequired(Exception):
    """The account's role requires a second factor it has not set up yet: /account/2fa first."""


def unstorable_input() -> PageError:
    return PageError(400, N_("Dữ liệu không hợp lệ"), N_("Nội dung gửi lên có ký tự không hợp lệ "
                     "(ký tự NUL hoặc mã Unicode hỏng). Vui lòng gõ lại rồi gửi."))


async def require_csrf(request: Request) -> None:
    """On every request to the HTML routers: text the database could not store is refused with a clear page
    (PostgreSQL rejects NUL characters); on unsafe requests, the CSRF token from the hidden field (no-JS forms)
    or the htmx header must match the session's."""
    if any(unstorable(v) for v in request.query_params.values()):
        raise unstorable_input()
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    content_type = request.headers.get("content-type", "")
    form = None
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        if any(isinstance(v, str) and unstorable(v) for v in form.values()):
            raise unstorable_input()
    if not expected or not given or not secrets.compare_digest(expected, given):
        raise FormExpired(
            form,
            status_code=403,
            title=N_("Biểu mẫu đã hết hạn"),
            detail=
            N_("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ, nên thông tin chưa được lưu. "
               "Vui lòng quay lại, tải lại trang và gửi lại."),
            back_url=request.headers.get("referer") if _same_origin(request) else "/",
        )


TRACKED_LIMIT = 20


def remember_code(request: Request, code: str) -> None:
    """Whoever sent or proved the contact for a code may reopen it from this browser."""
    tracked = [c for c in request.session.get("tracked", []) if c != code]
    request.session["tracked"] = [code, *tracked][:TRACKED_LIMIT]


async def form_data(request: Request) -> FormData:
    """The posted form, read on the event loop, so that the route itself can be a plain `def` that runs its
    database work in the thread pool (a blocking call on the event loop would stall every other request)."""
    return await request.form()


def _same_origin(request: Request) -> bool:
    referer = request.headers.get("referer", "")
    return referer.startswith(str(request.base_url))


def optional_account(request: Request, session: Session = Depends(get_session)) -> Account | None:
    token = request.session.get("auth")
    if not token:
        return None
    account = account_for_token(session=session, token=token)
    if account is None:
        request.session.pop("auth", None)
    return account


def _login_required(request: Request) -> LoginRequired:
    return LoginRequired(quote(request.url.path + (f"?{request.url.query}" if request.url.query else "")))


def current_account(request: Request, account: Account | None = Depends(optional_account)) -> Account:
    """A logged-in account whose first-login password change is done."""
    if account is None:
        raise _login_required(request)
    if account.must_change_password:
        raise PasswordChangeRequired()
    if twofactor.must_enrol(account):
        raise TwoFactorEnrolmentRequired()
    return account


def current_handler(account: Account = Depends(current_account)) -> Account:
    if not is_handler(account):
        raise PageError(403, "Không có quyền truy cập", "Trang này dành cho cán bộ xử lý hồ sơ.")
    return account


def account_guard(allowed: Callable[[Account], bool], detail: str, back_url: str | None = "/officer/inbox"):
    """A dependency that lets through only logged-in accounts for which `allowed(account)` holds."""
    def guard(account: Account = Depends(current_account)) -> Account:
        if not allowed(account):
            raise PageError(403, "Không có quyền truy cập", detail, back_url=back_url)
        return account
    return guard


coordinator_only = account_guard(is_coordinator, "Trang này dành cho Cơ quan thường trực.")
system_admin_only = account_guard(lambda account: account.role == Role.SYSTEM_ADMIN,
                                  "Trang này dành cho quản trị hệ thống.", back_url=None)


# Pages a citizen sees, rendered in the visitor's language; staff pages stay Vietnamese.
TRANSLATED_TEMPLATES = ("citizen/", "errors/", "public/")


def _language_switch(request: Request, locale: str) -> dict:
    """The link to the other language: this page again (a form's POST answer links back to the form's page)."""
    other = "vi" if locale == "en" else "en"
    if request.method == "GET":
        path = request.url.path
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    else:
        referer = request.headers.get("referer", "")
        path = urlsplit(referer).path if _same_origin(request) and referer else "/"
        query = []
    return {"href": path + "?" + urlencode([*query, ("lang", other)]), "lang": other,
            "label": LANGUAGE_NAMES[other]}


def render(request: Request, name: str, context: dict, *, status_code: int = 200, block: str | None = None,
           headers: dict[str, str] | None = None):
    """Full page normally; only `block` for htmx requests. Vary tells caches the two differ.
    Citizen and error pages come out in the visitor's language (app/i18n.py), other pages in Vietnamese."""
    translated = name.startswith(TRANSLATED_TEMPLATES)
    locale = locale_for(request) if translated else "vi"
    context = {"request": request, "csrf_token": _LazyCsrf(request), "locale": locale,
               "language_switch": _language_switch(request, locale) if translated else None, **context}
    kwargs = {"block_name": block} if block and is_htmx(request) else {}
    token = use_locale(locale)
    try:
        response = templates.TemplateResponse(request, name, context, status_code=status_code, **kwargs)
    finally:
        reset_locale(token)
    if translated:
        remember_locale(request, response)
    response.headers.update(headers or {})
    response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
    response.headers.setdefault("Cache-Control", "no-store")
    return response
