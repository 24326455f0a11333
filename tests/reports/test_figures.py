"""Every figure of the known dataset (tests/reports/dataset.py) from the one query layer, then on every surface:
/thong-ke, /du-lieu-mo, the dashboard, the quarterly report and its CSV and XLSX."""

import csv
import io
import re
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from app.accounts.models import Role
from app.accounts.service import create_account
from app.db import utcnow
from app.reports import queries, snapshots
from app.timefmt import LOCAL_TZ
from tests.conftest import PASSWORD, agency, login
from tests.reports import dataset as ds

Q3 = queries.quarter(2026, 3)


@pytest.fixture
def data(db):
    return ds.build(db)


def as_dict(figures, keys):
    return {k: getattr(figures, k) for k in keys}


def test_every_figure_of_the_quarter_from_the_query_layer(db, data):
    total = queries.figures(session=db, period=Q3).total
    assert as_dict(total, ds.Q3_TOTAL) == ds.Q3_TOTAL
    assert total.on_time_pct == 88.9 and total.satisfied_pct == 50.0
    by_agency = queries.figures(session=db, period=Q3, by="agency")
    assert as_dict(by_agency.rows[data.khcn.id], ds.Q3_KHCN) == ds.Q3_KHCN
    assert as_dict(by_agency.rows[data.yte.id], ds.Q3_YTE) == ds.Q3_YTE
    assert set(by_agency.rows) == {data.khcn.id, data.yte.id}
    rows = queries.figures(session=db, period=Q3, by="commune").rows
    assert len(rows) == 2
    muong_nhe = data.items["I1"].commune_id
    sin_thau = data.items["I2"].commune_id
    assert as_dict(rows[muong_nhe], ds.Q3_MUONG_NHE) == ds.Q3_MUONG_NHE
    assert as_dict(rows[sin_thau], ds.Q3_SIN_THAU) == ds.Q3_SIN_THAU
    assert queries.received(session=db, period=Q3, by="kind") == ds.Q3_KINDS
    assert queries.received(session=db, period=Q3, by="channel") == ds.Q3_CHANNELS
    assert queries.published_count(session=db, period=Q3) == 1  # I9 was withdrawn


def test_one_agency_scope_and_other_periods(db, data):
    own = queries.figures(session=db, period=Q3, agency_id=data.yte.id).total
    assert as_dict(own, ds.Q3_YTE) == ds.Q3_YTE
    q2 = queries.figures(session=db, period=queries.quarter(2026, 2)).total
    assert (q2.received, q2.accepted, q2.answered) == (1, 1, 0)  # I8: received and accepted in Q2, answered in Q3
    q4 = queries.figures(session=db, period=queries.quarter(2026, 4)).total
    assert (q4.received, q4.accepted, q4.answered, q4.overdue_now) == (1, 1, 0, 2)
    year = queries.figures(session=db, period=queries.year_period(2026)).total
    assert (year.received, year.answered, year.on_time) == (11, 9, 8)
    months = queries.series(session=db, buckets=queries.months_of(queries.year_period(2026)))
    assert [(m.label, r, a) for m, r, a in months if r or a] == [
        ("06/2026", 1, 0), ("07/2026", 5, 6), ("08/2026", 2, 1), ("09/2026", 2, 2), ("10/2026", 1, 0)]


def test_at_risk_and_overdue_follow_now(db, data):
    # I10's answer clock: accepted Mon 5/10 09:00, due 10 working days later, at risk from 75 % of them.
    before = queries.figures(session=db, period=Q3, now=ds.at(6, 10)).total
    assert (before.at_risk_now, before.overdue_now) == (0, 1)  # only I7's accept clock
    later = queries.figures(session=db, period=Q3, now=ds.at(15, 10, 17)).total
    assert (later.at_risk_now, later.overdue_now) == (1, 1)


