"""A free-standing initiative: routed by the rules, assessed by the owner agency, adopted, put into practice, and
counted in the adoption register and its exports. Permissions: who scores, who sees what."""

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlmodel import select

from app.accounts.models import Role
from app.errors import NotPermitted
from app.initiatives import register, service
from app.initiatives.models import Implementation
from app.kinds import EventType, State
from app.notifications.models import OutboxMessage
from app.notifications.service import set_preferences
from app.submissions import service as submissions_service
from tests.conftest import agency, csrf_from
from tests.initiatives.conftest import consent, publish, sign_in, staff, today

PDF = ("bien-ban.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "application/pdf")


def scores_for(db, item, values):
    assessment = service.ensure_assessment(session=db, submission=item)
    criteria = service.criteria_of(session=db, set_id=assessment.criteria_set_id)
    return {f"score_{c.id}": str(v) for c, v in zip(criteria, values, strict=True)}


def test_initiative_from_submission_to_adoption_and_the_register(client, db, submit, make_account):
    item = submit(kind="initiative", field_code="y-te-so", title="Đặt lịch khám qua Zalo cho trạm y tế xã",
                  content="Trạm y tế xã nhận đặt lịch khám qua Zalo OA để người dân vùng cao đỡ phải chờ.",
                  sender_email="nguoi.gui@example.vn", notify_by="both")
    health = agency(db, "so-y-te")
    assert item.agency_id == health.id  # free-standing: routed by the rules (digital health → Sở Y tế)
    admin = staff(make_account, "so-y-te", "admin-yte", Role.AGENCY_ADMIN)
    assessor = staff(make_account, "so-y-te", "tham-dinh-yte")
    submissions_service.accept(session=db, submission=item, actor=admin)
    assessor.email = "tham.dinh@soyte.example.vn"
    # People hear of an assignment in their daily digest unless they chose "at once" (issue 9's defaults).
    set_preferences(session=db, owner=f"account:{assessor.id}", choices={"assigned": "immediate"})
    service.assign_assessor(session=db, actor=admin, submission=item, account=assessor)
    told = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == "tham.dinh@soyte.example.vn")).one()
    assert "phân công thẩm định" in told.subject and f"/officer/items/{item.tracking_code}/tham-dinh" in told.body
    service.submit_scores(session=db, actor=assessor, submission=item, values=scores_for(db, item, [4, 5, 4, 4, 5]))
    db.commit()

    # The sender sees neither scores nor the assessors before the decision
    page = client.get("/track")
    client.post("/track", data={"code": item.tracking_code, "contact": "nguoi.gui@example.vn",
                                "csrf_token": csrf_from(page.text)})
    status = client.get(f"/track/{item.tracking_code}")
    assert status.status_code == 200
    assert "Điểm thẩm định" not in status.text and "tham-dinh-yte" not in status.text and "4,40" not in status.text

    sign_in(client, admin)
    page = client.get(f"/officer/items/{item.tracking_code}/tham-dinh")
    assert 'id="decide-form"' in page.text
    r = client.post(f"/officer/items/{item.tracking_code}/tham-dinh/decide",
                    data={"csrf_token": csrf_from(page.text), "decision": "adopted",
                          "reason": "Giảm thời gian chờ khám, chi phí gần như bằng không."})
    assert r.status_code == 303, r.text
    db.expire_all()
    assert item.state == State.ANSWERED
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == "nguoi.gui@example.vn",
                                               OutboxMessage.subject.contains("kết quả thẩm định"))).one()
    assert "Được áp dụng" in mail.body and "Giảm thời gian chờ khám" in mail.body

    # Adopted: the implementation record with an evidence file
    page = client.get(f"/officer/items/{item.tracking_code}/tham-dinh")
    assert 'id="implementation-form"' in page.text
    r = client.post(f"/officer/items/{item.tracking_code}/tham-dinh/implementation",
                    data={"csrf_token": csrf_from(page.text), "unit": "Trạm y tế xã Mường Nhé",
                          "started_on": today().isoformat(),
                          "what_changed": "Người dân đặt lịch qua Zalo; trạm gọi lại xác nhận trong ngày.",
                          "result": "120 lượt đặt lịch trong tháng đầu."}, files=[("attachments", PDF)])
    assert r.status_code == 303, r.text
    record = db.get(Implementation, item.id)
    assert record.unit == "Trạm y tế xã Mường Nhé" and record.agency_id == health.id
    page = client.get(f"/officer/items/{item.tracking_code}/tham-dinh")
    assert "bien-ban.pdf" in page.text and "120 lượt đặt lịch" in page.text

    # The sender reads the decision (as the answer) and the implementation in the history
    sign_in(client, admin)  # (any client state) then back to the sender's view through the tracking form
    client.cookies.clear()
    page = client.get("/track")
    client.post("/track", data={"code": item.tracking_code, "contact": "nguoi.gui@example.vn",
                                "csrf_token": csrf_from(page.text)})
    status = client.get(f"/track/{item.tracking_code}")
    assert "Kết quả thẩm định: Được áp dụng." in status.text
    assert "Sáng kiến đã được đưa vào thực tiễn" in status.text
    assert "Điểm thẩm định" not in status.text  # not published with the decision

    # The register and the indicator
    rows = {r.agency.code: r for r in register.register(session=db, year=today().year)}
    row = rows["so-y-te"]
    assert (row.received, row.assessed, row.adopted, row.piloted, row.in_practice) == (1, 1, 1, 0, 1)
    zero = {a.code for a in register.agencies_at_zero(session=db, year=today().year)}
    assert "so-y-te" not in zero and "so-nnmt" in zero
    indicator = register.indicator(session=db, year=today().year)
    assert indicator.reached == 1 and indicator.at_zero == indicator.agencies - 1

    coordinator = staff(make_account, "so-khcn", "dieu-phoi-2", Role.COORDINATOR)
    sign_in(client, coordinator)
    page = client.get(f"/officer/sang-kien?year={today().year}")
    assert f'id="at-zero-count">{indicator.at_zero}<' in page.text and "Sở Nông nghiệp và Môi trường" in page.text
    csv = client.get(f"/officer/sang-kien/so-theo-doi.csv?year={today().year}")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    line = next(x for x in csv.text.splitlines() if x.startswith("so-y-te,"))
    assert line.endswith(",1,1,1,0,1")
    xlsx = client.get(f"/officer/sang-kien/so-theo-doi.xlsx?year={today().year}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    found = [list(r) for r in sheet.iter_rows(values_only=True) if r[0] == "so-y-te"]
    assert found == [["so-y-te", "Sở Y tế", 1, 1, 1, 0, 1]]
    # An agency sees only its own row
    sign_in(client, admin)
    own = client.get(f"/officer/sang-kien/so-theo-doi.csv?year={today().year}")
    assert [x.split(",")[0] for x in own.text.splitlines()[1:]] == ["so-y-te"]


def test_only_the_owner_agencys_assigned_assessors_score(client, db, submit, make_account):
    item = submit(kind="initiative", field_code="y-te-so", title="Sổ sức khỏe điện tử cho người cao tuổi")
    admin = staff(make_account, "so-y-te", "admin-yte2", Role.AGENCY_ADMIN)
    colleague = staff(make_account, "so-y-te", "dong-nghiep")
    outsider = staff(make_account, "so-gddt", "ngoai-don-vi")
    submissions_service.accept(session=db, submission=item, actor=admin)
    db.commit()
    # not assigned
    try:
        service.submit_scores(session=db, actor=colleague, submission=item, values=scores_for(db, item, [3] * 5))
        raise AssertionError("an unassigned officer scored")
    except NotPermitted:
        db.rollback()
    # an outsider can be neither assigned nor see the page
    try:
        service.assign_assessor(session=db, actor=admin, submission=item, account=outsider)
        raise AssertionError("an outsider became an assessor")
    except Exception as exc:  # Invalid
        assert "đơn vị chủ trì" in str(exc.errors)
        db.rollback()
    sign_in(client, outsider)
    assert client.get(f"/officer/items/{item.tracking_code}/tham-dinh").status_code == 404
    assert client.post(f"/officer/items/{item.tracking_code}/tham-dinh/scores",
                       data={"csrf_token": csrf_from(client.get("/officer/inbox").text)}).status_code == 404
    # an officer may not assign (the agency admin does)
    sign_in(client, colleague)
    page = client.get(f"/officer/items/{item.tracking_code}/tham-dinh")
    assert page.status_code == 200 and 'name="account_id"' not in page.text
    r = client.post(f"/officer/items/{item.tracking_code}/tham-dinh/assessors",
                    data={"csrf_token": csrf_from(page.text), "account_id": str(colleague.id)})
    assert r.status_code == 422 and "phân công người thẩm định" in r.text


def test_a_transfer_takes_the_assessment_with_the_item(db, submit, make_account):
    """Scoring belongs to the agency holding the item: after a transfer the former agency's assessor cannot score."""
    item = submit(kind="initiative", field_code="y-te-so", title="Ứng dụng nhắc lịch tiêm chủng")
    admin = staff(make_account, "so-y-te", "admin-yte3", Role.AGENCY_ADMIN)
    assessor = staff(make_account, "so-y-te", "tham-dinh-yte3")
    submissions_service.accept(session=db, submission=item, actor=admin)
    service.assign_assessor(session=db, actor=admin, submission=item, account=assessor)
    submissions_service.transfer(session=db, submission=item, actor=admin, to_agency=agency(db, "so-gddt"),
                                 reason="Thuộc lĩnh vực giáo dục sức khỏe học đường.")
    db.commit()
    try:
        service.submit_scores(session=db, actor=assessor, submission=item, values=scores_for(db, item, [4] * 5))
        raise AssertionError("the former agency scored")
    except NotPermitted:
        db.rollback()


def test_published_scores_reach_the_sender_without_names(client, db, submit, make_account):
    item = submit(kind="initiative", field_code="y-te-so", title="Bản đồ trạm y tế có bác sĩ trực đêm",
                  sender_email="tac.gia@example.vn")
    admin = staff(make_account, "so-y-te", "admin-yte4", Role.AGENCY_ADMIN)
    assessor = staff(make_account, "so-y-te", "ten-nguoi-cham")
    submissions_service.accept(session=db, submission=item, actor=admin)
    service.assign_assessor(session=db, actor=admin, submission=item, account=assessor)
    service.submit_scores(session=db, actor=assessor, submission=item, values=scores_for(db, item, [2, 3, 2, 3, 4]))
    service.decide(session=db, actor=admin, submission=item, form=service.parse_decision(
        {"decision": "not_adopted", "reason": "Đã có bản đồ tương tự của ngành.", "publish_scores": "on"}))
    db.commit()
    page = client.get("/track")
    client.post("/track", data={"code": item.tracking_code, "contact": "tac.gia@example.vn",
                                "csrf_token": csrf_from(page.text)})
    status = client.get(f"/track/{item.tracking_code}")
    assert "Điểm thẩm định" in status.text and "Tính khả thi" in status.text
    assert "ten-nguoi-cham" not in status.text and "Cán bộ thử" not in status.text
    events = [e.type for e in submissions_service.history(session=db, submission=item)]
    assert EventType.DECIDED in events and EventType.ANSWERED not in events


def test_a_pilot_needs_its_unit_and_date(db, submit, make_account):
    try:
        service.parse_decision({"decision": "pilot", "reason": "Thí điểm trước khi nhân rộng."})
        raise AssertionError("a pilot without unit and date")
    except Exception as exc:
        assert set(exc.errors) == {"pilot_unit", "pilot_start"}
    form = service.parse_decision({"decision": "pilot", "reason": "Thí điểm trước khi nhân rộng.",
                                   "pilot_unit": "Xã Mường Phăng",
                                   "pilot_start": (today() + timedelta(days=7)).isoformat()})
    assert form.pilot_unit == "Xã Mường Phăng"


def test_a_reopened_decision_no_longer_stands_and_a_rejected_item_is_not_public(db, submit, make_account):
    item = submit(kind="initiative", field_code="y-te-so", title="Sáng kiến được mở lại")
    admin = staff(make_account, "so-y-te", "admin-yte-mo", Role.AGENCY_ADMIN)
    coordinator = staff(make_account, "so-khcn", "dieu-phoi-mo", Role.COORDINATOR)
    submissions_service.accept(session=db, submission=item, actor=admin)
    service.decide(session=db, actor=admin, submission=item, form=service.parse_decision(
        {"decision": "not_adopted", "reason": "Chưa phù hợp điều kiện của trạm y tế."}))
    submissions_service.rate(session=db, submission=item, satisfied=False, comment="Chưa xem xét kỹ")
    submissions_service.reopen(session=db, submission=item, actor=coordinator, agency=agency(db, "so-y-te"),
                               note="Xem xét lại sáng kiến")
    db.commit()
    db.expire_all()
    assessment = service.get_assessment(session=db, submission_id=item.id)
    assert assessment.decision is None and assessment.decided_at is None
    assert register.register(session=db, year=today().year, agency_id=agency(db, "so-y-te").id)[0].assessed == 0
    submissions_service.accept(session=db, submission=item, actor=admin)
    service.decide(session=db, actor=admin, submission=item, form=service.parse_decision(
        {"decision": "adopted", "reason": "Sau khi xem xét lại, áp dụng tại hai trạm."}))
    db.commit()
    assert service.get_assessment(session=db, submission_id=item.id).decision == "adopted"

    public = submit(kind="initiative", field_code="y-te-so", title="Sáng kiến công khai rồi bị từ chối")
    consent(db, public)
    publish(db, admin, public)
    submissions_service.reject(session=db, submission=public, actor=admin, reason_code="out_of_scope",
                               detail="Nội dung không thuộc lĩnh vực y tế số.")
    db.commit()
    assert service.public_item(session=db, submission_id=public.id) is None
