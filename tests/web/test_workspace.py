"""The officer workspace: a dense inbox table with sortable columns and views by assignee, assignment to a named
officer (audited and notified), bulk accept/assign with one confirmation, saved filters, export of the list on
screen, and the transfer picker with the routing rule's suggestion first."""

import csv
import io
import re

from openpyxl import load_workbook
from sqlmodel import select

from app.accounts.models import Role
from app.events.models import Event
from app.notifications.models import OutboxMessage
from app.notifications.service import set_preferences
from app.submissions import service as submissions_service
from tests.conftest import agency, csrf_from


def rows_of(html: str) -> list[str]:
    """The tracking codes of the inbox table's rows, in order."""
    return re.findall(r'<tr data-href="/officer/items/([^"]+)"', html)


def test_the_inbox_is_a_table_with_sortable_columns(client, login_as, submit):
    a = submit(title="An toàn thông tin cho bản")
    b = submit(title="Bản đồ số nông thôn")
    login_as("so-khcn")
    page = client.get("/officer/inbox").text
    headings = [h.strip() for h in re.findall(r"<th scope=\"col\"[^>]*>\s*<a [^>]*>([^<]+)", page)]
    assert headings == ["Mã", "Tiêu đề", "Loại", "Xã, phường", "Trạng thái", "Thời hạn", "Cán bộ"]
    assert 'aria-sort="ascending"' in page  # the default sort is the deadline column's
    by_title = client.get("/officer/inbox?sort=title").text
    assert rows_of(by_title).index(a.tracking_code) < rows_of(by_title).index(b.tracking_code)
    assert 'href="/officer/inbox?sort=title_desc"' in by_title  # a second click reverses
    reverse = client.get("/officer/inbox?sort=title_desc").text
    assert rows_of(reverse).index(b.tracking_code) < rows_of(reverse).index(a.tracking_code)
    assert "Chưa phân công" in page
    for sort in ("code", "kind", "commune", "state", "assignee", "deadline_desc"):
        assert client.get(f"/officer/inbox?sort={sort}").status_code == 200


def test_titles_sort_in_vietnamese_alphabetical_order(client, login_as, submit):
    """a < ă < â < b … d < đ, accents after the letter, case ignored: not code-point order, which would put
    "Bình" and "Zalo" before "an", and "Ánh" after "Zalo"."""
    titles = ["Zalo cho bản Nậm Kè", "ăn uống an toàn ở chợ", "Bình ổn giá internet", "Đường truyền yếu ở xã",
              "Ánh sáng đèn đường", "Dịch vụ công trực tuyến", "âm thanh loa phát thanh"]
    codes = {submit(title=t).tracking_code: t for t in titles}
    login_as("so-khcn")
    listed = [codes[c] for c in rows_of(client.get("/officer/inbox?sort=title").text) if c in codes]
    assert listed == ["Ánh sáng đèn đường", "ăn uống an toàn ở chợ", "âm thanh loa phát thanh",
                      "Bình ổn giá internet", "Dịch vụ công trực tuyến", "Đường truyền yếu ở xã",
                      "Zalo cho bản Nậm Kè"]
    reverse = [codes[c] for c in rows_of(client.get("/officer/inbox?sort=title_desc").text) if c in codes]
    assert reverse == listed[::-1]