def cells(html: str, row_name: str, table_id: str | None = None) -> list[str]:
    """The cells of the first table row whose header is `row_name`, as shown."""
    match = re.search(r"<tr><th scope=\"row\">" + re.escape(row_name) + r"</th>(.*?)</tr>", html, re.S)
    assert match, row_name
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


def total_cells(html: str) -> list[str]:
    match = re.search(r'<tr class="total"><td>Tổng cộng</td>(.*?)</tr>', html, re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


# PUBLIC_COLUMNS: received, answered, on time %, median days, satisfied %, overdue now
def public_cells(f: dict) -> list[str]:
    def pct(n, d):
        return "–" if not d else f"{round(100 * n / d, 1):.1f}".replace(".", ",")
    median = "–" if f["median_days"] is None else f"{f['median_days']:.1f}".replace(".", ",")
    return [str(f["received"]), str(f["answered"]), pct(f["on_time"], f["answered"]), median,
            pct(f["satisfied"], f["rated"]), str(f["overdue_now"])]


def test_public_statistics_page_shows_the_same_figures(client, data):
    html = client.get("/thong-ke?ky=2026-Q3").text
    assert cells(html, "Sở Khoa học và Công nghệ") == public_cells(ds.Q3_KHCN)
    assert cells(html, "Sở Y tế") == public_cells(ds.Q3_YTE)
    assert cells(html, "Xã Mường Nhé") == public_cells({**ds.Q3_MUONG_NHE})
    assert total_cells(html) == public_cells(ds.Q3_TOTAL)
    assert "tiếp nhận <strong>9</strong> hồ sơ" in html and "đúng hạn <strong>88,9%</strong>" in html
    # the chart says the same as the table under it
    assert '<svg class="chart"' in html and "Sở Khoa học và Công nghệ: 88,9%" in html
    charts = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(charts) == 2
    for svg in charts:  # well-formed, and labelled for screen readers
        root = ElementTree.fromstring(svg)  # noqa: S314 (our own page)
        assert root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}title").text
    assert cells(html, "07/2026") == ["5", "6"]


def test_open_data_has_the_same_figures_a_licence_and_field_descriptions(client, data):
    body = client.get("/du-lieu-mo/thong-ke-don-vi.json?ky=2026-Q3").json()
    assert "CC BY 4.0" in body["licence"]["name"]
    assert set(body["field_descriptions"]) >= set(ds.Q3_TOTAL)
    rows = {r["ma"]: r for r in body["rows"]}
    for code, expected in (("so-khcn", ds.Q3_KHCN), ("so-y-te", ds.Q3_YTE), ("total", ds.Q3_TOTAL)):
        assert {k: rows[code][k] for k in expected} == expected
    text = client.get("/du-lieu-mo/thong-ke-xa.csv?ky=2026-Q3").content.decode("utf-8-sig")
    table = {r["ma"]: r for r in csv.DictReader(io.StringIO(text))}
    assert table["xa-muong-nhe"]["received"] == "6" and table["xa-sin-thau"]["answered"] == "4"
    items = client.get("/du-lieu-mo/cong-khai.json").json()
    assert [r["id"] for r in items["rows"]] == [data.published_id]
    assert items["rows"][0]["noi_dung"] == ds.PUBLISHED_QUESTION and items["rows"][0]["dung_han"] == "có"


def staff(client, db, role=Role.COORDINATOR, code="so-khcn"):
    account = create_account(session=db, username=f"xem-{role.value}-{code}", display_name="Xem", role=role,
                             agency_id=agency(db, code).id, password=PASSWORD)
    account.must_change_password = False
    db.commit()
    assert login(client, account.username).status_code == 303
    return account


def link_count(client, html: str, ident: str) -> tuple[str, int]:
    """A dashboard figure and the number of items in the inbox list it links to."""
    match = re.search(r'<a id="' + ident + r'" href="([^"]+)">([\d.]+)</a>', html)
    assert match, ident
    href = match.group(1).replace("&amp;", "&")
    listed = client.get(href).text
    total = re.search(r'id="inbox-total">([\d.]+) hồ sơ', listed).group(1)
    return match.group(2), int(total.replace(".", ""))


