"""Attachments through the pages: the citizen form, the sender's status page, the officer's item page and answer,
and the downloads behind them."""

import io

import pytest
from PIL import Image
from sqlmodel import func, select

from app.accounts.models import Role
from app.attachments import service as attachments_service
from app.attachments import storage
from app.attachments.models import Attachment
from app.attachments.service import DOCX, IncomingFile
from app.config import get_settings
from app.events import chain as audit
from app.events.models import Event
from app.kinds import EventType, State
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from tests.attachments import files
from tests.attachments.conftest import files_on_disk
from tests.conftest import agency, csrf_from, submission_data

FORM = {
    "kind": "feedback", "field_code": "ha-tang-so", "commune_code": "xa-muong-nhe",
    "title": "Sóng 4G yếu tại bản Huổi Lếch", "content": "Từ tháng trước sóng điện thoại rất yếu, không gọi được.",
    "sender_type": "individual", "sender_name": "Lò Văn Minh", "sender_phone": "0912345678", "consent": "on",
}


def send(client, uploads, **overrides):
    token = csrf_from(client.get("/").text)
    return client.post("/", data={**FORM, **overrides, "csrf_token": token},
                       files=[("attachments", item) for item in uploads])


def count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def track(client, code, contact="0912345678"):
    form = client.get("/track")
    client.post("/track", data={"code": code, "contact": contact, "csrf_token": csrf_from(form.text)})


def act(client, code, action, uploads=(), **data):
    token = csrf_from(client.get(f"/officer/items/{code}").text)
    return client.post(f"/officer/items/{code}/{action}", data={"csrf_token": token, **data},
                       files=[("attachments", item) for item in uploads] or None)


