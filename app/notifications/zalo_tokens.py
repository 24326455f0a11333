"""The Zalo Official Account's access token, kept fresh. A ZNS access token lives about 25 hours; the OA exchanges its
refresh token (valid three months, **single use**: each exchange returns a new one) at Zalo's OAuth endpoint:

    POST PAKN_ZALO_OAUTH_URL   header secret_key: <app secret>
    form app_id, refresh_token, grant_type=refresh_token
    → {"access_token": "…", "refresh_token": "…", "expires_in": "90000"}   or {"error": -14xxx, "error_name": …}

The pair lives in `zalo_tokens` (one row), sealed (app/sealed.py). The first pair comes from the environment
(`PAKN_ZALO_ACCESS_TOKEN`, `PAKN_ZALO_REFRESH_TOKEN`); when an administrator authorises the app again and sets a
new refresh token there, the new one wins (the row remembers which environment value it came from). The periodic
job `zalo_token_refresh` (its lease makes it run on one worker at a time, so a single-use token is never spent
twice) renews the pair an hour before it expires, or at once when Zalo rejected the token (error -124).
"""

import hashlib
import logging
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Text
from sqlmodel import Field, Session, SQLModel, update

from app import sealed
from app.config import get_settings
from app.db import UTCDateTime, get_engine, utcnow

log = logging.getLogger(__name__)
RENEW_BEFORE = timedelta(hours=1)
ROW = 1


class ZaloToken(SQLModel, table=True):
    __tablename__ = "zalo_tokens"

    id: int = Field(default=ROW, primary_key=True)
    access_token: str = Field(sa_type=Text)  # sealed
    refresh_token: str | None = Field(default=None, sa_type=Text)  # sealed; single use
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # None: unknown, renew at once
    seeded_from: str = Field(default="", max_length=64)  # SHA-256 of the environment's refresh token it came from
    refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=300)


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest() if value else ""


def _open(value: str | None, purpose: str) -> str:
    try:
        return sealed.unseal(value, purpose=purpose) if value else ""
    except sealed.CannotOpen:
        return ""


def access_token() -> str:
    """The token to send with now (its own short session: the outbox senders have none)."""
    with Session(get_engine()) as session:
        row = session.get(ZaloToken, ROW)
        if row is not None and row.seeded_from == _fingerprint(get_settings().zalo_refresh_token):
            token = _open(row.access_token, "zalo:access")
            if token:
                return token
    return get_settings().zalo_access_token


def rejected() -> None:
    """Zalo said the token is invalid or expired: renew it at the job's next run."""
    with Session(get_engine()) as session:
        session.execute(update(ZaloToken).where(ZaloToken.id == ROW).values(expires_at=utcnow()))
        session.commit()


def refresh_job(session: Session, now: datetime) -> None:
    """Renews the pair when it is due; a refusal is kept on the row (shown on /admin) and tried again next run."""
    s = get_settings()
    if not (s.zalo_app_id and s.zalo_secret and s.zalo_oauth_url):
        return
    row = session.get(ZaloToken, ROW)
    env = _fingerprint(s.zalo_refresh_token)
    if row is None or row.seeded_from != env:  # first run, or the administrator set a new pair
        if not s.zalo_refresh_token:
            return
        row = row or ZaloToken(id=ROW, access_token="")
        row.access_token = sealed.seal(s.zalo_access_token, purpose="zalo:access") if s.zalo_access_token else ""
        row.refresh_token = sealed.seal(s.zalo_refresh_token, purpose="zalo:refresh")
        row.expires_at, row.seeded_from, row.last_error = None, env, None
        session.add(row)
        session.flush()
    if row.expires_at is not None and row.expires_at - now > RENEW_BEFORE:
        return
    refresh = _open(row.refresh_token, "zalo:refresh")
    if not refresh:
        return
    try:
        response = httpx.post(s.zalo_oauth_url, timeout=s.zalo_timeout_seconds, headers={"secret_key": s.zalo_secret},
                              data={"app_id": s.zalo_app_id, "refresh_token": refresh,
                                    "grant_type": "refresh_token"})
        answer = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        row.last_error = f"{type(exc).__name__}: {exc}"[:300]
        session.add(row)
        return
    if not isinstance(answer, dict) or not answer.get("access_token") or not answer.get("refresh_token"):
        detail = answer.get("error_description") or answer.get("error_name") or answer.get("error") \
            if isinstance(answer, dict) else response.status_code
        row.last_error = f"Zalo OAuth: {detail}"[:300]
        log.warning("zalo token refresh refused: %s", row.last_error)
        session.add(row)
        return
    row.access_token = sealed.seal(str(answer["access_token"]), purpose="zalo:access")
    row.refresh_token = sealed.seal(str(answer["refresh_token"]), purpose="zalo:refresh")
    row.expires_at = now + timedelta(seconds=int(answer.get("expires_in") or 3600))
    row.refreshed_at, row.last_error = now, None
    session.add(row)


def state(session: Session) -> ZaloToken | None:
    """For /admin: when the token expires, when it was renewed, the last refusal."""
    return session.get(ZaloToken, ROW)
