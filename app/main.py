"""create_app(): middleware, routers, error handlers. Web and API are thin doors over the services."""

import base64
import hashlib
import logging
import re
from contextlib import asynccontextmanager
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import text
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api import challenges as api_challenges
from app.api import open311, public, submissions, v1, webhooks
from app.api.auth import RateLimitHeadersMiddleware
from app.api.openapi import install_openapi
from app.api.problems import ApiProblem, http_status_detail, problem, validation_errors
from app.attachments.scheduled import sweep_upload_temp
from app.attachments.service import DOCX, XLSX, return_image_memory_to_the_system
from app.bodylimit import BodySizeLimitMiddleware
from app.clientaddr import TrustedProxyMiddleware
from app.config import PROJECT_ROOT, get_settings
from app.db import get_session
from app.events.checkpoints import checkpoint_job
from app.headers import SecurityHeadersMiddleware, csp_with_script_hashes
from app.i18n import N_
from app.integrations.open311 import Open311Error
from app.integrations.scheduled import purge_expired
from app.notifications import digest, sms_intake, zalo_tokens
from app.notifications.worker import WorkerThread, register_job
from app.reports import snapshots as report_snapshots
from app.sla import service as sla_service
from app.sla.scheduled import close_unrated_answers, recompute_job
from app.sla.scheduled import sweep_job as sla_sweep_job
from app.submissions import form_tokens
from app.web import (
    admin,
    agency_admin,
    assessment,
    assistant,
    attachments,
    auth,
    challenges,
    citizen,
    contacts,
    lost_code,
    officer,
    rules,
    sms_gateway,
    workspace,
)
from app.web import public as public_web
from app.web import publication as publication_web
from app.web import reach as reach_web
from app.web import reports as reports_web
from app.web import sla as sla_web
from app.web.common import (
    FormExpired,
    LoginRequired,
    PageError,
    PasswordChangeRequired,
    TwoFactorEnrolmentRequired,
    is_htmx,
    render,
)
from app.web.static_files import FingerprintedStatic
from app.wiring import register_subscribers

log = logging.getLogger("pakn")

PAGE_TITLES = {
    404: (N_("Không tìm thấy trang"), N_("Địa chỉ này không có trên hệ thống.")),
    405: (N_("Thao tác không được hỗ trợ"), N_("Trang này không nhận thao tác vừa gửi.")),
    413: (N_("Dữ liệu gửi lên quá lớn"),
          N_("Tệp đính kèm hoặc nội dung gửi lên vượt giới hạn. Vui lòng bớt hoặc thu nhỏ tệp rồi gửi lại.")),
    422: (N_("Dữ liệu không hợp lệ"), N_("Vui lòng kiểm tra lại thông tin đã nhập.")),
    500: (N_("Lỗi hệ thống"),
          N_("Hệ thống gặp sự cố. Thông tin đã gửi trước đó không bị mất; vui lòng thử lại sau.")),
}


class SessionBySchemeMiddleware:
    """Signed session cookie, HttpOnly and SameSite=Lax; Secure whenever the request came over https."""

    def __init__(self, app: ASGIApp, secret_key: str, max_age: int, force_secure: bool):
        common = {"secret_key": secret_key, "session_cookie": "pakn_session", "max_age": max_age,
                  "same_site": "lax"}
        self.secure = SessionMiddleware(app, https_only=True, **common)
        self.plain = self.secure if force_secure else SessionMiddleware(app, https_only=False, **common)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self.secure if scope.get("scheme") in ("https", "wss") else self.plain
        await handler(scope, receive, send)


