"""Publication consent (separate, optional, withdrawable), the officer's review and the public copy."""

import pytest
from sqlmodel import select

from app.accounts.models import Role
from app.agencies.models import Agency
from app.errors import InvalidTransition, NotPermitted
from app.events.models import Event
from app.kinds import EventType
from app.publication import public
from app.publication import service as publication
from app.publication.models import PublicationStatus
from app.submissions import service
from tests.conftest import csrf_from

FORM = {
    "kind": "feedback", "field_code": "ha-tang-so", "commune_code": "xa-muong-nhe",
    "title": "Sóng 4G yếu tại bản Huổi Lếch", "sender_type": "individual",
    "content": "Nhà tôi ở bản Huổi Lếch, gọi 0912 345 678 hoặc lo.minh@example.vn; sóng 4G rất yếu.",
    "sender_name": "Lò Văn Minh", "sender_phone": "0912345678", "sender_email": "lo.minh@example.vn",
    "sender_address": "Số 12 bản Huổi Lếch", "consent": "on",
}
ANSWER = "Sở đã làm việc với nhà mạng; trạm phát sóng mới hoạt động từ 20/11."


def send(client, **changes):
    data = {**FORM, **changes, "csrf_token": csrf_from(client.get("/").text)}
    response = client.post("/", data={k: v for k, v in data.items() if v is not None})
    assert response.status_code == 303, response.text
    return response.headers["location"].split("/track/")[1].split("?")[0]


def answered(db, code, officer):
    item = service.get_by_code(session=db, code=code)
    service.accept(session=db, submission=item, actor=officer)
    service.answer(session=db, submission=item, actor=officer, text=ANSWER)
    db.commit()
    return item


def events_of(db, item) -> list[str]:
    return [e.type for e in db.exec(select(Event).where(Event.submission_id == item.id).order_by(Event.id)).all()]


def test_the_form_asks_publication_consent_separately_and_explains_it(client):
    page = client.get("/").text
    assert 'name="publish_consent"' in page
    assert "Cho phép công khai nội dung và câu trả lời (không kèm thông tin cá nhân)" in page
    assert "Ai công khai" in page and "rút lại" in page
    assert 'name="publish_consent" checked' not in page  # unticked: the processing consent does not imply it


def test_without_consent_nothing_can_be_published(client, db, make_account):
    officer = make_account("so-khcn")
    item = answered(db, send(client), officer)
    assert publication.for_submission(session=db, submission_id=item.id) is None
    with pytest.raises(InvalidTransition):
        publication.publish(session=db, submission=item, actor=officer, title="Sóng 4G yếu", question="x" * 20,
                            answer="y" * 20)


def test_review_publishes_an_edited_copy_and_keeps_the_original(client, db, make_account):
    officer = make_account("so-khcn")
    code = send(client, publish_consent="on")
    item = service.get_by_code(session=db, code=code)
    row = publication.for_submission(session=db, submission_id=item.id)
    assert row.status == PublicationStatus.CONSENTED
    with pytest.raises(InvalidTransition, match="đã có trả lời"):
        publication.publish(session=db, submission=item, actor=officer, title="Tiêu đề", question="x" * 20,
                            answer="y" * 20)
    db.rollback()
    answered(db, code, officer)
    draft = publication.draft(session=db, submission=item, row=row)
    assert "0912 345 678" not in draft.question and "lo.minh@example.vn" not in draft.question
    assert draft.sender_label == "L.V.M. (Xã Mường Nhé)"
    publication.publish(session=db, submission=item, actor=officer, title=draft.title,
                        question=draft.question.replace("bản Huổi Lếch", "một bản"), answer=draft.answer)
    db.commit()
    assert item.content == FORM["content"]  # the original stays intact
    page = public.listing(session=db)
    assert [p.submission_id for p in page.items] == [item.id]
    assert events_of(db, item)[-1] == EventType.PUBLISHED


def test_officer_review_page_publishes_with_ticked_files_only(client, db, login_as):
    officer = login_as("so-khcn")
    code = send(client, publish_consent="on")
    answered(db, code, officer)
    queue = client.get("/officer/cong-khai").text
    assert code in queue
    form = client.get(f"/officer/cong-khai/{code}")
    assert form.status_code == 200 and "[đã ẩn]" in form.text
    response = client.post(f"/officer/cong-khai/{code}", data={
        "csrf_token": csrf_from(form.text), "title": "Sóng 4G yếu ở một bản",
        "question": "Sóng 4G rất yếu, không gọi được.", "answer": ANSWER})
    assert response.status_code == 303
    row = publication.for_submission(session=db, submission_id=service.get_by_code(session=db, code=code).id)
    assert row.status == PublicationStatus.PUBLISHED and row.attachment_ids == ""
    assert code not in client.get("/officer/cong-khai").text


def test_other_agency_may_not_publish(client, db, make_account):
    officer = make_account("so-khcn")
    other = make_account("so-y-te")
    item = answered(db, send(client, publish_consent="on"), officer)
    with pytest.raises(NotPermitted):
        publication.publish(session=db, submission=item, actor=other, title="Tiêu đề dài", question="x" * 20,
                            answer="y" * 20)


