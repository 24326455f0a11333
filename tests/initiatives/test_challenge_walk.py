"""A challenge from publication through solutions, independent scoring, ranking and the decision."""

from datetime import timedelta

from sqlmodel import select

from app.accounts.models import Role
from app.initiatives import service
from app.initiatives.models import Assessment, Challenge
from app.kinds import EventType, State
from app.publication import service as publication_service
from app.publication.models import PublicationStatus
from app.sla.models import Phase, SubmissionDeadline
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from tests.conftest import csrf_from
from tests.initiatives.conftest import OWNER, post_solution, publish, sign_in, staff, today


def test_coordinator_publishes_a_challenge_and_the_public_sees_it(client, db, login_as):
    login_as("so-khcn", Role.COORDINATOR)
    page = client.get("/officer/bai-toan/moi")
    assert page.status_code == 200
    default = service.default_set(session=db)
    form = {"csrf_token": csrf_from(page.text), "title": "Kỹ năng số cho bản chưa có sóng",
            "problem": "Nhiều bản vùng cao chưa có sóng di động nên người dân không học được kỹ năng số trực tuyến.",
            "expected_outcome": "Một cách dạy kỹ năng số không cần mạng, nhân rộng được cho 100 bản.",
            "field_code": "xa-hoi-so", "owner_agency_code": "so-khcn", "criteria_set_id": str(default.id),
            "opens_on": today().isoformat(), "closes_on": (today() + timedelta(days=30)).isoformat(),
            "support_threshold": "50"}
    r = client.post("/officer/bai-toan/moi", data=form,
                    files=[("attachments", ("de-bai.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"))])
    assert r.status_code == 303, r.text
    challenge = db.exec(select(Challenge).where(Challenge.title == form["title"])).one()
    assert challenge.support_threshold == 50

    listing = client.get("/bai-toan")
    assert "Kỹ năng số cho bản chưa có sóng" in listing.text.split("Đã đóng")[0]
    page = client.get(f"/bai-toan/{challenge.id}")
    assert "0 giải pháp đã gửi" in page.text and "Tính khả thi" in page.text and "de-bai.pdf" in page.text
    assert "Gửi giải pháp cho bài toán này" in page.text
    document = service.documents(session=db, challenge_id=challenge.id)[0]
    doc = client.get(f"/bai-toan/{challenge.id}/tai-lieu/{document.id}")
    assert doc.status_code == 200 and doc.content.startswith(b"%PDF")


def test_an_agency_publishes_only_for_itself(client, db, login_as):
    login_as("so-y-te", Role.AGENCY_ADMIN)
    page = client.get("/officer/bai-toan/moi")
    assert "Sở Y tế" in page.text and "Sở Nông nghiệp và Môi trường" not in page.text
    form = {"csrf_token": csrf_from(page.text), "title": "Bài toán của sở khác", "problem": "x" * 40,
            "expected_outcome": "y" * 20, "field_code": "y-te-so", "owner_agency_code": OWNER,
            "criteria_set_id": str(service.default_set(session=db).id), "opens_on": today().isoformat(),
            "closes_on": today().isoformat()}
    r = client.post("/officer/bai-toan/moi", data=form)
    assert r.status_code == 422 and "chính đơn vị chủ trì" in r.text
    client.cookies.clear()
    login_as("so-y-te", Role.OFFICER)
    assert client.get("/officer/bai-toan/moi").status_code == 403


def test_after_the_closing_date_the_form_refuses_and_keeps_the_text(client, db, challenge):
    closed = challenge(opens_on=(today() - timedelta(days=20)).isoformat(),
                       closes_on=(today() - timedelta(days=1)).isoformat())
    assert "Gửi giải pháp cho bài toán này" not in client.get(f"/bai-toan/{closed.id}").text
    r = post_solution(client, closed.id, title="Giải pháp gửi muộn một ngày")
    assert r.status_code == 422
    assert "hết hạn nhận giải pháp" in r.text
    assert 'value="Giải pháp gửi muộn một ngày"' in r.text
    assert "Mỗi lọ mật ong có tem QR" in r.text and "Thí điểm ở 2 xã" in r.text
    assert db.exec(select(Submission).where(Submission.title == "Giải pháp gửi muộn một ngày")).first() is None


