"""A streamed body (no Content-Length) that grows past the cap is cut off with a 413 problem."""

from app.config import get_settings


def test_oversized_streamed_body_gets_problem_json(client, auth):
    limit = get_settings().effective_max_request_bytes

    def chunks():
        sent = 0
        while sent <= limit:
            yield b" " * 1024 * 1024
            sent += 1024 * 1024

    r = client.post("/api/v1/submissions", content=chunks(), headers={**auth, "content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 413
