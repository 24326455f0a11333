"""Real channels for the notification tests: an SMTP server (aiosmtpd, tests/notifications/test_outbox.py) and a real
Kannel with a fake operator (tests/notifications/kannel.py), started once per test session."""

import tempfile
from pathlib import Path

import pytest

from app.config import get_settings
from app.notifications.channels import callback_token
from tests.notifications import kannel as kannel_helper


@pytest.fixture(scope="session")
def kannel_gateway():
    if not kannel_helper.available():
        pytest.fail("Kannel is not installed: run scripts/ensure-kannel (apt-get install kannel kannel-extras)")
    directory = Path(tempfile.mkdtemp(prefix="pakn-kannel-"))
    gateway = kannel_helper.start_kannel(directory, incoming_sig=callback_token("incoming"))
    yield gateway
    gateway.stop()
    kannel_helper.cleanup(directory)


@pytest.fixture
def kannel(kannel_gateway, monkeypatch):
    """SMS configured to go through the running Kannel; links and delivery reports point at its relay."""
    settings = get_settings()
    for name, value in {"sms_gateway": "kannel", "kannel_sendsms_url": kannel_gateway.sendsms_url,
                        "kannel_user": kannel_helper.USER, "kannel_password": kannel_helper.PASSWORD,
                        "sms_sender": kannel_helper.SHORT_CODE, "public_base_url": kannel_gateway.relay.base_url,
                        "sms_per_recipient_hour": 100}.items():
        monkeypatch.setattr(settings, name, value)
    kannel_gateway.relay.requests.clear()
    kannel_gateway.seen = len(kannel_gateway.received())
    return kannel_gateway