def test_the_closing_date_is_decided_when_the_solution_is_written(client, db, challenge):
    """The form was loaded while the challenge was open; the coordinator closed it before the sender pressed send."""
    open_one = challenge()
    page = client.get(f"/bai-toan/{open_one.id}/giai-phap")
    assert page.status_code == 200
    open_one.closes_on = today() - timedelta(days=1)
    open_one.opens_on = today() - timedelta(days=3)
    db.commit()
    r = post_solution(client, open_one.id)
    assert r.status_code == 422 and "hết hạn nhận giải pháp" in r.text


def test_walk_solutions_independent_scores_ranking_and_decision(client, db, challenge, make_account):
    ch = challenge()
    # Two solutions through the public form
    r1 = post_solution(client, ch.id)
    assert r1.status_code == 303, r1.text
    r2 = post_solution(client, ch.id, title="Sổ nhật ký điện tử cho hộ trồng chè Shan tuyết",
                       content="Ứng dụng ghi nhật ký sản xuất, in tem QR khi thu hoạch chè.",
                       sender_email="b@example.vn")
    assert r2.status_code == 303
    first = db.exec(select(Submission).where(Submission.title == "Tem QR truy xuất cho mật ong Tủa Chùa")).one()
    second = db.exec(select(Submission).where(Submission.title.startswith("Sổ nhật ký"))).one()
    assert first.kind == "solution" and first.agency_id == second.agency_id
    assert "cơ quan chủ trì" in first.routing_explanation
    details = db.get(Assessment, first.id)
    assert details.challenge_id == ch.id and details.maturity == "prototype" and details.estimated_cost == 120_000_000
    assert publication_service.for_submission(session=db, submission_id=first.id).status == PublicationStatus.CONSENTED
    assert "2 giải pháp đã gửi" in client.get(f"/bai-toan/{ch.id}").text

    admin = staff(make_account, OWNER, "admin-nnmt", Role.AGENCY_ADMIN)
    a1 = staff(make_account, OWNER, "tham-dinh-1")
    a2 = staff(make_account, OWNER, "tham-dinh-2")
    for item in (first, second):
        submissions_service.accept(session=db, submission=item, actor=admin)
    db.commit()

    # The owner agency's admin assigns two assessors
    sign_in(client, admin)
    page = client.get(f"/officer/items/{first.tracking_code}/tham-dinh")
    assert page.status_code == 200
    for item in (first, second):
        for person in (a1, a2):
            r = client.post(f"/officer/items/{item.tracking_code}/tham-dinh/assessors",
                            data={"csrf_token": csrf_from(page.text), "account_id": str(person.id)})
            assert r.status_code == 303, r.text
    criteria = service.criteria_of(session=db, set_id=details.criteria_set_id)

    def scores(values):
        return {f"score_{c.id}": str(v) for c, v in zip(criteria, values, strict=True)} | {
            f"comment_{criteria[0].id}": "Cách làm mới ở tỉnh"}

    # Assessor 1 scores the first solution; assessor 2 cannot see those scores before scoring
    sign_in(client, a1)
    page = client.get(f"/officer/items/{first.tracking_code}/tham-dinh")
    r = client.post(f"/officer/items/{first.tracking_code}/tham-dinh/scores",
                    data={"csrf_token": csrf_from(page.text), **scores([5, 4, 4, 5, 3])})
    assert r.status_code == 303, r.text
    again = client.post(f"/officer/items/{first.tracking_code}/tham-dinh/scores",
                        data={"csrf_token": csrf_from(page.text), **scores([1, 1, 1, 1, 1])})
    assert again.status_code == 422 and "mỗi người thẩm định chấm một lần" in again.text

    sign_in(client, a2)
    page = client.get(f"/officer/items/{first.tracking_code}/tham-dinh")
    assert "Đã có 1 phiếu chấm" in page.text and "Cách làm mới ở tỉnh" not in page.text
    assert "tham-dinh-1" not in page.text and 'id="weighted-mean"' not in page.text
    r = client.post(f"/officer/items/{first.tracking_code}/tham-dinh/scores",
                    data={"csrf_token": csrf_from(page.text), **scores([3, 4, 4, 3, 3])})
    assert r.status_code == 303
    page = client.get(f"/officer/items/{first.tracking_code}/tham-dinh")
    assert "Cách làm mới ở tỉnh" in page.text  # now both sheets, side by side
    # weighted means: (5*20+4*25+4*25+5*15+3*15)/100 = 4.2 and (3*20+4*25+4*25+3*15+3*15)/100 = 3.5
    assert 'id="weighted-mean">3,85<' in page.text and 'id="spread">0,70<' in page.text
    for person, values in ((a1, [2, 2, 3, 2, 2]), (a2, [3, 2, 2, 2, 3])):
        service.submit_scores(session=db, actor=person, submission=second,
                              values=scores(values))
    db.commit()

    # The owner agency may not decide a challenge's solution; the coordinator ranks, shortlists and decides
    sign_in(client, admin)
    page = client.get(f"/officer/items/{first.tracking_code}/tham-dinh")
    assert 'id="decide-form"' not in page.text
    r = client.post(f"/officer/items/{first.tracking_code}/tham-dinh/decide",
                    data={"csrf_token": csrf_from(page.text), "decision": "adopted", "reason": "Giải pháp tốt, rẻ."})
    assert r.status_code == 422 and "Cơ quan thường trực quyết định" in r.text

    coordinator = staff(make_account, "so-khcn", "dieu-phoi", Role.COORDINATOR)
    sign_in(client, coordinator)
    ranking = client.get(f"/officer/bai-toan/{ch.id}")
    assert ranking.status_code == 200
    assert ranking.text.index(first.title) < ranking.text.index("Sổ nhật ký")
    r = client.post(f"/officer/items/{first.tracking_code}/tham-dinh/shortlist?back=/officer/bai-toan/{ch.id}",
                    data={"csrf_token": csrf_from(ranking.text), "on": "1"})
    assert r.status_code == 303 and r.headers["location"] == f"/officer/bai-toan/{ch.id}"
    assert db.get(Assessment, first.id).shortlisted

    page = client.get(f"/officer/items/{first.tracking_code}/tham-dinh")
    r = client.post(f"/officer/items/{first.tracking_code}/tham-dinh/decide",
                    data={"csrf_token": csrf_from(page.text), "decision": "pilot", "pilot_unit": "Xã Tủa Chùa",
                          "pilot_start": (today() + timedelta(days=30)).isoformat(),
                          "reason": "Chi phí thấp, hộ nuôi ong dùng được ngay.", "publish_scores": "on"})
    assert r.status_code == 303, r.text
    db.expire_all()
    first = db.get(Submission, first.id)
    assert first.state == State.ANSWERED
    assert "Thí điểm tại Xã Tủa Chùa" in first.answer_text and "3,85/5" in first.answer_text
    answer_clock = db.exec(select(SubmissionDeadline).where(SubmissionDeadline.submission_id == first.id,
                                                            SubmissionDeadline.phase == Phase.ANSWER)).one()
    assert answer_clock.clock == "stopped" and answer_clock.outcome == EventType.DECIDED and answer_clock.on_time
    r = client.post(f"/officer/items/{second.tracking_code}/tham-dinh/decide",
                    data={"csrf_token": csrf_from(page.text), "decision": "recognised",
                          "reason": "Ý tưởng hay nhưng chưa có sản phẩm mẫu."})
    assert r.status_code == 303

    # The outcome is published after the closing date; the public page names the consenting adopted solution
    ch = db.get(Challenge, ch.id)
    page = client.get(f"/officer/bai-toan/{ch.id}")
    r = client.post(f"/officer/bai-toan/{ch.id}/ket-qua", data={"csrf_token": csrf_from(page.text),
                                                                "outcome": "Chọn một giải pháp để thí điểm năm nay."})
    assert r.status_code == 422 and "sau khi bài toán hết hạn" in r.text
    ch.opens_on, ch.closes_on = today() - timedelta(days=40), today() - timedelta(days=1)
    db.commit()
    r = client.post(f"/officer/bai-toan/{ch.id}/ket-qua", data={"csrf_token": csrf_from(page.text),
                                                                "outcome": "Chọn một giải pháp để thí điểm năm nay."})
    assert r.status_code == 303
    publish(db, coordinator, first)
    db.commit()
    public = client.get(f"/bai-toan/{ch.id}")
    assert "Chọn một giải pháp để thí điểm năm nay." in public.text
    adopted = public.text.split('id="adopted"')[1].split("</ul>")[0]
    assert first.title in adopted and "Thí điểm" in adopted and "Sổ nhật ký" not in adopted

    kinds = [e.type for e in submissions_service.history(session=db, submission=first)]
    for expected in (EventType.ASSESSOR_ASSIGNED, EventType.SCORED, EventType.SHORTLISTED, EventType.DECIDED,
                     EventType.PUBLISHED):
        assert expected in kinds
