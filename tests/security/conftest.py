"""The API fixtures (clients and keys) for the security tests."""

from tests.api.conftest import api_key, auth, make_client  # noqa: F401
