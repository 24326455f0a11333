"""Multipart submissions and replies with attachments through the API, and downloading them."""

import pytest

from app.config import get_settings
from app.submissions import service
from tests.api.conftest import VALID, bearer
from tests.attachments.conftest import files_on_disk
from tests.attachments.files import jpeg, pdf


@pytest.fixture
def upload_root(tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    return tmp_path / "uploads"


def form_fields(**overrides):
    values = {**VALID, "consent": "true", **overrides}
    return {k: str(v) for k, v in values.items()}


def test_multipart_submission_with_photo_and_pdf(client, auth, upload_root):
    files = [("attachments", ("anh cot song.jpg", jpeg(), "image/jpeg")),
             ("attachments", ("bien ban.pdf", pdf(), "application/pdf"))]
    r = client.post("/api/v1/submissions", data=form_fields(), files=files, headers=auth)
    assert r.status_code == 201, r.text
    body = r.json()
    assert [(a["name"], a["content_type"], a["owner"]) for a in body["attachments"]] == [
        ("anh cot song.jpg", "image/jpeg", "sender"), ("bien ban.pdf", "application/pdf", "sender")]
    photo = client.get(body["attachments"][0]["url"], headers=auth)
    assert photo.status_code == 200 and photo.content == files[0][1][1]
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert client.get(body["attachments"][1]["url"], headers=auth).headers["content-type"] == "application/pdf"


def test_attachments_are_checked_by_content(client, auth, upload_root):
    files = [("attachments", ("anh.jpg", b"%PDF-1.4 not really", "image/jpeg"))]
    r = client.post("/api/v1/submissions", data=form_fields(), files=files, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "attachments"
    too_many = [("attachments", (f"a{i}.jpg", jpeg((50, 50)), "image/jpeg")) for i in range(6)]
    r = client.post("/api/v1/submissions", data=form_fields(), files=too_many, headers=auth)
    assert r.status_code == 422 and "tối đa 5" in r.json()["errors"][0]["detail"]
    assert files_on_disk(upload_root) == []  # nothing partial stored


def test_multipart_validation_errors_and_idempotent_retry(client, auth, upload_root):
    r = client.post("/api/v1/submissions", data=form_fields(consent="false"), headers=auth)
    assert r.status_code == 422 and {e["field"] for e in r.json()["errors"]} == {"consent"}
    files = [("attachments", ("anh.jpg", jpeg(), "image/jpeg"))]
    headers = {**auth, "Idempotency-Key": "multipart-1"}
    first = client.post("/api/v1/submissions", data=form_fields(), files=files, headers=headers)
    again = client.post("/api/v1/submissions", data=form_fields(), files=files, headers=headers)
    assert again.json()["tracking_code"] == first.json()["tracking_code"]
    other = [("attachments", ("anh.jpg", jpeg(color=(1, 2, 3)), "image/jpeg"))]
    assert client.post("/api/v1/submissions", data=form_fields(), files=other, headers=headers).status_code == 409


def test_reply_with_attachment_and_downloads_follow_the_item_permission(client, db, auth, make_client,
                                                                        make_account, upload_root):
    code = client.post("/api/v1/submissions", json=VALID, headers=auth).json()["tracking_code"]
    item = service.get_by_code(session=db, code=code)
    officer = make_account("so-khcn")
    service.accept(session=db, submission=item, actor=officer)
    service.request_info(session=db, submission=item, actor=officer, question="Xin gửi ảnh chụp cột sóng.")
    r = client.post(f"/api/v1/submissions/{code}/reply", data={"reply": "Ảnh chụp cột sóng gửi kèm."},
                    files=[("attachments", ("cot.jpg", jpeg(), "image/jpeg"))], headers=auth)
    assert r.status_code == 200, r.text
    attachment = r.json()["attachments"][0]
    assert r.json()["state"] == "in_progress" and attachment["name"] == "cot.jpg"
    other = bearer(make_client().key)
    assert client.get(attachment["url"], headers=other).status_code == 404
    assert client.get(attachment["url"], headers={**other, "X-Sender-Contact": "0912345678"}).status_code == 200
    assert client.get(f"/api/v1/submissions/{code}/attachments/999999", headers=auth).status_code == 404


def test_reply_needs_a_pending_question_and_text(client, auth):
    code = client.post("/api/v1/submissions", json=VALID, headers=auth).json()["tracking_code"]
    r = client.post(f"/api/v1/submissions/{code}/reply", json={"reply": "Thông tin thêm đây."}, headers=auth)
    assert r.status_code == 409 and r.json()["type"].endswith("/invalid-transition")
    r = client.post(f"/api/v1/submissions/{code}/reply", json={"reply": 5}, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reply"
