"""Checking and storing attachments.

Two steps, so that nothing partial is ever stored:

1. `stage(uploads)` — before any database work: refuses too many files, empty or too big ones, names with path
   characters, and any content that is not really a JPEG, PNG, WebP, PDF, DOCX or XLSX (decided from the bytes,
   never from the name or the client's Content-Type; images are fully decoded with Pillow). Each file is copied to a
   temp file while its SHA-256 is computed, and images get a small JPEG thumbnail. One refused file refuses the
   whole batch and removes every temp file. Raises `AttachmentRefused` with a Vietnamese message.
2. `store(session=…, submission=…, batch=…)` — inside the caller's transaction: adds the rows and moves the files
   into place. The caller commits, or calls `batch.discard()` when anything fails, which deletes the files again.

The domain service (`app.submissions.service.submit/answer`) does both and records the ATTACHMENT_ADDED event;
other doors (the JSON API) pass their uploads to those functions, see docs/attachments.md.
"""

import ctypes
import ctypes.util
import hashlib
import io
import os
import re
import threading
import time
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from PIL import Image, ImageOps
from sqlmodel import Session, col, select

from app.attachments import audio, storage
from app.attachments.models import Attachment, Owner, human_size
from app.config import get_settings
from app.db import unit_of_work, utcnow
from app.errors import Invalid
from app.i18n import N_

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Detected type → (label for messages, extensions a name may carry; the first is the one we give it).
ALLOWED_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "image/jpeg": ("JPG", (".jpg", ".jpeg", ".jfif")),
    "image/png": ("PNG", (".png",)),
    "image/webp": ("WebP", (".webp",)),
    "application/pdf": ("PDF", (".pdf",)),
    DOCX: ("DOCX", (".docx",)),
    XLSX: ("XLSX", (".xlsx",)),
    **audio.AUDIO_TYPES,  # voice messages (app/attachments/audio.py)
}
IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# For <input accept>: a hint to the phone's file picker only; the server decides from the content.
ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf,.docx,.xlsx"
TYPES_TEXT = N_("ảnh JPG, PNG, WebP; tài liệu PDF, Word (DOCX), Excel (XLSX)")

AUDIO_TYPES = frozenset(audio.AUDIO_TYPES)
VOICE_MAX_SECONDS = 5 * 60
THUMBNAIL_MAX_PX = 320
THUMBNAIL_QUALITY = 70
NAME_MAX = 150
CHUNK = 1024 * 1024
OOXML_MAX_ENTRIES = 10_000
OOXML_CONTENT_TYPES_MAX = 1024 * 1024
DEFAULT_NAME = "tep-dinh-kem"


class AttachmentRefused(Invalid):
    """An upload we do not store: a form error on the field `attachments`."""

    def __init__(self, message: str):
        super().__init__({"attachments": message})
        self.message = message


class Upload(Protocol):
    """What `stage` reads: Starlette's UploadFile fits, and so does IncomingFile."""

    filename: str | None
    file: BinaryIO


@dataclass
class IncomingFile:
    """An upload from a door that is not a Starlette form, e.g. `IncomingFile("a.pdf", io.BytesIO(data))`."""

    filename: str | None
    file: BinaryIO


@dataclass
class StagedFile:
    name: str
    content_type: str
    size: int
    sha256: str
    temp: Path
    key: str
    thumbnail_temp: Path | None = None
    thumbnail_key: str | None = None
    thumbnail_size: tuple[int, int] | None = None


