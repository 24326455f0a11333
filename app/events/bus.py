"""Publish/subscribe for events, so the core never imports its listeners.

Domains subscribe at start-up (`app.wiring.register_subscribers`, called by `create_app`, the CLI and the tests).
A handler runs inside the transaction that wrote the event, right after the row is flushed, so a crash can
never keep the event and lose its message, or the reverse. Handlers run in ascending `order`:

  10  notifications   which messages the event sends (outbox)
  20  sla             deadline clocks start, pause, resume, stop
  30  initiatives     a reopened decision is cleared, a rejected item unpublished
  90  integrations    API origin, webhook deliveries (last: payloads carry what the others changed)
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app.events.models import Event

# handler(session, event, submission): `submission` is the item the event is about (None for account events).
Handler = Callable[[Session, Event, Any], None]


@dataclass(frozen=True, order=True)
class Subscription:
    order: int
    name: str
    handler: Handler = field(compare=False)
    item_events_only: bool = field(default=True, compare=False)


_subscriptions: list[Subscription] = []


def subscribe(name: str, handler: Handler, *, order: int, item_events_only: bool = True) -> None:
    """Adds (or replaces, by name) a handler; start-up code calls this once per domain."""
    global _subscriptions
    kept = [s for s in _subscriptions if s.name != name]
    _subscriptions = sorted([*kept, Subscription(order, name, handler, item_events_only)])


def subscriptions() -> list[Subscription]:
    return list(_subscriptions)


def publish(session: Session, event: Event, submission: Any | None) -> None:
    for sub in _subscriptions:
        if submission is None and sub.item_events_only:
            continue
        sub.handler(session, event, submission)
