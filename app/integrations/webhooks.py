"""Webhooks: clients subscribe a URL to events of the items they sent; deliveries go through the outbox
(committed with the event), are signed with the subscription's secret, retried for more than a day, and
every attempt is logged.

Signature: X-PAKN-Signature: sha256=<hex HMAC-SHA256(secret, f"{X-PAKN-Timestamp}.{raw body}")>.
"""

import hashlib
import hmac
import ipaddress
import logging
import secrets
import socket
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx
from sqlmodel import Session, col, select

from app.accounts.models import ApiClient
from app.cache import Cached, bump
from app.config import get_settings
from app.db import get_engine, utcnow
from app.errors import Invalid
from app.events import chain
from app.events import service as events_service
from app.events.models import Event
from app.integrations import idempotency
from app.integrations.models import ApiSubmission, WebhookDelivery, WebhookEvent, WebhookSubscription
from app.integrations.schemas import AttemptOut, DeliveryOut, WebhookCreated, WebhookOut
from app.integrations.service import submission_view
from app.kinds import EVENT_PUBLIC_LABELS, EventType
from app.notifications import service as notifications_service
from app.notifications.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from app.notifications.worker import DeliveryResult
from app.submissions.models import Submission

log = logging.getLogger("pakn.webhooks")

CHANNEL = "webhook"
STATE_CHANGED = WebhookEvent.STATE_CHANGED
ANSWERED = WebhookEvent.ANSWERED
INFO_REQUESTED = WebhookEvent.INFO_REQUESTED
REJECTED = WebhookEvent.REJECTED
PING = WebhookEvent.PING
EVENT_TYPES = (STATE_CHANGED, ANSWERED, INFO_REQUESTED, REJECTED)
EVENT_TYPE_LABELS = {
    STATE_CHANGED: "Hồ sơ đổi trạng thái",
    ANSWERED: "Hồ sơ đã có trả lời",
    INFO_REQUESTED: "Cơ quan đề nghị bổ sung thông tin",
    REJECTED: "Hồ sơ bị từ chối tiếp nhận",
}
# When an event matches several types a subscription wants, it is delivered once, as the most specific one.
_SPECIFIC_FIRST = (ANSWERED, INFO_REQUESTED, REJECTED, STATE_CHANGED)
_EVENT_TO_TYPE = {
    EventType.ANSWERED: ANSWERED, EventType.DECIDED: ANSWERED, EventType.INFO_REQUESTED: INFO_REQUESTED,
    EventType.REJECTED: REJECTED,
}
MAX_SUBSCRIPTIONS = 10
USER_AGENT = "PAKN-DienBien-Webhooks/1.0"

# The sender runs in the worker and opens its own session (STYLE.md: background work never reuses a
# request's session). Tests point this at their own connection.
session_factory: Callable[[], AbstractContextManager[Session]] = lambda: Session(get_engine())  # noqa: E731



def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The address a host written in one of inet_aton's numeric forms means ("2130706433", "0x7f.1", "0177.0.0.1",
    "127.1"): resolvers and HTTP libraries accept them, so a check that only knows dotted quads misses them."""
    parts = host.rstrip(".").split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for part in parts:
        try:
            if part.lower().startswith("0x"):
                values.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                values.append(int(part, 8))
            elif part.isdigit():
                values.append(int(part))
            else:
                return None
        except ValueError:
            return None
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        return None
    number = last
    for i, v in enumerate(head):
        number += v << (8 * (3 - i))
    return ipaddress.IPv4Address(number)


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address `host` is written as (any IPv4 numeric form, IPv6 with an IPv4-mapped address unwrapped)."""
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return numeric_ipv4(host)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to, once (the delivery connects to one of these, never re-resolving)."""
    literal = literal_address(host)
    if literal is not None:
        return [str(literal)]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))


class PinnedTransport(httpx.HTTPTransport):
    """Connects to the address that was checked, whatever the name resolves to by the time the connection opens
    (DNS rebinding): the URL's host is replaced by the address, the Host header and the TLS server name (SNI,
    certificate check) stay the name's."""

    def __init__(self, host: str, address: str, **kwargs):
        super().__init__(**kwargs)
        self.host, self.address = host, address

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host != self.host:
            raise httpx.ConnectError("Webhook: chỉ kết nối tới địa chỉ đã kiểm tra.", request=request)
        request.url = request.url.copy_with(host=self.address)
        request.extensions = {**request.extensions, "sni_hostname": self.host}
        return super().handle_request(request)