@dataclass
class StagedBatch:
    """Checked files waiting in uploads/tmp; `place_all` moves them into place, `discard` removes every trace."""

    files: list[StagedFile] = field(default_factory=list)
    placed: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def place_all(self) -> None:
        for item in self.files:
            self.placed.append(storage.place(item.temp, item.key))
            if item.thumbnail_temp is not None and item.thumbnail_key is not None:
                self.placed.append(storage.place(item.thumbnail_temp, item.thumbnail_key))

    @contextmanager
    def kept_only_on_success(self) -> Iterator["StagedBatch"]:
        """Wrap the unit of work that stores the batch: if anything fails (the commit included), every staged or
        placed file is deleted, so no orphan stays on disk."""
        try:
            yield self
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        for item in self.files:
            storage.remove(item.temp)
            if item.thumbnail_temp is not None:
                storage.remove(item.thumbnail_temp)
        for path in self.placed:
            storage.remove(path)
        self.placed.clear()




def upload_rules() -> dict:
    """What the forms tell the user before they choose files (the server checks the same limits)."""
    settings = get_settings()
    return {"accept": ACCEPT, "max_files": settings.attachment_max_files, "max_bytes": settings.attachment_max_bytes,
            "max_size": human_size(settings.attachment_max_bytes), "types": TYPES_TEXT}


def _shown(name: str | None) -> str:
    """A refused name as we may print it back: no control characters, not too long."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else "�" for ch in (name or ""))
    return text if len(text) <= 60 else text[:57] + "…"


def clean_name(raw: str | None) -> str:
    """The display name: NFC, no path or control characters (refused, not silently fixed), bounded length."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    bad_char = any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in name)
    if bad_char or "/" in name or "\\" in name or ".." in name:
        raise AttachmentRefused(
            N_("Tên tệp “%(name)s” không hợp lệ: tên tệp không được chứa dấu / hoặc \\, chuỗi “..” hay ký tự "
               "điều khiển. Vui lòng đổi tên tệp rồi chọn lại.", name=_shown(raw)))
    # Characters Windows refuses in names would break the download on the officer's computer.
    name = re.sub(r'[<>:"|?*]', "_", name).strip(" .")
    if not name:
        return DEFAULT_NAME
    if len(name) > NAME_MAX:
        stem, ext = os.path.splitext(name)
        ext = ext if len(ext) <= 10 else ""
        name = stem[: NAME_MAX - len(ext)].rstrip() + ext
    return name


def name_for_type(name: str, content_type: str) -> str:
    """Gives the name the extension of what the file really is (a PNG called .jpg downloads as .png)."""
    extensions = ALLOWED_TYPES[content_type][1]
    stem, ext = os.path.splitext(name)
    if ext.lower() in extensions:
        return name
    if ext and len(ext) <= 6 and ext[1:].isalnum():
        return (stem or DEFAULT_NAME) + extensions[0]
    return name + extensions[0]


def _is_blank(upload: Upload) -> bool:
    """A file input left empty still sends a part with an empty name and no bytes: that is no file at all."""
    if upload.filename:
        return False
    return _peek(upload.file) == b""


def _peek(stream: BinaryIO) -> bytes:
    if not stream.seekable():
        return b"?"  # cannot look ahead: read it as a file (an empty one is refused with a message)
    position = stream.tell()
    data = stream.read(1)
    stream.seek(position)
    return data


