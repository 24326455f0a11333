"""Which messages each event sends is decided in one place, the notifications subscriber
(app/notifications/flows.py): app/sla only records events (with what the texts need in their data), and each
event queues exactly the expected e-mails, once."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import col, select

from app import cache
from app.accounts.models import Role
from app.config import get_settings
from app.notifications.models import OutboxMessage, Topic
from app.notifications.service import agency_recipients, coordinator_recipients, set_preferences
from app.sla import service as sla_service
from app.sla.scheduled import sweep
from app.submissions import service as submissions_service
from tests.conftest import agency
from tests.sla import conftest as sla_fixtures
from tests.sla.conftest import local

travel = sla_fixtures.travel  # the deadline tests' fixture: freeze the clock at a Vietnam wall-clock time

ROOT = Path(__file__).resolve().parents[2]
BASE = get_settings().public_base_url.rstrip("/")
AGENCY = {"vanthu@soyte.dienbien.gov.vn", "canbo@soyte.dienbien.gov.vn"}
COORDINATOR = {"vanphong@sokhcn.dienbien.gov.vn", "dieuphoi@sokhcn.dienbien.gov.vn"}


@pytest.fixture
def people(db, make_account):
    """The health department (its own address, one officer) and the coordinator (its agency, one account)."""
    agency(db, "so-y-te").email = "vanthu@soyte.dienbien.gov.vn"
    agency(db, "so-khcn").email = "VanPhong@sokhcn.dienbien.gov.vn"  # addresses are compared lower-case
    officer = make_account("so-y-te", username="cb-yte-msg")
    officer.email = "canbo@soyte.dienbien.gov.vn"
    coordinator = make_account("so-khcn", Role.COORDINATOR, username="dp-msg")
    coordinator.email = "dieuphoi@sokhcn.dienbien.gov.vn"
    for person in (officer, coordinator):  # people get a daily digest by default; these two chose "at once"
        set_preferences(session=db, owner=f"account:{person.id}", choices={t.value: "immediate" for t in Topic})
    db.commit()
    return officer, coordinator


def queued(db, item, after: int = 0, channel: str = "email") -> list[OutboxMessage]:
    return list(db.exec(select(OutboxMessage).where(OutboxMessage.submission_id == item.id,
                                                    OutboxMessage.channel == channel,
                                                    col(OutboxMessage.id) > after)
                        .order_by(col(OutboxMessage.id))).all())


def last_id(db) -> int:
    return db.exec(select(OutboxMessage.id).order_by(col(OutboxMessage.id).desc())).first() or 0


def test_extension_events_queue_exactly_the_expected_emails(db, submit, people, travel):
    officer, coordinator = people
    travel(local(2026, 3, 2, 8))
    item = submit(field_code="y-te-so", title="Đặt lịch khám trực tuyến bị lỗi")
    submissions_service.accept(session=db, submission=item, actor=officer)
    code = item.tracking_code

    travel(local(2026, 3, 12, 9))
    mark = last_id(db)
    ext = sla_service.request_extension(session=db, submission=item, actor=officer, working_days=5,
                                        reason="Cần lấy ý kiến của Bệnh viện tỉnh.")
    mails = queued(db, item, mark)
    assert {m.recipient for m in mails} == COORDINATOR and len(mails) == 2
    assert {m.subject for m in mails} == {f"[PAKN] Đề nghị gia hạn hồ sơ {code}"}
    assert mails[0].body == (f"Hồ sơ {code} “Đặt lịch khám trực tuyến bị lỗi” đề nghị gia hạn 5 ngày làm việc.\n"
                             "Lý do: Cần lấy ý kiến của Bệnh viện tỉnh.\n"
                             f"Xem và quyết định: {BASE}/sla/extensions")

    travel(local(2026, 3, 13, 9))
    mark = last_id(db)
    sla_service.grant_extension(session=db, actor=coordinator, extension=ext, working_days=3, note="Đồng ý 3 ngày.",
                                allow_more=True)
    mails = queued(db, item, mark)
    assert {m.recipient for m in mails} == AGENCY and len(mails) == 2
    texts = queued(db, item, mark, channel="sms")  # the sender (who gave only a phone) hears the new date by SMS
    assert [m.recipient for m in texts] == ["0912345678"] and f"ho so {code} duoc gia han den ngay" in texts[0].body
    assert {m.subject for m in mails} == {f"[PAKN] Hồ sơ {code} được gia hạn"}
    assert mails[0].body == (f"Cơ quan thường trực đồng ý gia hạn hồ sơ {code} thêm 3 ngày làm việc "
                             "đến 19/03/2026 17:00.\nĐồng ý 3 ngày.")

    second = sla_service.request_extension(session=db, submission=item, actor=officer, working_days=2,
                                           reason="Bệnh viện chưa trả lời bằng văn bản.")
    mark = last_id(db)
    sla_service.refuse_extension(session=db, actor=coordinator, extension=second, note="Đủ thời gian trả lời.")
    mails = queued(db, item, mark)
    assert {m.recipient for m in mails} == AGENCY and len(mails) == 2
    assert {(m.subject, m.body) for m in mails} == {(
        f"[PAKN] Đề nghị gia hạn hồ sơ {code} không được chấp thuận",
        f"Cơ quan thường trực không chấp thuận gia hạn hồ sơ {code}.\nLý do: Đủ thời gian trả lời.")}


def test_a_grant_while_paused_names_no_due_date(db, submit, people, travel):
    officer, coordinator = people
    travel(local(2026, 3, 2, 8))
    item = submit(field_code="y-te-so", title="Đặt lịch khám trực tuyến bị lỗi")
    submissions_service.accept(session=db, submission=item, actor=officer)
    submissions_service.request_info(session=db, submission=item, actor=officer, question="Xin ảnh chụp màn hình lỗi.")
    ext = sla_service.request_extension(session=db, submission=item, actor=officer, working_days=2,
                                        reason="Chờ người dân bổ sung thông tin.")
    mark = last_id(db)
    sla_service.grant_extension(session=db, actor=coordinator, extension=ext)
    bodies = {m.body for m in queued(db, item, mark)}
    assert bodies == {f"Cơ quan thường trực đồng ý gia hạn hồ sơ {item.tracking_code} thêm 2 ngày làm việc.\n"}


def test_crossings_queue_exactly_the_expected_emails_and_the_report_counts_them(db, submit, people, travel):
    travel(local(2026, 3, 4, 8))
    first = submit(field_code="y-te-so", title="Đặt lịch khám trực tuyến bị lỗi")
    second = submit(field_code="y-te-so", title="Không tra cứu được kết quả xét nghiệm")
    marks = dict.fromkeys((first.id, second.id), last_id(db))

    report = sweep(session=db, now=local(2026, 3, 6, 10))  # both at risk: the agency only
    assert (report.at_risk, report.overdue, report.emails) == (2, 0, 4)
    for item in (first, second):
        mails = queued(db, item, marks[item.id])
        assert {m.recipient for m in mails} == AGENCY and len(mails) == 2
        assert {m.subject for m in mails} == {
            f"[PAKN] Hồ sơ {item.tracking_code} sắp đến hạn (hạn tiếp nhận 06/03/2026 17:00)"}
        assert mails[0].body == (
            f"Hồ sơ {item.tracking_code} “{item.title}”\nĐơn vị xử lý: Sở Y tế\n"
            "Đã dùng 75% thời gian (hạn tiếp nhận 06/03/2026 17:00) từ 06/03/2026 09:30.\n"
            f"Xem hồ sơ: {BASE}/officer/items/{item.tracking_code}")
        marks[item.id] = last_id(db)

    report = sweep(session=db, now=local(2026, 3, 6, 17, 1))  # overdue: the agency and the coordinator
    assert (report.at_risk, report.overdue, report.emails) == (0, 2, 8)
    for item in (first, second):
        mails = queued(db, item, marks[item.id])
        assert {m.recipient for m in mails} == AGENCY | COORDINATOR and len(mails) == 4
        assert {m.subject for m in mails} == {
            f"[PAKN] Hồ sơ {item.tracking_code} đã quá hạn (hạn tiếp nhận 06/03/2026 17:00)"}
    assert sweep(session=db, now=local(2026, 3, 9, 8)).emails == 0


def test_recipients_come_from_the_process_copy_and_follow_changes(db, people):
    """A sweep batch records many crossings for a few agencies: their addresses come from the per-process copy
    (app/cache.py; no query per crossing), and a change is seen at once (every writer bumps the cache stamp)."""
    health = agency(db, "so-y-te")
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.connection(), "before_cursor_execute", listen)
    try:
        assert set(agency_recipients(session=db, agency_id=health.id)) == AGENCY
        statements.clear()
        for _ in range(3):
            assert set(agency_recipients(session=db, agency_id=health.id)) == AGENCY
        assert statements == []  # cached
        health.email = "tiepnhan@soyte.dienbien.gov.vn"
        db.add(health)
        cache.bump(db)
        assert "tiepnhan@soyte.dienbien.gov.vn" in agency_recipients(session=db, agency_id=health.id)
        assert set(coordinator_recipients(session=db)) == COORDINATOR
    finally:
        event.remove(db.connection(), "before_cursor_execute", listen)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_sla_imports_nothing_from_notifications():
    files = sorted((ROOT / "app" / "sla").glob("*.py"))
    assert files
    for path in files:
        assert not [n for n in _imports(path) if n == "app.notifications" or n.startswith("app.notifications.")], path
    # Not even indirectly: importing every sla module loads no notifications module.
    modules = ", ".join(f"app.sla.{p.stem}" for p in files if p.stem != "__init__")
    out = subprocess.run([sys.executable, "-c", f"import sys, {modules}; "
                          "print(sorted(m for m in sys.modules if m.startswith('app.notifications')))"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_only_the_notifications_subscriber_queues_emails():
    """Every e-mail and SMS is decided in app/notifications/flows.py: nobody else calls enqueue_email/enqueue_sms."""
    callers = {str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
               if "enqueue_email" in p.read_text(encoding="utf-8") or "enqueue_sms" in p.read_text(encoding="utf-8")}
    assert callers == {"app/notifications/flows.py", "app/notifications/service.py"}
