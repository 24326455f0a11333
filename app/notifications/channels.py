"""The SMS and Zalo senders of the outbox (e-mail: app/notifications/email.py), and whether each channel is set up.

SMS goes to Kannel's sendsms HTTP interface (smsbox), which queues it for the operator's SMSC and later calls the
dlr-url we pass with the delivery report. Zalo goes to the Zalo Notification Service (ZNS) template API; when Zalo
refuses (the number has no Zalo account, the template is rejected, the quota is used up …) the worker queues the
same text as an SMS (the message's `fallback`, app/notifications/worker.py).
"""

import hashlib
import hmac
import json
from urllib.parse import urlencode

import httpx

from app.config import get_settings
from app.notifications import contacts, zalo_tokens
from app.notifications.models import OutboxMessage
from app.notifications.sms import is_gsm7
from app.notifications.worker import DeliveryResult

# Kannel's dlr-mask bits: 1 delivered, 2 failed, 4 buffered, 8 accepted by the SMSC, 16 rejected by the SMSC.
DLR_MASK = 1 | 2 | 8 | 16
DLR_LABELS = {1: "đã đến máy", 2: "không đến được máy", 4: "đang chờ ở tổng đài", 8: "tổng đài đã nhận",
              16: "tổng đài từ chối"}


TOKEN_REJECTED = -124  # ZNS: "Access token is invalid" (expired or revoked)


def email_configured() -> bool:
    return bool(get_settings().smtp_host)


def sms_configured() -> bool:
    s = get_settings()
    return s.sms_gateway == "kannel" and bool(s.kannel_sendsms_url and s.kannel_user)


def zalo_configured() -> bool:
    s = get_settings()
    return bool((s.zalo_access_token or s.zalo_refresh_token) and s.zalo_api_url and s.zalo_templates)


def callback_token(purpose: str, value: str = "") -> str:
    """A signature for URLs the gateway calls back (delivery reports: per message id; incoming SMS: fixed)."""
    s = get_settings()
    key = (s.sms_callback_token or s.effective_secret_key()).encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def international(phone: str) -> str:
    """0912345678 → 84912345678, the form operators and Zalo take."""
    return "84" + phone[1:] if phone.startswith("0") else phone.lstrip("+")


def dlr_url(message_id: int) -> str:
    base = get_settings().public_base_url.rstrip("/")
    # %d and %A are filled in by Kannel (report type, SMSC's answer); kept unescaped.
    return (f"{base}/sms/kannel/dlr?id={message_id}&sig={callback_token('dlr', str(message_id))}"
            "&type=%d&answer=%A")


def send_sms(message: OutboxMessage) -> DeliveryResult:
    s = get_settings()
    if contacts.is_reserved_phone(message.recipient):
        return DeliveryResult(ok=False, permanent=True, error="số dành riêng cho dữ liệu mẫu: không gửi")
    if not sms_configured():
        return DeliveryResult(ok=False, error="SMS chưa cấu hình (PAKN_SMS_GATEWAY)")
    gsm = is_gsm7(message.body)
    params = {
        "username": s.kannel_user, "password": s.kannel_password, "to": international(message.recipient),
        "text": message.body, "charset": "UTF-8", "coding": "0" if gsm else "2",
        "dlr-mask": str(DLR_MASK), "dlr-url": dlr_url(message.id),
    }
    if s.sms_sender:
        params["from"] = s.sms_sender
    try:
        response = httpx.get(f"{s.kannel_sendsms_url}?{urlencode(params)}", timeout=s.sms_timeout_seconds)
    except httpx.HTTPError as exc:
        return DeliveryResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    text = response.text.strip()[:300]
    if 200 <= response.status_code < 300:  # "0: Accepted for delivery", "3: Queued for later delivery"
        return DeliveryResult(ok=True, status_code=response.status_code)
    return DeliveryResult(ok=False, status_code=response.status_code, error=text or f"HTTP {response.status_code}")


def send_zalo(message: OutboxMessage) -> DeliveryResult:
    """ZNS: POST {phone, template_id, template_data, tracking_id} with the OA's access token in the `access_token`
    header; the answer is {"error": 0, "message": "Success", "data": {"msg_id": …}} or a negative error code."""
    s = get_settings()
    if contacts.is_reserved_phone(message.recipient):
        return DeliveryResult(ok=False, permanent=True, error="số dành riêng cho dữ liệu mẫu: không gửi")
    if not zalo_configured():
        return DeliveryResult(ok=False, permanent=True, error="Zalo chưa cấu hình")
    payload = json.loads(message.payload or "{}")
    body = {"phone": international(message.recipient), "template_id": payload.get("template_id"),
            "template_data": payload.get("template_data", {}), "tracking_id": f"pakn-{message.id}"}
    try:
        response = httpx.post(s.zalo_api_url, json=body, timeout=s.zalo_timeout_seconds,
                              headers={"access_token": zalo_tokens.access_token()})
    except httpx.HTTPError as exc:
        return DeliveryResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    code = answer.get("error") if isinstance(answer, dict) else None
    if response.status_code == 200 and code == 0:
        return DeliveryResult(ok=True, status_code=200)
    detail = f"Zalo {code}: {answer.get('message', '')}" if code is not None else f"HTTP {response.status_code}"
    if code == TOKEN_REJECTED:
        zalo_tokens.rejected()  # renewed at the refresh job's next run; this message takes its SMS fallback
    # A refusal by Zalo (no Zalo account, template or token problem, quota) will not change on retry: fall back now.
    return DeliveryResult(ok=False, status_code=response.status_code, error=detail[:300],
                          permanent=code is not None)
