"""The SMS gateway's callbacks (Kannel): incoming SMS from its sms-service `get-url`, delivery reports from the
`dlr-url` each outgoing SMS carries. Both URLs carry a signature (app/notifications/channels.callback_token), so
nobody else can inject messages or reports. Answers are empty: replies go through the outbox, and Kannel's
sms-service is configured with `omit-empty = true` (docs/operations.md)."""

import secrets

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse
from sqlmodel import Session

from app.db import get_session, unit_of_work
from app.notifications import channels, incoming

router = APIRouter(prefix="/sms/kannel", include_in_schema=False)


def _valid(given: str, purpose: str, value: str = "") -> bool:
    return bool(given) and secrets.compare_digest(given, channels.callback_token(purpose, value))


@router.get("/incoming")
def incoming_sms(sender: str = Query("", alias="from", max_length=40), to: str = Query("", max_length=40),
                 text: str = Query("", max_length=1600), sig: str = Query("", max_length=64),
                 session: Session = Depends(get_session)):
    if not _valid(sig, "incoming"):
        return PlainTextResponse("", status_code=403)
    with unit_of_work(session):
        incoming.handle(session, sender=sender, to=to, text=text)
    return PlainTextResponse("")


@router.get("/dlr")
def delivery_report(id: int = Query(...), type: int = Query(0), answer: str = Query("", max_length=500),  # noqa: A002
                    sig: str = Query("", max_length=64), session: Session = Depends(get_session)):
    if not _valid(sig, "dlr", str(id)):
        return PlainTextResponse("", status_code=403)
    with unit_of_work(session):
        found = incoming.record_report(session, message_id=id, status=type, detail=answer)
    return PlainTextResponse("", status_code=200 if found else 404)