def validate_url(url: str) -> str:
    url = (url or "").strip()
    allow_private = get_settings().webhook_allow_private
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port  # raises ValueError on a bad port
    except ValueError:
        raise Invalid({"url": "Địa chỉ URL không hợp lệ."}) from None
    if len(url) > 1000:
        raise Invalid({"url": "Địa chỉ URL quá dài (tối đa 1000 ký tự)."})
    if parts.scheme not in ("https", "http") or not host:
        raise Invalid({"url": "Cần một địa chỉ https://… đầy đủ."})
    if parts.scheme == "http" and not allow_private:
        raise Invalid({"url": "Webhook phải dùng https."})
    if parts.username or parts.password:
        raise Invalid({"url": "Không đặt tên đăng nhập, mật khẩu trong URL; dùng chữ ký để xác thực."})
    if not allow_private:
        internal = Invalid({"url": "Không gửi webhook tới địa chỉ nội bộ (loopback, mạng riêng, link-local)."})
        if host.lower().rstrip(".") in ("localhost",) or host.lower().endswith(".localhost"):
            raise internal
        literal = literal_address(host)
        if literal is not None and not is_public(literal):
            raise internal
        if literal is None:
            try:
                addresses = resolve(host, port or 443)
            except (socket.gaierror, UnicodeError, OSError):
                addresses = []  # not resolvable now: every delivery resolves and checks again
            if any(not is_public(ipaddress.ip_address(a)) for a in addresses):
                raise internal
    return url


def validate_events(events: list[str]) -> str:
    events = list(dict.fromkeys(e.strip() for e in events if e and e.strip()))
    unknown = [e for e in events if e not in EVENT_TYPES]
    if not events or unknown:
        raise Invalid({"events": f"Chọn ít nhất một sự kiện trong: {', '.join(EVENT_TYPES)}."})
    return " ".join(e for e in EVENT_TYPES if e in events)


@dataclass
class NewSubscription:
    subscription: WebhookSubscription
    secret: str


def create_subscription(*, session: Session, client: ApiClient, url: str, events: list[str]) -> NewSubscription:
    url = validate_url(url)
    wanted = validate_events(events)
    active = session.exec(select(WebhookSubscription).where(
        WebhookSubscription.api_client_id == client.id, WebhookSubscription.active == True)).all()  # noqa: E712
    if len(active) >= MAX_SUBSCRIPTIONS:
        raise Invalid({"url": f"Mỗi ứng dụng có tối đa {MAX_SUBSCRIPTIONS} đăng ký webhook đang hoạt động."})
    secret = "whsec_" + secrets.token_urlsafe(32)
    subscription = WebhookSubscription(api_client_id=client.id, url=url, events=wanted, secret=secret)
    session.add(subscription)
    session.flush()
    bump(session)
    return NewSubscription(subscription=subscription, secret=secret)


def list_subscriptions(*, session: Session, client: ApiClient) -> list[WebhookSubscription]:
    return list(session.exec(select(WebhookSubscription).where(WebhookSubscription.api_client_id == client.id)
                             .order_by(col(WebhookSubscription.id))).all())


def get_subscription(*, session: Session, client: ApiClient, subscription_id: int) -> WebhookSubscription | None:
    sub = session.get(WebhookSubscription, subscription_id)
    return sub if sub is not None and sub.api_client_id == client.id else None


def disable_subscription(*, session: Session, subscription: WebhookSubscription) -> WebhookSubscription:
    if subscription.active:
        subscription.active = False
        subscription.disabled_at = utcnow()
        session.add(subscription)
        session.flush()
        bump(session)
    return subscription


@dataclass(frozen=True)
class Listener:
    """What queueing needs of an active subscription (per-process cache; changes bump the stamp)."""

    id: int
    url: str
    events: str


