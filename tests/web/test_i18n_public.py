"""English on the public transparency pages: /cong-khai (list and item), /thong-ke, /du-lieu-mo and the public
initiative pages /bai-toan, /bai-toan/{id}, /sang-kien, /sang-kien/{id}. What people wrote and the reference data
(titles, answers, agency, commune and field names) stay as stored; everything else is English, numbers and dates
keep the Vietnamese format as on the citizen pages; the open-data files keep their Vietnamese column names."""

import csv
import io
import re

import pytest
from sqlmodel import select

from app.agencies import service as agencies_service
from app.initiatives.models import Assessment
from app.publication.models import Publication
from app.submissions.models import Submission
from tests.initiatives import conftest as initiatives
from tests.initiatives.conftest import SOLUTION_FORM, post_solution, publish, staff
from tests.reports import dataset as ds
from tests.web.test_i18n import VIETNAMESE_LETTERS, visible_text

# Texts of the Vietnamese pages that must not be left on the English ones.
VIETNAMESE_UI = ("Câu hỏi đã được trả lời", "Thống kê tiếp nhận", "Dữ liệu mở", "Tìm", "Tất cả", "Đơn vị trả lời",
                 "Người gửi", "Ngày gửi", "Thời hạn", "Nội dung", "Tiếp nhận", "Đã trả lời", "Tổng cộng", "Quý",
                 "Số hồ sơ", "đúng hạn", "Tháng", "Bộ dữ liệu", "Giấy phép", "Mô tả", "kết quả", "chưa có")


challenge = initiatives.challenge  # the fixture of tests/initiatives, used here too


@pytest.fixture
def data(db):
    return ds.build(db)


def reference_names(db) -> list[str]:
    """Agency, commune and field names: data, shown as stored in every language."""
    ref = agencies_service.reference(session=db)
    return [*(a.name for a in ref.agencies), *(c.name for c in ref.communes), *(f.name for f in ref.fields)]


def leftover_vietnamese(html: str, *data: str) -> str:
    """The page's visible text (the SVG charts' texts included) without the stored data; longest names first so
    that a name containing another is removed whole."""
    text = visible_text(html, *sorted(data, key=len, reverse=True))
    return " ".join(w for w in text.split() if VIETNAMESE_LETTERS.search(w))


def assert_english(page, *data: str):
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert 'id="language-switch"' in page.text and 'hreflang="vi"' in page.text
    assert not leftover_vietnamese(page.text, *data), leftover_vietnamese(page.text, *data)
    # the page's title and its description for search engines and link previews, and the charts' titles
    head = " ".join([*re.findall(r'<meta (?:name|property)="[^"]+" content="([^"]*)"', page.text),
                     *re.findall(r"<title[^>]*>(.*?)</title>", page.text, re.S)])
    assert not leftover_vietnamese(head, *data, "PAKN Điện Biên"), leftover_vietnamese(head, *data)
    for text in VIETNAMESE_UI:
        assert f">{text}" not in page.text and f"{text}<" not in page.text, text


def test_published_list_and_item_in_english(client, db, data):
    row = db.get(Publication, data.published_id)
    names = reference_names(db)
    page = client.get("/cong-khai?lang=en")
    assert "Questions that have been answered" in page.text and "Answered questions" in page.text
    assert "Search (Vietnamese with or without accents)" in page.text and ">Search</button>" in page.text
    assert "1 result" in page.text and "answered " in page.text
    assert 'href="/cong-khai?lang=vi"' in page.text
    assert_english(page, row.title, *names)

    page = client.get(f"/cong-khai/{row.id}?lang=en")
    assert "<dt>Sender</dt>" in page.text and "<dt>Sent on</dt>" in page.text
    assert "<dt>Answering agency</dt>" in page.text and "<dt>Deadline</dt>" in page.text
    assert "Answered on time" in page.text or "Answered late" in page.text
    assert "Answer from " in page.text and f'href="/cong-khai/{row.id}?lang=vi"' in page.text
    assert re.search(r"<dd>\d\d/\d\d/\d{4}</dd>", page.text)  # dates as on the citizen pages
    assert_english(page, row.title, row.question, row.answer, row.sender_label or "", *names)

    missing = client.get("/cong-khai/99999?lang=en")
    assert missing.status_code == 404 and "This item does not exist or is no longer published." in missing.text


