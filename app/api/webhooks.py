"""/api/v1/webhooks: subscriptions, their deliveries (with every attempt), ping and redelivery."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlmodel import Session

from app.accounts.models import ApiClient, ApiScope
from app.api.auth import require_scope
from app.api.errors import domain_errors, validation_problem
from app.api.inputs import reject_unknown_query, text_errors
from app.api.problems import ApiProblem, problem_responses
from app.api.submissions import IdempotencyKey, respond
from app.db import get_session, unit_of_work
from app.integrations import service, webhooks
from app.integrations.schemas import DeliveryOut, DeliveryPage, WebhookCreated, WebhookIn, WebhookOut

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], dependencies=[Depends(reject_unknown_query)])

Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
Client = Annotated[ApiClient, Depends(require_scope(ApiScope.WEBHOOKS))]
DB = Annotated[Session, Depends(get_session)]


def _subscription(session: Session, client: ApiClient, subscription_id: int):
    sub = webhooks.get_subscription(session=session, client=client, subscription_id=subscription_id)
    if sub is None:
        raise ApiProblem(404, "Không có đăng ký webhook này.")
    return sub


def _delivery(session: Session, sub, delivery_id: int):
    delivery = webhooks.get_delivery(session=session, subscription=sub, delivery_id=delivery_id)
    if delivery is None:
        raise ApiProblem(404, "Không có lần gửi này.")
    return delivery


@router.post("", status_code=201, response_model=WebhookCreated, summary="Đăng ký nhận webhook",
             description="Trả về `secret` một lần duy nhất; dùng nó để kiểm tra chữ ký X-PAKN-Signature.",
             responses=problem_responses(401, 403, 409, 422, 429))
def create(body: WebhookIn, client: Client, session: DB, idempotency_key: IdempotencyKey = None):
    if errors := text_errors({"url": body.url, **{f"events.{i}": e for i, e in enumerate(body.events)}}):
        raise validation_problem(errors)
    with domain_errors():
        outcome = webhooks.create_for_client(session=session, client=client, url=body.url, events=body.events,
                                             idempotency_key=idempotency_key)
    return respond(outcome)


@router.get("", response_model=list[WebhookOut], summary="Các đăng ký webhook của ứng dụng",
            responses=problem_responses(401, 403, 429))
def list_all(client: Client, session: DB):
    return [webhooks.subscription_out(s) for s in webhooks.list_subscriptions(session=session, client=client)]


@router.get("/{subscription_id}", response_model=WebhookOut, summary="Một đăng ký webhook",
            responses=problem_responses(401, 403, 404, 422, 429))
def read(subscription_id: Id, client: Client, session: DB):
    return webhooks.subscription_out(_subscription(session, client, subscription_id))


@router.delete("/{subscription_id}", status_code=204, summary="Tắt đăng ký webhook (các lần gửi chờ sẽ dừng)",
               responses=problem_responses(401, 403, 404, 422, 429))
def disable(subscription_id: Id, client: Client, session: DB):
    with unit_of_work(session):
        webhooks.disable_subscription(session=session, subscription=_subscription(session, client, subscription_id))
    return Response(status_code=204)


@router.post("/{subscription_id}/ping", status_code=202, response_model=DeliveryOut,
             summary="Gửi thử một sự kiện ping", responses=problem_responses(401, 403, 404, 409, 422, 429))
def ping(subscription_id: Id, client: Client, session: DB, idempotency_key: IdempotencyKey = None):
    sub = _subscription(session, client, subscription_id)
    if not sub.active:
        raise ApiProblem(409, "Đăng ký webhook đã bị tắt.")
    with domain_errors():
        outcome = webhooks.ping_for_client(session=session, client=client, subscription=sub,
                                           idempotency_key=idempotency_key)
    return respond(outcome)


@router.get("/{subscription_id}/deliveries", response_model=DeliveryPage,
            summary="Nhật ký gửi: trạng thái, mã HTTP, thời gian phản hồi từng lần thử (mới nhất trước)",
            responses=problem_responses(401, 403, 404, 422, 429))
def deliveries(
    subscription_id: Id, client: Client, session: DB,
    cursor: Annotated[str | None, Query(max_length=13, pattern=service.CURSOR_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
):
    sub = _subscription(session, client, subscription_id)
    with domain_errors():
        before = service.decode_cursor(cursor) if cursor else None
    rows = webhooks.list_deliveries(session=session, subscription=sub, before_id=before, limit=limit + 1)
    next_cursor = service.encode_cursor(rows[limit - 1].delivery.id) if len(rows) > limit else None
    return DeliveryPage(items=[webhooks.delivery_out(v) for v in rows[:limit]], next_cursor=next_cursor)


@router.get("/{subscription_id}/deliveries/{delivery_id}", response_model=DeliveryOut, summary="Một lần gửi",
            responses=problem_responses(401, 403, 404, 422, 429))
def delivery(subscription_id: Id, delivery_id: Id, client: Client, session: DB):
    sub = _subscription(session, client, subscription_id)
    return webhooks.delivery_out(webhooks.delivery_view(session, _delivery(session, sub, delivery_id)))


@router.post("/{subscription_id}/deliveries/{delivery_id}/redeliver", status_code=202, response_model=DeliveryOut,
             summary="Gửi lại một sự kiện (cùng id và nội dung, chữ ký mới)",
             responses=problem_responses(401, 403, 404, 409, 422, 429))
def redeliver(subscription_id: Id, delivery_id: Id, client: Client, session: DB,
              idempotency_key: IdempotencyKey = None):
    sub = _subscription(session, client, subscription_id)
    if not sub.active:
        raise ApiProblem(409, "Đăng ký webhook đã bị tắt.")
    original = _delivery(session, sub, delivery_id)
    with domain_errors():
        outcome = webhooks.redeliver_for_client(session=session, client=client, subscription=sub,
                                                delivery=original, idempotency_key=idempotency_key)
    return respond(outcome)
