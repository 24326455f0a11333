"""The composition root: the one place that knows every domain which listens to events, and every channel the
outbox sends through. Called by create_app(), the CLI and the tests before any event is written. Idempotent."""

from app.config import get_settings
from app.initiatives import flows as initiative_flows
from app.integrations import flows as integration_flows
from app.integrations.webhooks import send_webhook
from app.notifications import channels, sms_intake
from app.notifications import flows as notification_flows
from app.notifications import incoming as incoming_sms
from app.notifications.email import send_email
from app.notifications.worker import register_sender
from app.publication import service as publication
from app.sla import flows as sla_flows


def register_subscribers() -> None:
    notification_flows.register()
    incoming_sms.register_defaults()
    incoming_sms.set_fallback(sms_intake.receive)  # an SMS that is no command becomes an item
    sla_flows.register()
    initiative_flows.register()
    publication.register()
    integration_flows.register()
    register_sender("email", send_email, lambda: get_settings().smtp_timeout_seconds,
                    configured=channels.email_configured,
                    per_recipient_hour=lambda: get_settings().email_per_recipient_hour)
    register_sender("sms", channels.send_sms, lambda: get_settings().sms_timeout_seconds,
                    configured=channels.sms_configured,
                    per_recipient_hour=lambda: get_settings().sms_per_recipient_hour)
    register_sender("zalo", channels.send_zalo, lambda: get_settings().zalo_timeout_seconds,
                    configured=channels.zalo_configured,
                    per_recipient_hour=lambda: get_settings().sms_per_recipient_hour)
    register_sender("webhook", send_webhook, lambda: get_settings().webhook_timeout_seconds)