def test_statistics_in_english_with_the_same_figures(client, db, data):
    page = client.get("/thong-ke?ky=2026-Q3&lang=en")
    html = page.text
    assert "Items received and answered, Quarter III, 2026" in html
    assert "<strong>9</strong> items received" in html and "<strong>88,9%</strong> on time" in html
    assert "Items per month" in html and ">Month<" in html and ">Received<" in html and ">Answered<" in html
    assert "By handling agency, Quarter III, 2026" in html and "By commune or ward where the matter arose" in html
    assert ">Total<" in html and ">On time (%)<" in html and ">Days to answer (median)<" in html
    assert "Figures computed automatically by the system at" in html
    # the charts speak English too, with the numbers in the same format as the table
    charts = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(charts) == 2
    assert "Items received and answered per month, 2026" in charts[0] and "Received" in charts[0]
    assert "Share answered on time, by agency, Quarter III, 2026" in charts[1]
    assert "Sở Khoa học và Công nghệ: 88,9%" in charts[1]
    assert 'value="2026-Q3" selected>Quarter III, 2026<' in html
    assert_english(page, *reference_names(db))
    # the Vietnamese page is unchanged
    html = client.get("/thong-ke?ky=2026-Q3&lang=vi").text
    assert "tiếp nhận <strong>9</strong> hồ sơ" in html and "Quý III/2026" in html and ">Tổng cộng<" in html


def test_open_data_page_in_english_and_the_files_keep_their_vietnamese_names(client, db, data):
    page = client.get("/du-lieu-mo?lang=en")
    html = page.text
    assert "<h1>Open data</h1>" in html and "Data sets" in html and "Fields of the statistics" in html
    assert "Creative Commons Attribution 4.0 International (CC BY 4.0)" in html and "deed.en" in html
    assert "Statistics by handling agency for the period" in html and "Fields of the published items" in html
    assert "<dt><code>received</code></dt><dd>Received: Items sent in the period" in html
    assert "<dt><code>dung_han</code></dt><dd>Answered on time:" in html
    assert "fixed identifiers in Vietnamese" in html
    # the values the files hold are Vietnamese; the English page quotes them and says what they mean
    quoted = ["“Phản ánh”", "“Kiến nghị”", "“Sáng kiến”", "“Giải pháp”", "“có”", "“không”"]
    assert all(q in html for q in quoted)
    assert_english(page, *quoted)

    client.get("/du-lieu-mo?lang=en")  # the cookie now says English: the files do not change
    body = client.get("/du-lieu-mo/thong-ke-don-vi.json?ky=2026-Q3").json()
    assert body["title"] == "Thống kê theo đơn vị xử lý trong kỳ" and body["period"]["label"] == "Quý III/2026"
    assert "Ghi nhận tác giả" in body["licence"]["name"]
    assert {r["ma"]: r["ten"] for r in body["rows"]}["total"] == "Tổng cộng"
    text = client.get("/du-lieu-mo/cong-khai.csv").content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:4] == ["id", "loai", "linh_vuc", "xa_phuong"]


def test_initiative_public_pages_in_english(client, db, make_account, challenge):
    ch = challenge()
    assert post_solution(client, ch.id).status_code == 303
    sub = db.get(Submission, db.exec(select(Assessment.submission_id).where(Assessment.challenge_id == ch.id)).one())
    publish(db, staff(make_account, "so-nnmt", "admin-nnmt-en"), sub)
    db.commit()
    client.cookies.clear()
    row = db.exec(select(Publication).where(Publication.submission_id == sub.id)).one()
    names = [ch.title, ch.problem, ch.expected_outcome, row.title, row.question, row.answer or "",
             row.sender_label or "", SOLUTION_FORM["organisation"], *reference_names(db)]

    page = client.get("/bai-toan?lang=en")
    assert "Grand challenges of Điện Biên province" in page.text and "Taking solutions" in page.text
    assert_english(page, *names)
    page = client.get(f"/bai-toan/{ch.id}?lang=en")
    assert "Assessment criteria" in page.text and "Taking solutions" in page.text
    criteria = re.findall(r"<tr><td>([^<]+)</td><td>\d+</td></tr>", page.text)
    assert criteria
    assert_english(page, *names, *criteria)
    page = client.get("/sang-kien?lang=en")
    assert "Public initiatives and solutions" in page.text
    assert_english(page, *names)
    page = client.get(f"/sang-kien/{sub.id}?lang=en")
    assert page.status_code == 200 and "Supporters:" in page.text and "Get a code to support" in page.text
    assert_english(page, *names, *criteria)
    # the published answer page of the solution links to its support page, in English
    page = client.get(f"/cong-khai/{row.id}?lang=en")
    assert "Support this initiative or solution" in page.text and "<dt>Supporters</dt>" in page.text


def test_staff_statistics_stay_vietnamese(client, db, data, login_as):
    client.get("/thong-ke?lang=en")
    login_as("so-khcn")
    page = client.get("/officer/thong-ke?ky=2026-Q3")
    assert '<html lang="vi">' in page.text and 'id="language-switch"' not in page.text
    assert "Quý III/2026" in page.text and "Tổng quan" in page.text and "Quarter" not in page.text
