"""The API takes the sender's notification choice (`notify_by`) like the form does."""

import uuid

from sqlmodel import select

from app.notifications.models import OutboxMessage
from app.submissions.models import Submission
from tests.api.conftest import VALID


def create(client, auth, **extra):
    return client.post("/api/v1/submissions", json={**VALID, **extra},
                       headers={**auth, "Idempotency-Key": str(uuid.uuid4())})


def channels_for(db, code: str) -> list[str]:
    item = db.exec(select(Submission).where(Submission.tracking_code == code)).one()
    return [m.channel for m in db.exec(select(OutboxMessage).where(OutboxMessage.submission_id == item.id))]


def test_the_api_takes_the_choice(client, auth, db):
    assert channels_for(db, create(client, auth).json()["tracking_code"]) == ["sms"]  # default: SMS to the phone
    both = create(client, auth, sender_email="nguoi.gui@thu-nghiem.vn", notify_by="both")
    assert sorted(channels_for(db, both.json()["tracking_code"])) == ["email", "sms"]
    assert channels_for(db, create(client, auth, notify_by="none").json()["tracking_code"]) == []
    refused = create(client, auth, notify_by="email")  # no e-mail given
    assert refused.status_code == 422
