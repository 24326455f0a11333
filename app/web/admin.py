"""System admin's pages: accounts, API clients and undeliverable messages, never item contents."""

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, func, select
from starlette.datastructures import FormData

from app.accounts import service as accounts_service
from app.accounts.models import API_SCOPE_LABELS, ROLE_LABELS, Account, ApiClient
from app.accounts.permissions import can_reset_password_of
from app.config import get_settings
from app.db import get_session, unit_of_work
from app.integrations import service as integrations_service
from app.integrations import webhooks as webhooks_service
from app.integrations.models import WebhookSubscription
from app.notifications import service as notifications_service
from app.notifications.models import OutboxMessage, OutboxStatus
from app.web.common import PageError, form_data, render, require_csrf, system_admin_only

router = APIRouter(prefix="/admin", dependencies=[Depends(require_csrf)])




ACCOUNTS_PAGE_SIZE = 50


@router.get("")
def admin_home(request: Request, actor: Account = Depends(system_admin_only), session: Session = Depends(get_session)):
    counts = dict(session.exec(select(Account.role, func.count()).group_by(Account.role)).all())
    q = str(request.query_params.get("q", ""))[:100]
    role = str(request.query_params.get("role", ""))[:32]
    try:
        page = max(1, min(int(request.query_params.get("page", 1)), 1000))
    except ValueError:
        page = 1
    accounts, matching = accounts_service.accounts_overview(session=session, q=q, role=role, page=page,
                                                            page_size=ACCOUNTS_PAGE_SIZE)
    clients = integrations_service.client_overviews(session=session)
    outbox = dict(session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    context = {"account": actor, "counts": counts, "clients": clients, "outbox": outbox,
               "scopes": API_SCOPE_LABELS, "default_limit": get_settings().api_rate_limit_per_minute,
               "dead": notifications_service.failed_messages(session=session),
               "message": request.session.pop("flash", None),
               "accounts": accounts, "matching": matching, "q": q, "role": role, "page": page,
               "pages": max(1, -(-matching // ACCOUNTS_PAGE_SIZE)), "roles": ROLE_LABELS,
               "can_reset": lambda target: can_reset_password_of(actor, target)}
    return render(request, "admin/home.html", context)


@router.post("/accounts/{account_id:int}/reset-password")
def reset_admin_password(request: Request, account_id: int, actor: Account = Depends(system_admin_only),
                         session: Session = Depends(get_session)):
    """A one-time password for an agency admin (or the coordinator), shown once on this page; their sessions end."""
    target = session.get(Account, account_id)
    if target is None or not can_reset_password_of(actor, target):
        raise PageError(404, "Không tìm thấy tài khoản",
                        "Tài khoản không tồn tại hoặc không phải quản trị đơn vị.", back_url="/admin#accounts")
    one_time = accounts_service.new_one_time_password()  # hashing is slow: before the unit of work
    with unit_of_work(session):
        issued = accounts_service.reset_admin_password(session=session, actor=actor, account=target,
                                                       one_time_password=one_time)
    return render(request, "agency/password.html", {"account": actor, "officer": issued.account,
                                                    "password": issued.password, "new": False,
                                                    "back_url": "/admin#accounts"})


@router.post("/outbox/{message_id}/retry")
def retry(request: Request, message_id: int, actor: Account = Depends(system_admin_only),
          session: Session = Depends(get_session)):
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status != OutboxStatus.DEAD:
        raise PageError(404, "Không tìm thấy thư", "Thư không tồn tại hoặc không ở trạng thái gửi lỗi.",
                        back_url="/admin")
    with unit_of_work(session):
        notifications_service.retry_message(session=session, message=message)
    request.session["flash"] = f"Đã đưa thư #{message_id} vào hàng đợi gửi lại."
    return RedirectResponse("/admin", status_code=303)


# --- API clients and their webhooks ------------------------------------------------------------------------

def _client(session: Session, client_id: int) -> ApiClient:
    client = session.get(ApiClient, client_id)
    if client is None:
        raise PageError(404, "Không tìm thấy ứng dụng", "Ứng dụng không tồn tại.", back_url="/admin")
    return client


def _scopes_from(form) -> list[str]:
    return [s for s in form.getlist("scopes") if isinstance(s, str)]


def _client_page(request: Request, session: Session, actor: Account, client: ApiClient, *,
                 new_key: str | None = None, errors: dict | None = None, status_code: int = 200):
    overview = next(o for o in integrations_service.client_overviews(session=session) if o.client.id == client.id)
    subscriptions = webhooks_service.list_subscriptions(session=session, client=client)
    recent = {s.id: [webhooks_service.delivery_out(v) for v in
                     webhooks_service.list_deliveries(session=session, subscription=s, limit=10)]
              for s in subscriptions}
    context = {"account": actor, "client": client, "overview": overview, "subscriptions": subscriptions,
               "recent": recent, "scopes": API_SCOPE_LABELS, "new_key": new_key, "errors": errors or {},
               "default_limit": get_settings().api_rate_limit_per_minute,
               "message": request.session.pop("flash", None)}
    response = render(request, "admin/api_client.html", context, status_code=status_code)
    return response


@router.post("/api-clients")
def create_client(request: Request, actor: Account = Depends(system_admin_only), form: FormData = Depends(form_data),
                  session: Session = Depends(get_session)):
    name = str(form.get("name", ""))[:300]
    limit_raw = str(form.get("rate_limit", "")).strip()
    try:
        limit = int(limit_raw) if limit_raw else None
        with unit_of_work(session):
            new = accounts_service.create_api_client(session=session, name=name, scopes=_scopes_from(form),
                                                     rate_limit_per_minute=limit)
    except (ValueError, accounts_service.AuthError) as exc:
        message = str(exc) if isinstance(exc, accounts_service.AuthError) else "Giới hạn phải là một số nguyên."
        request.session["flash"] = message
        return RedirectResponse("/admin#api", status_code=303)
    # The key is shown in this response only (never stored in the cookie or the database).
    return _client_page(request, session, actor, new.client, new_key=new.key, status_code=201)


@router.get("/api-clients/{client_id}")
def client_detail(request: Request, client_id: int, actor: Account = Depends(system_admin_only),
                  session: Session = Depends(get_session)):
    return _client_page(request, session, actor, _client(session, client_id))


@router.post("/api-clients/{client_id}/settings")
def client_settings(request: Request, client_id: int, actor: Account = Depends(system_admin_only),
                    form: FormData = Depends(form_data), session: Session = Depends(get_session)):
    client = _client(session, client_id)
    limit_raw = str(form.get("rate_limit", "")).strip()
    try:
        limit = int(limit_raw) if limit_raw else None
        with unit_of_work(session):
            accounts_service.update_api_client(session=session, client=client, scopes=_scopes_from(form),
                                               rate_limit_per_minute=limit, clear_rate_limit=limit is None)
    except (ValueError, accounts_service.AuthError) as exc:
        message = str(exc) if isinstance(exc, accounts_service.AuthError) else "Giới hạn phải là một số nguyên."
        return _client_page(request, session, actor, client, errors={"settings": message}, status_code=422)
    request.session["flash"] = f"Đã lưu quyền và giới hạn của “{client.name}”."
    return RedirectResponse(f"/admin/api-clients/{client.id}", status_code=303)


@router.post("/api-clients/{client_id}/rotate")
def client_rotate(request: Request, client_id: int, actor: Account = Depends(system_admin_only),
                  form: FormData = Depends(form_data), session: Session = Depends(get_session)):
    client = _client(session, client_id)
    try:
        hours = float(str(form.get("grace_hours", "0")) or 0)
        with unit_of_work(session):
            new = accounts_service.rotate_api_key(session=session, client=client, grace=timedelta(hours=hours))
    except (ValueError, OverflowError, accounts_service.AuthError) as exc:
        message = str(exc) if isinstance(exc, accounts_service.AuthError) else "Thời gian chuyển tiếp không hợp lệ."
        return _client_page(request, session, actor, client, errors={"rotate": message}, status_code=422)
    return _client_page(request, session, actor, client, new_key=new.key)


@router.post("/api-clients/{client_id}/revoke")
def client_revoke(request: Request, client_id: int, actor: Account = Depends(system_admin_only),
                  session: Session = Depends(get_session)):
    with unit_of_work(session):
        client = accounts_service.revoke_api_client(session=session, client=_client(session, client_id))
    request.session["flash"] = f"Đã thu hồi mọi khóa của “{client.name}”."
    return RedirectResponse(f"/admin/api-clients/{client.id}", status_code=303)


@router.post("/webhooks/{subscription_id}/disable")
def webhook_disable(request: Request, subscription_id: int, actor: Account = Depends(system_admin_only),
                    session: Session = Depends(get_session)):
    subscription = session.get(WebhookSubscription, subscription_id)
    if subscription is None:
        raise PageError(404, "Không tìm thấy webhook", "Đăng ký webhook không tồn tại.", back_url="/admin")
    with unit_of_work(session):
        webhooks_service.disable_subscription(session=session, subscription=subscription)
    request.session["flash"] = f"Đã tắt webhook #{subscription.id}."
    return RedirectResponse(f"/admin/api-clients/{subscription.api_client_id}", status_code=303)
