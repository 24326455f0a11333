"""`make bench`: the app as users run it (`pakn serve`, 2 workers) against a bare FastAPI baseline, under wrk.

One run = one database. SQLite by default (a fresh data directory in a temporary folder); PostgreSQL with
`--postgres URL` or a PostgreSQL `DATABASE_URL` (the database must be empty, or pass `--reset-postgres` to drop its
schema `public` first: point it at a scratch database).

  .venv/bin/python bench/run.py                                   # SQLite → bench/results/sqlite.json
  .venv/bin/python bench/run.py --postgres postgresql+psycopg://pakn:pakn@127.0.0.1:54329/pakn_bench
  .venv/bin/python bench/run.py --show                            # print the tables of the saved results

The app is driven only through its `pakn` commands and HTTP: `pakn setup`, `pakn api-client create`,
`pakn serve`. Each scenario runs wrk (a separate process) with a Lua script from bench/wrk/; the scenarios and the
targets of issue 8 are described in docs/performance.md. A missed target is reported, never an error: the exit
status is non-zero only when the harness itself failed (a server that does not start, a command that fails, a
warm-up request that does not get the expected answer).
"""

import argparse
import collections
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata as package_metadata
from pathlib import Path

import baseline_app
import httpx
from api_load import ITEM
from sqlalchemy import create_engine, inspect, text

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WRK_DIR = BENCH_DIR / "wrk"
BIN = Path(sys.executable).parent
WORKERS = 2
READ_CODES = 100  # items created before the scenarios; the read scenario asks for them in turn
BASELINE_ROWS = 1000
ANONYMOUS_SESSIONS = 10
WRK_TIMEOUT = "30s"  # a request slower than this is counted as a timeout (an error) and its latency is lost

# Environment variables of the caller that must not leak into the measured servers.
CLEARED_ENV = {"DATABASE_URL", "SECRET_KEY", "HOST", "PORT", "WORKERS"}
CLEARED_PREFIXES = ("PAKN_", "SMTP_")

INVALID_FORM = {  # POST / without content and without consent: the form comes back with errors (422)
    "kind": "feedback", "field_code": "ha-tang-so", "commune_code": "xa-muong-nhe", "title": "Đường vào bản hỏng",
    "content": "", "sender_type": "individual", "sender_name": "Lò Văn Minh", "sender_phone": "0912345678",
}

TARGETS = {  # issue 8, "Benchmarks"
    "create_ratio": {"sqlite": 0.10, "postgresql": 0.08},
    "create_p99_ms": 150,
    "read_ratio": 0.30,
    "mixed_p99_ms": 1000,
    "healthz_max_ms": 200,
    "worker_peak_rss_mb": 200,
}


class HarnessError(Exception):
    """The harness could not measure (as opposed to the app measuring badly)."""


# ---------------------------------------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV and not k.startswith(CLEARED_PREFIXES)}
    env.update(extra)
    return env


