"""The checks themselves, without HTTP: type by content, names, limits, all-or-nothing staging."""

import io

import pytest
from PIL import Image

from app.attachments import storage
from app.attachments.http import ascii_fallback, content_disposition
from app.attachments.service import (
    DOCX,
    XLSX,
    AttachmentRefused,
    IncomingFile,
    clean_name,
    name_for_type,
    stage,
)
from app.config import get_settings
from tests.attachments import files
from tests.attachments.conftest import files_on_disk


def one(name, data):
    return IncomingFile(name, io.BytesIO(data))


@pytest.mark.parametrize(("data", "expected"), [
    (files.jpeg(), "image/jpeg"),
    (files.png(), "image/png"),
    (files.webp(), "image/webp"),
    (files.pdf(), "application/pdf"),
    (files.docx(), DOCX),
    (files.xlsx(), XLSX),
])
def test_type_is_detected_from_the_content_whatever_the_name(upload_root, data, expected):
    batch = stage([one("tep-khong-duoi", data)])
    assert batch.files[0].content_type == expected
    batch.discard()
    assert files_on_disk(upload_root) == []


@pytest.mark.parametrize(("name", "data", "message"), [
    ("virus.jpg", files.EXE, "không thuộc loại được nhận"),
    ("anh.png", "Tôi là văn bản, không phải ảnh".encode(), "không thuộc loại được nhận"),
    ("nen.docx", files.plain_zip(), "không thuộc loại được nhận"),
    ("macro.docx", files.docx(extra={"word/vbaProject.bin": b"\x00" * 64}), "macro"),
    ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "đời cũ"),
    ("hong.jpg", b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x13" * 3000, "bị hỏng"),
    ("cut.png", files.png()[:200], "bị hỏng"),
    ("thieu.pdf", files.pdf()[:-20], "không đầy đủ"),
    ("rong.pdf", b"", "rỗng"),
])
def test_lying_broken_or_empty_content_is_refused(upload_root, name, data, message):
    with pytest.raises(AttachmentRefused) as refused:
        stage([one(name, data)])
    assert message in refused.value.message
    assert files_on_disk(upload_root) == []


@pytest.mark.parametrize("name", [
    "../evil.pdf", "..\\evil.pdf", "a/b.pdf", "C:\\Users\\x.pdf", "a\x00.pdf", "a\nb.pdf", "exe\u202egpj.pdf",
    "..",
])
def test_names_with_path_or_control_characters_are_refused(name):
    with pytest.raises(AttachmentRefused, match="không hợp lệ"):
        clean_name(name)


def test_names_are_cleaned_for_display():
    assert clean_name("  Bie\u0302n ba\u0309n.pdf ") == "Biên bản.pdf"  # NFC
    assert clean_name('a<b>:"c|?*.pdf') == "a_b___c___.pdf"
    assert clean_name("") == "tep-dinh-kem"
    long = clean_name("x" * 400 + ".pdf")
    assert len(long) == 150 and long.endswith(".pdf")


def test_the_name_gets_the_extension_of_what_the_file_is():
    assert name_for_type("anh.jpg", "image/png") == "anh.png"
    assert name_for_type("anh.JPEG", "image/jpeg") == "anh.JPEG"
    assert name_for_type("scan", "application/pdf") == "scan.pdf"
    assert name_for_type("bien ban.so 3", "application/pdf") == "bien ban.so 3.pdf"


def test_one_refused_file_refuses_the_batch_and_removes_the_others(upload_root):
    with pytest.raises(AttachmentRefused):
        stage([one("a.jpg", files.jpeg()), one("b.pdf", files.pdf()), one("c.jpg", files.EXE)])
    assert files_on_disk(upload_root) == []


def test_limits_come_from_settings(upload_root, monkeypatch):
    monkeypatch.setattr(get_settings(), "attachment_max_files", 2)
    with pytest.raises(AttachmentRefused, match="tối đa 2 tệp"):
        stage([one(f"{i}.pdf", files.pdf()) for i in range(3)])
    monkeypatch.setattr(get_settings(), "attachment_max_bytes", 1024)
    with pytest.raises(AttachmentRefused, match="lớn hơn mức cho phép 1 KB"):
        stage([one("a.pdf", files.pdf() + b" " * 2000)])
    monkeypatch.setattr(get_settings(), "attachment_max_bytes", 10 * 1024 * 1024)
    monkeypatch.setattr(get_settings(), "attachment_max_image_pixels", 100 * 100)
    with pytest.raises(AttachmentRefused, match=r"quá lớn \(200×200 điểm ảnh, tối đa 10000\)"):
        stage([one("a.jpg", files.jpeg((200, 200)))])
    assert files_on_disk(upload_root) == []


def test_an_empty_file_input_is_no_file_at_all(upload_root):
    assert len(stage([one("", b"")])) == 0


def test_images_get_a_small_upright_jpeg_thumbnail(upload_root):
    out = io.BytesIO()
    image = Image.new("RGB", (2000, 1000), (10, 10, 10))
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view": a phone held upright
    image.save(out, "JPEG", exif=exif)
    batch = stage([one("doc.jpg", out.getvalue()), one("trong-suot.png", files.png())])
    first, second = batch.files
    assert first.thumbnail_size == (160, 320)  # turned upright, longest side 320
    thumbnail = Image.open(first.thumbnail_temp)
    assert thumbnail.format == "JPEG" and thumbnail.size == (160, 320)
    assert first.thumbnail_temp.stat().st_size < 20_000
    assert Image.open(second.thumbnail_temp).mode == "RGB"
    batch.discard()


def test_placed_files_are_removed_by_discard(upload_root):
    batch = stage([one("a.jpg", files.jpeg())])
    batch.place_all()
    placed = files_on_disk(upload_root)
    assert storage.path_for(batch.files[0].key) in placed and len(placed) == 2  # the file and its thumbnail
    batch.discard()
    assert files_on_disk(upload_root) == []


def test_storage_keys_are_never_paths():
    with pytest.raises(ValueError):
        storage.path_for("../../etc/passwd")
    assert storage.path_for("ab" * 16).parts[-3:] == ("ab", "ab", "ab" * 16)


def test_content_disposition_is_rfc_5987_with_an_ascii_fallback():
    value = content_disposition("Biên bản họp \"số 2\"; đợt 1.pdf")
    assert value.startswith('attachment; filename="Bien ban hop _so 2__ dot 1.pdf"; ')
    assert value.endswith("filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp%20%22s%E1%BB%91%202%22%3B%20"
                          "%C4%91%E1%BB%A3t%201.pdf")
    assert content_disposition("a.jpg", inline=True).startswith("inline;")
    assert ascii_fallback("ảnh") == "anh" and ascii_fallback("中文") == "__"
