"""Reference data API (with ETag / If-None-Match) and health check."""

import pytest

from app.text import sort_vietnamese


def test_agencies_communes_fields(client):
    agencies = client.get("/api/v1/agencies").json()
    assert len(agencies) == 130
    coordinator = [a for a in agencies if a["is_coordinator"]]
    assert [a["code"] for a in coordinator] == ["so-khcn"]
    communes = client.get("/api/v1/communes").json()
    assert len(communes) == 45 and communes[0]["kind"] == "phuong"
    assert {"code": "xa-muong-nhe", "name": "Xã Mường Nhé", "kind": "xa"} in communes
    fields = client.get("/api/v1/fields").json()
    # Vietnamese alphabetical order (app.text.sort_vietnamese), the catch-all "Khác" last.
    names = [f["name"] for f in fields]
    assert names[:-1] == sort_vietnamese(names[:-1]) and fields[-1]["code"] == "khac"
    assert names[0] == "An toàn thông tin, an ninh mạng"
    assert [c["name"] for c in communes] == sort_vietnamese([c["name"] for c in communes])


def test_kinds_and_states(client):
    kinds = client.get("/api/v1/kinds").json()
    assert [k["code"] for k in kinds] == ["feedback", "petition", "initiative", "solution"]
    assert kinds[0]["name"] == "Phản ánh"
    states = {s["code"]: s for s in client.get("/api/v1/states").json()}
    assert states["in_progress"]["open311_status"] == "open" and states["in_progress"]["is_open"]
    assert states["answered"]["open311_status"] == "closed" and states["rejected"]["name"] == "Từ chối tiếp nhận"


@pytest.mark.parametrize("path", ["/api/v1/agencies", "/api/v1/communes", "/api/v1/fields", "/api/v1/kinds",
                                  "/api/v1/states"])
def test_reference_data_is_cacheable_with_etag(client, path):
    first = client.get(path)
    etag = first.headers["etag"]
    assert first.status_code == 200 and etag.startswith('"') and "max-age" in first.headers["cache-control"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(path, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_etag_changes_when_the_data_changes(client, db):
    from app import cache
    from app.agencies.models import Field

    before = client.get("/api/v1/fields").headers["etag"]
    db.add(Field(code="thu-nghiem", name="Lĩnh vực thử nghiệm", sort_order=999))
    cache.bump(db)  # whoever changes reference data says so (app/cache.py); every process then reloads it
    db.commit()
    r = client.get("/api/v1/fields", headers={"If-None-Match": before})
    assert r.status_code == 200 and r.headers["etag"] != before


def test_healthz_reports_database(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"]["state"] == "ok"
    assert body["database"]["revision"]


def test_unknown_api_path_is_problem_json(client):
    r = client.get("/api/v1/khong-co")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["title"] == "Không tìm thấy"


def test_openapi_spec_lists_every_endpoint_and_its_errors(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert {"/api/v1/agencies", "/api/v1/communes", "/api/v1/fields", "/api/v1/kinds", "/api/v1/states",
            "/api/v1/submissions", "/api/v1/submissions/{code}", "/api/v1/submissions/{code}/reply",
            "/api/v1/submissions/{code}/rating", "/api/v1/webhooks", "/open311/v2/requests.{fmt}",
            "/healthz"} <= set(paths)
    assert not any(p.startswith(("/officer", "/admin", "/track")) for p in paths)  # pages are not API
    create = paths["/api/v1/submissions"]["post"]
    for code in ("401", "403", "409", "422", "429"):
        assert create["responses"][code]["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"}
    assert set(create["requestBody"]["content"]) == {"application/json", "multipart/form-data",
                                                     "application/x-www-form-urlencoded"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"


def test_api_docs_load_nothing_from_the_internet(client):
    """Swagger UI comes from static/ (installed from npm at set-up), never from a CDN."""
    import re

    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text) + re.findall(r"url: ?'([^']+)'", page.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    for url in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert client.get(url).status_code == 200, url