def test_sender_withdraws_from_the_tracking_page_and_it_is_unpublished_at_once(client, db, make_account):
    officer = make_account("so-khcn")
    code = send(client, publish_consent="on", hide_identity="on")
    item = answered(db, code, officer)
    row = publication.publish(session=db, submission=item, actor=officer, title="Sóng 4G yếu ở một bản",
                              question="Sóng 4G rất yếu, không gọi được.", answer="Trạm mới hoạt động từ 20/11.")
    db.commit()
    assert row.sender_label is None  # hide_identity: no name, no initials
    page = client.get(f"/cong-khai/{row.id}")
    assert page.status_code == 200 and "Không công khai danh tính" in page.text
    status = client.get(f"/track/{code}").text
    assert "Rút lại sự đồng ý công khai" in status
    response = client.post(f"/track/{code}/publication/withdraw", data={"csrf_token": csrf_from(status)})
    assert response.status_code == 303
    db.expire_all()
    assert publication.for_submission(session=db, submission_id=item.id).status == PublicationStatus.WITHDRAWN
    assert client.get(f"/cong-khai/{row.id}").status_code == 404
    assert public.listing(session=db).total == 0
    assert EventType.PUBLICATION_WITHDRAWN in events_of(db, item)
    assert "đã rút lại sự đồng ý công khai" in client.get(f"/track/{code}").text
    with pytest.raises(InvalidTransition):
        publication.publish(session=db, submission=item, actor=officer, title="Sóng 4G yếu ở một bản",
                            question="x" * 20, answer="y" * 20)


def test_a_reopened_item_is_taken_down(client, db, make_account):
    officer = make_account("so-khcn")
    coordinator = make_account("so-khcn", role=Role.COORDINATOR, username="t-coord")
    item = answered(db, send(client, publish_consent="on"), officer)
    publication.publish(session=db, submission=item, actor=coordinator, title="Sóng 4G yếu ở một bản",
                        question="Sóng 4G rất yếu, không gọi được.", answer="Trạm mới hoạt động từ 20/11.")
    service.rate(session=db, submission=item, satisfied=False, comment="Vẫn chưa có sóng")
    service.reopen(session=db, submission=item, actor=coordinator, agency=db.get(Agency, officer.agency_id),
                   note="Kiểm tra lại trạm phát sóng")
    db.commit()
    assert public.listing(session=db).total == 0
    assert events_of(db, item)[-1] == EventType.UNPUBLISHED


def test_public_search_ignores_diacritics_and_reads_only_the_published_copy(client, db, make_account):
    officer = make_account("so-khcn")
    item = answered(db, send(client, publish_consent="on"), officer)
    publication.publish(session=db, submission=item, actor=officer, title="Sóng 4G yếu ở Mường Nhé",
                        question="Sóng điện thoại rất yếu, không gọi được.", answer=ANSWER)
    db.commit()
    assert "Sóng 4G yếu ở Mường Nhé" in client.get("/cong-khai?q=song+muong+nhe").text
    assert client.get("/cong-khai?q=huoi+lech").text.count('class="card item"') == 0  # only in the original
    assert client.get("/cong-khai?q=minh").text.count('class="card item"') == 0  # the sender's name


def publish_one(db, client, officer, **changes):
    item = answered(db, send(client, publish_consent="on", **changes), officer)
    row = publication.publish(session=db, submission=item, actor=officer, title="Sóng 4G yếu ở một bản",
                              question="Sóng điện thoại rất yếu, không gọi được.", answer=ANSWER)
    db.commit()
    return item, row


def test_api_and_open311_show_published_items_to_anyone_with_the_published_text(client, db, make_account):
    officer = make_account("so-khcn")
    item, row = publish_one(db, client, officer)
    hidden = answered(db, send(client), officer)  # answered, no consent
    listing = client.get("/api/v1/published").json()
    assert [x["id"] for x in listing["items"]] == [row.id]
    one = listing["items"][0]
    assert one["question"] == "Sóng điện thoại rất yếu, không gọi được." and one["answer"] == ANSWER
    assert one["sender"] == "L.V.M. (Xã Mường Nhé)" and one["answered_on_time"] is True
    assert client.get(f"/api/v1/published/{row.id}").json()["title"] == "Sóng 4G yếu ở một bản"
    assert client.get("/api/v1/published/999999").status_code == 404

    requests = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in requests] == [f"CK-{row.id}"]  # never the tracking code
    assert requests[0]["description"] == "Sóng điện thoại rất yếu, không gọi được."
    assert requests[0]["status_notes"].endswith(ANSWER)
    assert client.get(f"/open311/v2/requests/CK-{row.id}.json").json()[0]["description"].startswith("Sóng")
    for body in (str(listing), str(requests)):
        assert item.tracking_code not in body and hidden.tracking_code not in body
        assert "0912" not in body and "lo.minh" not in body and "Huổi Lếch" not in body


def test_public_list_filters_by_field_commune_agency_and_kind(client, db, make_account):
    officer = make_account("so-khcn")
    publish_one(db, client, officer)

    def count(query: str) -> int:
        return client.get(f"/cong-khai?{query}").text.count('class="card item"')

    assert count("") == 1
    assert (count("agency=so-khcn"), count("agency=so-y-te")) == (1, 0)
    assert (count("field=ha-tang-so"), count("field=y-te-so")) == (1, 0)
    assert (count("commune=xa-muong-nhe"), count("commune=xa-sin-thau")) == (1, 0)
    assert (count("kind=feedback"), count("kind=petition")) == (1, 0)
    assert count("kind=khong-co&agency=khong-co") == 1  # unknown codes are ignored, not an error
    page = client.get("/cong-khai").text
    assert '<meta property="og:title"' in page


def test_out_of_range_public_numbers_are_not_found(client):
    for url in ("/cong-khai/99999999999", "/api/v1/published/99999999999", "/open311/v2/requests/CK-99999999999.json",
                "/cong-khai/99999999999/tep/99999999999"):
        assert client.get(url).status_code in (404, 422), url
