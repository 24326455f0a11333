"""Latency of the API under concurrent load, the shared rate limit across worker processes, and idempotent
retries racing each other — against a running server.

Run (a server with several workers, a key with scope submit read-own):
  PAKN_DATA_DIR=/tmp/b pakn setup && PAKN_DATA_DIR=/tmp/b pakn api-client create bench --rate-limit 100000
  PAKN_DATA_DIR=/tmp/b pakn serve --port 8765 --workers 2 &
  .venv/bin/python bench/api_load.py http://127.0.0.1:8765 pakn_…
"""

import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

ITEM = {
    "kind": "feedback", "field_code": "ha-tang-so", "commune_code": "xa-muong-nhe",
    "title": "Sóng 4G yếu tại bản Huổi Lếch", "content": "Từ tháng trước sóng điện thoại rất yếu, không gọi được.",
    "sender_name": "Lò Văn Minh", "sender_phone": "0912345678", "consent": True,
}


def timed(fn):
    start = time.perf_counter()
    response = fn()
    return (time.perf_counter() - start) * 1000, response


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    p = lambda q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    return f"p50 {p(0.5):.1f} ms · p95 {p(0.95):.1f} ms · max {values[-1]:.1f} ms"


def main(base: str, key: str, n: int = 200, concurrency: int = 8) -> None:
    auth = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=auth, timeout=30) as c:
        with ThreadPoolExecutor(concurrency) as pool:
            started = time.perf_counter()
            results = list(pool.map(lambda _: timed(lambda: c.post("/api/v1/submissions", json=ITEM)), range(n)))
            wall = time.perf_counter() - started
        assert all(r.status_code == 201 for _, r in results), {r.status_code for _, r in results}
        print(f"POST /api/v1/submissions ×{n}, {concurrency} concurrent: {n / wall:.0f}/s; "
              f"{percentiles([t for t, _ in results])}")

        codes = [r.json()["tracking_code"] for _, r in results[:50]]
        with ThreadPoolExecutor(concurrency) as pool:
            started = time.perf_counter()
            reads = list(pool.map(lambda code: timed(lambda: c.get(f"/api/v1/submissions/{code}")), codes * 4))
            wall = time.perf_counter() - started
        print(f"GET /api/v1/submissions/{{code}} ×{len(reads)}: {len(reads) / wall:.0f}/s; "
              f"{percentiles([t for t, _ in reads])}")

        # Ten clients retrying one request at once with the same key: one item, ten identical answers.
        key_ = str(uuid.uuid4())
        with ThreadPoolExecutor(10) as pool:
            same = list(pool.map(lambda _: c.post("/api/v1/submissions", json=ITEM,
                                                  headers={"Idempotency-Key": key_}), range(10)))
        codes = {r.json()["tracking_code"] for r in same}
        replayed = sum(r.headers.get("idempotent-replayed") == "true" for r in same)
        print(f"10 simultaneous POSTs with one Idempotency-Key: statuses {sorted({r.status_code for r in same})}, "
              f"{len(codes)} tracking code(s), {replayed} replayed")


def rate_limit(base: str, key: str, limit: int, sent: int = 0) -> None:
    """With a client limited to `limit`/min, fire many requests (spread over the workers): exactly `limit` pass."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as c:
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: c.get("/api/v1/submissions?limit=1").status_code,
                                     range(sent or limit * 2)))
    print(f"rate limit {limit}/min, {len(statuses)} requests over all workers: "
          f"{statuses.count(200)} × 200, {statuses.count(429)} × 429")


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[3] == "--rate-limit":
        rate_limit(sys.argv[1], sys.argv[2], int(sys.argv[4]))
    else:
        main(sys.argv[1], sys.argv[2])