def _load_listeners(session: Session) -> dict[int, tuple[Listener, ...]]:
    by_client: dict[int, list[Listener]] = {}
    for s in session.exec(select(WebhookSubscription).where(WebhookSubscription.active == True)  # noqa: E712
                          .order_by(col(WebhookSubscription.id))).all():
        by_client.setdefault(s.api_client_id, []).append(Listener(s.id, s.url, s.events))
    return {client_id: tuple(listeners) for client_id, listeners in by_client.items()}


_LISTENERS = Cached(_load_listeners)


def subscribers_of(session: Session, client_id: int) -> tuple[Listener, ...]:
    """The client's active subscriptions (per-process copy; subscription changes bump the cache stamp)."""
    return _LISTENERS.get(session).get(client_id, ())


# --- queueing (inside the event's transaction) -------------------------------------------------------------

def types_for(event: Event) -> set[str]:
    types = set()
    if event.from_state and event.to_state and event.from_state != event.to_state:
        types.add(STATE_CHANGED)
    if event.type in _EVENT_TO_TYPE:
        types.add(_EVENT_TO_TYPE[event.type])
    return types


def _payload_data(session: Session, *, submission: Submission | None, event: Event | None) -> dict:
    """The costly part of a payload (the item's public view: several queries), the same for every subscription."""
    data: dict = {}
    if event is not None:
        public = event.type in EVENT_PUBLIC_LABELS
        data["event"] = {
            "type": event.type,
            "label": EVENT_PUBLIC_LABELS.get(event.type),
            "from_state": event.from_state,
            "to_state": event.to_state,
            "note": event.public_note if public else None,
            "at": event.created_at.isoformat(),
        }
    if submission is not None:
        data["submission"] = submission_view(session, submission).model_dump(mode="json")
    return data


def _payload(*, event_id: str, event_type: str, data: dict, now: datetime) -> dict:
    return {"id": event_id, "type": event_type, "created_at": now.isoformat(), "data": data}


def _enqueue(session: Session, subscription: WebhookSubscription | Listener, *, event_id: str, event_type: str,
             payload: dict | str, submission_id: int | None, redelivery_of: int | None = None) -> WebhookDelivery:
    message = notifications_service.enqueue(
        session=session, channel=CHANNEL, recipient=subscription.url, subject=event_type,
        payload=payload if isinstance(payload, dict) else None, submission_id=submission_id,
        reference=f"webhook:{subscription.id}", max_attempts=get_settings().webhook_max_attempts,
    )
    if isinstance(payload, str):  # a redelivery sends the very same bytes
        message.payload = payload
    session.flush()
    delivery = WebhookDelivery(subscription_id=subscription.id, message_id=message.id, event_id=event_id,
                               event_type=event_type, submission_id=submission_id, redelivery_of=redelivery_of)
    session.add(delivery)
    session.flush()
    return delivery


def _creator(session: Session, submission: Submission) -> int | None:
    """The API client that sent the item: named by its SUBMITTED event when that is in this transaction (the item
    was created here), else by the stored origin."""
    for written in chain.written(session):
        if written.submission_id == submission.id and written.type == EventType.SUBMITTED:
            return events_service.data_of(written).get("api_client_id")
    origin = session.get(ApiSubmission, submission.id)
    return origin.api_client_id if origin else None


def enqueue_for_event(session: Session, submission: Submission, event: Event) -> int:
    """Queues one delivery per matching active subscription of the client that sent the item, in the event's
    transaction. The payload's data is built once per event (only if some subscription wants it) and shared."""
    types = types_for(event)
    if not types:
        return 0
    client_id = _creator(session, submission)
    if client_id is None:
        return 0
    subscriptions = subscribers_of(session, client_id)
    count = 0
    event_id = f"evt_{event.id}"
    data: dict | None = None
    for subscription in subscriptions:
        wanted = types & set(subscription.events.split())
        if not wanted:
            continue
        event_type = next(t for t in _SPECIFIC_FIRST if t in wanted)
        if data is None:
            data = _payload_data(session, submission=submission, event=event)
        payload = _payload(event_id=event_id, event_type=event_type, data=data, now=event.created_at)
        _enqueue(session, subscription, event_id=event_id, event_type=event_type, payload=payload,
                 submission_id=submission.id)
        count += 1
    return count