def run_command(args: list[str], env: dict[str, str], cwd: Path, what: str) -> str:
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)  # noqa: S603
    if done.returncode != 0:
        raise HarnessError(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class Server:
    """A server process started by the harness (its own process group), with its worker processes."""

    name: str
    args: list[str]
    env: dict[str, str]
    cwd: Path
    port: int
    log_path: Path
    process: subprocess.Popen | None = None
    worker_pids: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str = "/healthz", timeout: float = 90) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                self.args, env=self.env, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise HarnessError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                if httpx.get(self.url + ready_path, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise HarnessError(f"{self.name} did not answer {ready_path} within {timeout:.0f} s; see {self.log_path}")
        self.worker_pids = self._find_workers()
        if len(self.worker_pids) != WORKERS:
            raise HarnessError(f"{self.name}: expected {WORKERS} worker processes, found {self.worker_pids}")

    def settle(self, timeout: float = 90) -> float:
        """Wait until /healthz answers within 0.2 s (the previous scenario's last requests are done): seconds."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            t = time.monotonic()
            try:
                if httpx.get(self.url + "/healthz", timeout=timeout).status_code == 200 and time.monotonic() - t < 0.2:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        return round(time.monotonic() - started, 1)

    def _find_workers(self) -> list[int]:
        """uvicorn's workers are `multiprocessing` spawn children of the server process (the resource tracker,
        another child, is not one)."""
        deadline = time.monotonic() + 20
        while True:
            pids = []
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
                except (OSError, IndexError, ValueError):
                    continue
                if ppid == self.process.pid and "spawn_main" in cmdline:
                    pids.append(int(entry.name))
            if len(pids) >= WORKERS or time.monotonic() > deadline:
                return sorted(pids)
            time.sleep(0.2)

    def memory_kib(self, key: str) -> dict[int, int]:
        """VmHWM (peak resident set) or VmRSS of each worker, in KiB."""
        out = {}
        for pid in self.worker_pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(rf"^{key}:\s+(\d+) kB", status, re.M)
            if match:
                out[pid] = int(match.group(1))
        return out

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_findings(self, since: int = 0) -> dict:
        """What the server logged (from byte `since`). uvicorn logs every unhandled exception, i.e. every 500,
        as `ERROR:` and a traceback, even when the client had already gone. `ClientDisconnect` (wrk closing its
        connections at the end while a request body was still to be read) is counted apart: it is not an error
        under load."""
        with open(self.log_path, "rb") as f:
            f.seek(since)
            lines = f.read().decode(errors="replace").splitlines()
        errors: list[str] = []  # the exception each `ERROR:` ended with
        current = None
        in_traceback = False
        for line in [*lines, "END:"]:
            if re.match(r"^(ERROR|INFO|WARNING|END):", line):
                if current is not None:
                    errors.append(current or "(no traceback)")
                current = "" if line.startswith("ERROR:") else None
            elif line.startswith("Traceback (most recent call last)"):
                in_traceback = True
            elif in_traceback and line and not line[0].isspace():
                in_traceback = False  # the line that ends a traceback names its exception
                if current is not None:
                    current = line[:200]
        disconnects = sum("ClientDisconnect" in e for e in errors)
        return {
            "logged_errors": len(errors) - disconnects,
            "logged_client_disconnects": disconnects,
            "tracebacks": sum(line.startswith("Traceback (most recent call last)") for line in lines),
            "database_is_locked": sum("database is locked" in line for line in lines),
            "errors_by_exception": dict(collections.Counter(errors).most_common(10)),
        }


# -------------------------------------------------------------------------------------------------- CPU share


def _ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(fields[11]) + int(fields[12])


def _machine_busy_ticks() -> int:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values) - values[3] - values[4]  # all but idle and iowait


def _postgres_backends(database: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if cmdline.startswith("postgres: ") and f" {database} " in cmdline:
                pids.append(int(entry.name))
    return pids


class CpuMeter:
    """Where the machine's CPU went during a scenario, in cores (1.0 = one core busy all along): the measured
    server, its PostgreSQL backends, the load generator (wrk and this harness), and `other` — processes that are
    not part of the run (the machine is shared). A large `other` means the figures of that scenario are noisy."""

    def __init__(self, server: "Server", postgres_database: str | None):
        self.server, self.postgres_database = server, postgres_database
        self.tick = os.sysconf("SC_CLK_TCK")

    def _snapshot(self) -> dict:
        server_pids = [self.server.process.pid, *self.server.worker_pids]
        backends = _postgres_backends(self.postgres_database) if self.postgres_database else []
        children, me = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
        return {
            "time": time.monotonic(),
            "busy": _machine_busy_ticks() / self.tick,
            "server": sum(_ticks(pid) for pid in server_pids) / self.tick,
            "backends": {pid: _ticks(pid) / self.tick for pid in backends},
            "load": children.ru_utime + children.ru_stime + me.ru_utime + me.ru_stime,
        }

    def __enter__(self) -> "CpuMeter":
        self.start = self._snapshot()
        return self

    def __exit__(self, *_exc) -> None:
        end = self._snapshot()
        seconds = end["time"] - self.start["time"]
        postgres = sum(t - self.start["backends"].get(pid, 0.0) for pid, t in end["backends"].items())
        used = {
            "machine_busy": end["busy"] - self.start["busy"],
            "server": end["server"] - self.start["server"],
            "postgres_backends": postgres,
            "load_generator": end["load"] - self.start["load"],
        }
        used["other"] = max(0.0, used["machine_busy"] - used["server"] - postgres - used["load_generator"])
        self.cores = {name: round(value / seconds, 2) for name, value in used.items()}


# ---------------------------------------------------------------------------------------------------------- wrk


def wrk_path() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise HarnessError("wrk is not installed (Debian: apt-get install -y wrk; `make bench` does it)")
    return wrk


def wrk_command(url: str, script: str, connections: int, duration: int, args: list[str],
                threads: int | None = None) -> list[str]:
    threads = threads or min(WORKERS, connections)
    return [wrk_path(), f"-t{threads}", f"-c{connections}", f"-d{duration}s", f"--timeout={WRK_TIMEOUT}",
            "-s", str(WRK_DIR / script), url, "--", *args]


def parse_wrk(output: str, command: list[str]) -> dict:
    for line in output.splitlines():
        if line.startswith("BENCHJSON "):
            return json.loads(line.removeprefix("BENCHJSON "))
    raise HarnessError(f"no BENCHJSON line from {' '.join(command)}:\n{output}")


def run_wrk(command: list[str], duration: int) -> dict:
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)  # noqa: S603
    if done.returncode != 0:
        raise HarnessError(f"wrk failed ({done.returncode}): {done.stderr}")
    return parse_wrk(done.stdout, command)


def summarise(raw: dict, expected: set[int], connections: int) -> dict:
    """requests/s, latency and error counts of one wrk run. Errors are 5xx answers and socket errors (including
    wrk's timeouts); any other status than the expected ones is counted as `unexpected`."""
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    duration = float(raw["duration_s"])
    ok = sum(n for status, n in statuses.items() if status in expected)
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    socket_errors = sum(raw["socket_errors"].values())
    latency = raw["latency_ms"]
    return {
        "connections": connections,
        "duration_s": duration,
        "requests": raw["requests"],
        "rps": round(raw["requests"] / duration, 1),
        "ok_rps": round(ok / duration, 1),
        "p50_ms": latency["p50"], "p90_ms": latency["p90"], "p95_ms": latency["p95"], "p99_ms": latency["p99"],
        "p999_ms": latency["p999"], "max_ms": latency["max"], "mean_ms": round(latency["mean"], 3),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "expected_statuses": sorted(expected),
        "errors": server_errors + socket_errors,
        "server_errors": server_errors,
        "socket_errors": raw["socket_errors"],
        "unexpected": sum(n for status, n in statuses.items() if status not in expected and status < 500),
        # Requests still waiting for their answer when wrk stopped (not in the figures above), and a lower bound
        # of how long the oldest of them had been waiting (see bench/wrk/stats.lua).
        # (At most one per connection: a request wrk re-sent on a new connection after a socket error counts once.)
        "unanswered_at_stop": min(connections, max(0, raw["sent"] - raw["received"])),
        "unanswered_for_s": raw["unanswered_for_s"],
    }


# ------------------------------------------------------------------------------------------ probes during a run


class Probe(threading.Thread):
    """GET /healthz every 0.2 s (the next one right away when one takes longer), and sample the workers' RSS."""

    def __init__(self, server: Server, interval: float = 0.2):
        super().__init__(daemon=True)
        self.server, self.interval = server, interval
        self.stopped = threading.Event()
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.rss_max: dict[int, int] = {}

    def run(self) -> None:
        with httpx.Client(base_url=self.server.url, timeout=30) as client:
            while not self.stopped.is_set():
                started = time.perf_counter()
                try:
                    status = client.get("/healthz").status_code
                    if status != 200:
                        self.failures.append(f"HTTP {status}")
                except httpx.HTTPError as exc:
                    self.failures.append(f"{type(exc).__name__}: {exc}")
                elapsed = time.perf_counter() - started
                self.latencies.append(elapsed * 1000)
                for pid, kib in self.server.memory_kib("VmRSS").items():
                    self.rss_max[pid] = max(self.rss_max.get(pid, 0), kib)
                self.stopped.wait(max(0.0, self.interval - elapsed))

    def result(self) -> dict:
        values = sorted(self.latencies)
        return {
            "probes": len(values),
            "failures": len(self.failures),
            "failure_examples": self.failures[:5],
            "p50_ms": round(statistics.median(values), 2) if values else None,
            "p99_ms": round(values[min(len(values) - 1, int(0.99 * len(values)))], 2) if values else None,
            "max_ms": round(values[-1], 2) if values else None,
            "over_200ms": sum(v >= 200 for v in values),
        }


# ------------------------------------------------------------------------------------------------- the scenarios


@dataclass
class Run:
    database: str  # "sqlite" | "postgresql"
    postgres_url: str | None
    work: Path
    duration: int
    mixed_duration: int
    connections: int
    result: dict = field(default_factory=dict)

    @property
    def postgres_database(self) -> str | None:
        return self.postgres_url.rsplit("/", 1)[1].split("?")[0] if self.postgres_url else None

    def write(self, name: str, content: str | bytes) -> Path:
        path = self.work / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    def scenario(self, name: str, server: Server, script: str, args: list[str], expected: set[int]) -> dict:
        settled = server.settle()
        print(f"  {name}: {self.connections} connections, {self.duration} s …", flush=True)
        command = wrk_command(server.url, script, self.connections, self.duration, args)
        with CpuMeter(server, self.postgres_database) as cpu:
            raw = run_wrk(command, self.duration)
        figures = {**summarise(raw, expected, self.connections), "cpu_cores": cpu.cores, "settle_s": settled}
        self.result["scenarios"][name] = figures
        return figures


def baseline(run: Run) -> None:
    db_url = run.postgres_url or f"sqlite:///{run.work / 'baseline.db'}"
    codes = baseline_app.init_db(db_url, BASELINE_ROWS)
    codes_file = run.write("baseline-codes.txt", "\n".join(codes) + "\n")
    body_file = run.write("item.json", json.dumps(ITEM, ensure_ascii=False))
    port = free_port()
    server = Server(
        "baseline", [str(BIN / "uvicorn"), "baseline_app:app", "--app-dir", str(BENCH_DIR), "--host", "127.0.0.1",
                     "--port", str(port), "--workers", str(WORKERS), "--http", "httptools", "--loop", "uvloop",
                     "--no-access-log"],
        clean_env(BENCH_BASELINE_DB=db_url), run.work, port, run.work / "baseline.log")
    try:
        server.start()
        with httpx.Client(base_url=server.url, timeout=30) as c:
            for _ in range(20):
                check(c.post("/items", json=ITEM), 201, "baseline insert")
                check(c.get(f"/items/{codes[0]}"), 200, "baseline read")
        run.scenario("bare_insert", server, "create.lua", ["/items", str(body_file), uuid.uuid4().hex], {201})
        run.scenario("bare_read", server, "read.lua", ["/items/{code}", str(codes_file)], {200})
    finally:
        server.stop()
    run.result["baseline_server_log"] = server.log_findings()


def check(response: httpx.Response, status: int, what: str) -> httpx.Response:
    if response.status_code != status:
        raise HarnessError(f"warm-up: {what} answered {response.status_code}, not {status}: {response.text[:500]}")
    return response


def app_scenarios(run: Run) -> None:
    data_dir = run.work / "data"
    data_dir.mkdir()
    env = clean_env(PAKN_DATA_DIR=str(data_dir), PAKN_WORKER_IN_APP="false",
                    PAKN_ARGON2_TIME_COST="1", PAKN_ARGON2_MEMORY_KIB="1024")
    if run.postgres_url:
        env["DATABASE_URL"] = run.postgres_url
    pakn = str(BIN / "pakn")
    print("  pakn setup …", flush=True)
    started = time.perf_counter()
    run_command([pakn, "setup"], env, run.work, "pakn setup")
    run.result["setup_s"] = round(time.perf_counter() - started, 1)
    created = run_command([pakn, "api-client", "create", "bench", "--rate-limit", "100000"], env, run.work,
                          "pakn api-client create")
    key = created.strip().splitlines()[-1].strip()

    port = free_port()
    server = Server("pakn serve", [pakn, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers",
                                   str(WORKERS)], env, run.work, port, run.work / "app.log")
    try:
        server.start()
        body_file, codes_file, sessions_file, form_file = warm_up(run, server, key)
        run.scenario("api_create", server, "create.lua",
                     ["/api/v1/submissions", str(body_file), uuid.uuid4().hex, key], {201})
        run.scenario("api_read", server, "read.lua", ["/api/v1/submissions/{code}", str(codes_file), key], {200})
        run.scenario("home_page", server, "read.lua", ["/"], {200})
        mixed(run, server, key, body_file, sessions_file, form_file)
    finally:
        server.stop()
    run.result["app_server_log"] = server.log_findings()


def warm_up(run: Run, server: Server, key: str) -> tuple[Path, Path, Path, Path]:
    """Create the items the read scenario asks for (every worker has then served requests), and open the anonymous
    sessions of the form posts, checking that each request gets the answer the scenarios expect."""
    body_file = run.write("item.json", json.dumps(ITEM, ensure_ascii=False))
    auth = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=server.url, headers=auth, timeout=60) as c, ThreadPoolExecutor(4) as pool:
        created = list(pool.map(
            lambda _: check(c.post("/api/v1/submissions", json=ITEM, headers={"Idempotency-Key": uuid.uuid4().hex}),
                            201, "POST /api/v1/submissions"), range(READ_CODES)))
        codes = [r.json()["tracking_code"] for r in created]
        for code in codes[:10]:
            check(c.get(f"/api/v1/submissions/{code}"), 200, "GET /api/v1/submissions/{code}")
    codes_file = run.write("codes.txt", "\n".join(codes) + "\n")

    form = urllib.parse.urlencode(INVALID_FORM)
    sessions = []
    for _ in range(ANONYMOUS_SESSIONS):
        with httpx.Client(base_url=server.url, timeout=60) as browser:
            page = check(browser.get("/"), 200, "GET /")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            if token is None:
                raise HarnessError("GET / has no csrf_token field")
            check(browser.post("/", content=f"csrf_token={token.group(1)}&{form}",
                               headers={"Content-Type": "application/x-www-form-urlencoded"}), 422, "POST / invalid")
            cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
            sessions.append(f"{cookie}\t{token.group(1)}")
    sessions_file = run.write("sessions.txt", "\n".join(sessions) + "\n")
    return body_file, codes_file, sessions_file, run.write("form.txt", form)


