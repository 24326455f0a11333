"""Public support: confirmed by a one-time code typed into a form, one per person per item, withdrawable,
rate-limited per contact and per address, counted but never shown; the threshold flags the item."""

from sqlmodel import col, select

from app.accounts.models import Role
from app.cache import bump
from app.initiatives import register
from app.initiatives.models import Assessment, Support, SupportCode
from app.kinds import EventType
from app.notifications.models import OutboxMessage
from app.notifications.service import set_preferences
from app.publication import service as publication_service
from app.publication.models import PublicationStatus
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from tests.conftest import csrf_from
from tests.initiatives.conftest import consent, last_code, post_solution, publish, staff


def published(db, submit, make_account, *, title="Tủ sách số cho điểm trường bản", threshold_challenge=None):
    item = submit(kind="initiative", field_code="giao-duc-so", title=title,
                  content="Mỗi điểm trường bản có một máy đọc sách điện tử nạp sẵn sách giáo khoa và truyện.")
    admin = staff(make_account, "so-gddt", f"admin-gd-{item.id}", Role.AGENCY_ADMIN)
    consent(db, item)
    publish(db, admin, item)
    db.commit()
    return item, admin


def ask(client, item, email, action="ung-ho"):
    page = client.get(f"/sang-kien/{item.id}")
    return client.post(f"/sang-kien/{item.id}/{action}", data={"csrf_token": csrf_from(page.text), "contact": email})


def confirm(client, item, code):
    page = client.get(f"/sang-kien/{item.id}")
    return client.post(f"/sang-kien/{item.id}/xac-nhan", data={"csrf_token": csrf_from(page.text), "code": code})


def count(client, item) -> str:
    return client.get(f"/sang-kien/{item.id}").text.split('id="support-count">')[1].split("<")[0]


def test_support_with_a_code_then_duplicate_then_withdraw(client, db, submit, make_account):
    item, _ = published(db, submit, make_account)
    assert item.title in client.get("/sang-kien").text
    r = ask(client, item, "Ban.Doc@Example.vn")
    assert r.status_code == 303
    page = client.get(f"/sang-kien/{item.id}")
    assert 'name="code"' in page.text and "Đã gửi mã xác nhận" in page.text
    code = last_code(db, "ban.doc@example.vn")
    # nothing is counted before the code is typed (a mail scanner following links confirms nothing)
    assert db.get(Assessment, item.id).support_count == 0

    wrong = "000000" if code != "000000" else "111111"
    r = confirm(client, item, wrong)
    assert r.status_code == 422 and "không đúng" in r.text
    r = confirm(client, item, code)
    assert r.status_code == 303
    page = client.get(f"/sang-kien/{item.id}")
    assert "Cảm ơn bạn đã ủng hộ." in page.text and count(client, item) == "1"
    # the code is used once
    r = confirm(client, item, code)
    assert count(client, item) == "1"

    # the same person again (another code, same e-mail written differently): not counted twice
    ask(client, item, " ban.doc@example.VN ")
    confirm(client, item, last_code(db, "ban.doc@example.vn"))
    assert "mỗi người chỉ được tính một lần" in client.get(f"/sang-kien/{item.id}").text
    assert count(client, item) == "1"
    # another person
    ask(client, item, "nguoi.khac@example.vn")
    confirm(client, item, last_code(db, "nguoi.khac@example.vn"))
    assert count(client, item) == "2"

    # withdraw, then support again
    ask(client, item, "ban.doc@example.vn", action="rut-ung-ho")
    confirm(client, item, last_code(db, "ban.doc@example.vn"))
    assert "Đã rút ủng hộ của bạn." in client.get(f"/sang-kien/{item.id}").text and count(client, item) == "1"
    ask(client, item, "ban.doc@example.vn")
    confirm(client, item, last_code(db, "ban.doc@example.vn"))
    assert count(client, item) == "2"

    # contacts are never stored or shown: only keyed hashes
    page = client.get(f"/sang-kien/{item.id}").text + client.get("/sang-kien").text
    assert "ban.doc" not in page and "nguoi.khac" not in page
    hashes = db.exec(select(Support.contact_hash).where(Support.submission_id == item.id)).all()
    assert len(hashes) == 2 and all(len(h) == 64 and "@" not in h for h in hashes)
    assert all("@" not in c.contact_hash for c in db.exec(select(SupportCode)).all())


def test_a_wrong_code_five_times_kills_it(client, db, submit, make_account):
    item, _ = published(db, submit, make_account)
    ask(client, item, "doan.ma@example.vn")
    code = last_code(db, "doan.ma@example.vn")
    wrong = "123456" if code != "123456" else "654321"
    for _ in range(5):
        assert confirm(client, item, wrong).status_code == 422
    r = confirm(client, item, code)
    assert r.status_code == 303
    assert "đã hết hạn hoặc đã nhập sai quá nhiều lần" in client.get(f"/sang-kien/{item.id}").text
    assert db.get(Assessment, item.id).support_count == 0


