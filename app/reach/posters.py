"""QR posters for a commune or one of its villages: the link to the form preset to that place and tagged with the
poster as its source, the QR code (segno), and the A4 PDF (fpdf2, drawn without a browser, with a system TrueType
font that has Vietnamese letters)."""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import segno
from fpdf import FPDF

from app.text import fold


@dataclass(frozen=True)
class Poster:
    commune_code: str
    commune_name: str
    village: str | None
    url: str
    sms_number: str
    team_phone: str | None

    @property
    def place(self) -> str:
        return f"{self.village}, {self.commune_name}" if self.village else self.commune_name

    def qr_svg(self) -> str:
        """The QR code as inline SVG (scales to any print size)."""
        return segno.make(self.url, error="m").svg_inline(scale=10, border=2, dark="#000")


def source_tag(commune_code: str, village: str | None) -> str:
    """poster:<commune>[:<village folded>], recorded on the items sent through the poster's link."""
    tag = f"poster:{commune_code}"
    if village:
        tag += ":" + "-".join(fold(village).split())
    return "".join(ch for ch in tag.lower() if ch.isalnum() or ch in ":.-_")[:80]


def poster(*, base_url: str, commune_code: str, commune_name: str, village: str | None, sms_number: str,
           team_phone: str | None) -> Poster:
    query = {"xa": commune_code, **({"ban": village} if village else {}),
             "nguon": source_tag(commune_code, village)}
    return Poster(commune_code, commune_name, village, f"{base_url.rstrip('/')}/?{urlencode(query)}", sms_number,
                  team_phone)


class FontMissing(Exception):
    """No TrueType font with Vietnamese letters at the configured path."""


def pdf_bytes(p: Poster, *, font_path: str) -> bytes:
    """An A4 portrait PDF: title, the place, a 120 mm QR code, the SMS number and the team's phone."""
    if not Path(font_path).is_file():
        raise FontMissing(font_path)
    doc = FPDF(format="A4", unit="mm")
    doc.set_auto_page_break(False)
    doc.add_page()
    doc.add_font("poster", fname=font_path)
    doc.set_font("poster", size=30)
    doc.set_xy(15, 18)
    doc.multi_cell(180, 13, "GỬI Ý KIẾN ĐẾN CHÍNH QUYỀN", align="C")
    doc.set_font("poster", size=20)
    doc.set_x(15)
    doc.multi_cell(180, 10, p.place, align="C")
    qr = segno.make(p.url, error="m")
    size = 120.0
    modules = qr.symbol_size(scale=1, border=2)[0]
    cell = size / modules
    left, top = (210 - size) / 2, 62.0
    doc.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(qr.matrix_iter(scale=1, border=2)):
        for col_index, dark in enumerate(row):
            if dark:
                doc.rect(left + col_index * cell, top + row_index * cell, cell + 0.02, cell + 0.02, style="F")
    doc.set_font("poster", size=16)
    doc.set_xy(15, top + size + 6)
    doc.multi_cell(180, 8, "Quét mã bằng điện thoại để gửi phản ánh, kiến nghị, sáng kiến. "
                           "Không cần tài khoản, gửi được cả khi chưa có sóng.", align="C")
    doc.set_font("poster", size=22)
    lines = []
    if p.sms_number:
        lines.append(f"Nhắn tin: {p.sms_number}")
    if p.team_phone:
        lines.append(f"Tổ công nghệ số cộng đồng: {p.team_phone}")
    for line in lines:
        doc.set_x(15)
        doc.multi_cell(180, 12, line, align="C")
    doc.set_font("poster", size=9)
    doc.set_xy(15, 282)
    doc.multi_cell(180, 4, p.url, align="C")
    return bytes(doc.output())