def mixed(run: Run, server: Server, key: str, body_file: Path, sessions_file: Path, form_file: Path) -> None:
    """10 anonymous GET / + 10 anonymous invalid POST / + 8 API writers at once, while /healthz is probed."""
    d = run.mixed_duration
    streams = {
        "home_page": (wrk_command(server.url, "read.lua", 10, d, ["/"], threads=1), {200}, 10),
        "invalid_form": (wrk_command(server.url, "form_post.lua", 10, d, [str(sessions_file), str(form_file)],
                                     threads=1), {422}, 10),
        "api_create": (wrk_command(server.url, "create.lua", 8, d, ["/api/v1/submissions", str(body_file),
                                                                    uuid.uuid4().hex, key], threads=1), {201}, 8),
    }
    settled = server.settle()
    print(f"  mixed: 10 × GET /, 10 × invalid POST /, 8 × API create, {d} s, /healthz every 0.2 s …", flush=True)
    rss_before = server.memory_kib("VmRSS")
    log_start = server.log_size()
    probe = Probe(server)
    with CpuMeter(server, run.postgres_database) as cpu:
        probe.start()
        processes = {name: subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,  # noqa: S603
                                            text=True) for name, (command, _, _) in streams.items()}
        outputs = {name: p.communicate(timeout=d + 120) for name, p in processes.items()}
        load_ended = time.monotonic()
        probe.stopped.set()
        probe.join()
    figures = {}
    for name, (command, expected, connections) in streams.items():
        if processes[name].returncode != 0:
            raise HarnessError(f"wrk ({name}) failed: {outputs[name][1]}")
        figures[name] = summarise(parse_wrk(outputs[name][0], command), expected, connections)
    healthz = probe.result()
    peak = server.memory_kib("VmHWM")
    server.settle()
    recovery = round(time.monotonic() - load_ended, 1)  # from the end of the load until /healthz is quick again
    time.sleep(1)  # let the workers write what they were logging
    run.result["mixed"] = {
        "duration_s": d,
        "settle_s": settled,
        "streams": figures,
        # Answers with 5xx, socket errors and failed /healthz probes, as the clients saw them ...
        "errors": sum(f["errors"] for f in figures.values()) + healthz["failures"],
        # ... and what the server logged meanwhile (it also logs the 500s of requests wrk no longer waited for).
        "server_log": server.log_findings(since=log_start),
        "unexpected": sum(f["unexpected"] for f in figures.values()),
        "worst_p99_ms": max(f["p99_ms"] for f in figures.values()),
        "longest_unanswered_s": max(f["unanswered_for_s"] for f in figures.values()),
        "healthz": healthz,
        "recovery_s": recovery,
        "cpu_cores": cpu.cores,
        "workers": [
            {"pid": pid, "rss_before_mb": mb(rss_before.get(pid)), "rss_max_during_mb": mb(probe.rss_max.get(pid)),
             "peak_rss_mb": mb(peak.get(pid))} for pid in server.worker_pids],
    }