def _copy_to_temp(upload: Upload, name: str, max_bytes: int) -> tuple[Path, int, str]:
    temp = storage.new_temp_file()
    digest = hashlib.sha256()
    size = 0
    try:
        stream = upload.file
        if stream.seekable():
            stream.seek(0)
        with open(temp, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise AttachmentRefused(
                        N_("Tệp “%(name)s” lớn hơn mức cho phép %(size)s mỗi tệp. Vui lòng giảm dung lượng "
                           "(chụp ảnh ở chất lượng thấp hơn, nén tệp PDF) rồi chọn lại.",
                           name=_shown(name), size=human_size(max_bytes)))
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise AttachmentRefused(N_("Tệp “%(name)s” rỗng (0 byte). Vui lòng chọn lại đúng tệp.", name=_shown(name)))
    except BaseException:
        storage.remove(temp)
        raise
    return temp, size, digest.hexdigest()


def _not_allowed(name: str) -> AttachmentRefused:
    return AttachmentRefused(
        N_("Tệp “%(name)s” không thuộc loại được nhận (%(types)s). Hệ thống kiểm tra nội dung tệp, "
           "không dựa vào tên hay đuôi tệp.", name=_shown(name), types=TYPES_TEXT))


def detect_type(path: Path, name: str) -> str:
    """The type from the bytes themselves; refuses anything else, with a message that says what we accept."""
    with open(path, "rb") as f:
        head = f.read(16)
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - 1024))
        tail = f.read()
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        if b"%%EOF" not in tail:
            raise AttachmentRefused(N_("Tệp PDF “%(name)s” không đầy đủ hoặc bị hỏng. Vui lòng xuất lại tệp.",
                                         name=_shown(name)))
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _ooxml_type(path, name)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE: .doc/.xls, or a password-protected DOCX/XLSX
        raise AttachmentRefused(
            N_("Tệp “%(name)s” là tệp Word/Excel đời cũ (.doc, .xls) hoặc có đặt mật khẩu. Vui lòng lưu lại "
               "thành DOCX, XLSX hoặc PDF không mật khẩu.", name=_shown(name)))
    audio_type = audio.sniff(head)
    if audio_type is not None:
        return audio_type  # confirmed (and timed) by _check_audio
    raise _not_allowed(name)


OOXML_RELS_MAX = 256 * 1024
_EMBEDDED_PARTS = ("/embeddings/", "/activex/", "oleobject", "/attachedtemplate")
# Relationships that may point outside the file and are fetched or run when it opens (a remote template, an OLE
# link, a frame, a sub-document, an external picture or data source). Hyperlinks are only followed when clicked.
_EXTERNAL_OK = (b"/hyperlink",)
_EXTERNAL = re.compile(rb"<Relationship\b[^>]*>", re.I)


def _embedded(part: str) -> bool:
    lowered = "/" + part.lower()
    return any(marker in lowered for marker in _EMBEDDED_PARTS)


