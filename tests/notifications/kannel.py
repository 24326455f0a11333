"""A real Kannel for the tests: bearerbox + smsbox from Debian's `kannel`, with `fakesmsc` (package `kannel-extras`)
as the operator's SMSC. `start_kannel(tmp)` writes a kannel.conf with free ports into `tmp`, starts the boxes and a
fakesmsc that receives every outgoing SMS (its log is what the "phone" got), and returns a handle that also sends
incoming SMS (a second fake SMSC, used for mobile-originated messages only) and stops everything.

Kannel calls back over HTTP (incoming SMS: the sms-service get-url; delivery reports: the dlr-url). The test app
runs in-process (TestClient), so the URLs point at a small relay server here that records each call; the test then
passes the very request Kannel made to the app (`relay.forward(client)`).
"""

import http.server
import re
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_to_bytes

FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
USER, PASSWORD = "pakn", "kannel-test-password"
SHORT_CODE = "8088"
_GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>$")


def available() -> bool:
    return all(Path(p).exists() for p in (FAKESMSC, BEARERBOX, SMSBOX))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, timeout: float = 10.0, what: str = "condition"):
    """Polls `condition` until it returns something truthy (the boxes work asynchronously)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Relay:
    """Records the GET requests Kannel makes (incoming SMS, delivery reports)."""

    port: int
    requests: list[str] = field(default_factory=list)
    arrivals: list[tuple[float, str]] = field(default_factory=list)  # (time.time(), path) of every request
    server: http.server.HTTPServer | None = None

    def start(self) -> "Relay":
        relay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                relay.arrivals.append((time.time(), self.path))
                relay.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def take(self, prefix: str) -> list[str]:
        found = [r for r in self.requests if r.startswith(prefix)]
        self.requests[:] = [r for r in self.requests if not r.startswith(prefix)]
        return found

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


@dataclass
class Received:
    """One SMS part as the operator got it; a long message arrives as parts with a concatenation header."""

    sender: str
    to: str
    coding: str  # text | ucs-2 | udh
    text: str
    part: tuple[int, int, int] | None = None  # (reference, total, number) of a concatenated message


@dataclass
class Message:
    sender: str
    to: str
    text: str
    segments: int


def _percent(raw: bytes) -> str:
    return "".join(f"%{b:02X}" for b in raw)


def _bytes(data: str) -> bytes:
    return unquote_to_bytes(data.replace("+", "%20"))


def _text(raw: bytes) -> str:
    if len(raw) % 2 == 0 and raw[::2].count(0) >= len(raw) // 4:  # UCS-2 (UTF-16BE) parts
        return raw.decode("utf-16-be")
    return raw.decode("latin-1")


def _parse(sender: str, to: str, coding: str, rest: str) -> Received:
    if coding == "ucs-2":
        return Received(sender, to, coding, _bytes(rest).decode("utf-16-be"))
    if coding == "udh":  # "<udh> data <payload>", both URL-encoded; UDH 05 00 03 ref total number
        udh, _, payload = rest.partition(" data ")
        header = _bytes(udh)
        part = (header[3], header[4], header[5]) if len(header) >= 6 and header[1] == 0 else None
        return Received(sender, to, coding, _text(_bytes(payload)), part)
    return Received(sender, to, coding, rest)


@dataclass
class Kannel:
    directory: Path
    relay: Relay
    sendsms_port: int
    mo_port: int
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def _log(self) -> str:
        return (self.directory / "fakesmsc-mt.log").read_text(errors="replace")

    def received(self) -> list[Received]:
        """Every SMS the fake operator got from Kannel, in order."""
        out = []
        for line in self._log().splitlines():
            m = _GOT.search(line)
            if m:
                out.append(_parse(m[1], m[2], m[3], m[4]))
        return out

    def messages(self, since: int = 0) -> list[Message]:
        """What the phones got, concatenated parts joined, with the number of parts each took."""
        out: list[Message] = []
        pending: dict[tuple[str, int], list[Received]] = {}
        for r in self.received()[since:]:
            if r.part is None:
                out.append(Message(r.sender, r.to, r.text, 1))
                continue
            parts = pending.setdefault((r.to, r.part[0]), [])
            parts.append(r)
            if len(parts) == r.part[1]:
                parts.sort(key=lambda p: p.part[2])
                out.append(Message(r.sender, r.to, "".join(p.text for p in parts), len(parts)))
                del pending[(r.to, r.part[0])]
        return out

    def wait_messages(self, count: int, since: int = 0, timeout: float = 10.0) -> list[Message]:
        return wait_for(lambda: (lambda m: m if len(m) >= count else None)(self.messages(since)), timeout,
                        f"{count} SMS at the fake SMSC")

    def send_mo(self, sender: str, text: str) -> None:
        """A subscriber sends `text` to the short code: a fakesmsc connects to the MO-only SMSC and sends it once."""
        self._fakesmsc_mo(f"{sender} {SHORT_CODE} text {text}")

    def send_mo_unicode(self, sender: str, text: str) -> None:
        """An SMS typed with Vietnamese diacritics: the phone sends it UCS-2 (UTF-16BE)."""
        self._fakesmsc_mo(f"{sender} {SHORT_CODE} ucs2 {_percent(text.encode('utf-16-be'))}")

    def send_mo_parts(self, sender: str, parts: list[str], reference: int = 42) -> None:
        """A long SMS as the phone splits it: parts with a concatenation header (UDH 05 00 03 ref total number)."""
        for number, part in enumerate(parts, 1):
            udh = _percent(bytes([5, 0, 3, reference, len(parts), number]))
            self._fakesmsc_mo(f"{sender} {SHORT_CODE} udh-text {udh} {part}")

    def _fakesmsc_mo(self, message: str) -> None:
        log = self.directory / f"fakesmsc-mo-{time.monotonic_ns()}.log"
        with log.open("w") as out:
            proc = subprocess.Popen([FAKESMSC, "-H", "127.0.0.1", "-r", str(self.mo_port), "-i", "0.05", "-m", "1",
                                     message], stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: "sent message 1" in log.read_text(errors="replace"), what="fakesmsc to send the MO")
        finally:
            proc.terminate()
            proc.wait(5)

    def stop(self) -> None:
        for proc in reversed(self.processes):
            proc.terminate()
        for proc in reversed(self.processes):
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.relay.stop()


def start_kannel(directory: Path, *, incoming_sig: str) -> Kannel:
    directory.mkdir(parents=True, exist_ok=True)
    admin, smsbox, mt, mo, sendsms = (free_port() for _ in range(5))
    relay = Relay(free_port()).start()
    conf = directory / "kannel.conf"
    conf.write_text(f"""