def ping(*, session: Session, subscription: WebhookSubscription) -> WebhookDelivery:
    event_id = f"ping_{secrets.token_hex(8)}"
    payload = _payload(event_id=event_id, event_type=PING, data={}, now=utcnow())
    delivery = _enqueue(session, subscription, event_id=event_id, event_type=PING, payload=payload,
                        submission_id=None)
    session.flush()
    return delivery


def redeliver(*, session: Session, subscription: WebhookSubscription, delivery: WebhookDelivery) -> WebhookDelivery:
    """A new delivery of the same event (same id and body), e.g. after the receiver was fixed."""
    original = session.get(OutboxMessage, delivery.message_id)
    new = _enqueue(session, subscription, event_id=delivery.event_id, event_type=delivery.event_type,
                   payload=original.payload or "{}", submission_id=delivery.submission_id,
                   redelivery_of=delivery.id)
    session.flush()
    return new


# --- reading deliveries -----------------------------------------------------------------------------------

@dataclass
class DeliveryView:
    delivery: WebhookDelivery
    message: OutboxMessage
    attempts: list[DeliveryAttempt]
    tracking_code: str | None


def list_deliveries(
    *, session: Session, subscription: WebhookSubscription, before_id: int | None = None, limit: int = 20,
) -> list[DeliveryView]:
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    if before_id is not None:
        stmt = stmt.where(col(WebhookDelivery.id) < before_id)
    rows = list(session.exec(stmt.order_by(col(WebhookDelivery.id).desc()).limit(limit)).all())
    return [_view(session, row) for row in rows]


def get_delivery(*, session: Session, subscription: WebhookSubscription, delivery_id: int) -> WebhookDelivery | None:
    row = session.get(WebhookDelivery, delivery_id)
    return row if row is not None and row.subscription_id == subscription.id else None


def _view(session: Session, row: WebhookDelivery) -> DeliveryView:
    message = session.get(OutboxMessage, row.message_id)
    attempts = list(session.exec(select(DeliveryAttempt).where(DeliveryAttempt.message_id == row.message_id)
                                 .order_by(col(DeliveryAttempt.id))).all())
    code = None
    if row.submission_id:
        code = session.exec(select(Submission.tracking_code).where(Submission.id == row.submission_id)).first()
    return DeliveryView(delivery=row, message=message, attempts=attempts, tracking_code=code)


def delivery_view(session: Session, row: WebhookDelivery) -> DeliveryView:
    return _view(session, row)


# --- sending (in the worker) ------------------------------------------------------------------------------

def send_webhook(message: OutboxMessage) -> DeliveryResult:
    """The outbox sender for channel "webhook": one signed POST; 2xx is delivered, anything else is retried."""
    try:
        subscription_id = int((message.reference or "").removeprefix("webhook:"))
    except ValueError:
        return DeliveryResult(ok=False, error=f"bad reference {message.reference!r}")
    with session_factory() as session:
        subscription = session.get(WebhookSubscription, subscription_id)
        delivery = session.exec(select(WebhookDelivery).where(WebhookDelivery.message_id == message.id)).first()
        secret = subscription.secret if subscription else None
        active = bool(subscription and subscription.active)
        event_type = delivery.event_type if delivery else message.subject
        delivery_id = delivery.id if delivery else None
    if not active or secret is None:
        return DeliveryResult(ok=False, error="Đăng ký webhook đã bị tắt.", permanent=True)

    settings = get_settings()
    parts = urlsplit(message.recipient)
    host = parts.hostname or ""
    try:  # resolved once per delivery; the connection goes to the address checked here
        addresses = resolve(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError, OSError) as exc:
        return DeliveryResult(ok=False, error=f"Không phân giải được tên miền {host}: {exc}"[:1000])
    if not addresses:
        return DeliveryResult(ok=False, error=f"Không phân giải được tên miền {host}.")
    if not settings.webhook_allow_private and any(not is_public(ipaddress.ip_address(a)) for a in addresses):
        return DeliveryResult(ok=False, error="Địa chỉ webhook trỏ tới mạng nội bộ: bị chặn.", permanent=True)
    body = (message.payload or "{}").encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-PAKN-Event": event_type,
        "X-PAKN-Delivery": str(delivery_id or message.id),
        "X-PAKN-Timestamp": timestamp,
        "X-PAKN-Signature": sign(secret, timestamp, body),
    }
    try:
        with httpx.Client(transport=PinnedTransport(host, addresses[0]), follow_redirects=False,
                          timeout=settings.webhook_timeout_seconds) as http:
            response = http.post(message.recipient, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return DeliveryResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:1000])
    if 200 <= response.status_code < 300:
        return DeliveryResult(ok=True, status_code=response.status_code)
    retry_after = None
    header = response.headers.get("retry-after", "")
    if header.isdigit():
        retry_after = min(float(header), 6 * 3600)
    return DeliveryResult(ok=False, status_code=response.status_code, error=f"HTTP {response.status_code}",
                          retry_after=retry_after)




