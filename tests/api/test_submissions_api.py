"""/api/v1/submissions: create, read, list, with auth, scopes and problem+json errors."""

from tests.api.conftest import VALID, bearer

PROBLEM = "application/problem+json"


def post(client, auth, body=None, **headers):
    return client.post("/api/v1/submissions", json=VALID if body is None else body, headers={**auth, **headers})


def test_create_returns_tracking_code_state_agency_and_history(client, auth):
    r = post(client, auth)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["tracking_code"].startswith("DB-")
    assert body["state"] == "assigned" and body["is_open"] is True
    assert body["agency"]["code"] == "so-khcn"
    assert body["source"] == "api"
    assert [h["type"] for h in body["history"]] == ["submitted", "routed"]
    assert body["sender"]["phone"] == "091****678"  # masked
    assert body["due_at"] is not None and body["due_paused"] is False and body["answer"] is None
    assert "RateLimit-Remaining" in r.headers


def test_create_validation_errors_are_problem_json_in_vietnamese(client, auth):
    r = post(client, auth, {**VALID, "title": "x", "sender_phone": "", "commune_code": "khong-co"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["type"].endswith("/validation")
    errors = {e["field"]: e["detail"] for e in body["errors"]}
    assert "title" in errors and "quá ngắn" in errors["title"]
    assert "contact" in errors


def test_unknown_commune_is_a_field_error(client, auth):
    r = post(client, auth, {**VALID, "commune_code": "khong-co"})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"commune_code"}


def test_malformed_json_and_wrong_media_type(client, auth):
    r = client.post("/api/v1/submissions", content=b"{not json", headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["type"].endswith("/malformed-body")
    r = client.post("/api/v1/submissions", content=b"[1, 2]", headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422
    r = client.post("/api/v1/submissions", content=b"x", headers={**auth, "Content-Type": "text/plain"})
    assert r.status_code == 415 and r.headers["content-type"].startswith(PROBLEM)


def test_nul_and_lone_surrogates_are_refused_not_stored(client, auth):
    r = post(client, auth, {**VALID, "title": "Sóng\x00 yếu quá đi"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "title"
    raw = b'{"kind":"feedback","title":"\\ud800 abcdef"}'
    r = client.post("/api/v1/submissions", content=raw, headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422


def test_missing_or_wrong_key_is_401_with_www_authenticate(client):
    r = client.post("/api/v1/submissions", json=VALID)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert r.headers["content-type"].startswith(PROBLEM)
    r = client.post("/api/v1/submissions", json=VALID, headers=bearer("pakn_abcd1234_sai"))
    assert r.status_code == 401


def test_scope_is_checked(client, make_client):
    reader = make_client(scopes="read-own").key
    r = post(client, bearer(reader))
    assert r.status_code == 403 and r.json()["type"].endswith("/insufficient-scope")
    submitter = make_client(scopes="submit").key
    code = post(client, bearer(submitter)).json()["tracking_code"]
    assert client.get(f"/api/v1/submissions/{code}", headers=bearer(submitter)).status_code == 403


def test_read_own_item_but_not_another_clients_without_contact(client, auth, make_client):
    code = post(client, auth).json()["tracking_code"]
    r = client.get(f"/api/v1/submissions/{code}", headers=auth)
    assert r.status_code == 200 and r.json()["tracking_code"] == code
    other = bearer(make_client().key)
    r = client.get(f"/api/v1/submissions/{code}", headers=other)
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)
    r = client.get(f"/api/v1/submissions/{code}", headers={**other, "X-Sender-Contact": "0999999999"})
    assert r.status_code == 404
    r = client.get(f"/api/v1/submissions/{code.lower()}", headers={**other, "X-Sender-Contact": "+84 912 345 678"})
    assert r.status_code == 200


def test_web_items_readable_with_the_senders_contact(client, auth, submit):
    item = submit(sender_email="minh@example.vn")
    r = client.get(f"/api/v1/submissions/{item.tracking_code}", headers={**auth, "X-Sender-Contact": "MINH@example.vn"})
    assert r.status_code == 200 and r.json()["source"] == "web"


def test_list_own_items_with_filters_and_cursor(client, auth, make_client, submit):
    submit()  # a web item: never in the client's list
    post(client, bearer(make_client().key))  # another client's item
    codes = [post(client, auth, {**VALID, "kind": kind}).json()["tracking_code"]
             for kind in ("feedback", "petition", "initiative", "feedback", "petition")]
    page1 = client.get("/api/v1/submissions?limit=2", headers=auth).json()
    assert [i["tracking_code"] for i in page1["items"]] == codes[::-1][:2]
    page2 = client.get(f"/api/v1/submissions?limit=2&cursor={page1['next_cursor']}", headers=auth).json()
    page3 = client.get(f"/api/v1/submissions?limit=2&cursor={page2['next_cursor']}", headers=auth).json()
    seen = [i["tracking_code"] for p in (page1, page2, page3) for i in p["items"]]
    assert seen == codes[::-1] and page3["next_cursor"] is None
    petitions = client.get("/api/v1/submissions?kind=petition", headers=auth).json()["items"]
    assert len(petitions) == 2
    states = client.get("/api/v1/submissions?state=assigned&state=triage", headers=auth).json()["items"]
    assert len(states) == 5
    assert client.get("/api/v1/submissions?commune_code=xa-sin-thau", headers=auth).json()["items"] == []
    assert len(client.get("/api/v1/submissions?created_after=2000-01-01T00:00:00", headers=auth).json()["items"]) == 5


def test_list_rejects_bad_parameters_with_field_errors(client, auth):
    r = client.get("/api/v1/submissions?cursor=bm9wZQ", headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"
    r = client.get("/api/v1/submissions?limit=1000&state=nope", headers=auth)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"limit", "state.0"} <= fields
    r = client.get("/api/v1/submissions?created_after=0001-01-01T00:00:00%2B05:00", headers=auth)
    assert r.status_code == 422


def test_due_date_follows_the_deadline_clocks(client, db, auth, make_account):
    from app.sla import service as sla_service
    from app.submissions import service

    code = post(client, auth).json()["tracking_code"]
    item = service.get_by_code(session=db, code=code)
    officer = make_account("so-khcn")
    accept_by = client.get(f"/api/v1/submissions/{code}", headers=auth).json()["due_at"]
    service.accept(session=db, submission=item, actor=officer)
    answer_by = client.get(f"/api/v1/submissions/{code}", headers=auth).json()
    assert answer_by["due_at"] != accept_by and answer_by["due_paused"] is False
    expected = sla_service.public_deadline(session=db, submission=item)["due_at"]
    assert answer_by["due_at"].replace("Z", "+00:00") == expected.isoformat()
    service.request_info(session=db, submission=item, actor=officer, question="Vui lòng cho biết số nhà cụ thể.")
    paused = client.get("/api/v1/submissions", headers=auth).json()["items"][0]
    assert paused["due_paused"] is True and paused["due_at"] is None
