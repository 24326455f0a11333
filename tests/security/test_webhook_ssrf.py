"""Issue 10.8: webhooks never reach the server's own network. Numeric spellings of loopback are refused at creation,
every delivery resolves the name once and connects to the address it checked (no second lookup an attacker's DNS
could answer differently), and redirects are never followed."""

import socket
import threading
from urllib.parse import urlsplit

import pytest

from app.config import get_settings
from app.integrations import webhooks
from tests.api.test_webhooks import Receiver, receiver, run_worker, subscribe  # noqa: F401 (fixture)

INTERNAL = ["https://2130706433/h", "https://0x7f.1/h", "https://0177.0.0.1/h", "https://127.1/h",
            "https://0x7f000001/h", "https://[::ffff:127.0.0.1]/h", "https://[::1]/h", "https://169.254.169.254/h",
            "https://[fe80::1]/h", "https://0.0.0.0/h", "https://10.1.2.3/h", "https://192.168.1.1/h",
            "https://localhost./h", "https://api.localhost/h"]


@pytest.mark.parametrize("url", INTERNAL)
def test_every_spelling_of_an_internal_address_is_refused_at_creation(client, auth, monkeypatch, url):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", False)
    r = client.post("/api/v1/webhooks", json={"url": url, "events": ["submission.answered"]}, headers=auth)
    assert r.status_code == 422 and "nội bộ" in r.json()["errors"][0]["detail"], (url, r.text)


class Listener:
    """A bare TCP port on 127.0.0.1 that notes whether anything connected to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connected = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connected.set()
            conn.close()

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


def fake_dns(monkeypatch, name: str, answers: list[str]):
    """The attacker's DNS for `name`: one answer per lookup (the last repeats); every other name resolves as usual."""
    real = socket.getaddrinfo
    lookups = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host == name:
            address = answers[min(len(lookups), len(answers) - 1)]
            lookups.append(address)
            return real(address, port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_a_rebinding_name_cannot_reach_loopback(client, db, auth, receiver, monkeypatch):  # noqa: F811
    listener = Listener()
    try:
        hook = subscribe(client, auth, receiver.url)  # created while private addresses were allowed (fixture)
        monkeypatch.setattr(get_settings(), "webhook_allow_private", False)
        monkeypatch.setattr(get_settings(), "webhook_timeout_seconds", 1.0)
        url = f"https://rebind.example.test:{listener.port}/h"
        db.exec(webhooks.WebhookSubscription.__table__.update().values(url=url))
        # First answer public (passes the check), every later one 127.0.0.1 (what the connection would get).
        lookups = fake_dns(monkeypatch, "rebind.example.test", ["93.184.216.34", "127.0.0.1"])
        client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=auth)
        run_worker(db)
        assert lookups == ["93.184.216.34"]  # resolved once per delivery
        assert not listener.connected.wait(0.5)
    finally:
        listener.close()


def test_the_connection_goes_to_the_checked_address_with_the_names_host_header(client, db, auth, receiver,  # noqa: F811
                                                                             monkeypatch):
    port = urlsplit(receiver.url).port
    fake_dns(monkeypatch, "hooks.pinned.test", ["127.0.0.1"])
    subscribe(client, auth, f"http://hooks.pinned.test:{port}/hooks/pakn")
    hook = client.get("/api/v1/webhooks", headers=auth).json()[0]
    client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=auth)
    run_worker(db)
    assert receiver.requests and receiver.requests[-1]["headers"]["host"] == f"hooks.pinned.test:{port}"


def test_redirects_are_not_followed(client, db, auth, monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_allow_private", True)
    import contextlib

    monkeypatch.setattr(webhooks, "session_factory", lambda: contextlib.nullcontext(db))
    with Receiver() as target, Receiver() as redirector:
        redirector.status = 307
        redirector.location = target.url
        hook = subscribe(client, auth, redirector.url)
        client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=auth)
        run_worker(db)
        assert len(redirector.requests) == 1 and target.requests == []
        log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=auth).json()["items"]
        assert log[0]["attempt_log"][0]["status_code"] == 307 and log[0]["status"] == "pending"
