"""Real files made in the test, small: what a phone or an office computer would upload."""

import io
import zipfile

from PIL import Image


def jpeg(size=(800, 600), color=(30, 120, 60)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 40):  # some detail, so it is not a trivial single colour
        image.paste((200, 40, 40), (x, 0, x + 10, size[1]))
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def png(size=(400, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 90, 200, 128)).save(out, "PNG")
    return out.getvalue()


def webp(size=(300, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (250, 200, 0)).save(out, "WEBP", quality=60)
    return out.getvalue()


def pdf(text: str = "Bien ban") -> bytes:
    """A minimal, valid one-page PDF with a correct cross-reference table."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _ooxml(main_part: str, main_type: str, folder_files: dict[str, str], extra: dict[str, bytes] | None = None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            f'officeDocument" Target="{main_part}"/></Relationships>'))
        for name, text in folder_files.items():
            z.writestr(name, text)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def docx(text: str = "Báo cáo hiện trạng sóng di động", extra: dict[str, bytes] | None = None) -> bytes:
    return _ooxml(
        "word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        {"word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f'<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>')},
        extra)


def xlsx() -> bytes:
    return _ooxml(
        "xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        {"xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets/></workbook>')})


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "not an office document")
    return out.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"


# Voice messages -------------------------------------------------------------------------------------------------

def wav(seconds: float = 3.0, rate: int = 8000) -> bytes:
    import math
    import wave
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(bytes(128 + int(60 * math.sin(i / 8)) for i in range(int(seconds * rate))))
    return out.getvalue()


def mp3(seconds: float = 3.0) -> bytes:
    """MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz) of silence."""
    frame = b"\xff\xfb\x90\x00" + bytes(413)
    return frame * int(seconds * 44100 / 1152 + 1)


def _ebml(element_id: bytes, payload: bytes) -> bytes:
    return element_id + b"\x01" + len(payload).to_bytes(7, "big") + payload


def webm(seconds: float = 3.0, *, video: bool = False) -> bytes:
    """A WebM as Chrome's MediaRecorder writes it: unknown-size segment and clusters, no duration in its header."""
    unknown = b"\x01\xff\xff\xff\xff\xff\xff\xff"
    tracks = _ebml(b"\xae", _ebml(b"\xd7", b"\x01") + _ebml(b"\x83", b"\x02") + _ebml(b"\x86", b"A_OPUS"))
    if video:
        tracks += _ebml(b"\xae", _ebml(b"\xd7", b"\x02") + _ebml(b"\x83", b"\x01") + _ebml(b"\x86", b"V_VP8"))
    body = (_ebml(b"\x15\x49\xa9\x66", _ebml(b"\x2a\xd7\xb1", (1_000_000).to_bytes(3, "big")))
            + _ebml(b"\x16\x54\xae\x6b", tracks))
    for second in range(int(seconds) + 1):
        body += b"\x1f\x43\xb6\x75" + unknown + _ebml(b"\xe7", (second * 1000).to_bytes(4, "big"))
        last = 1000 if second < int(seconds) else int((seconds - int(seconds)) * 1000)
        for offset in range(0, last, 20):
            body += _ebml(b"\xa3", b"\x81" + offset.to_bytes(2, "big", signed=True) + b"\x80" + bytes(20))
    return _ebml(b"\x1a\x45\xdf\xa3", _ebml(b"\x42\x82", b"webm")) + b"\x18\x53\x80\x67" + unknown + body