def mb(kib: int | None) -> float | None:
    return None if kib is None else round(kib / 1024, 1)


# ------------------------------------------------------------------------------------------- targets and report


def evaluate(result: dict) -> list[dict]:
    s, m, db = result["scenarios"], result["mixed"], result["database"]
    create_ratio = s["api_create"]["ok_rps"] / s["bare_insert"]["ok_rps"]
    read_ratio = s["api_read"]["ok_rps"] / s["bare_read"]["ok_rps"]
    home_ratio = s["home_page"]["ok_rps"] / s["bare_read"]["ok_rps"]
    peak = max(w["peak_rss_mb"] or 0 for w in m["workers"])
    logged = m["server_log"]["logged_errors"]
    five_xx = sum(f["server_errors"] for f in m["streams"].values())
    sockets = sum(sum(f["socket_errors"].values()) for f in m["streams"].values())
    rows = [
        ("API create ≥ 10 % (SQLite) / 8 % (PostgreSQL) of bare insert",
         create_ratio, f"{create_ratio:.1%}", create_ratio >= TARGETS["create_ratio"][db]),
        ("API create p99 < 150 ms (8 connections)", s["api_create"]["p99_ms"], f"{s['api_create']['p99_ms']:.0f} ms",
         s["api_create"]["p99_ms"] < TARGETS["create_p99_ms"]),
        ("API read ≥ 30% of bare read", read_ratio, f"{read_ratio:.1%}", read_ratio >= TARGETS["read_ratio"]),
        ("home page ≥ 30% of bare read", home_ratio, f"{home_ratio:.1%}", home_ratio >= TARGETS["read_ratio"]),
        ("mixed: 0 errors", m["errors"] + logged,
         f"{five_xx} × 5xx, {sockets} socket errors, {m['healthz']['failures']} failed /healthz; "
         f"{logged} unhandled errors in the server's log", m["errors"] + logged == 0),
        ("mixed: p99 < 1 s (every stream, nothing left unanswered ≥ 1 s)", m["worst_p99_ms"],
         (f"worst p99 {m['worst_p99_ms']:.0f} ms" if all(f["requests"] for f in m["streams"].values())
          else "a stream got no answer at all") + f", unanswered ≥ {m['longest_unanswered_s']:.1f} s at the end",
         m["worst_p99_ms"] < TARGETS["mixed_p99_ms"] and m["longest_unanswered_s"] * 1000 < TARGETS["mixed_p99_ms"]),
        ("mixed: /healthz always < 200 ms", m["healthz"]["max_ms"], f"max {m['healthz']['max_ms']:.0f} ms",
         m["healthz"]["max_ms"] < TARGETS["healthz_max_ms"] and m["healthz"]["failures"] == 0),
        ("peak RSS of a worker < 200 MB", peak, f"{peak:.0f} MB", peak < TARGETS["worker_peak_rss_mb"]),
    ]
    return [{"target": t, "value": round(v, 4), "shown": shown, "met": met} for t, v, shown, met in rows]


