"""A webhook payload is built once per event and shared by every subscription that wants it."""

import json

import pytest
from sqlalchemy import event as sa_event
from sqlmodel import col, select

from app import cache
from app.accounts.service import create_api_client
from app.events.models import Event
from app.integrations import service as integrations_service
from app.integrations import webhooks
from app.integrations.models import WebhookDelivery, WebhookSubscription
from app.notifications.models import OutboxMessage
from tests.conftest import submission_data


@pytest.fixture
def views(monkeypatch):
    """Counts how often the item's public view (the costly part of a payload) is built."""
    calls = []
    real = integrations_service.submission_view

    def counting(session, submission):
        calls.append(submission.id)
        return real(session, submission)

    monkeypatch.setattr(webhooks, "submission_view", counting)
    return calls


@pytest.fixture
def selects(engine):
    """selects() → how many SELECT statements ran since the last call."""
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa_event.listen(engine, "before_cursor_execute", count)

    def taken() -> int:
        n = len(seen)
        seen.clear()
        return n

    yield taken
    sa_event.remove(engine, "before_cursor_execute", count)


def subscribe(db, client_id: int, events: tuple[str, ...]) -> WebhookSubscription:
    sub = WebhookSubscription(api_client_id=client_id, url="https://hooks.example.vn/pakn", events=" ".join(events),
                              secret="whsec_thu")
    db.add(sub)
    cache.bump(db)  # written behind the service's back: say so, as every writer of cached data does
    db.commit()
    return sub


def test_one_payload_per_event_for_all_subscriptions(db, views):
    client = create_api_client(session=db, name="Ứng dụng ba đăng ký").client
    subs = [subscribe(db, client.id, webhooks.EVENT_TYPES) for _ in range(3)]
    item = integrations_service.create_submission(session=db, client=client, data=submission_data())
    deliveries = db.exec(select(WebhookDelivery).where(WebhookDelivery.submission_id == item.id)).all()
    assert sorted(d.subscription_id for d in deliveries) == sorted(s.id for s in subs)
    assert views == [item.id]  # built once, in the event's transaction, for three deliveries
    payloads = [json.loads(db.get(OutboxMessage, d.message_id).payload) for d in deliveries]
    assert all(p == payloads[0] for p in payloads)
    assert payloads[0]["data"]["submission"]["tracking_code"] == item.tracking_code


def test_queries_do_not_grow_with_the_number_of_subscriptions(db, views, selects):
    client = create_api_client(session=db, name="Ứng dụng nhiều đăng ký").client
    only_state = subscribe(db, client.id, (webhooks.STATE_CHANGED,))
    item = integrations_service.create_submission(session=db, client=client, data=submission_data())
    event = db.exec(select(Event).where(Event.submission_id == item.id)
                    .order_by(col(Event.id).desc())).first()
    assert webhooks.types_for(event)
    db.commit()
    views.clear()
    cache.bump(db)  # both measurements start right after a change, so both include the caches' one reload
    selects()
    assert webhooks.enqueue_for_event(db, item, event) == 1
    with_one = selects()
    for _ in range(4):
        subscribe(db, client.id, webhooks.EVENT_TYPES)
    selects()
    assert webhooks.enqueue_for_event(db, item, event) == 5
    assert selects() == with_one
    assert views == [item.id, item.id]  # once per call, not once per subscription
    # A subscription that wants fewer types still gets the most specific type it asked for, same data.
    rows = db.exec(select(WebhookDelivery).where(WebhookDelivery.submission_id == item.id)
                   .order_by(col(WebhookDelivery.id).desc()).limit(5)).all()
    types = {r.subscription_id: r.event_type for r in rows}
    assert types[only_state.id] == webhooks.STATE_CHANGED
    datas = {json.dumps(json.loads(db.get(OutboxMessage, r.message_id).payload)["data"]) for r in rows}
    assert len(datas) == 1


def test_no_payload_is_built_when_no_subscription_wants_the_event(db, views):
    client = create_api_client(session=db, name="Ứng dụng chỉ nhận trả lời").client
    subscribe(db, client.id, (webhooks.ANSWERED,))
    integrations_service.create_submission(session=db, client=client, data=submission_data())
    assert views == []
