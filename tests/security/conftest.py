"""The API fixtures (clients and keys) for the security tests, and a clock that starts each test at the beginning
of every abuse-limit window (app/throttle.py counts in fixed windows: a test that crossed a window's end would see
its count restart)."""

from datetime import UTC, datetime

import pytest
import time_machine

from tests.api.conftest import api_key, auth, make_client  # noqa: F401

WINDOWS_START = datetime(2026, 12, 2, 0, 0, 1, tzinfo=UTC)  # a new day, hour and quarter-hour


@pytest.fixture(autouse=True)
def at_the_start_of_every_window():
    with time_machine.travel(WINDOWS_START, tick=True):
        yield
