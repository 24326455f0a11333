"""Initiatives wired into the transparency features (issue 11): the dashboard's indicator with the agencies at
zero and the items flagged for the Steering Committee; the quarterly report's section in HTML, CSV and XLSX; support
counts on /cong-khai and in the open data; one publication consent (app/publication) for what is public and
supportable; support codes by SMS."""

import csv
import io
import re

from openpyxl import load_workbook
from sqlmodel import col, select

from app.accounts.models import Role
from app.agencies import service as agencies_service
from app.initiatives import service
from app.initiatives.models import Assessment, Support
from app.notifications.models import OutboxMessage
from app.publication import service as publication_service
from app.reports import queries
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from tests.conftest import agency, csrf_from
from tests.initiatives.conftest import last_code, post_solution, publish, sign_in, staff, today


def adopted_in_practice(db, submit, make_account):
    """An initiative of Sở Y tế, adopted and put into practice today."""
    item = submit(kind="initiative", field_code="y-te-so", title="Đặt lịch khám qua Zalo cho trạm y tế xã",
                  content="Trạm y tế xã nhận đặt lịch khám qua Zalo OA để người dân vùng cao đỡ phải chờ.")
    admin = staff(make_account, "so-y-te", "admin-yte-tk", Role.AGENCY_ADMIN)
    submissions_service.accept(session=db, submission=item, actor=admin)
    service.decide(session=db, actor=admin, submission=item, form=service.parse_decision(
        {"decision": "adopted", "reason": "Hiệu quả, chi phí thấp, làm được ngay."}))
    service.record_implementation(session=db, actor=admin, submission=item, values={
        "unit": "Trạm y tế xã Mường Phăng", "started_on": today().isoformat(),
        "what_changed": "Người dân đặt lịch khám qua Zalo OA của trạm."})
    db.commit()
    return item


def ask(client, item_id, contact, action="ung-ho"):
    page = client.get(f"/sang-kien/{item_id}")
    return client.post(f"/sang-kien/{item_id}/{action}", data={"csrf_token": csrf_from(page.text),
                                                              "contact": contact})


def confirm(client, item_id, code):
    page = client.get(f"/sang-kien/{item_id}")
    return client.post(f"/sang-kien/{item_id}/xac-nhan", data={"csrf_token": csrf_from(page.text), "code": code})


def sms_code(db, phone: str) -> str:
    message = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == phone, OutboxMessage.channel == "sms")
                      .order_by(col(OutboxMessage.id).desc())).first()
    return re.search(r"(\d{6})", message.body).group(1)


def published_solution(client, db, make_account, challenge, **changes):
    """A solution sent with consent through the public form and published by its owner agency."""
    ch = challenge(**changes)
    assert post_solution(client, ch.id).status_code == 303
    sub = db.get(Submission, db.exec(select(Assessment.submission_id).where(Assessment.challenge_id == ch.id)).one())
    owner_admin = staff(make_account, "so-nnmt", f"admin-nnmt-ck-{ch.id}", Role.AGENCY_ADMIN)
    publish(db, owner_admin, sub)
    db.commit()
    client.cookies.clear()
    return sub


def test_the_dashboard_shows_the_indicator_the_agencies_at_zero_and_flagged_items(
        client, db, submit, make_account, challenge):
    adopted_in_practice(db, submit, make_account)
    flagged = published_solution(client, db, make_account, challenge, support_threshold="1")
    ask(client, flagged.id, "mot.nguoi@example.vn")
    assert confirm(client, flagged.id, last_code(db, "mot.nguoi@example.vn")).status_code == 303

    agencies = agencies_service.reference(session=db).agencies
    sign_in(client, staff(make_account, "so-khcn", "dieu-phoi-tk", Role.COORDINATOR))
    page = client.get("/officer/thong-ke").text
    block = page.split('id="initiatives"')[1].split("</section>")[0]
    assert f"<strong>1/{len(agencies)}</strong> đơn vị đã đạt" in block
    at_zero = block.split('id="initiatives-at-zero"')[1].split("</details>")[0]
    assert "Sở Khoa học và Công nghệ" in at_zero and "Sở Y tế" not in at_zero
    assert at_zero.count("<li>") == len(agencies) - 1
    listed = block.split('id="initiatives-flagged"')[1].split("</ul>")[0]
    assert flagged.title in listed and f"/officer/items/{flagged.tracking_code}/tham-dinh" in listed
    assert f"/sang-kien/{flagged.id}" in listed
    # the register page keeps its own view of the same figures and links to the dashboard
    register_page = client.get(f"/officer/sang-kien?year={today().year}").text
    assert f'id="at-zero-count">{len(agencies) - 1}<' in register_page and "/officer/thong-ke" in register_page

    # an agency sees its own line
    sign_in(client, staff(make_account, "so-y-te", "can-bo-yte-tk"))
    own = client.get("/officer/thong-ke").text.split('id="initiatives-own"')[1].split("</dl>")[0]
    assert "<dt>Đưa vào thực tiễn</dt><dd>1</dd>" in own