group = core
admin-port = {admin}
admin-password = admin-test
smsbox-port = {smsbox}
box-allow-ip = 127.0.0.1
log-file = "{directory}/bearerbox.log"
log-level = 1
dlr-storage = internal
# A long incoming SMS arrives as parts; Kannel joins them before calling us (its default, stated).
sms-combine-concatenated-mo = true

# The operator, played by fakesmsc: every outgoing SMS goes here.
group = smsc
smsc = fake
smsc-id = operator
port = {mt}
connect-allow-ip = 127.0.0.1

# Incoming SMS only: a fakesmsc connects here to send one message and leaves (no outgoing SMS routed here).
group = smsc
smsc = fake
smsc-id = mo
allowed-smsc-id = mo
port = {mo}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox}
sendsms-port = {sendsms}
global-sender = {SHORT_CODE}
log-file = "{directory}/smsbox.log"
log-level = 1
# As docs/operations.md: an incoming UCS-2 SMS (Vietnamese with diacritics) reaches us as UTF-8.
mo-recode = true

group = sendsms-user
username = {USER}
password = {PASSWORD}
max-messages = 2
concatenation = true

group = sms-service
keyword = default
catch-all = yes
get-url = "{relay.base_url}/sms/kannel/incoming?from=%p&to=%P&text=%a&sig={incoming_sig}"
max-messages = 0
omit-empty = yes
""")
    kannel = Kannel(directory=directory, relay=relay, sendsms_port=sendsms, mo_port=mo)
    devnull = subprocess.DEVNULL
    try:
        kannel.processes.append(subprocess.Popen([BEARERBOX, str(conf)], stdout=devnull, stderr=devnull))
        wait_for(lambda: _listening(mt), what="bearerbox")
        with (directory / "fakesmsc-mt.log").open("w") as out:
            kannel.processes.append(subprocess.Popen([FAKESMSC, "-H", "127.0.0.1", "-r", str(mt), "-i", "1", "-m",
                                                      "0", "0 0 text x"], stdout=out, stderr=subprocess.STDOUT))
        kannel.processes.append(subprocess.Popen([SMSBOX, str(conf)], stdout=devnull, stderr=devnull))
        wait_for(lambda: _listening(sendsms), what="smsbox")
        wait_for(lambda: "connected" in (directory / "bearerbox.log").read_text(errors="replace").lower()
                 and "Fakesmsc client connected" in (directory / "bearerbox.log").read_text(errors="replace"),
                 what="the fake operator to connect")
    except BaseException:
        kannel.stop()
        raise
    return kannel


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def cleanup(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)