def test_dashboard_figures_and_the_lists_behind_them(client, db, data):
    staff(client, db)
    html = client.get("/officer/thong-ke?from=2026-07-01&to=2026-09-30").text
    expected = {"fig-received": 9, "fig-accepted": 8, "fig-transferred": 1, "fig-rejected": 1, "fig-answered": 9,
                "fig-on-time": 8, "fig-late": 1, "fig-overdue": 2, "fig-rated": 2, "fig-satisfied": 1,
                "fig-at-risk": 0}
    for ident, value in expected.items():
        shown, listed = link_count(client, html, ident)
        assert int(shown) == value, ident
        # the list behind a figure holds the items it counts (I6 answered twice is one item)
        assert listed == {"fig-answered": 8, "fig-accepted": 7, "fig-on-time": 7}.get(ident, value), ident
    assert "trung vị 2,0 · 90% không quá 14,0 ngày làm việc" in html
    assert cells(html, "Phản ánh") == ["5"] and cells(html, "Open311") == ["1"]
    # The dataset ends in October: every commune has been silent for 30 days, each with its last item's date (the
    # list once rendered 45 empty names, and an assertion that a name was absent passed on it).
    silent = html.split('id="silent-communes"')[1].split("</section>")[0]
    assert "45 xã, phường" in silent and "Xã Mường Nhé</th><td>05/10/2026</td>" in silent
    own = client.get("/officer/thong-ke?ky=2026-Q3&agency=so-y-te").text
    assert re.search(r'id="fig-transferred" href="[^"]+">1<', own)
    assert re.search(r'id="fig-received" href="[^"]+">1<', own)


def test_an_agency_sees_only_its_own_figures(client, db, data):
    staff(client, db, Role.OFFICER, "so-y-te")
    html = client.get("/officer/thong-ke?ky=2026-Q3&agency=so-khcn").text  # the agency parameter is ignored
    assert re.search(r'id="fig-received" href="[^"]+">1<', html)
    assert "Đơn vị tiếp nhận nhiều nhất" not in html
    assert client.get("/bao-cao/quy?quy=2026-Q3").status_code == 403