def test_citizen_sends_photos_and_documents_with_the_form(client, db, upload_root):
    photo, scan, report, table = files.jpeg(), files.png(), files.pdf(), files.xlsx()
    r = send(client, [("hien-truong.jpg", photo, "image/jpeg"), ("so-do.png", scan, "image/png"),
                      ("Biên bản.pdf", report, "application/pdf"), ("bao-cao.docx", files.docx(), "application/msword"),
                      ("so-lieu.xlsx", table, "application/octet-stream")])
    assert r.status_code == 303, r.text
    item = db.exec(select(Submission).order_by(Submission.id.desc())).first()
    rows = db.exec(select(Attachment).where(Attachment.submission_id == item.id).order_by(Attachment.id)).all()
    assert [(a.original_name, a.content_type, a.owner) for a in rows] == [
        ("hien-truong.jpg", "image/jpeg", "sender"), ("so-do.png", "image/png", "sender"),
        ("Biên bản.pdf", "application/pdf", "sender"), ("bao-cao.docx", DOCX, "sender"),
        ("so-lieu.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "sender")]
    # Stored under random names outside static/, byte for byte, with thumbnails for the two images.
    assert storage.path_for(rows[0].storage_key).read_bytes() == photo
    assert storage.path_for(rows[2].storage_key).is_relative_to(upload_root)
    assert len(files_on_disk(upload_root)) == 5 + 2
    assert not any(p.name.endswith(".part") for p in files_on_disk(upload_root))
    assert [a.thumbnail_key is not None for a in rows] == [True, True, False, False, False]
    # One hash-chained event records them, with their SHA-256.
    event = db.exec(select(Event).where(Event.submission_id == item.id,
                                                  Event.type == EventType.ATTACHMENT_ADDED)).one()
    data = submissions_service.event_data(event)
    assert data["owner"] == "sender" and [f["sha256"] for f in data["files"]] == [a.sha256 for a in rows]
    assert all(a.event_id == event.id for a in rows)
    assert audit.verify(db)[1] is None
    # The sender's status page shows the thumbnails and the links.
    status = client.get(r.headers["location"])
    assert "Tệp bạn đã gửi" in status.text and "Biên bản.pdf" in status.text
    assert f'src="/track/{item.tracking_code}/attachments/{rows[0].id}/thumbnail"' in status.text
    assert "Đính kèm tệp" in status.text


def test_an_empty_file_input_sends_no_attachment(client, db, upload_root):
    r = send(client, [("", b"", "application/octet-stream")])
    assert r.status_code == 303
    assert count(db, Attachment) == 0 and files_on_disk(upload_root) == []


REFUSALS = {
    "exe renamed .jpg": ([("anh.jpg", files.EXE, "image/jpeg")], "không thuộc loại được nhận"),
    "text claiming image/png": ([("anh.png", b"Day la van ban thuong, khong phai anh", "image/png")],
                                "không thuộc loại được nhận"),
    "too many": ([(f"anh-{i}.jpg", files.jpeg((40, 40)), "image/jpeg") for i in range(6)],
                 "tối đa 5 tệp (bạn đã chọn 6 tệp)"),
    "empty file": ([("bien-ban.pdf", b"", "application/pdf")], "rỗng (0 byte)"),
    "path in the name": ([("../evil.pdf", files.pdf(), "application/pdf")], "không hợp lệ"),
    "11 MB over the default 10 MB": ([("lon.pdf", files.pdf() + b" " * (11 * 1024 * 1024), "application/pdf")],
                                     "lớn hơn mức cho phép 10 MB"),
    "fake jpeg": ([("anh.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 4000, "image/jpeg")], "bị hỏng"),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refused_attachment_refuses_the_whole_submission(client, db, upload_root, case):
    uploads, message = REFUSALS[case]
    before = count(db, Submission)
    good = [("tot.jpg", files.jpeg((50, 50)), "image/jpeg")] if case != "too many" else []
    r = send(client, good + uploads)
    assert r.status_code == 422
    assert message in r.text
    assert 'id="attachments-error"' in r.text and "Lò Văn Minh" in r.text  # the form comes back filled in
    assert count(db, Submission) == before and count(db, Attachment) == 0
    assert files_on_disk(upload_root) == []


def test_the_size_limit_is_configurable(client, db, upload_root, monkeypatch):
    monkeypatch.setattr(get_settings(), "attachment_max_bytes", 1024 * 1024)
    assert "mỗi tệp không quá 1 MB" in client.get("/").text
    r = send(client, [("lon.pdf", files.pdf() + b" " * (1024 * 1024), "application/pdf")])
    assert r.status_code == 422 and "lớn hơn mức cho phép 1 MB" in r.text
    assert count(db, Attachment) == 0 and files_on_disk(upload_root) == []


def test_another_form_error_asks_to_choose_the_files_again(client, db, upload_root):
    r = send(client, [("anh.jpg", files.jpeg(), "image/jpeg")], sender_phone="", sender_email="")
    assert r.status_code == 422
    assert "vui lòng chọn lại tệp" in r.text
    assert count(db, Attachment) == 0 and files_on_disk(upload_root) == []


def test_a_failing_transaction_leaves_no_file_behind(db, upload_root, monkeypatch):
    before = count(db, Submission)

    def broken(_attachment):
        raise RuntimeError("database went away")

    monkeypatch.setattr("app.attachments.service.describe", broken)  # fails after the files were moved in place
    batch = attachments_service.stage([IncomingFile("a.jpg", io.BytesIO(files.jpeg())),
                                       IncomingFile("b.pdf", io.BytesIO(files.pdf()))])
    with pytest.raises(RuntimeError), attachments_service.unit_with_files(db, batch):
        submissions_service.submit(session=db, data=submission_data(), batch=batch)
    assert count(db, Submission) == before and count(db, Attachment) == 0
    assert files_on_disk(upload_root) == []


@pytest.fixture
def item_with_files(db, upload_root):
    batch = attachments_service.stage([IncomingFile("Ảnh hiện trường.jpg", io.BytesIO(files.jpeg())),
                                       IncomingFile("Biên bản họp.pdf", io.BytesIO(files.pdf()))])
    with attachments_service.unit_with_files(db, batch):
        item = submissions_service.submit(session=db, data=submission_data(), batch=batch)
    photo, report = db.exec(select(Attachment).where(Attachment.submission_id == item.id)
                            .order_by(Attachment.id)).all()
    return item, photo, report


def test_the_handling_agency_sees_and_downloads_the_files(client, login_as, item_with_files):
    item, photo, report = item_with_files
    login_as("so-khcn")
    page = client.get(f"/officer/items/{item.tracking_code}")
    base = f"/officer/items/{item.tracking_code}/attachments"
    assert "Tệp người gửi đính kèm" in page.text and f'src="{base}/{photo.id}/thumbnail"' in page.text
    r = client.get(f"{base}/{report.id}")
    assert r.status_code == 200 and r.content == files.pdf()
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"Bien ban hop.pdf\"; filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp.pdf")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "content-encoding" not in r.headers and r.headers["content-length"] == str(len(files.pdf()))
    image = client.get(f"{base}/{photo.id}")
    assert image.headers["content-disposition"].startswith("inline;")
    thumb = client.get(f"{base}/{photo.id}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 320
    assert client.get(f"{base}/{report.id}/thumbnail").status_code == 404  # documents have none


def test_another_agency_gets_404_for_the_files(client, db, login_as, item_with_files, submit):
    item, photo, report = item_with_files
    login_as("vnpt")
    for url in (f"/officer/items/{item.tracking_code}/attachments/{report.id}",
                f"/officer/items/{item.tracking_code}/attachments/{photo.id}/thumbnail"):
        r = client.get(url)
        assert r.status_code == 404 and "%PDF" not in r.text
    # Nor through one of its own items: the attachment must belong to the item in the URL.
    own = submit()
    own.agency_id = agency(db, "vnpt").id
    db.commit()
    assert client.get(f"/officer/items/{own.tracking_code}").status_code == 200
    assert client.get(f"/officer/items/{own.tracking_code}/attachments/{report.id}").status_code == 404


def test_the_coordinator_sees_every_file(client, login_as, item_with_files):
    item, _photo, report = item_with_files
    login_as("so-khcn", Role.COORDINATOR)
    assert client.get(f"/officer/items/{item.tracking_code}/attachments/{report.id}").status_code == 200


def test_the_sender_needs_to_prove_the_contact(client, item_with_files):
    item, photo, report = item_with_files
    url = f"/track/{item.tracking_code}/attachments/{report.id}"
    r = client.get(url)
    assert r.status_code == 303 and r.headers["location"] == f"/track?code={item.tracking_code}"
    assert client.get(f"{url.rsplit('/', 1)[0]}/{photo.id}/thumbnail").status_code == 303
    track(client, item.tracking_code, contact="0900000000")  # the wrong phone proves nothing
    assert client.get(url).status_code == 303
    track(client, item.tracking_code)
    r = client.get(url)
    assert r.status_code == 200 and r.content == files.pdf()
    assert r.headers["content-disposition"].startswith("attachment; ")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "private" in r.headers["cache-control"]


def test_officer_answers_with_a_pdf_the_sender_can_download(client, login_as, db, item_with_files):
    item, _photo, _report = item_with_files
    login_as("so-khcn")
    act(client, item.tracking_code, "accept")
    r = act(client, item.tracking_code, "answer", answer_text="Đã làm việc với nhà mạng, trạm mới hoạt động từ 1/12.",
            uploads=[("Công văn trả lời.pdf", files.pdf("Cong van"), "application/pdf")])
    assert r.status_code == 303, r.text
    answer_file = db.exec(select(Attachment).where(Attachment.submission_id == item.id,
                                                   Attachment.owner == "agency")).one()
    assert answer_file.uploaded_by_account_id is not None
    assert "Văn bản kèm theo trả lời" in client.get(f"/officer/items/{item.tracking_code}").text
    client.cookies.clear()
    track(client, item.tracking_code)
    status = client.get(f"/track/{item.tracking_code}")
    assert "Văn bản kèm theo trả lời" in status.text and "Công văn trả lời.pdf" in status.text
    r = client.get(f"/track/{item.tracking_code}/attachments/{answer_file.id}")
    assert r.status_code == 200 and r.content == files.pdf("Cong van")


def test_a_refused_answer_attachment_keeps_the_item_unanswered(client, login_as, db, item_with_files, upload_root):
    item, _photo, _report = item_with_files
    before = files_on_disk(upload_root)
    login_as("so-khcn")
    act(client, item.tracking_code, "accept")
    r = act(client, item.tracking_code, "answer", answer_text="Trả lời kèm một tệp không hợp lệ.",
            uploads=[("cong-van.pdf", files.EXE, "application/pdf")])
    assert r.status_code == 422 and "không thuộc loại được nhận" in r.text
    assert "Trả lời kèm một tệp không hợp lệ." in r.text  # the text is kept for the next try
    db.refresh(item)
    assert item.state == State.IN_PROGRESS and item.answer_text is None
    assert files_on_disk(upload_root) == before


def test_sender_adds_a_photo_when_asked_for_more_information(client, login_as, db, item_with_files):
    item, _photo, _report = item_with_files
    login_as("so-khcn")
    act(client, item.tracking_code, "accept")
    act(client, item.tracking_code, "request-info", question="Xin gửi thêm ảnh cột phát sóng gần nhà.")
    client.cookies.clear()
    track(client, item.tracking_code)
    status = client.get(f"/track/{item.tracking_code}")
    r = client.post(f"/track/{item.tracking_code}/reply", data={"csrf_token": csrf_from(status.text),
                                                                 "reply": "Ảnh chụp sáng nay."},
                    files=[("attachments", ("cot-song.webp", files.webp(), "image/webp"))])
    assert r.status_code == 303
    db.refresh(item)
    assert item.state == State.IN_PROGRESS
    assert count(db, Attachment) == 3


def test_storage_check_finds_missing_altered_and_orphan_files(db, item_with_files, upload_root):
    from app.attachments.service import verify_storage

    _item, photo, report = item_with_files
    assert verify_storage(session=db).ok
    path = storage.path_for(report.storage_key)
    path.write_bytes(path.read_bytes() + b"%")  # altered after upload
    storage.remove(storage.path_for(photo.thumbnail_key))
    orphan = storage.path_for("f" * 32)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left behind")
    result = verify_storage(session=db, orphan_age_seconds=0)
    assert not result.ok and result.checked == 2
    assert result.altered == [f"#{report.id} Biên bản họp.pdf (hồ sơ {report.submission_id})"]
    assert result.missing == [f"#{photo.id} Ảnh hiện trường.jpg (hồ sơ {photo.submission_id}): ảnh thu nhỏ"]
    assert result.orphans == [orphan]