def _external_relationship(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> bool:
    """Whether any relationship part (bounded reads) points outside the file for anything but a hyperlink."""
    for entry in entries:
        if not entry.filename.lower().endswith(".rels"):
            continue
        if entry.file_size > OOXML_RELS_MAX:
            return True
        for relationship in _EXTERNAL.findall(archive.read(entry)):
            if re.search(rb'TargetMode\s*=\s*["\']External["\']', relationship, re.I) and not any(
                    ok in relationship for ok in _EXTERNAL_OK):
                return True
    return False
def _check_audio(path: Path, content_type: str, name: str) -> None:
    """The whole file must read as that audio, and last at most VOICE_MAX_SECONDS."""
    try:
        seconds = audio.duration(path, content_type)
    except audio.NotAudio:
        raise AttachmentRefused(N_("Tệp ghi âm “%(name)s” bị hỏng hoặc không phải âm thanh (nhận m4a, mp3, ogg, "
                                   "webm, wav). Vui lòng ghi âm hoặc chọn lại.", name=_shown(name))) from None
    if seconds > VOICE_MAX_SECONDS + 1:
        raise AttachmentRefused(N_("Tin nhắn thoại “%(name)s” dài %(minutes)s phút, tối đa %(limit)s phút. Vui "
                                   "lòng ghi ngắn hơn.", name=_shown(name), minutes=f"{seconds / 60:.1f}"
                                   .replace(".", ","), limit=VOICE_MAX_SECONDS // 60))


def _ooxml_type(path: Path, name: str) -> str:
    """DOCX and XLSX are ZIP files: the declared main part ([Content_Types].xml) and the word/ or xl/ folder decide.
    Only [Content_Types].xml is decompressed (bounded), so a ZIP bomb costs nothing."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > OOXML_MAX_ENTRIES:
                raise _not_allowed(name)
            names = {entry.filename for entry in entries}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise AttachmentRefused(
                    N_("Tệp “%(name)s” có chứa macro, không được nhận. Vui lòng lưu thành DOCX/XLSX thường "
                       "hoặc PDF.", name=_shown(name)))
            if any(_embedded(n) for n in names):
                raise AttachmentRefused(
                    N_("Tệp “%(name)s” có nhúng đối tượng khác (OLE, ActiveX, tệp đính kèm bên trong), không được "
                       "nhận. Vui lòng lưu thành DOCX/XLSX không nhúng đối tượng, hoặc PDF.", name=_shown(name)))
            info = archive.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
            if info is None or info.file_size > OOXML_CONTENT_TYPES_MAX:
                raise _not_allowed(name)
            declared = archive.read(info)
            if _external_relationship(archive, entries):
                raise AttachmentRefused(
                    N_("Tệp “%(name)s” tham chiếu tới mẫu hoặc nội dung bên ngoài (tải về khi mở tệp), không được "
                       "nhận. Vui lòng lưu thành tệp độc lập hoặc PDF.", name=_shown(name)))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
        raise _not_allowed(name) from None
    if b"wordprocessingml.document.main+xml" in declared and any(n.startswith("word/") for n in names):
        return DOCX
    if b"spreadsheetml.sheet.main+xml" in declared and any(n.startswith("xl/") for n in names):
        return XLSX
    raise _not_allowed(name)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def return_image_memory_to_the_system() -> None:
    """Decoded images are allocated in 16 MB blocks. glibc raises its mmap threshold after the first such block is
    freed, so later blocks come from per-thread heaps that keep the memory after the decode (a worker kept 1.5 GB
    after the attack of issue 10.4). A fixed threshold (128 KiB) keeps them mmapped: freed means given back."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


_decode_slots: threading.BoundedSemaphore | None = None
_decode_slots_lock = threading.Lock()


@contextmanager
def decode_slot() -> Iterator[None]:
    """At most `PAKN_IMAGE_DECODES` images are decoded at once in this process (default 1): six forms with five
    pictures each wait their turn instead of holding 30 decoded images in memory at the same moment."""
    global _decode_slots
    with _decode_slots_lock:
        if _decode_slots is None:
            _decode_slots = threading.BoundedSemaphore(max(1, get_settings().image_decodes_per_worker))
    with _decode_slots:
        yield


def pixel_limit(content_type: str) -> int:
    """JPEGs are decoded at 1/8 scale (`draft`), so a phone camera's 50 MP costs a few MB; PNG and WebP have no
    reduced decoding and a 49 MP RGBA picture costs 196 MB, so they get a smaller limit (screenshots, scans)."""
    s = get_settings()
    if content_type == "image/jpeg":
        return s.attachment_max_image_pixels
    return min(s.attachment_max_image_pixels, s.attachment_max_decoded_pixels)


def _fit(size: tuple[int, int], box: int) -> tuple[int, int]:
    width, height = size
    scale = box / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _thumbnail(path: Path, content_type: str, name: str, max_pixels: int | None = None
               ) -> tuple[bytes, tuple[int, int]]:
    """Decodes the whole image (a fake or truncated one fails here) and returns a small JPEG of it. The size is
    read from the header and checked before any pixel is decoded; JPEGs decode at reduced scale; one decode at a
    time per process (`decode_slot`); the thumbnail is made before the EXIF rotation, so no full-size copy."""
    broken = AttachmentRefused(N_("Ảnh “%(name)s” bị hỏng hoặc không đọc được. Vui lòng chụp hoặc chọn lại ảnh.",
                                  name=_shown(name)))
    max_pixels = min(max_pixels or pixel_limit(content_type), pixel_limit(content_type))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit applies below
            with Image.open(path) as image:
                if image.format != IMAGE_TYPES[content_type]:
                    raise broken
                width, height = image.size
                if width * height > max_pixels:
                    limit = (N_("%(millions)s triệu", millions=max_pixels // 1_000_000)
                             if max_pixels >= 1_000_000 else str(max_pixels))
                    raise AttachmentRefused(
                        N_("Ảnh “%(name)s” quá lớn (%(width)s×%(height)s điểm ảnh, tối đa %(limit)s). "
                           "Vui lòng giảm kích thước ảnh rồi chọn lại.",
                           name=_shown(name), width=width, height=height, limit=limit))
                image.verify()
            with decode_slot(), Image.open(path) as image:
                if image.format == "JPEG":  # decode at 1/2…1/8 scale: the same checks, a fraction of the memory
                    image.draft("RGB", (THUMBNAIL_MAX_PX * 2, THUMBNAIL_MAX_PX * 2))
                exif = image.getexif()
                image.load()
                step = image
                if image.mode in ("RGBA", "LA") and max(image.size) > THUMBNAIL_MAX_PX * 4:
                    # Pillow resizes images with alpha through a premultiplied full-size copy (twice the memory):
                    # sample down to 4× the thumbnail first, then filter that small image.
                    step = image.resize(_fit(image.size, THUMBNAIL_MAX_PX * 4), Image.Resampling.NEAREST)
                step.thumbnail((THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX))  # in place
                small = step.copy() if step is image else step
            small.info["exif"] = exif.tobytes() if exif else b""
            small = ImageOps.exif_transpose(small) if exif else small
            if small.mode in ("RGBA", "LA", "PA") or (small.mode == "P" and "transparency" in small.info):
                rgba = small.convert("RGBA")
                small = Image.new("RGB", rgba.size, (255, 255, 255))
                small.paste(rgba, mask=rgba.getchannel("A"))
            elif small.mode != "RGB":
                small = small.convert("RGB")
            out = io.BytesIO()
            small.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True, progressive=True)
            return out.getvalue(), small.size
    except AttachmentRefused:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError, Image.DecompressionBombError):
        raise broken from None


def _stage_one(upload: Upload, *, max_bytes: int, max_pixels: int) -> StagedFile:
    name = clean_name(upload.filename)
    temp, size, sha256 = _copy_to_temp(upload, name, max_bytes)
    thumbnail_temp = None
    try:
        content_type = detect_type(temp, name)
        staged = StagedFile(name=name_for_type(name, content_type), content_type=content_type, size=size,
                            sha256=sha256, temp=temp, key=storage.new_key())
        if content_type in AUDIO_TYPES:
            _check_audio(temp, content_type, name)
        if content_type in IMAGE_TYPES:
            data, dimensions = _thumbnail(temp, content_type, name, max_pixels)
            thumbnail_temp = storage.write_temp(data)
            staged.thumbnail_temp, staged.thumbnail_key, staged.thumbnail_size = (
                thumbnail_temp, storage.new_key(), dimensions)
        return staged
    except BaseException:
        storage.remove(temp)
        if thumbnail_temp is not None:
            storage.remove(thumbnail_temp)
        raise


def stage(uploads: Iterable[Upload] | None) -> StagedBatch:
    """Checks every upload and copies it to a temp file; all or nothing (see the module doc)."""
    settings = get_settings()
    items = [u for u in (uploads or []) if not _is_blank(u)]
    if len(items) > settings.attachment_max_files:
        raise AttachmentRefused(
            N_("Chỉ được đính kèm tối đa %(max_files)s tệp (bạn đã chọn %(count)s tệp). "
               "Vui lòng bớt tệp rồi chọn lại.", max_files=settings.attachment_max_files, count=len(items)))
    batch = StagedBatch()
    try:
        for upload in items:
            batch.files.append(_stage_one(upload, max_bytes=settings.attachment_max_bytes,
                                          max_pixels=settings.attachment_max_image_pixels))
    except BaseException:
        batch.discard()
        raise
    return batch


def store(
    *, session: Session, submission_id: int, batch: StagedBatch, owner: Owner, actor_id: int | None = None,
    now: datetime | None = None,
) -> list[Attachment]:
    """Adds the rows and moves the files into place, inside the caller's transaction (the caller commits, or
    discards the batch on failure)."""
    now = now or utcnow()
    rows = []
    for item in batch.files:
        width, height = item.thumbnail_size or (None, None)
        rows.append(Attachment(
            submission_id=submission_id, owner=owner, original_name=item.name,
            content_type=item.content_type, size=item.size, sha256=item.sha256, storage_key=item.key,
            thumbnail_key=item.thumbnail_key, thumbnail_width=width, thumbnail_height=height,
            uploaded_by_account_id=actor_id, created_at=now,
        ))
    session.add_all(rows)
    session.flush()
    batch.place_all()
    return rows


def describe(attachment: Attachment) -> dict:
    """What the audit event records about a file (its hash puts the content under the audit chain)."""
    return {"id": attachment.id, "name": attachment.original_name, "content_type": attachment.content_type,
            "size": attachment.size, "sha256": attachment.sha256}


def for_submission(*, session: Session, submission_id: int) -> list[Attachment]:
    return list(session.exec(
        select(Attachment).where(Attachment.submission_id == submission_id).order_by(col(Attachment.id))
    ).all())


def get_for_submission(*, session: Session, submission_id: int, attachment_id: int) -> Attachment | None:
    """The attachment only if it belongs to this submission (which the caller has already been allowed to see)."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.submission_id != submission_id:
        return None
    return attachment


@dataclass
class StorageReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)  # rows whose file (or thumbnail) is gone
    altered: list[str] = field(default_factory=list)  # files whose size or SHA-256 no longer match the row
    orphans: list[Path] = field(default_factory=list)  # files no row refers to

    @property
    def ok(self) -> bool:
        return not self.missing and not self.altered


def verify_storage(*, session: Session, orphan_age_seconds: float = 3600) -> StorageReport:
    """Compares the upload folder with the table: after restoring a backup, or to find what a crash left behind.
    Files younger than `orphan_age_seconds` are not called orphans (their transaction may still be running)."""
    report = StorageReport()
    known: set[str] = set()
    last_id = 0
    while True:
        rows = session.exec(select(Attachment).where(col(Attachment.id) > last_id)
                            .order_by(col(Attachment.id)).limit(500)).all()
        if not rows:
            break
        for row in rows:
            report.checked += 1
            label = f"#{row.id} {row.original_name} (hồ sơ {row.submission_id})"
            known.add(row.storage_key)
            path = storage.path_for(row.storage_key)
            if not path.is_file():
                report.missing.append(label)
            elif path.stat().st_size != row.size or storage.sha256_of(path) != row.sha256:
                report.altered.append(label)
            if row.thumbnail_key:
                known.add(row.thumbnail_key)
                if not storage.path_for(row.thumbnail_key).is_file():
                    report.missing.append(f"{label}: ảnh thu nhỏ")
        last_id = rows[-1].id
    cutoff = time.time() - orphan_age_seconds
    report.orphans = [p for p in storage.stored_files() if p.name not in known and p.stat().st_mtime < cutoff]
    return report


__all__ = [
    "ACCEPT", "ALLOWED_TYPES", "AttachmentRefused", "IncomingFile", "Owner", "StagedBatch", "Upload", "clean_name",
    "describe", "detect_type", "for_submission", "get_for_submission", "human_size", "stage", "store",
    "upload_rules", "verify_storage",
]


@contextmanager
def unit_with_files(session: Session, batch: StagedBatch | None) -> Iterator[Session]:
    """`unit_of_work` for a change that stores checked files: the files go, or stay, with the transaction."""
    batch = batch or StagedBatch()
    with batch.kept_only_on_success(), unit_of_work(session):
        yield session