def _wants_problem(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path.startswith("/open311/") or path == "/healthz"


def _is_open311(request: Request) -> bool:
    return request.url.path.startswith(open311.PREFIX + "/") or request.url.path == open311.PREFIX


def _error_page(request: Request, status: int, title: str, detail: str, back_url: str | None = None):
    return render(request, "errors/error.html",
                  {"status": status, "title": title, "detail": detail, "back_url": back_url}, status_code=status)


def _routes(routes) -> list:
    flat = []
    for route in routes:
        inner = getattr(route, "original_router", None)  # an included router (FastAPI)
        flat.extend(_routes(inner.routes) if inner is not None else [route])
    return flat


def _allowed_methods(request: Request) -> str:
    """Every method some route of this path takes (Starlette names only the first matching route's)."""
    path = request.scope.get("path", "")
    methods: set[str] = set()
    for route in _routes(request.app.router.routes):
        regex, route_methods = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and route_methods and regex.match(path):
            methods |= set(route_methods)
    if "GET" in methods:
        methods.add("HEAD")
    return ", ".join(sorted(methods))


def digest_job(session: Session, now) -> None:
    """The daily digest on the province's working calendar (app/sla), which app.notifications may not import."""
    calendar = sla_service.working_calendar(session=session)
    digest.send_due(session, now, calendar.is_working_day)


def register_jobs() -> None:
    register_job("close_unrated_answers", close_unrated_answers, every_seconds=3600)
    register_job("sweep_upload_temp", sweep_upload_temp, every_seconds=3600)
    # Before the sweep: a pass moves the due dates a calendar change affects, then records crossings.
    register_job("sla_calendar_recompute", recompute_job, every_seconds=get_settings().sla_sweep_seconds)
    register_job("sla_sweep", sla_sweep_job, every_seconds=get_settings().sla_sweep_seconds)
    register_job("purge_api_records", purge_expired, every_seconds=3600)
    register_job("purge_form_tokens", form_tokens.purge, every_seconds=3600)
    register_job("purge_sms_drafts", sms_intake.purge_drafts, every_seconds=3600)
    register_job("zalo_token_refresh", zalo_tokens.refresh_job, every_seconds=300)
    register_job("notification_digest", digest_job, every_seconds=300)
    register_job("report_snapshots", report_snapshots.refresh, every_seconds=report_snapshots.REFRESH_SECONDS,
                 lease_seconds=900)
    if get_settings().audit_checkpoint_seconds > 0:
        register_job("audit_checkpoint", checkpoint_job, every_seconds=get_settings().audit_checkpoint_seconds)


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = get_settings()
    register_jobs()
    worker = None
    if settings.worker_in_app:
        worker = WorkerThread(settings.worker_poll_seconds)
        worker.start()
    yield
    if worker is not None:
        worker.stop()


def create_app() -> FastAPI:
    settings = get_settings()
    return_image_memory_to_the_system()
    register_subscribers()
    app = FastAPI(
        lifespan=lifespan,
        title="PAKN Điện Biên API",
        version="1.0",
        description="Phản ánh, kiến nghị, sáng kiến, giải pháp về KHCN, ĐMST và chuyển đổi số tỉnh Điện Biên.",
        docs_url=None,  # served below with Swagger UI from static/, not from a CDN
        redoc_url=None,
    )

    # Attachments go out as they are (PDF and DOCX/XLSX barely shrink; a Content-Length lets phones show progress).
    app.add_middleware(GZipMiddleware, minimum_size=800, exclude_content_types=(
        *DEFAULT_EXCLUDED_CONTENT_TYPES, "application/pdf", DOCX, XLSX))
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.effective_max_request_bytes)
    app.add_middleware(
        SessionBySchemeMiddleware,
        secret_key=settings.effective_secret_key(),
        max_age=settings.session_max_age_hours * 3600,
        force_secure=settings.force_secure_cookies,
    )
    app.add_middleware(SecurityHeadersMiddleware)
    # Outermost: every other layer sees the real client address and scheme (app/clientaddr.py).
    app.add_middleware(TrustedProxyMiddleware, trusted=settings.trusted_proxies)

    app.mount("/static", FingerprintedStatic(directory=str(PROJECT_ROOT / "static")), name="static")
    app.include_router(lost_code.router)  # before citizen: /track/quen-ma is not a tracking code
    app.include_router(citizen.router)
    app.include_router(publication_web.router)
    app.include_router(public_web.router)
    app.include_router(reports_web.router)
    app.include_router(assistant.router)
    app.include_router(reach_web.router)
    app.include_router(auth.router)
    app.include_router(workspace.router)
    app.include_router(officer.router)
    app.include_router(attachments.router)
    app.include_router(agency_admin.router)
    app.include_router(rules.router)
    app.include_router(admin.router)
    app.include_router(contacts.router)
    app.include_router(sms_gateway.router)
    app.include_router(sla_web.router)
    app.include_router(challenges.router)
    app.include_router(assessment.router)
    app.include_router(v1.router)
    app.include_router(api_challenges.router)
    app.include_router(public.router)
    app.include_router(submissions.router)
    app.include_router(webhooks.router)
    app.include_router(open311.router)
    install_openapi(app)

    @app.get("/docs", include_in_schema=False)
    def api_docs():
        page = get_swagger_ui_html(
            openapi_url=app.openapi_url, title="PAKN Điện Biên API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/vendor/swagger-ui/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from validator.swagger.io
        )
        # Swagger UI starts from one inline script: the page's CSP allows exactly that script, by its hash.
        inline = re.findall(rb"<script>(.*?)</script>", page.body, re.S)
        page.headers["Content-Security-Policy"] = csp_with_script_hashes(
            [base64.b64encode(hashlib.sha256(code).digest()).decode() for code in inline])
        return page

    @app.get("/healthz", tags=["operations"], summary="Trạng thái dịch vụ và cơ sở dữ liệu")
    def healthz(session: Session = Depends(get_session)):
        try:
            revision = session.exec(text("SELECT version_num FROM alembic_version")).scalar()
            backend = session.get_bind().dialect.name
        except Exception as exc:  # the database is down or not migrated: report, don't crash
            log.warning("health check failed: %s", exc)
            return JSONResponse({"status": "error", "database": {"state": "unavailable"}}, status_code=503)
        finally:
            session.rollback()
        return {"status": "ok", "database": {"state": "ok", "backend": backend, "revision": revision}}

    @app.exception_handler(ApiProblem)
    async def api_problem(request: Request, exc: ApiProblem):
        if _is_open311(request):
            status = 403 if exc.status == 401 else exc.status
            return open311.error_response(request.url.path, status, [exc.detail or exc.title or ""], exc.headers)
        return exc.response()

    @app.exception_handler(Open311Error)
    async def open311_error(request: Request, exc: Open311Error):
        return open311.error_response(request.url.path, exc.status, exc.descriptions, exc.headers)

    async def refill_citizen_form(request: Request, form, status: int):
        """The citizen form again, filled in and with the problem marked (app/web/citizen.refill_form)."""
        provider = request.app.dependency_overrides.get(get_session, get_session)

        def run():
            sessions = provider()
            session = next(sessions)
            try:
                return citizen.refill_form(request, session, form, status)
            finally:
                sessions.close()

        return await run_in_threadpool(run)

    def _is_citizen_form_post(request: Request) -> bool:
        return request.method == "POST" and request.url.path == "/"

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError):
        if isinstance(exc, FormExpired) and _is_citizen_form_post(request):
            return await refill_citizen_form(request, exc.form, exc.status_code)
        if _wants_problem(request):
            return problem(exc.status_code, exc.detail or exc.title)
        return _error_page(request, exc.status_code, exc.title, exc.detail, exc.back_url)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired):
        target = f"/login?next={exc.next_url}"
        if is_htmx(request):
            return JSONResponse({}, status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(citizen.NotYours)
    async def not_yours(request: Request, exc: citizen.NotYours):
        return RedirectResponse(f"/track?{urlencode({'code': exc.args[0]})}", status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def password_change_required(request: Request, exc: PasswordChangeRequired):
        return RedirectResponse("/account/password", status_code=303)

    @app.exception_handler(TwoFactorEnrolmentRequired)
    async def two_factor_required(request: Request, exc: TwoFactorEnrolmentRequired):
        return RedirectResponse("/account/2fa", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        # Raised by the framework itself (no route, wrong method, unreadable body): its English detail is
        # replaced by a Vietnamese one.
        # Its headers stay (a 405 says which methods the URL takes: Allow, from every route of that path).
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed_methods(request)}
        if _is_open311(request):
            return open311.error_response(request.url.path, exc.status_code, [http_status_detail(exc.status_code)],
                                          headers)
        if _wants_problem(request):
            return problem(exc.status_code, http_status_detail(exc.status_code),
                           type_="malformed-body" if exc.status_code == 400 else None, headers=headers)
        if exc.status_code == 413 and _is_citizen_form_post(request):
            return await refill_citizen_form(request, None, 413)  # refused from Content-Length, nothing was read
        title, detail = PAGE_TITLES.get(exc.status_code, (N_("Yêu cầu không hợp lệ"), ""))
        response = _error_page(request, exc.status_code, title, detail)
        response.headers.update(headers or {})
        return response

    @app.exception_handler(RecursionError)
    async def too_deep(request: Request, exc: RecursionError):
        # A JSON body nested thousands of levels deep exhausts the parser's recursion: bad input, not a crash.
        if _is_open311(request):
            return open311.error_response(request.url.path, 400, ["Dữ liệu lồng nhau quá sâu."])
        if _wants_problem(request):
            return problem(400, "Thân yêu cầu JSON lồng nhau quá sâu.", type_="malformed-body")
        return _error_page(request, 400, N_("Yêu cầu không hợp lệ"), N_("Dữ liệu gửi lên lồng nhau quá sâu."))

    @app.exception_handler(ClientDisconnect)
    async def client_gone(request: Request, exc: ClientDisconnect):
        # The client went away while its body was read (a phone lost signal): nothing to answer, nothing broke.
        log.info("client disconnected during %s %s", request.method, request.url.path)
        return Response(status_code=400)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = validation_errors(exc.errors())
        if _is_open311(request):
            return open311.error_response(request.url.path, 400, [f"{k}: {v}" for k, v in errors.items()])
        if _wants_problem(request):
            return problem(422, "Dữ liệu gửi lên không hợp lệ.", errors=errors)
        return _error_page(request, 422, *PAGE_TITLES[422])

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _is_open311(request):
            return open311.error_response(request.url.path, 500, ["Lỗi hệ thống, vui lòng thử lại sau."])
        if _wants_problem(request):
            return problem(500, "Hệ thống gặp sự cố, vui lòng thử lại sau.")
        return _error_page(request, 500, *PAGE_TITLES[500])

    return app
