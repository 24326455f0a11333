"""The composition root: the one place that knows every domain which listens to events.

Called by create_app(), the CLI and the tests before any event is written. Idempotent."""

from app.integrations import flows as integration_flows
from app.notifications import flows as notification_flows
from app.sla import flows as sla_flows


def register_subscribers() -> None:
    notification_flows.register()
    sla_flows.register()
    integration_flows.register()
