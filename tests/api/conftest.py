"""API clients and helpers shared by the API tests."""

import pytest

from app.accounts.service import create_api_client

VALID = {
    "kind": "feedback",
    "field_code": "ha-tang-so",
    "commune_code": "xa-muong-nhe",
    "title": "Sóng 4G yếu tại bản Huổi Lếch",
    "content": "Từ tháng trước sóng điện thoại rất yếu, không gọi được cấp cứu.",
    "sender_name": "Lò Văn Minh",
    "sender_phone": "0912 345 678",
    "consent": True,
}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def make_client(db):
    counter = iter(range(1000))

    def make(scopes: str = "submit read-own webhooks", name: str | None = None, rate_limit: int | None = None):
        new = create_api_client(session=db, name=name or f"Ứng dụng thử {next(counter)}", scopes=scopes,
                                rate_limit_per_minute=rate_limit)
        return new
    return make


@pytest.fixture
def api_key(make_client) -> str:
    return make_client(name="Điện Biên Smart").key


@pytest.fixture
def auth(api_key) -> dict[str, str]:
    return bearer(api_key)
