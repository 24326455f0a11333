"""Idempotent seed of the reference data, default rules and policies, and the initial accounts."""

import csv
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from sqlmodel import Session, select

from app import cache
from app.accounts.models import Account, Role
from app.accounts.passwords import generate_password
from app.accounts.service import create_account
from app.agencies.models import Agency, Commune, Field
from app.routing.models import RoutingRule
from app.sla.models import DeadlinePolicy

COORDINATOR_CODE = "so-khcn"
COORDINATOR_USERNAME = "dieuphoi"
SYSTEM_ADMIN_USERNAME = "quantri"

# (code, name) in the order of DESIGN.md's starting taxonomy.
FIELDS = [
    ("khcn", "Khoa học và công nghệ"),
    ("dmst-khoi-nghiep", "Đổi mới sáng tạo và khởi nghiệp"),
    ("chinh-quyen-so", "Chính quyền số"),
    ("dvc-tthc", "Dịch vụ công trực tuyến và thủ tục hành chính"),
    ("ha-tang-so", "Hạ tầng số và viễn thông"),
    ("du-lieu-so", "Dữ liệu số"),
    ("kinh-te-so", "Kinh tế số, thương mại điện tử và thanh toán không dùng tiền mặt"),
    ("xa-hoi-so", "Xã hội số và kỹ năng số"),
    ("attt", "An toàn thông tin, an ninh mạng"),
    ("ai", "Trí tuệ nhân tạo"),
    ("shtt-tdc", "Sở hữu trí tuệ, tiêu chuẩn đo lường chất lượng"),
    ("co-che-chinh-sach", "Cơ chế, chính sách, thể chế"),
    ("nhan-luc-khcn", "Nhân lực khoa học công nghệ"),
    ("y-te-so", "Y tế số"),
    ("giao-duc-so", "Giáo dục số"),
    ("nong-nghiep-so", "Nông nghiệp số"),
    ("du-lich-so", "Du lịch số"),
    ("khac", "Khác"),
]

# Matters people raise about their own commune go to that commune's People's Committee.
COMMUNE_LEVEL_FIELDS = ["dvc-tthc", "xa-hoi-so"]

# Province-level default owner of each field. Fields left out (policy, "khác") go to triage.
FIELD_OWNERS = {
    "khcn": "so-khcn",
    "dmst-khoi-nghiep": "tt-khdmst",
    "chinh-quyen-so": "so-khcn",
    "ha-tang-so": "so-khcn",
    "du-lieu-so": "tt-cnnts",
    "kinh-te-so": "so-cong-thuong",
    "attt": "cong-an",
    "ai": "tt-cnnts",
    "shtt-tdc": "so-khcn",
    "nhan-luc-khcn": "so-noi-vu",
    "y-te-so": "so-y-te",
    "giao-duc-so": "so-gddt",
    "nong-nghiep-so": "so-nnmt",
    "du-lich-so": "so-vhttdl",
}

# Defaults documented in docs/deadlines.md: (kind, priority, phase, amount, unit, legal basis).
# The province's own targets, each with what it really rests on (docs/deadlines.md lists the sources). Nghị định
# 20/2008/NĐ-CP sets no deadline to answer: it limits the transfer of an item outside an agency's remit to 05 working
# days from receipt (Điều 9.1.d) and requires results to be published (Điều 19).
_ACCEPT_BASIS = ("Mục tiêu của tỉnh: tiếp nhận hoặc chuyển trong 2 ngày làm việc kể từ khi được giao. Giới hạn "
                 "pháp lý: hồ sơ không thuộc thẩm quyền phải được chuyển trong 05 ngày làm việc kể từ ngày nhận "
                 "(Nghị định 20/2008/NĐ-CP, Điều 9 khoản 1 điểm d)")
_ANSWER_BASIS = ("Mục tiêu của tỉnh: trả lời trong 10 ngày làm việc kể từ khi tiếp nhận (Nghị định 20/2008/NĐ-CP "
                 "không quy định thời hạn trả lời; kết quả xử lý được công khai theo Điều 19)")
_URGENT_BASIS = ("Mục tiêu của tỉnh cho phản ánh, kiến nghị khẩn: trả lời trong 2 ngày làm việc (15 giờ làm việc) "
                 "kể từ khi tiếp nhận")
