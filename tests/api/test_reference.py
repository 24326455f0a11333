"""Reference data API and health check."""


def test_agencies_communes_fields(client):
    agencies = client.get("/api/v1/agencies").json()
    assert len(agencies) == 130
    coordinator = [a for a in agencies if a["is_coordinator"]]
    assert [a["code"] for a in coordinator] == ["so-khcn"]
    communes = client.get("/api/v1/communes").json()
    assert len(communes) == 45 and communes[0]["kind"] == "phuong"
    assert {"code": "xa-muong-nhe", "name": "Xã Mường Nhé", "kind": "xa"} in communes
    fields = client.get("/api/v1/fields").json()
    assert fields[0]["name"] == "Khoa học và công nghệ" and fields[-1]["code"] == "khac"


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


def test_openapi_spec_lists_reference_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/agencies", "/api/v1/communes", "/api/v1/fields", "/healthz"} <= set(paths)
