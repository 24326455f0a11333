"""API clients: keys shown once and stored hashed, rotation (with grace), revocation, scopes, rate limits, CLI."""

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from app import cache
from app.accounts import service as accounts
from app.accounts.models import ApiClient
from app.cli import cli
from app.integrations import ratelimit
from app.integrations.models import RateLimitWindow
from tests.api.conftest import bearer


def ok(client, key):
    return client.get("/api/v1/submissions", headers=bearer(key)).status_code == 200


def test_key_is_stored_hashed(db, make_client):
    new = make_client()
    row = db.get(ApiClient, new.client.id)
    assert new.key.startswith("pakn_") and new.key not in (row.key_hash, row.key_prefix)
    assert row.key_hash == hashlib.sha256(new.key.encode()).hexdigest()


def test_rotation_replaces_the_key_at_once(client, db, make_client):
    new = make_client()
    rotated = accounts.rotate_api_key(session=db, client=new.client)
    assert not ok(client, new.key) and ok(client, rotated.key)


def test_rotation_with_grace_keeps_the_old_key_for_a_while(client, db, make_client):
    new = make_client()
    rotated = accounts.rotate_api_key(session=db, client=new.client, grace=timedelta(hours=1))
    assert ok(client, new.key) and ok(client, rotated.key)
    new.client.previous_key_expires_at = new.client.rotated_at - timedelta(seconds=1)
    db.add(new.client)
    cache.bump(db)  # a change made behind the service's back must say so, like every writer (app/cache.py)
    db.commit()
    assert not ok(client, new.key) and ok(client, rotated.key)


def test_revocation_stops_every_key(client, db, make_client):
    new = make_client()
    rotated = accounts.rotate_api_key(session=db, client=new.client, grace=timedelta(hours=1))
    accounts.revoke_api_client(session=db, client=new.client)
    assert not ok(client, new.key) and not ok(client, rotated.key)
    with pytest.raises(accounts.AuthError):
        accounts.rotate_api_key(session=db, client=new.client)


def test_unknown_scopes_are_refused(db):
    with pytest.raises(accounts.AuthError, match="Quyền không hợp lệ"):
        accounts.create_api_client(session=db, name="x", scopes="submit admin")
    assert accounts.normalize_scopes("webhooks,submit") == "submit webhooks"


def test_rate_limit_answers_429_with_retry_after(client, make_client):
    key = make_client(rate_limit=3).key
    statuses = [client.get("/api/v1/submissions", headers=bearer(key)) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert statuses[0].headers["ratelimit-limit"] == "3" and statuses[0].headers["ratelimit-remaining"] == "2"
    refused = statuses[-1]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"].endswith("/rate-limited")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # Another client has its own budget.
    assert ok(client, make_client().key)


def test_rate_limit_counts_are_shared_through_the_database(db, make_client):
    """Two processes see one count: the counter is a row, incremented atomically."""
    new = make_client()
    decisions = [ratelimit.hit(session=db, client_id=new.client.id, limit=2) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    rows = db.exec(select(RateLimitWindow).where(RateLimitWindow.api_client_id == new.client.id)).all()
    assert len(rows) == 1 and rows[0].count == 3
    # A new minute is a new window.
    later = rows[0].window_start + timedelta(minutes=1, seconds=5)
    assert ratelimit.hit(session=db, client_id=new.client.id, limit=2, now=later).allowed


def test_cli_create_rotate_revoke_list(db, monkeypatch):
    """The commands use their own sessions: point them at the test's connection."""
    import contextlib

    import app.cli as cli_module

    monkeypatch.setattr(cli_module, "Session", lambda *a, **k: contextlib.nullcontext(db))
    runner = CliRunner()
    created = runner.invoke(cli, ["api-client", "create", "Điện Biên Smart", "--scopes", "submit read-own webhooks",
                                  "--rate-limit", "300"])
    assert created.exit_code == 0, created.output
    key = created.output.strip().splitlines()[-1]
    client = accounts.client_for_key(session=db, key=key)
    assert client.scopes == "submit read-own webhooks" and client.rate_limit_per_minute == 300

    rotated = runner.invoke(cli, ["api-client", "rotate", "Điện Biên Smart", "--grace-hours", "2"])
    assert rotated.exit_code == 0, rotated.output
    new_key = rotated.output.strip().splitlines()[-1]
    assert accounts.client_for_key(session=db, key=new_key) and accounts.client_for_key(session=db, key=key)

    listed = runner.invoke(cli, ["api-client", "list"])
    assert "Điện Biên Smart" in listed.output and key not in listed.output

    changed = runner.invoke(cli, ["api-client", "set", "Điện Biên Smart", "--scopes", "read-own"])
    # every process sees the change on its next request (the cached copy is reloaded)
    assert changed.exit_code == 0 and accounts.client_for_key(session=db, key=new_key).scopes == "read-own"

    revoked = runner.invoke(cli, ["api-client", "revoke", "Điện Biên Smart"])
    assert revoked.exit_code == 0
    assert accounts.client_for_key(session=db, key=new_key) is None

    missing = runner.invoke(cli, ["api-client", "revoke", "Không có"])
    assert missing.exit_code == 1