_ASSESS_BASIS = "Mục tiêu của tỉnh: đánh giá sáng kiến, giải pháp trong 30 ngày làm việc kể từ khi tiếp nhận"
DEFAULT_POLICIES = [
    *[(k, p, "accept", 2, "working_days", _ACCEPT_BASIS)
      for k in ("feedback", "petition", "initiative", "solution") for p in ("normal", "urgent")],
    *[(k, "normal", "answer", 10, "working_days", _ANSWER_BASIS) for k in ("feedback", "petition")],
    *[(k, "urgent", "answer", 15, "working_hours", _URGENT_BASIS) for k in ("feedback", "petition")],
    *[(k, p, "answer", 30, "working_days", _ASSESS_BASIS)
      for k in ("initiative", "solution") for p in ("normal", "urgent")],
]


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("app.seed").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    new_credentials: list[tuple[str, str, str, str]] = field(default_factory=list)

    def count(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


def seed_reference(*, session: Session, credentials_path: Path | None) -> SeedReport:
    """Adds whatever is missing; never changes or deletes what an administrator has edited."""
    report = SeedReport()

    communes = {c.code for c in session.exec(select(Commune)).all()}
    for row in _rows("communes.csv"):
        if row["code"] not in communes:
            session.add(Commune(code=row["code"], name=row["name"], kind=row["kind"]))
            report.count("communes")

    fields = {f.code for f in session.exec(select(Field)).all()}
    for order, (code, name) in enumerate(FIELDS):
        if code not in fields:
            session.add(Field(code=code, name=name, sort_order=order))
            report.count("fields")

    agencies = {a.code: a for a in session.exec(select(Agency)).all()}
    for row in _rows("agencies.csv"):
        if row["code"] not in agencies:
            agency = Agency(
                code=row["code"],
                name=row["name"],
                kind=row["kind"],
                parent_code=row["parent_code"] or None,
                commune_code=row["commune_code"] or None,
                is_coordinator=row["code"] == COORDINATOR_CODE,
            )
            session.add(agency)
            agencies[agency.code] = agency
            report.count("agencies")
    session.flush()

    if session.exec(select(RoutingRule)).first() is None:
        _seed_rules(session, agencies, report)

    if session.exec(select(DeadlinePolicy)).first() is None:
        for kind, priority, phase, amount, unit, basis in DEFAULT_POLICIES:
            session.add(DeadlinePolicy(kind=kind, priority=priority, phase=phase, amount=amount, unit=unit,
                                       legal_basis=basis))
            report.count("deadline_policies")

    _seed_accounts(session, agencies, report)
    if report.created:
        cache.bump(session)
    session.commit()
    if credentials_path is not None and report.new_credentials:
        write_credentials(credentials_path, report.new_credentials)
    return report


def _seed_rules(session: Session, agencies: dict[str, Agency], report: SeedReport) -> None:
    field_names = dict(FIELDS)
    commune_names = {c.code: c.name for c in session.exec(select(Commune)).all()}
    priority = 100
    for field_code in COMMUNE_LEVEL_FIELDS:
        for agency in sorted(agencies.values(), key=lambda a: a.code):
            if agency.kind != "ubnd_xa" or not agency.commune_code:
                continue
            session.add(RoutingRule(
                priority=priority,
                name=f"{field_names[field_code]} tại {commune_names[agency.commune_code]}",
                field_code=field_code,
                commune_code=agency.commune_code,
                target_agency_id=agency.id,
            ))
            report.count("routing_rules")
    priority = 500
    for field_code, agency_code in FIELD_OWNERS.items():
        session.add(RoutingRule(
            priority=priority,
            name=f"{field_names[field_code]} → {agencies[agency_code].name}",
            field_code=field_code,
            target_agency_id=agencies[agency_code].id,
        ))
        report.count("routing_rules")
    # Commune-level fields whose commune has no committee (should not happen) fall back to the province.
    session.add(RoutingRule(priority=900, name="Thủ tục hành chính cấp tỉnh", field_code="dvc-tthc",
                            target_agency_id=agencies["tt-phvcc"].id))
    report.count("routing_rules")


def _seed_accounts(session: Session, agencies: dict[str, Agency], report: SeedReport) -> None:
    existing = set(session.exec(select(Account.username)).all())

    def add(username: str, display_name: str, role: Role, agency: Agency | None) -> None:
        if username in existing:
            return
        password = generate_password()
        create_account(session=session, username=username, display_name=display_name, role=role,
                       agency_id=agency.id if agency else None, password=password)
        report.new_credentials.append((username, role.value, agency.name if agency else "", password))
        report.count("accounts")

    for code, agency in agencies.items():
        add(code, f"Quản trị {agency.name}", Role.AGENCY_ADMIN, agency)
    add(COORDINATOR_USERNAME, "Cơ quan thường trực (Sở KHCN)", Role.COORDINATOR, agencies[COORDINATOR_CODE])
    add(SYSTEM_ADMIN_USERNAME, "Quản trị hệ thống", Role.SYSTEM_ADMIN, None)


def write_credentials(path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """Appends new accounts' first passwords; the file is created readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    new_file = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.chmod(path, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        if new_file:
            writer.writerow(["username", "role", "agency", "initial_password"])
        writer.writerows(rows)
