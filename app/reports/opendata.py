"""/du-lieu-mo: the statistics and the published items as CSV and JSON, under an open licence, each field
described. The figures are the ones /thong-ke shows (app/reports/queries.py); the items are the reviewed copies."""

from sqlmodel import Session

from app.agencies import service as agencies_service
from app.i18n import N_
from app.initiatives import service as initiatives_service
from app.kinds import KIND_LABELS
from app.publication import public
from app.publication.service import FOR_SUPPORT_KINDS
from app.reports import tables
from app.reports.queries import Period
from app.timefmt import to_local

LICENCE = {
    "name": N_("Creative Commons Ghi nhận tác giả 4.0 Quốc tế (CC BY 4.0)"),
    "url": "https://creativecommons.org/licenses/by/4.0/deed.vi",
    "attribution": N_("Sở Khoa học và Công nghệ tỉnh Điện Biên — Hệ thống PAKN Điện Biên"),
}

DATASETS = {
    "thong-ke-don-vi": N_("Thống kê theo đơn vị xử lý trong kỳ"),
    "thong-ke-xa": N_("Thống kê theo xã, phường nơi có sự việc trong kỳ"),
    "cong-khai": N_("Các hồ sơ đã công khai (bản đã xoá thông tin cá nhân)"),
}

ITEM_FIELDS = (
    ("id", N_("Số hiệu công khai (không phải mã tra cứu của người gửi)")),
    ("loai", N_("Loại: Phản ánh, Kiến nghị, Sáng kiến, Giải pháp")),
    ("linh_vuc", N_("Lĩnh vực")),
    ("xa_phuong", N_("Xã, phường nơi có sự việc")),
    ("don_vi_tra_loi", N_("Đơn vị trả lời")),
    ("ngay_gui", N_("Ngày gửi (giờ Việt Nam, YYYY-MM-DD)")),
    ("ngay_tra_loi", N_("Ngày trả lời (giờ Việt Nam, YYYY-MM-DD)")),
    ("dung_han", N_("Trả lời đúng hạn: có / không / (trống: không áp dụng)")),
    ("tieu_de", N_("Tiêu đề (bản công khai)")),
    ("noi_dung", N_("Nội dung câu hỏi (bản công khai, đã xoá thông tin cá nhân)")),
    ("tra_loi", N_("Nội dung trả lời (bản công khai)")),
    ("nguoi_gui", N_("Chữ cái đầu họ tên và xã, phường của người gửi; trống nếu người gửi không công khai danh tính")),
    ("url", N_("Địa chỉ trang công khai")),
    ("so_ung_ho", N_("Sáng kiến, giải pháp: số người ủng hộ đã xác nhận (mỗi người một lần); trống với PAKN")),
)


def _figure_rows(session: Session, period: Period, by: str):
    lines, total = tables.table(session=session, period=period, by=by, all_groups=False)
    header = ["ma", "ten", *(c.key for c in tables.ALL_COLUMNS)]
    rows = [[line.key, line.name, *(line.value(c) for c in tables.ALL_COLUMNS)] for line in [*lines, total]]
    return header, rows


def dataset(*, session: Session, name: str, period: Period) -> tuple[list[str], list[list], dict]:
    meta = {"title": DATASETS[name], "licence": LICENCE, "publisher": LICENCE["attribution"]}
    if name == "thong-ke-don-vi":
        header, rows = _figure_rows(session, period, "agency")
    elif name == "thong-ke-xa":
        header, rows = _figure_rows(session, period, "commune")
    else:
        ref = agencies_service.reference(session=session)
        header = [name for name, _ in ITEM_FIELDS]
        rows = []
        published = public.published_since(session=session)
        supports = initiatives_service.support_counts(
            session=session, submission_ids=[r.submission_id for r in published if r.kind in FOR_SUPPORT_KINDS])
        for row in published:
            rows.append([
                row.id, str(KIND_LABELS[row.kind]) if row.kind else "",
                ref.field_by_id[row.field_id].name if row.field_id in ref.field_by_id else "",
                ref.commune_by_id[row.commune_id].name if row.commune_id in ref.commune_by_id else "",
                ref.agency_by_id[row.agency_id].name if row.agency_id in ref.agency_by_id else "",
                to_local(row.received_at).date().isoformat() if row.received_at else "",
                to_local(row.answered_at).date().isoformat() if row.answered_at else "",
                "" if row.on_time is None else ("có" if row.on_time else "không"),
                row.title or "", row.question or "", row.answer or "", row.sender_label or "",
                f"/cong-khai/{row.id}", supports.get(row.submission_id, ""),
            ])
        return header, rows, meta
    meta |= {"period": {"from": period.start.isoformat(), "to": period.end.isoformat(), "label": period.label},
             "field_descriptions": {c.key: c.description for c in tables.ALL_COLUMNS}}
    return header, rows, meta
