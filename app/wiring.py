"""The composition root: the one place that knows every domain which listens to events, and every channel the
outbox sends through. Called by create_app(), the CLI and the tests before any event is written. Idempotent."""

from app.config import get_settings
from app.initiatives import flows as initiative_flows
from app.integrations import flows as integration_flows
from app.integrations.webhooks import send_webhook
from app.notifications import flows as notification_flows
from app.notifications.email import send_email
from app.notifications.worker import register_sender
from app.sla import flows as sla_flows


def register_subscribers() -> None:
    notification_flows.register()
    sla_flows.register()
    initiative_flows.register()
    integration_flows.register()
    register_sender("email", send_email, lambda: get_settings().smtp_timeout_seconds)
    register_sender("webhook", send_webhook, lambda: get_settings().webhook_timeout_seconds)
