"""Serving a stored attachment once a route has checked who may see it: safe headers, no content sniffing."""

import re
import unicodedata
from urllib.parse import quote

from fastapi.responses import FileResponse
from starlette.datastructures import FormData, UploadFile

from app.attachments import storage
from app.attachments.models import Attachment
from app.attachments.service import IMAGE_TYPES


def uploads_from_form(form: FormData, name: str = "attachments") -> list[UploadFile]:
    """The file parts of a multipart form (a text value under the same name is not a file and is ignored)."""
    return [value for value in form.getlist(name) if isinstance(value, UploadFile)]


def ascii_fallback(name: str) -> str:
    """For old clients that ignore filename*: diacritics folded ("Biên bản" → "Bien ban"), anything else → _."""
    folded = unicodedata.normalize("NFC", name).replace("đ", "d").replace("Đ", "D")
    folded = "".join(ch for ch in unicodedata.normalize("NFD", folded) if unicodedata.category(ch) != "Mn")
    safe = re.sub(r"[^A-Za-z0-9._ ()-]", "_", folded).strip(" .")
    return safe or "tep-dinh-kem"


def content_disposition(name: str, *, inline: bool = False) -> str:
    """RFC 6266 with RFC 5987 `filename*` (UTF-8, percent-encoded) and a plain ASCII `filename` fallback."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(attachment: Attachment, *, thumbnail: bool = False):
    """The file (or its JPEG thumbnail). Only raster images we decoded ourselves are shown inline; everything else
    downloads. `nosniff` and a sandbox CSP keep a browser from treating the bytes as anything but what we checked."""
    if thumbnail:
        if not attachment.thumbnail_key:
            return None
        key, media_type, inline = attachment.thumbnail_key, "image/jpeg", True
        base, _ext = attachment.original_name.rsplit(".", 1) if "." in attachment.original_name else (
            attachment.original_name, "")
        name = f"{base}-nho.jpg"
    else:
        key, media_type = attachment.storage_key, attachment.content_type
        inline = media_type in IMAGE_TYPES or media_type.startswith("audio/")  # <audio> plays it in place
        name = attachment.original_name
    path = storage.path_for(key)
    if not path.is_file():
        return None
    headers = {
        "Content-Disposition": content_disposition(name, inline=inline),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Cross-Origin-Resource-Policy": "same-origin",
        # Behind a permission check: browsers may keep it, shared caches may not. The bytes never change.
        "Cache-Control": "private, max-age=86400" if thumbnail else "private, max-age=3600",
        "Vary": "Cookie",
    }
    return FileResponse(path, media_type=media_type, headers=headers)


__all__ = ["ascii_fallback", "content_disposition", "file_response", "uploads_from_form"]