def test_assigning_an_officer_is_audited_notified_and_drives_the_views(client, login_as, make_account, submit, db):
    item = submit(title="Trạm BTS bản Nậm Kè mất điện")
    other = submit(title="Wifi nhà văn hóa bản")
    me = login_as("so-khcn", Role.AGENCY_ADMIN)
    colleague = make_account("so-khcn", username="can-bo-lan")
    colleague.email = "lan@sokhcn.dienbien.gov.vn"  # not a reserved demo address: those are never sent to
    db.add(colleague)
    set_preferences(session=db, owner=f"account:{colleague.id}", choices={"assigned": "immediate"})  # not digest
    db.commit()
    page = client.get(f"/officer/items/{item.tracking_code}")
    assert "Phân công cho" in page.text and "Chưa phân công" in page.text
    r = client.post(f"/officer/items/{item.tracking_code}/assign-officer",
                    data={"officer": str(colleague.id), "csrf_token": csrf_from(page.text)})
    assert r.status_code == 303
    shown = client.get(f"/officer/items/{item.tracking_code}").text
    assert re.search(r'id="assignee-name">Cán bộ thử', shown)
    event = db.exec(select(Event).where(Event.submission_id == item.id, Event.type == "officer_assigned")).one()
    assert event.actor_account_id == me.id and event.subject_account_id == colleague.id
    assert "Phân công cán bộ" in shown  # in the item's history
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.recipient == "lan@sokhcn.dienbien.gov.vn")).one()
    assert item.tracking_code in mail.subject and "được giao cho bạn" in mail.subject
    unassigned = client.get("/officer/inbox?view=unassigned").text
    assert other.tracking_code in rows_of(unassigned) and item.tracking_code not in rows_of(unassigned)
    assert rows_of(client.get("/officer/inbox?view=mine").text) == []
    # Taking it oneself: "Của tôi" lists it.
    client.post(f"/officer/items/{item.tracking_code}/assign-officer",
                data={"officer": str(me.id), "csrf_token": csrf_from(shown)})
    assert rows_of(client.get("/officer/inbox?view=mine").text) == [item.tracking_code]


def test_only_staff_of_the_holding_agency_can_be_assigned_and_a_transfer_ends_the_assignment(
        client, login_as, make_account, submit, db):
    item = submit()
    me = login_as("so-khcn")
    stranger = make_account("so-y-te", username="can-bo-y-te")
    page = client.get(f"/officer/items/{item.tracking_code}").text
    r = client.post(f"/officer/items/{item.tracking_code}/assign-officer",
                    data={"officer": str(stranger.id), "csrf_token": csrf_from(page)})
    assert r.status_code == 422 and "không thuộc đơn vị đang giữ hồ sơ" in r.text
    client.post(f"/officer/items/{item.tracking_code}/assign-officer",
                data={"officer": str(me.id), "csrf_token": csrf_from(page)})
    db.expire_all()
    submissions_service.transfer(session=db, submission=db.get(type(item), item.id), actor=me,
                                 to_agency=agency(db, "so-y-te"), reason="Thuộc lĩnh vực y tế.")
    db.commit()
    client.cookies.clear()
    login_as("so-y-te")
    inbox = client.get("/officer/inbox?view=unassigned").text
    assert item.tracking_code in rows_of(inbox)


def test_bulk_accept_asks_once_then_reports_each_item(client, login_as, submit, db):
    first, second, third = submit(title="Hồ sơ một"), submit(title="Hồ sơ hai"), submit(title="Hồ sơ ba")
    me = login_as("so-khcn")
    submissions_service.accept(session=db, submission=third, actor=me)  # already accepted: cannot be again
    db.commit()
    page = client.get("/officer/inbox").text
    token = csrf_from(page)
    codes = [first.tracking_code, second.tracking_code, third.tracking_code]
    confirm = client.post("/officer/inbox/bulk", data={"codes": codes, "bulk_action": "accept", "csrf_token": token})
    assert confirm.status_code == 200 and "Xác nhận tiếp nhận 3 hồ sơ" in confirm.text
    assert db.exec(select(Event).where(Event.type == "accepted")).all().__len__() == 1  # nothing done yet
    done = client.post("/officer/inbox/bulk", data={"codes": codes, "bulk_action": "accept", "confirm": "1",
                                                    "csrf_token": token})
    assert "Thành công 2/3 hồ sơ." in done.text
    failed = re.search(rf'<tr class="failed"><td><a [^>]*>{third.tracking_code}</a>', done.text)
    assert failed is not None
    db.expire_all()
    assert {db.get(type(first), i.id).state for i in (first, second)} == {"in_progress"}