def report(result: dict) -> str:
    s, m = result["scenarios"], result["mixed"]
    lines = [f"{result['database']} · {result['timestamp']} · commit {result['code']['commit'][:10]}"
             f"{' (app/ modified)' if result['code']['app_modified'] else ''} · {result['machine']['cpus']} CPUs",
             f"{'scenario':<36}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
             f"{'5xx':>5}{'sock':>5}{'other':>6}  vs bare"]

    def row(label: str, f: dict, vs: str = "", cpu: dict | None = None) -> None:
        if f["requests"]:
            figures = f"{f['p50_ms']:>9.1f}{f['p95_ms']:>9.1f}{f['p99_ms']:>9.1f}{f['max_ms']:>9.1f}"
        else:
            figures = f"{'no answer':>36}"
        other = (cpu or f.get("cpu_cores") or {}).get("other")
        other = "" if other is None else f"{other:.2f}"
        if f["unexpected"]:
            vs = f"{vs}  {f['unexpected']} unexpected statuses {f['statuses']}".strip()
        if f["unanswered_for_s"] >= 1:
            vs = f"{vs}  {f['unanswered_at_stop']} unanswered for ≥ {f['unanswered_for_s']:.1f} s at the end".strip()
        lines.append(f"{label:<36}{f['ok_rps']:>8.1f}{figures}{f['server_errors']:>5}"
                     f"{sum(f['socket_errors'].values()):>5}{other:>6}  {vs}")

    row("bare insert  POST /items", s["bare_insert"])
    row("bare read    GET /items/{code}", s["bare_read"])
    row("API create   POST /api/v1/submissions", s["api_create"],
        f"{s['api_create']['ok_rps'] / s['bare_insert']['ok_rps']:.1%} of insert")
    row("API read     GET …/submissions/{code}", s["api_read"],
        f"{s['api_read']['ok_rps'] / s['bare_read']['ok_rps']:.1%} of read")
    row("home page    GET /", s["home_page"], f"{s['home_page']['ok_rps'] / s['bare_read']['ok_rps']:.1%} of read")
    lines.append(f"mixed, {m['duration_s']} s (other CPU over the whole run: {m['cpu_cores']['other']:.2f}):")
    row("  10 × GET /", m["streams"]["home_page"], cpu={})
    row("  10 × POST / invalid form (422)", m["streams"]["invalid_form"], cpu={})
    row("  8 × API create", m["streams"]["api_create"], cpu={})
    h = m["healthz"]
    lines.append(f"  /healthz every 0.2 s: {h['probes']} probes, p50 {h['p50_ms']:.1f} ms, max {h['max_ms']:.1f} ms, "
                 f"{h['over_200ms']} ≥ 200 ms, {h['failures']} failed; < 200 ms again {m['recovery_s']} s "
                 "after the load")
    lines.append("  workers' peak RSS: " + ", ".join(f"{w['peak_rss_mb']} MB" for w in m["workers"]))
    log = m["server_log"]
    if log["logged_errors"]:
        worst = next(e for e in log["errors_by_exception"] if "ClientDisconnect" not in e)
        lines.append(f"  server log meanwhile: {log['logged_errors']} unhandled errors (500), most: {worst[:70]}")
    lines.append("  req/s: expected answers only · 5xx: answers · sock: wrk's socket errors (uvicorn closes the "
                 "connection after a 500) · other: CPU cores used by processes outside the run (shared machine)")
    lines.append("targets (issue 8):")
    lines += [f"  [{'met' if t['met'] else 'MISSED'}] {t['target']}: {t['shown']}" for t in result["targets"]]
    return "\n".join(lines)


