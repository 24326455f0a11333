"""Other agencies see nothing of an item's assessment or of a challenge they do not own: 404 and nothing written.
Each refusal has its positive control (the owner agency or the coordinator, same URL and form)."""

import pytest
from sqlalchemy import text

from app.accounts.models import Role
from app.initiatives import service
from app.submissions import service as submissions_service
from tests.conftest import csrf_from
from tests.initiatives.conftest import challenge_for_permissions, sign_in, staff

ACTIONS = {
    "assessors": {"account_id": "0"}, "scores": {}, "shortlist": {"on": "1"},
    "decide": {"decision": "adopted", "reason": "Lý do đủ dài để ghi."}, "implementation": {}, "publish": {},
}


def _counts(db) -> dict:
    db.flush()
    return {t: db.exec(text(f"SELECT count(*) FROM {t}")).one()[0]  # noqa: S608 (fixed table names)
            for t in ("events", "assessments", "assessors", "score_sheets", "implementations", "challenges")}


@pytest.fixture
def item(db, submit, make_account):
    made = submit(kind="initiative", field_code="y-te-so", title="Sáng kiến nội bộ của Sở Y tế")
    admin = staff(make_account, "so-y-te", "admin-yte-q", Role.AGENCY_ADMIN)
    submissions_service.accept(session=db, submission=made, actor=admin)
    service.ensure_assessment(session=db, submission=made)
    db.commit()
    return made


@pytest.mark.parametrize("role", [Role.OFFICER, Role.AGENCY_ADMIN], ids=str)
def test_another_agency_sees_and_does_nothing_on_the_assessment(client, db, make_account, item, role):
    sign_in(client, staff(make_account, "so-gddt", f"ngoai-{role}", role))
    before = _counts(db)
    page = client.get(f"/officer/items/{item.tracking_code}/tham-dinh")
    assert page.status_code == 404 and item.title not in page.text
    token = csrf_from(client.get("/officer/inbox").text)
    for action, form in ACTIONS.items():
        r = client.post(f"/officer/items/{item.tracking_code}/tham-dinh/{action}", data={"csrf_token": token, **form})
        assert r.status_code == 404, action
    assert _counts(db) == before
    # positive control: the owner agency's officer opens the same page
    sign_in(client, staff(make_account, "so-y-te", f"trong-{role}", role))
    assert client.get(f"/officer/items/{item.tracking_code}/tham-dinh").status_code == 200


def test_the_assessment_page_is_for_initiatives_and_solutions_only(client, db, make_account, submit):
    feedback = submit(field_code="y-te-so")
    sign_in(client, staff(make_account, "so-y-te", "yte-feedback"))
    assert client.get(f"/officer/items/{feedback.tracking_code}/tham-dinh").status_code == 404


def test_a_challenge_is_managed_only_by_its_owner_agency_and_the_coordinator(client, db, make_account):
    challenge = challenge_for_permissions(db)
    db.commit()
    admin = staff(make_account, "so-y-te", "admin-yte-bt", Role.AGENCY_ADMIN)
    sign_in(client, admin)
    before = _counts(db)
    assert client.get(f"/officer/bai-toan/{challenge.id}").status_code == 404
    assert challenge.title not in client.get("/officer/bai-toan").text
    token = csrf_from(client.get("/officer/bai-toan").text)
    assert client.post(f"/officer/bai-toan/{challenge.id}", data={"csrf_token": token, "title": "Đổi tên"}
                       ).status_code == 404
    assert client.post(f"/officer/bai-toan/{challenge.id}/ket-qua", data={"csrf_token": token, "outcome": "x" * 30}
                       ).status_code == 404
    assert _counts(db) == before
    for who in (staff(make_account, "so-nnmt", "admin-nnmt-bt", Role.AGENCY_ADMIN),
                staff(make_account, "so-khcn", "dieu-phoi-bt", Role.COORDINATOR)):
        sign_in(client, who)
        assert client.get(f"/officer/bai-toan/{challenge.id}").status_code == 200
        assert challenge.title in client.get("/officer/bai-toan").text


def test_only_the_coordinator_publishes_the_outcome_and_edits_criteria(client, db, make_account):
    challenge = challenge_for_permissions(db)
    db.commit()
    sign_in(client, staff(make_account, "so-nnmt", "admin-nnmt-kq", Role.AGENCY_ADMIN))
    page = client.get(f"/officer/bai-toan/{challenge.id}")
    assert 'id="outcome-form"' not in page.text
    r = client.post(f"/officer/bai-toan/{challenge.id}/ket-qua",
                    data={"csrf_token": csrf_from(page.text), "outcome": "Kết quả do sở tự công bố, không hợp lệ."})
    assert r.status_code == 422 and "Chỉ Cơ quan thường trực" in r.text
    assert client.get("/officer/tieu-chi").status_code == 403
