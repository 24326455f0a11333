"""Oversized request bodies are refused with 413 and a clear message, whether declared or streamed."""

from app.config import get_settings
from tests.conftest import csrf_from


def test_oversized_form_is_refused_with_a_vietnamese_page(client, monkeypatch):
    token = csrf_from(client.get("/").text)
    monkeypatch.setattr(get_settings(), "max_request_bytes", 0)
    app_limit = get_settings().effective_max_request_bytes
    assert app_limit == 5 * 10 * 1024 * 1024 + 1024 * 1024
    body = b"x" * (app_limit + 1)
    r = client.post("/", content=body, headers={"content-type": "application/x-www-form-urlencoded",
                                                "x-csrf-token": token})
    assert r.status_code == 413
    # The citizen form comes back with the file marked as the problem (not the text).
    assert 'id="error-summary"' in r.text and 'id="attachments-error"' in r.text
    assert "Tệp đính kèm quá lớn" in r.text
    other = client.post("/track", content=body, headers={"content-type": "application/x-www-form-urlencoded",
                                                         "x-csrf-token": token})
    assert other.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in other.text