def subscription_out(subscription: WebhookSubscription, secret: str | None = None) -> WebhookOut:
    values = dict(id=subscription.id, url=subscription.url, events=subscription.events.split(),
                  active=subscription.active, created_at=subscription.created_at,
                  disabled_at=subscription.disabled_at)
    return WebhookCreated(**values, secret=secret) if secret else WebhookOut(**values)


def delivery_out(view: DeliveryView) -> DeliveryOut:
    message = view.message
    return DeliveryOut(
        id=view.delivery.id, event_id=view.delivery.event_id, event_type=view.delivery.event_type,
        tracking_code=view.tracking_code, status=message.status, attempts=message.attempts,
        max_attempts=message.max_attempts,
        next_attempt_at=message.next_attempt_at if message.status == OutboxStatus.PENDING else None,
        last_error=message.last_error, created_at=view.delivery.created_at, sent_at=message.sent_at,
        redelivery_of=view.delivery.redelivery_of,
        attempt_log=[AttemptOut(at=a.attempted_at, ok=a.ok, status_code=a.status_code, error=a.error,
                                duration_ms=a.duration_ms) for a in view.attempts],
    )


# --- the API's POSTs, once per Idempotency-Key ---------------------------------------------------------------

def create_for_client(
    *, session: Session, client: ApiClient, url: str, events: list[str], idempotency_key: str | None
) -> idempotency.Outcome:
    def action():
        new = create_subscription(session=session, client=client, url=url, events=events)
        return 201, subscription_out(new.subscription, new.secret).model_dump(mode="json"), new.subscription.id

    def rebuild(subscription_id: int):
        sub = session.get(WebhookSubscription, subscription_id)
        return 201, subscription_out(sub, sub.secret).model_dump(mode="json")

    return idempotency.execute(session=session, client_id=client.id, key=idempotency_key,
                               endpoint="POST /api/v1/webhooks", payload={"url": url, "events": events},
                               action=action, rebuild=rebuild)


def _delivery_outcome(session: Session, client: ApiClient, idempotency_key: str | None, endpoint: str,
                      payload: dict, make: Callable[[], WebhookDelivery]) -> idempotency.Outcome:
    def action():
        delivery = make()
        return 202, delivery_out(_view(session, delivery)).model_dump(mode="json"), delivery.id

    def rebuild(delivery_id: int):
        return 202, delivery_out(_view(session, session.get(WebhookDelivery, delivery_id))).model_dump(mode="json")

    return idempotency.execute(session=session, client_id=client.id, key=idempotency_key, endpoint=endpoint,
                               payload=payload, action=action, rebuild=rebuild)


def ping_for_client(
    *, session: Session, client: ApiClient, subscription: WebhookSubscription, idempotency_key: str | None
) -> idempotency.Outcome:
    return _delivery_outcome(session, client, idempotency_key, "POST /api/v1/webhooks/{id}/ping",
                             {"subscription": subscription.id},
                             lambda: ping(session=session, subscription=subscription))


def redeliver_for_client(
    *, session: Session, client: ApiClient, subscription: WebhookSubscription, delivery: WebhookDelivery,
    idempotency_key: str | None,
) -> idempotency.Outcome:
    return _delivery_outcome(session, client, idempotency_key, "POST /api/v1/webhooks/{id}/deliveries/{d}/redeliver",
                             {"subscription": subscription.id, "delivery": delivery.id},
                             lambda: redeliver(session=session, subscription=subscription, delivery=delivery))
