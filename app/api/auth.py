"""API authentication: `Authorization: Bearer <key>`, scopes, and the per-client rate limit."""

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.accounts.models import ApiClient, ApiScope
from app.accounts.service import client_for_key
from app.api.problems import ApiProblem
from app.config import get_settings
from app.db import get_session, unit_of_work
from app.integrations import ratelimit

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="Khóa API do quản trị hệ thống cấp: `Authorization: Bearer pakn_…`",
)

SCOPE_NAMES = {
    ApiScope.SUBMIT: "gửi hồ sơ (submit)",
    ApiScope.READ_OWN: "xem hồ sơ (read-own)",
    ApiScope.WEBHOOKS: "quản lý webhook (webhooks)",
}


def check_key(*, request: Request, session: Session, key: str) -> ApiClient:
    """The client owning `key`, counted against its rate limit; ApiProblem 401/429 otherwise."""
    client = client_for_key(session=session, key=key)
    if client is None:
        raise ApiProblem(401, "Khóa API không đúng, đã hết hạn hoặc đã bị thu hồi.", type_="unauthorized",
                         headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    limit = client.rate_limit_per_minute or get_settings().api_rate_limit_per_minute
    with unit_of_work(session):
        decision = ratelimit.hit(session=session, client_id=client.id, limit=limit)
    request.state.rate_limit = decision
    if not decision.allowed:
        raise ApiProblem(
            429,
            f"Ứng dụng đã dùng hết {limit} yêu cầu mỗi phút. Vui lòng thử lại sau {decision.reset_seconds} giây.",
            type_="rate-limited",
            headers=decision.headers(),
        )
    return client


def api_client(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Security(bearer),
    session: Session = Depends(get_session),
) -> ApiClient:
    if credentials is None:
        raise ApiProblem(401, "Thiếu khóa API: gửi header Authorization: Bearer <khóa>.", type_="unauthorized",
                         headers={"WWW-Authenticate": 'Bearer realm="pakn"'})
    return check_key(request=request, session=session, key=credentials.credentials)


def require_scope(scope: ApiScope):
    def dependency(client: ApiClient = Depends(api_client)) -> ApiClient:
        if scope.value not in client.scope_set:
            raise ApiProblem(403, f"Khóa API này không có quyền {SCOPE_NAMES[scope]}.", type_="insufficient-scope")
        return client

    dependency.__name__ = f"require_{scope.name.lower()}"
    return dependency


class RateLimitHeadersMiddleware:
    """Adds RateLimit-* headers to every response of a request that was counted."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                decision = scope.get("state", {}).get("rate_limit")
                if decision is not None:
                    present = {name.lower() for name, _ in message.get("headers", [])}
                    extra = [(k.lower().encode(), v.encode()) for k, v in decision.headers().items()
                             if k.lower().encode() not in present]
                    message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)