def markdown(results: list[dict]) -> str:
    """The figures of several runs side by side, as the tables of docs/performance.md."""
    names = [r["database"] for r in results]
    head = "| scenario | " + " | ".join(f"{n}: req/s · p50 · p95 · p99 (ms) · 5xx" for n in names) + " |"
    lines = [head, "|---|" + "---|" * len(results)]

    def cell(f: dict, vs: str = "") -> str:
        if not f["requests"]:
            text = "no answer"
        else:
            text = (f"{f['ok_rps']:.1f} · {f['p50_ms']:.0f} · {f['p95_ms']:.0f} · {f['p99_ms']:.0f}"
                    f" · {f['server_errors']}")
        if f["unanswered_for_s"] >= 1:
            text += f"; {f['unanswered_at_stop']} unanswered ≥ {f['unanswered_for_s']:.0f} s"
        return text + (f" ({vs})" if vs else "")

    rows = [
        ("bare insert `POST /items`", lambda r: cell(r["scenarios"]["bare_insert"])),
        ("bare read `GET /items/{code}`", lambda r: cell(r["scenarios"]["bare_read"])),
        ("`POST /api/v1/submissions`", lambda r: cell(r["scenarios"]["api_create"], "{:.1%} of bare insert".format(
            r["scenarios"]["api_create"]["ok_rps"] / r["scenarios"]["bare_insert"]["ok_rps"]))),
        ("`GET /api/v1/submissions/{code}`", lambda r: cell(r["scenarios"]["api_read"], "{:.1%} of bare read".format(
            r["scenarios"]["api_read"]["ok_rps"] / r["scenarios"]["bare_read"]["ok_rps"]))),
        ("citizen home page `GET /`", lambda r: cell(r["scenarios"]["home_page"], "{:.1%} of bare read".format(
            r["scenarios"]["home_page"]["ok_rps"] / r["scenarios"]["bare_read"]["ok_rps"]))),
        ("mixed: 10 × `GET /`", lambda r: cell(r["mixed"]["streams"]["home_page"])),
        ("mixed: 10 × invalid `POST /` (422)", lambda r: cell(r["mixed"]["streams"]["invalid_form"])),
        ("mixed: 8 × API create", lambda r: cell(r["mixed"]["streams"]["api_create"])),
        ("mixed: `/healthz` probes", lambda r: "{probes} probes, p50 {p50_ms:.0f} ms, max {max_ms:.0f} ms, "
         "{failures} failed".format(**r["mixed"]["healthz"])),
        ("mixed: unhandled errors in the server log", lambda r: str(r["mixed"]["server_log"]["logged_errors"])),
        ("mixed: workers' peak RSS", lambda r: " · ".join(f"{w['peak_rss_mb']:.0f} MB" for w in r["mixed"]["workers"])),
        ("CPU used by others during the app scenarios (cores)", lambda r: " · ".join(
            f"{r['scenarios'][n]['cpu_cores']['other']:.2f}" for n in ("api_create", "api_read", "home_page"))
         + f" · mixed {r['mixed']['cpu_cores']['other']:.2f}"),
    ]
    lines += [f"| {label} | " + " | ".join(get(r) for r in results) + " |" for label, get in rows]
    lines += ["", "| target (issue 8) | " + " | ".join(names) + " |", "|---|" + "---|" * len(results)]
    for i, target in enumerate(results[0]["targets"]):
        label = target["target"]
        lines.append(f"| {label} | " + " | ".join(
            f"{'met' if r['targets'][i]['met'] else '**missed**'}: {r['targets'][i]['shown']}" for r in results) + " |")
    return "\n".join(lines)


