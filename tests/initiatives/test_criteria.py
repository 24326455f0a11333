"""The coordinator edits criteria sets; scores already given keep the criteria and weights they were given against."""

from app.accounts.models import Role
from app.initiatives import service
from app.submissions import service as submissions_service
from tests.conftest import csrf_from
from tests.initiatives.conftest import sign_in, staff


def test_coordinator_adds_and_edits_a_set_and_old_scores_stay(client, db, submit, make_account):
    coordinator = staff(make_account, "so-khcn", "dieu-phoi-tc", Role.COORDINATOR)
    sign_in(client, coordinator)
    page = client.get("/officer/tieu-chi")
    assert "Tính mới | 20" in page.text and "Chi phí hợp lý | 15" in page.text
    bad = client.post("/officer/tieu-chi", data={"csrf_token": csrf_from(page.text), "set_id": "",
                                                 "name": "Bộ cho bài toán nông nghiệp", "criteria": "Tính mới 20"})
    assert bad.status_code == 422 and "tên tiêu chí | trọng số" in bad.text
    assert 'value="Bộ cho bài toán nông nghiệp"' in bad.text  # what was typed comes back
    r = client.post("/officer/tieu-chi", data={"csrf_token": csrf_from(page.text), "set_id": "",
                                               "name": "Bộ cho bài toán nông nghiệp",
                                               "criteria": "Hiệu quả kinh tế | 40\nDễ dùng cho hộ nông dân | 60"})
    assert r.status_code == 303
    assert "Dễ dùng cho hộ nông dân | 60" in client.get("/officer/tieu-chi").text

    # an item scored against the default set, then the set changes
    item = submit(kind="initiative", field_code="y-te-so", title="Sáng kiến chấm trước khi đổi tiêu chí")
    admin = staff(make_account, "so-y-te", "admin-yte-tc", Role.AGENCY_ADMIN)
    submissions_service.accept(session=db, submission=item, actor=admin)
    service.assign_assessor(session=db, actor=admin, submission=item, account=admin)
    default = service.default_set(session=db)
    criteria = service.criteria_of(session=db, set_id=default.id)
    service.submit_scores(session=db, actor=admin, submission=item,
                          values={f"score_{c.id}": "4" for c in criteria})
    db.commit()
    page = client.get("/officer/tieu-chi")
    r = client.post("/officer/tieu-chi", data={
        "csrf_token": csrf_from(page.text), "set_id": str(default.id), "name": default.name,
        "criteria": "Tính mới | 30\nTính khả thi | 30\nHiệu quả | 40"})
    assert r.status_code == 303
    kept = {c.name: c for c in service.criteria_of(session=db, set_id=default.id)}
    assert kept["Tính mới"].id == criteria[0].id and kept["Tính mới"].weight == 30 and len(kept) == 3
    board = service.score_board(session=db, submission=item,
                                assessment=service.get_assessment(session=db, submission_id=item.id), viewer=admin)
    assert board.mean == 4.0
    names = [c.name for c in board.criteria]
    assert "Khả năng nhân rộng (đã bỏ khỏi bộ tiêu chí)" in names and "Chi phí hợp lý (đã bỏ khỏi bộ tiêu chí)" in names