def test_bulk_assign_needs_an_officer_and_assigns_each(client, login_as, make_account, submit, db):
    items = [submit(title=f"Hồ sơ {i}") for i in range(3)]
    login_as("so-khcn", Role.AGENCY_ADMIN)
    colleague = make_account("so-khcn", username="can-bo-minh")
    token = csrf_from(client.get("/officer/inbox").text)
    codes = [i.tracking_code for i in items]
    refused = client.post("/officer/inbox/bulk", data={"codes": codes, "bulk_action": "assign", "csrf_token": token})
    assert refused.status_code == 422 and "Vui lòng chọn cán bộ" in refused.text
    done = client.post("/officer/inbox/bulk", data={"codes": codes, "bulk_action": "assign", "confirm": "1",
                                                    "officer": str(colleague.id), "csrf_token": token})
    assert "Thành công 3/3 hồ sơ." in done.text
    assert len(db.exec(select(Event).where(Event.type == "officer_assigned")).all()) == 3


def test_saved_filters_are_listed_and_deleted(client, login_as, submit):
    submit()
    login_as("so-khcn")
    token = csrf_from(client.get("/officer/inbox").text)
    r = client.post("/officer/inbox/filters", data={"filter_name": "Phản ánh quá hạn", "kind": "feedback",
                                                    "overdue": "1", "csrf_token": token})
    assert r.status_code == 303
    page = client.get("/officer/inbox").text
    link = re.search(r'<a href="(/officer/inbox\?[^"]+)">Phản ánh quá hạn</a>', page)
    assert link and "kind=feedback" in link.group(1) and "overdue=1" in link.group(1)
    filter_id = re.search(r'name="filter_id" value="(\d+)"', page).group(1)
    client.post("/officer/inbox/filters/delete", data={"filter_id": filter_id, "csrf_token": token})
    assert "Phản ánh quá hạn" not in client.get("/officer/inbox").text


def test_export_gives_the_filtered_list_as_csv_and_xlsx_with_formulas_escaped(client, login_as, submit):
    risky = submit(title="=HYPERLINK(\"http://x\",\"bấm\") sóng yếu", kind="petition")
    submit(title="Không nằm trong bộ lọc", kind="feedback")
    login_as("so-khcn")
    r = client.get("/officer/inbox/export.csv?kind=petition")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert table[0][:3] == ["Mã hồ sơ", "Tiêu đề", "Loại"]
    assert [row[0] for row in table[1:]] == [risky.tracking_code]
    assert table[1][1].startswith("'=HYPERLINK")
    x = client.get("/officer/inbox/export.xlsx?kind=petition")
    sheet = load_workbook(io.BytesIO(x.content)).active
    assert sheet["A2"].value == risky.tracking_code and sheet["B2"].data_type == "s"
    assert sheet.max_row == 2


def test_transfer_picker_groups_agencies_and_puts_the_rules_suggestion_first(client, login_as, submit, db):
    # Routed by hand to another agency than the rule's, so the rule's suggestion is a real alternative.
    item = submit(field_code="y-te-so")
    me = login_as("so-y-te")
    submissions_service.transfer(session=db, submission=item, actor=me, to_agency=agency(db, "so-khcn"),
                                 reason="Thử chuyển")
    db.commit()
    client.cookies.clear()
    login_as("so-khcn")
    page = client.get(f"/officer/items/{item.tracking_code}").text
    picker = re.search(r'<select id="agency_code".*?</select>', page, re.S).group(0)
    groups = re.findall(r'<optgroup label="([^"]+)"', picker)
    assert groups[0] == "Đề xuất theo quy tắc phân luồng"
    assert "Sở, ban, ngành tỉnh" in groups and "Ủy ban nhân dân xã, phường" in groups
    first_option = re.search(r'<optgroup label="Đề xuất[^"]*"><option value="([^"]+)"', picker).group(1)
    assert first_option == "so-y-te"
    assert 'data-filter=' in picker and "05 ngày làm việc" in page


def test_the_suggestion_is_the_next_rule_when_the_holder_is_the_rules_own_choice(client, login_as, submit):
    item = submit(field_code="dvc-tthc", commune_code="xa-muong-nhe")  # → UBND xã Mường Nhé by the commune rule
    login_as("ubnd-xa-muong-nhe")
    page = client.get(f"/officer/items/{item.tracking_code}").text
    picker = re.search(r'<select id="agency_code".*?</select>', page, re.S).group(0)
    suggested = re.search(r'<optgroup label="Đề xuất[^"]*"><option value="([^"]+)"', picker).group(1)
    assert suggested == "tt-phvcc"  # the province-level rule for online public services comes next