def test_rate_limits_per_contact_and_per_address(client, db, submit, make_account):
    item, _ = published(db, submit, make_account)
    for _ in range(5):
        assert ask(client, item, "nhieu.lan@example.vn").status_code == 303
        client.post(f"/sang-kien/{item.id}/huy-ma",
                    data={"csrf_token": csrf_from(client.get(f"/sang-kien/{item.id}").text)})
    r = ask(client, item, "nhieu.lan@example.vn")
    assert r.status_code == 429 and "quá nhiều mã xác nhận" in r.text and int(r.headers["retry-after"]) > 0
    sent = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == "nhieu.lan@example.vn")).all()
    assert len(sent) == 5
    # per address: 30 requests an hour from one address, whatever the contacts
    client.post(f"/sang-kien/{item.id}/huy-ma",
                data={"csrf_token": csrf_from(client.get(f"/sang-kien/{item.id}").text)})
    for i in range(24):
        assert ask(client, item, f"nguoi{i}@example.vn").status_code == 303
    r = ask(client, item, "nguoi-cuoi@example.vn")
    assert r.status_code == 429


def test_unpublished_items_cannot_be_seen_or_supported(client, db, submit, make_account):
    item = submit(kind="initiative", field_code="giao-duc-so", title="Chưa công khai")
    admin = staff(make_account, "so-gddt", "admin-gd-x", Role.AGENCY_ADMIN)
    assert client.get(f"/sang-kien/{item.id}").status_code == 404
    # the agency cannot publish without the author's consent
    try:
        publish(db, admin, item)
        raise AssertionError("published without consent")
    except Exception as exc:
        assert "chưa đồng ý công khai" in str(exc)
        db.rollback()
    # withdrawing consent unpublishes at once
    item, _ = published(db, submit, make_account, title="Công khai rồi rút")
    publication_service.withdraw(session=db, submission=item)
    db.commit()
    assert client.get(f"/sang-kien/{item.id}").status_code == 404
    assert client.post(f"/sang-kien/{item.id}/ung-ho", data={
        "csrf_token": csrf_from(client.get("/track").text), "contact": "a@example.vn"}).status_code == 404


def test_the_author_consents_on_the_status_page(client, db, submit, make_account):
    item = submit(kind="initiative", field_code="giao-duc-so", title="Lớp học kỹ năng số buổi tối",
                  sender_email="tac.gia2@example.vn")
    page = client.get("/track")
    client.post("/track", data={"code": item.tracking_code, "contact": "tac.gia2@example.vn",
                                "csrf_token": csrf_from(page.text)})
    status = client.get(f"/track/{item.tracking_code}")
    assert "Đồng ý công khai" in status.text
    r = client.post(f"/track/{item.tracking_code}/cong-khai", data={"csrf_token": csrf_from(status.text),
                                                                    "consent": "yes"})
    assert r.status_code == 303
    status = client.get(f"/track/{item.tracking_code}")
    assert "Đã ghi nhận đồng ý công khai." in status.text and "Rút lại sự đồng ý công khai" in status.text
    assert publication_service.for_submission(session=db, submission_id=item.id).status == PublicationStatus.CONSENTED
    kinds = [e.type for e in submissions_service.history(session=db, submission=item)]
    assert EventType.PUBLICATION_CONSENTED in kinds


def test_the_threshold_flags_the_item_and_tells_the_owner_agency(client, db, make_account, challenge):
    ch = challenge(support_threshold="2")
    assert post_solution(client, ch.id).status_code == 303
    sub = db.get(Submission, db.exec(select(Assessment.submission_id).where(Assessment.challenge_id == ch.id)).one())
    owner_admin = staff(make_account, "so-nnmt", "admin-nnmt-nguong", Role.AGENCY_ADMIN)
    owner_admin.email = "nnmt.admin@example.vn"
    set_preferences(session=db, owner=f"account:{owner_admin.id}", choices={"new_item": "immediate"})  # not digest
    bump(db)  # agency recipients are cached per process
    publish(db, owner_admin, sub)
    db.commit()
    client.cookies.clear()
    for person in ("mot@example.vn", "hai@example.vn", "ba@example.vn"):
        ask(client, sub, person)
        confirm(client, sub, last_code(db, person))
    db.expire_all()
    assessment = db.get(Assessment, sub.id)
    assert assessment.support_count == 3 and assessment.flagged_at is not None
    flags = [e for e in submissions_service.history(session=db, submission=sub)
             if e.type == EventType.SUPPORT_THRESHOLD_REACHED]
    assert len(flags) == 1  # once, at the threshold
    told = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == "nnmt.admin@example.vn",
                                               col(OutboxMessage.subject).contains("đạt ngưỡng ủng hộ"))).all()
    assert len(told) == 1
    assert [f.submission.id for f in register.flagged(session=db)][:1] == [sub.id]
    assert "1 giải pháp" in client.get(f"/bai-toan/{ch.id}").text