def test_the_quarterly_report_has_an_initiatives_section_in_html_csv_and_xlsx(client, db, submit, make_account):
    adopted_in_practice(db, submit, make_account)
    agencies = agencies_service.reference(session=db).agencies
    quarter = queries.quarter_code(queries.current_quarter())
    sign_in(client, staff(make_account, "so-khcn", "dieu-phoi-bc", Role.COORDINATOR))

    html = client.get(f"/bao-cao/quy?quy={quarter}").text
    assert "Sáng kiến, giải pháp theo Nghị quyết 57" in html
    assert "tiếp nhận 1 sáng kiến, giải pháp; đã thẩm định, quyết định 1, trong đó được áp dụng 1, thí điểm 0" in html
    assert f"1/{len(agencies)} cơ quan, đơn vị đã đạt" in html and "Sở Khoa học và Công nghệ" in html
    assert "Sáng kiến, giải pháp theo Nghị quyết 57" in client.get(f"/bao-cao/quy/in?quy={quarter}").text

    text = client.get(f"/bao-cao/quy.csv?quy={quarter}").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    start = rows.index(["Sáng kiến, giải pháp theo Nghị quyết 57"])
    assert rows[start - 1] == [] and rows[start + 1][:3] == ["Đơn vị", "Tiếp nhận", "Đã thẩm định"]
    section = {r[0]: r[1:] for r in rows[start + 2:]}
    # received, assessed, adopted, piloted, put into practice (quarter), put into practice since 1 January
    assert section["Sở Y tế"] == ["1", "1", "1", "0", "1", "1"]
    assert section["Tổng cộng"] == ["1", "1", "1", "0", "1", "1"]

    book = load_workbook(io.BytesIO(client.get(f"/bao-cao/quy.xlsx?quy={quarter}").content))
    assert book.sheetnames[-1] == "Thông tin"
    sheet = book[book.sheetnames[1]]  # the section's own sheet, after the per-agency one
    assert sheet.title == "Sáng kiến, giải pháp theo Nghị quyết 57"[:31]
    data = {r[0]: r[1:] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert data["Sở Y tế"] == (1, 1, 1, 0, 1, 1)
    last = sheet.max_row
    assert sheet.cell(last, 1).value == "Tổng cộng" and sheet.cell(last, 2).value == f"=SUM(B2:B{last - 1})"
    summary = [r[1] for r in book["Thông tin"].iter_rows(values_only=True) if r[0] == "Tóm tắt"]
    assert any(f"1/{len(agencies)} cơ quan, đơn vị đã đạt" in p for p in summary)


def test_cong_khai_and_the_open_data_show_the_support_count_with_a_link(client, db, make_account, challenge):
    sub = published_solution(client, db, make_account, challenge)
    for person in ("mot@example.vn", "hai@example.vn"):
        ask(client, sub.id, person)
        confirm(client, sub.id, last_code(db, person))
    row = publication_service.for_submission(session=db, submission_id=sub.id)
    listing = client.get("/cong-khai").text
    assert f'id="supports-{row.id}">2<' in listing and f'href="/sang-kien/{sub.id}"' in listing
    item = client.get(f"/cong-khai/{row.id}").text
    assert 'id="support-count">2<' in item and f'href="/sang-kien/{sub.id}"' in item
    assert "Chưa có (đang thẩm định)" in item  # published for support before its decision
    data = client.get("/du-lieu-mo/cong-khai.json").json()
    assert [r["so_ung_ho"] for r in data["rows"] if r["id"] == row.id] == [2]
    # the public pages show the reviewed copy, never the author's contacts
    page = client.get(f"/sang-kien/{sub.id}").text
    assert "htx@example.vn" not in page and "htx@example.vn" not in listing


def test_withdrawn_consent_hides_the_item_everywhere_and_refuses_new_supports(client, db, make_account, challenge):
    sub = published_solution(client, db, make_account, challenge)
    ask(client, sub.id, "truoc@example.vn")
    confirm(client, sub.id, last_code(db, "truoc@example.vn"))
    ask(client, sub.id, "dang-cho@example.vn")  # a code asked before the withdrawal
    pending = last_code(db, "dang-cho@example.vn")
    assert sub.title in client.get("/sang-kien").text and sub.title in client.get("/cong-khai").text

    # the author withdraws on the tracking page (app/publication's door)
    client.cookies.clear()
    page = client.get("/track")
    client.post("/track", data={"code": sub.tracking_code, "contact": "htx@example.vn",
                                "csrf_token": csrf_from(page.text)})
    status = client.get(f"/track/{sub.tracking_code}")
    assert "Rút lại sự đồng ý công khai" in status.text and "đang được công khai, có 1 người ủng hộ" in status.text
    r = client.post(f"/track/{sub.tracking_code}/publication/withdraw", data={"csrf_token": csrf_from(status.text)})
    assert r.status_code == 303

    assert sub.title not in client.get("/sang-kien").text and sub.title not in client.get("/cong-khai").text
    assert client.get(f"/sang-kien/{sub.id}").status_code == 404
    token = csrf_from(client.get("/track").text)
    assert client.post(f"/sang-kien/{sub.id}/ung-ho", data={"csrf_token": token,
                                                          "contact": "moi@example.vn"}).status_code == 404
    assert client.post(f"/sang-kien/{sub.id}/xac-nhan", data={"csrf_token": token,
                                                            "code": pending}).status_code == 404
    assert db.exec(select(OutboxMessage).where(OutboxMessage.recipient == "moi@example.vn")).first() is None
    assert service.support_counts(session=db, submission_ids=[sub.id]) == {sub.id: 1}  # nothing more counted
    # consent withdrawn is final: consenting again from the tracking page is refused
    status = client.get(f"/track/{sub.tracking_code}").text
    assert "Bạn đã rút lại sự đồng ý công khai" in status
    assert f'action="/track/{sub.tracking_code}/cong-khai"' not in status  # no offer to consent again
    r = client.post(f"/track/{sub.tracking_code}/cong-khai", data={"csrf_token": token, "consent": "yes"})
    assert r.status_code == 422
    assert service.public_item(session=db, submission_id=sub.id) is None


def test_a_support_code_by_sms_to_a_phone(client, db, make_account, challenge):
    sub = published_solution(client, db, make_account, challenge)
    r = ask(client, sub.id, "0912 345 678")
    assert r.status_code == 303
    page = client.get(f"/sang-kien/{sub.id}").text
    assert "bằng tin nhắn" in page and 'name="code"' in page
    sent = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == "0912345678")).all()
    assert [m.channel for m in sent] == ["sms"] and f"/sang-kien/{sub.id}" in sent[0].body
    assert confirm(client, sub.id, sms_code(db, "0912345678")).status_code == 303
    assert db.get(Assessment, sub.id).support_count == 1
    # the same person with the number written another way is one person
    ask(client, sub.id, "+84912345678")
    confirm(client, sub.id, sms_code(db, "0912345678"))
    assert "mỗi người chỉ được tính một lần" in client.get(f"/sang-kien/{sub.id}").text
    assert db.get(Assessment, sub.id).support_count == 1
    hashes = db.exec(select(Support.contact_hash).where(Support.submission_id == sub.id)).all()
    assert len(hashes) == 1 and "0912345678" not in hashes[0]

    # a reserved demo phone (0500…) is never sent to; a bad number is refused with a message
    client.post(f"/sang-kien/{sub.id}/huy-ma", data={"csrf_token": csrf_from(client.get(f"/sang-kien/{sub.id}").text)})
    ask(client, sub.id, "0500 000 001")
    assert db.exec(select(OutboxMessage).where(OutboxMessage.recipient == "0500000001")).first() is None
    client.post(f"/sang-kien/{sub.id}/huy-ma", data={"csrf_token": csrf_from(client.get(f"/sang-kien/{sub.id}").text)})
    r = ask(client, sub.id, "12345")
    assert r.status_code == 422 and "số điện thoại hoặc địa chỉ thư điện tử hợp lệ" in r.text

    # the per-contact limit holds for a phone too (5 codes an hour, whatever the spelling)
    for spelling in ("0987 111 222", "0987111222", "+84 987 111 222", "84987111222", "0987.111.222"):
        assert ask(client, sub.id, spelling).status_code == 303
        client.post(f"/sang-kien/{sub.id}/huy-ma",
                    data={"csrf_token": csrf_from(client.get(f"/sang-kien/{sub.id}").text)})
    r = ask(client, sub.id, "0987111222")
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert len(db.exec(select(OutboxMessage).where(OutboxMessage.recipient == "0987111222")).all()) == 5
    assert agency(db, "so-nnmt").id == sub.agency_id