def machine_info(postgres_url: str | None) -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    mem = re.search(r"^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
    os_release = Path("/etc/os-release")
    pretty = re.search(r'^PRETTY_NAME="?([^"\n]+)', os_release.read_text(), re.M) if os_release.exists() else None
    wrk_version = subprocess.run([wrk_path(), "-v"], capture_output=True, text=True)  # noqa: S603
    info = {
        "cpus": os.cpu_count(),
        "cpu_model": model.group(1) if model else platform.processor(),
        "memory_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
        "os": pretty.group(1) if pretty else platform.platform(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": {name: package_metadata.version(name)
                     for name in ("fastapi", "uvicorn", "sqlalchemy", "sqlmodel", "httptools", "uvloop", "psycopg")},
        "sqlite": sqlite3.sqlite_version,
        "wrk": (wrk_version.stdout or wrk_version.stderr).splitlines()[0].strip(),
        "load_average_at_start": list(os.getloadavg()),
        "load_generator": "wrk on the same machine",
    }
    if postgres_url:
        engine = create_engine(postgres_url)
        with engine.connect() as conn:
            info["postgresql"] = {
                name: conn.execute(text(f"SHOW {name}")).scalar()
                for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers", "max_connections")}
        engine.dispose()
    return info


def code_info() -> dict:
    git = shutil.which("git")
    if git is None:
        return {"commit": "unknown", "app_modified": None}
    commit = subprocess.run([git, "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)  # noqa: S603
    modified = subprocess.run([git, "status", "--porcelain", "--", "app", "migrations"], cwd=REPO,  # noqa: S603
                              capture_output=True, text=True)
    return {"commit": commit.stdout.strip() or "unknown", "app_modified": bool(modified.stdout.strip())}


def prepare_postgres(url: str, reset: bool) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            tables = inspect(conn).get_table_names()
            if tables and not reset:
                raise HarnessError(f"the database of {masked(url)} is not empty ({len(tables)} tables); use a scratch "
                                   "database or pass --reset-postgres (drops its schema public)")
            if reset:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def masked(text_: str) -> str:
    """A URL (or a command line) without its password."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", text_)


def postgres_driver(url: str) -> str:
    """The app and the baseline use psycopg 3: accept postgres:// and postgresql:// too."""
    return re.sub(r"^(postgres|postgresql)://", "postgresql+psycopg://", url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="run against this PostgreSQL database (else DATABASE_URL "
                        "if it is PostgreSQL, else SQLite)")
    parser.add_argument("--reset-postgres", action="store_true", help="drop schema public of that database first")
    parser.add_argument("--duration", type=int, default=15, help="seconds per single scenario (default 15)")
    parser.add_argument("--mixed-duration", type=int, default=30, help="seconds of the mixed scenario (default 30)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results", help="where <db>.json is written")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (data, logs)")
    parser.add_argument("--show", action="store_true", help="only print the tables of the results in --out")
    parser.add_argument("--markdown", action="store_true", help="only print the results in --out as Markdown")
    args = parser.parse_args()

    if args.markdown:
        order = {"sqlite": 0, "postgresql": 1}
        results = [json.loads(p.read_text()) for p in args.out.glob("*.json")]
        print(markdown(sorted(results, key=lambda r: order.get(r["database"], 2))))
        return 0
    if args.show:
        for path in sorted(args.out.glob("*.json")):
            print(report(json.loads(path.read_text())), end="\n\n")
        return 0

    url = args.postgres or os.environ.get("DATABASE_URL", "")
    postgres_url = postgres_driver(url) if url.startswith("postgres") else None
    if url and not postgres_url:
        raise HarnessError(f"not a PostgreSQL URL: {masked(url)} (SQLite is the default, without a URL)")
    database = "postgresql" if postgres_url else "sqlite"
    wrk_path()
    if postgres_url:
        prepare_postgres(postgres_url, args.reset_postgres)

    result = {
        "database": database,
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": masked(" ".join(["bench/run.py", *sys.argv[1:]])),
        "code": code_info(),
        "machine": machine_info(postgres_url),
        "settings": {"workers": WORKERS, "connections": args.connections, "duration_s": args.duration,
                     "mixed_duration_s": args.mixed_duration, "wrk_timeout": WRK_TIMEOUT,
                     "outbox_worker_in_app": False, "read_codes": READ_CODES, "baseline_rows": BASELINE_ROWS},
        "scenarios": {},
    }
    work = Path(tempfile.mkdtemp(prefix=f"pakn-bench-{database}-"))
    run = Run(database, postgres_url, work, args.duration, args.mixed_duration, args.connections, result)
    print(f"PAKN bench on {database}, work folder {work}", flush=True)
    started = time.perf_counter()
    try:
        baseline(run)
        app_scenarios(run)
    except BaseException:
        print(f"harness failed; logs kept in {work}", file=sys.stderr)
        raise
    result = run.result
    result["machine"]["load_average_at_end"] = list(os.getloadavg())
    result["wall_time_s"] = round(time.perf_counter() - started, 1)
    result["targets"] = evaluate(result)
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"{database}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print()
    print(report(result))
    print(f"\nwritten {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except HarnessError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)