def test_quarterly_report_paragraph_table_and_exports(client, db, data):
    staff(client, db)
    html = client.get("/bao-cao/quy?quy=2026-Q3").text
    assert ("Trong quý III/2026, hệ thống tiếp nhận 9 ý kiến, gồm 7 phản ánh, kiến nghị (phản ánh: 5, kiến nghị: 2)"
            " và 2 sáng kiến, giải pháp") in html
    assert "Đã trả lời 9 lượt, trong đó đúng hạn 8 lượt, đạt 88,9%; trễ hạn 1 lượt." in html
    assert "Thời gian xử lý trung vị 2,0 ngày làm việc" in html and "Đã công khai 1 câu trả lời" in html
    # REPORT_COLUMNS: received accepted transferred rejected answered on_time late on_time% median satisfied% overdue
    assert cells(html, "Sở Khoa học và Công nghệ") == ["8", "8", "0", "1", "9", "8", "1", "88,9", "2,0", "50,0", "1"]
    assert total_cells(html) == ["9", "8", "1", "1", "9", "8", "1", "88,9", "2,0", "50,0", "2"]

    text = client.get("/bao-cao/quy.csv?quy=2026-Q3").content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Đơn vị", "Tiếp nhận", "Tiếp nhận xử lý"]
    agency_table = rows[:rows.index([])]  # further sections' tables follow after an empty row (initiatives)
    assert agency_table[-1] == ["Tổng cộng", "9", "8", "1", "1", "9", "8", "1", "88.9", "2.0", "50.0", "2"]

    response = client.get("/bao-cao/quy.xlsx?quy=2026-Q3")
    assert response.headers["content-disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    header = [c.value for c in sheet[1]]
    data_rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert data_rows["Sở Khoa học và Công nghệ"][1:5] == (8, 8, 0, 1)
    last = sheet.max_row
    assert sheet.cell(last, 1).value == "Tổng cộng"
    assert sheet.cell(last, 2).value == f"=SUM(B2:B{last - 1})"
    pct = header.index("Đúng hạn (%)") + 1
    assert sheet.cell(last, pct).value.startswith("=IF(") and sheet.cell(2, pct).number_format == "#,##0.0"
    info = book["Thông tin"]
    assert info["B2"].number_format == "dd/mm/yyyy"
    assert client.get("/bao-cao/quy/in?quy=2026-Q3").text.count("data-print") == 1


def test_no_public_surface_shows_personal_or_unconsented_text(client, data):
    urls = ["/cong-khai", f"/cong-khai/{data.published_id}", "/cong-khai?q=song", "/thong-ke?ky=2026-Q3",
            "/thong-ke?ky=2026", "/du-lieu-mo", "/du-lieu-mo/thong-ke-don-vi.csv?ky=2026-Q3",
            "/du-lieu-mo/thong-ke-xa.json?ky=2026-Q3", "/du-lieu-mo/cong-khai.csv", "/du-lieu-mo/cong-khai.json",
            "/api/v1/published", f"/api/v1/published/{data.published_id}", "/open311/v2/requests.json",
            "/open311/v2/requests.xml"]
    secrets_ = [ds.SECRET_PHONE, "0987 654 321", ds.SECRET_EMAIL, ds.SECRET_ADDRESS, ds.UNCONSENTED, ds.WITHDRAWN,
                "Nguyễn Văn An", *(item.tracking_code for item in data.items.values())]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8")
        for secret in secrets_:
            assert secret not in body, (url, secret)
    assert client.get(f"/cong-khai/{data.withdrawn_id}").status_code == 404
    assert client.get(f"/api/v1/published/{data.withdrawn_id}").status_code == 404
    assert ds.PUBLISHED_QUESTION in client.get("/api/v1/published").text


def test_snapshots_hold_the_same_figures_and_the_pages_read_them(client, db, data):
    now = utcnow()
    assert snapshots.refresh(db, now) > 0
    assert snapshots.refresh(db, now) == 0  # nothing is due again yet
    cached, at = snapshots.figures(session=db, period=Q3, by="agency", now=now + timedelta(minutes=1))
    live = queries.figures(session=db, period=Q3, by="agency", now=now)
    assert cached.rows == live.rows and cached.total == live.total and at == now
    assert snapshots.received(session=db, period=Q3, by="kind") == ds.Q3_KINDS
    # a period the job does not keep is computed live, its at-risk/overdue figures taken from the job
    custom = queries.Period(Q3.start, Q3.end.replace(day=15), "1/7–15/9")
    mixed, at = snapshots.figures(session=db, period=custom, by="agency", now=now + timedelta(minutes=1))
    live_custom = queries.figures(session=db, period=custom, by="agency", now=now)
    assert mixed.rows == live_custom.rows and mixed.total == live_custom.total and at > now
    assert mixed.total.overdue_now == 2
    html = client.get("/thong-ke?ky=2026-Q3").text
    assert cells(html, "Sở Khoa học và Công nghệ") == public_cells(ds.Q3_KHCN)
    assert now.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M") in html.split('id="computed-at"')[1]
    # a past quarter's snapshot serves for two hours (the job refreshes past periods hourly), then is not used
    _, at = snapshots.figures(session=db, period=Q3, by="agency", now=now + timedelta(minutes=90))
    assert at == now
    stale, at = snapshots.figures(session=db, period=Q3, by="agency", now=now + timedelta(hours=3))
    assert stale.total == live.total and at == now + timedelta(hours=3)
