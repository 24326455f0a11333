"""A real `pakn serve` in a subprocess (fresh data dir and database) and Debian's Chromium through Playwright.

Each `new_page()` opens a fresh browser context, i.e. another device with its own cookies. When a test
fails, every page it opened is screenshotted into the run's tmp folder and the server log is kept there.
"""

import csv
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
BROWSER_DATABASE = "pakn_browser"
STARTUP_TIMEOUT_S = 30
PAGE_TEXT_CHARS = 1500


@dataclass
class LiveServer:
    base_url: str
    data_dir: Path
    log_path: Path
    artifacts: Path
    process: subprocess.Popen = field(repr=False)

    def initial_password(self, username: str) -> str:
        path = self.data_dir / "initial-credentials.csv"
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["username"] == username:
                    return row["initial_password"]
        raise AssertionError(f"no initial password for {username!r} in {path}")

    def first_login(self, page, username: str, new_password: str) -> None:
        """Logs in with the seeded one-time password and goes through the forced password change."""
        from playwright.sync_api import expect

        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", self.initial_password(username))
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page, "first login must force a password change").to_have_url(re.compile(r"/account/password$"))
        page.fill("#current", self.initial_password(username))
        page.fill("#new", new_password)
        page.fill("#confirm", new_password)
        page.get_by_role("button", name="Lưu mật khẩu mới").click()

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no server log)"
        return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _browser_database_url(parent_url: str) -> str:
    """Same PostgreSQL server as the rest of the suite, own database, emptied before the run."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(parent_url).set(database=BROWSER_DATABASE)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:
        shown = url.render_as_string(hide_password=True)
        pytest.fail(f"cannot reset the browser test database {shown}: {exc}\n(scripts/start-postgres creates it)")
    finally:
        engine.dispose()
    return url.render_as_string(hide_password=False)


def _pakn(env: dict[str, str], *args: str, cwd: Path) -> None:
    """Runs the `pakn` command of the interpreter running the tests."""
    cmd = [sys.executable, "-c", "from app.cli import main; main()", *args]
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True,  # noqa: S603
                            timeout=300, check=False)
    if result.returncode != 0:
        pytest.fail(f"`pakn {' '.join(args)}` failed ({result.returncode}):\n"
                    f"{result.stdout}\n{result.stderr}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    artifacts = tmp_path_factory.mktemp("pakn-browser")
    data_dir = artifacts / "data"
    data_dir.mkdir()
    env = os.environ.copy()
    # tests/conftest.py put its own values in os.environ at import time: override every one of them.
    env.update({
        "PAKN_DATA_DIR": str(data_dir),
        "PAKN_ARGON2_TIME_COST": "1",
        "PAKN_ARGON2_MEMORY_KIB": "1024",
        # Every browser test sends from 127.0.0.1: the per-address submit limit (10 an hour) would stop the suite.
        "PAKN_FORM_SUBMITS_PER_HOUR": "200",
        "SECRET_KEY": "browser-test-secret-key-not-for-production",
        "PYTHONUNBUFFERED": "1",
    })
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = _browser_database_url(os.environ["DATABASE_URL"])
    else:
        env.pop("DATABASE_URL", None)  # the embedded SQLite file in the data dir

    _pakn(env, "db", "upgrade", cwd=PROJECT_ROOT)
    _pakn(env, "seed", cwd=PROJECT_ROOT)

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = artifacts / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [sys.executable, "-c", "from app.cli import main; main()",
             "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = LiveServer(base_url=base_url, data_dir=data_dir, log_path=log_path, artifacts=artifacts,
                        process=process)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        last_error = "no answer yet"
        while True:
            if process.poll() is not None:
                pytest.fail(f"`pakn serve` exited with {process.returncode}:\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
                    last_error = f"HTTP {response.status}"
            except urllib.error.HTTPError as exc:
                last_error = f"HTTP {exc.code}: {exc.read()[:300]!r}"
            except OSError as exc:
                last_error = str(exc)
            if time.monotonic() > deadline:
                pytest.fail(f"{base_url}/healthz not 200 after {STARTUP_TIMEOUT_S} s ({last_error}):\n"
                            f"{server.log_tail()}")
            time.sleep(0.2)
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/ensure-chromium` (or `make test`)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # a loaded CI machine is slower than a laptop; this is no timing check

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


class Diagnostics:
    """Turns a failed expectation into a message a developer can act on."""

    def __init__(self, server: LiveServer):
        self.server = server
        self.shots = 0

    def screenshot(self, page, label: str) -> str:
        self.shots += 1
        path = self.server.artifacts / f"{self.shots:02d}-{label}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception as exc:  # the page may be gone; the message matters more than the picture
            return f"(no screenshot: {exc})"
        return str(path)

    def page_text(self, page) -> str:
        try:
            text = page.inner_text("body", timeout=2000)
        except Exception as exc:
            return f"(no page text: {exc})"
        text = " ".join(text.split())
        return text[:PAGE_TEXT_CHARS] + (" …" if len(text) > PAGE_TEXT_CHARS else "")

    def expect(self, page, what: str, check) -> None:
        """Runs a Playwright expectation or action; on failure, a message with URL, screenshot and page text."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            check()
        except (AssertionError, PlaywrightError) as exc:
            raise self.fail(page, what, exc) from exc

    def fail(self, page, what: str, cause: BaseException | None = None) -> AssertionError:
        shot = self.screenshot(page, "failure")
        detail = ""
        if cause is not None:
            detail = f"\n  cause: {(str(cause).splitlines() or [type(cause).__name__])[0]}"
        return AssertionError(
            f"{what}{detail}\n  url: {page.url}\n  screenshot: {shot}\n  page text: {self.page_text(page)}\n"
            f"  server log ({self.server.log_path}), last lines:\n{self.server.log_tail(15)}"
        )


@pytest.fixture
def diagnostics(live_server) -> Diagnostics:
    return Diagnostics(live_server)


@pytest.fixture
def new_page(request, browser, live_server, diagnostics) -> Iterator[Callable[[str], object]]:
    """`new_page("citizen")` opens a page in a brand-new browser context (another device)."""
    contexts: list = []
    pages: list[tuple[str, object]] = []

    def make(label: str):
        context = browser.new_context(base_url=live_server.base_url, locale="vi-VN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        pages.append((label, page))
        return page

    yield make
    if getattr(request.node, "browser_call_failed", False):
        for label, page in pages:
            if not page.is_closed():
                diagnostics.screenshot(page, f"at-failure-{label}")
    for context in contexts:
        context.close()
