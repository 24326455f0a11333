"""English as the second language of the citizen pages: choosing it, keeping it, and a complete catalog."""

import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.config import PROJECT_ROOT
from app.errors import Invalid
from app.i18n import COOKIE, N_, catalog_path, translate
from app.submissions import service
from app.submissions.schemas import parse_submission
from tests.conftest import csrf_from

FORM = {
    "kind": "petition", "field_code": "nong-nghiep-so", "commune_code": "xa-muong-phang",
    "title": "Đề nghị hỗ trợ truy xuất nguồn gốc gạo", "sender_type": "individual",
    "content": "Hợp tác xã chúng tôi muốn dán mã QR truy xuất nguồn gốc cho gạo Điện Biên.",
    "sender_name": "Quàng Thị Hoa", "sender_phone": "0988 123 456", "consent": "on",
}
VIETNAMESE_LETTERS = re.compile(r"[àáãèéìíòóõùúýĩũăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


def post_form(client, **changes):
    data = {**FORM, **changes, "csrf_token": csrf_from(client.get("/").text)}
    return client.post("/", data={k: v for k, v in data.items() if v is not None})


def visible_text(html: str, *data: str) -> str:
    """The page's text without markup, select options (reference data) and the given data values."""
    html = re.sub(r"<option[^>]*>.*?</option>|<title>.*?</title>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    for value in (*data, "Điện Biên", "Tiếng Việt"):
        text = text.replace(value, "")
    return text


def test_submit_in_english_then_status_page_in_english(client, db):
    page = client.get("/?lang=en")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Send your feedback to the Điện Biên provincial government" in page.text
    assert "Petition" in page.text and "Ask a state agency to do or change something" in page.text
    assert "Individual" in page.text and "Full name (or name of the organisation or business)" in page.text
    assert "Up to 5 files" in page.text
    assert 'hreflang="vi"' in page.text and "Tiếng Việt" in page.text
    assert not VIETNAMESE_LETTERS.search(visible_text(page.text)), visible_text(page.text)

    r = post_form(client)
    assert r.status_code == 303
    status = client.get(r.headers["location"])
    assert '<html lang="en">' in status.text
    assert "Sent successfully" in status.text and "Your tracking code:" in status.text
    assert "Petition" in status.text
    assert "Sent to the handling agency" in status.text  # state label
    assert "Your submission was received" in status.text  # history
    assert "Acceptance due" in status.text and "History" in status.text
    agency = re.search(r"Handling agency: ([^<]+)<", status.text).group(1)
    data = [FORM["title"], FORM["content"], agency, "Nông nghiệp số", "Xã Mường Phăng", "Quàng", "Hoa"]
    assert not VIETNAMESE_LETTERS.search(visible_text(status.text, *data)), visible_text(status.text, *data)


def test_validation_errors_in_english(client, db):
    client.get("/?lang=en")
    r = post_form(client, title="", content="", sender_phone="", consent=None)
    assert r.status_code == 422
    assert "Please fill in the title." in r.text and "Please fill in the content." in r.text
    assert "Please give a phone number or an email address" in r.text
    assert "Please tick the box" in r.text
    assert "Please correct the 4 items marked below." in r.text
    r = post_form(client, title="T" * 500, kind="khieu-nai", commune_code="xa-khong-ton-tai")
    assert "Title is too long (at most 200 characters)." in r.text
    assert "Type is not valid." in r.text
    r = post_form(client, commune_code="xa-khong-ton-tai", sender_phone="+1 202 555 0100")
    assert "is not a valid Vietnamese number" in r.text
    r = post_form(client, commune_code="xa-khong-ton-tai")
    assert "This commune or ward is not in the list." in r.text


def test_attachment_refusal_in_english(client, db):
    client.get("/?lang=en")
    data = {**FORM, "csrf_token": csrf_from(client.get("/").text)}
    r = client.post("/", data=data, files=[("attachments", ("empty.pdf", b"", "application/pdf"))])
    assert r.status_code == 422
    assert "The file “empty.pdf” is empty (0 bytes)." in r.text
    assert "Attachments were not kept" in r.text


def test_cookie_remembers_the_choice_and_lang_vi_switches_back(client, db):
    r = client.get("/track?lang=en")
    cookie = r.headers["set-cookie"]
    assert f"{COOKIE}=en" in cookie and "samesite=lax" in cookie.lower() and "Max-Age=31536000" in cookie
    assert "Check the result" in r.text
    assert "Check the result" in client.get("/track").text  # from the cookie
    r = client.post("/track", data={"code": "", "contact": "", "csrf_token": csrf_from(client.get("/track").text)})
    assert "Please enter the tracking code." in r.text
    back = client.get("/track?lang=vi")
    assert "Tra cứu kết quả" in back.text and '<html lang="vi">' in back.text
    assert "Tra cứu kết quả" in client.get("/track").text


def test_accept_language_english_first(client, db):
    page = client.get("/track", headers={"Accept-Language": "en-GB,en;q=0.9,vi;q=0.5"})
    assert '<html lang="en">' in page.text and "Check the result" in page.text
    page = client.get("/track", headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.8"})
    assert '<html lang="vi">' in page.text
    page = client.get("/track", headers={"Accept-Language": "fr"})
    assert '<html lang="vi">' in page.text


def test_default_is_vietnamese_with_a_link_to_english(client, db):
    page = client.get("/")
    assert '<html lang="vi">' in page.text and "Gửi ý kiến đến chính quyền tỉnh Điện Biên" in page.text
    assert 'href="/?lang=en"' in page.text and ">English</a>" in page.text
    assert "set-cookie" not in page.headers or COOKIE not in page.headers["set-cookie"]


def test_error_pages_in_english(client, db):
    r = client.get("/no-such-page?lang=en")
    assert r.status_code == 404 and "Page not found" in r.text and "Home page" in r.text
    client.get("/?lang=en")
    r = client.post("/", data=FORM)
    # The expired citizen form comes back filled in, with the problem said in English.
    assert r.status_code == 403 and "The form had expired, so it was not sent" in r.text
    assert FORM["title"] in r.text
    r = client.post("/track", data={"code": "DB-2026-AAAAAA", "contact": "0912345678"})
    assert r.status_code == 403 and "The form has expired" in r.text


def test_sender_actions_and_history_in_english(client, db, submit, make_account):
    officer = make_account("so-khcn", username="answerer-en")
    item = submit()
    service.accept(session=db, submission=item, actor=officer)
    service.answer(session=db, submission=item, actor=officer, text="Đã lắp trạm phát sóng mới tại bản.")
    form = client.get("/track?lang=en")
    client.post("/track", data={"code": item.tracking_code, "contact": "0912345678",
                                "csrf_token": csrf_from(form.text)})
    page = client.get(f"/track/{item.tracking_code}")
    assert "Answered" in page.text and "An answer was given" in page.text
    assert "The handling agency accepted the item" in page.text
    assert "Are you satisfied with the answer?" in page.text
    token = csrf_from(page.text)
    r = client.post(f"/track/{item.tracking_code}/rate", data={"csrf_token": token, "satisfied": ""},
                    headers={"referer": f"http://testserver/track/{item.tracking_code}"})
    assert r.status_code == 422 and "Please choose whether you are satisfied." in r.text
    assert f'href="/track/{item.tracking_code}?lang=vi"' in r.text  # the switch on a POST answer: the form's page
    r = client.post(f"/track/{item.tracking_code}/rate", data={"csrf_token": token, "satisfied": "yes"})
    assert r.status_code == 303
    page = client.get(f"/track/{item.tracking_code}")
    assert "Thank you for your rating." in page.text and "Your rating:" in page.text and "Closed" in page.text


def test_staff_pages_stay_vietnamese(client, db, login_as):
    client.get("/?lang=en")
    login_as("so-khcn")
    page = client.get("/officer/inbox")
    assert '<html lang="vi">' in page.text and 'id="language-switch"' not in page.text


def test_python_messages_stay_vietnamese_outside_pages():
    with pytest.raises(Invalid) as exc:
        parse_submission({"title": "T" * 500})
    assert exc.value.errors["title"] == "Tiêu đề quá dài (tối đa 200 ký tự)."
    assert translate(exc.value.errors["title"], "en") == "Title is too long (at most 200 characters)."
    assert exc.value.errors["sender_name"] == "Vui lòng nhập họ và tên."
    assert translate(exc.value.errors["sender_name"], "en") == "Please fill in the full name."
    assert translate(N_("Không tìm thấy trang"), "vi") == "Không tìm thấy trang"


def _extracted() -> dict:
    """What `pybabel extract -F babel.cfg -k N_` finds: templates' _()/{% trans %} and Python's N_()."""
    with open(PROJECT_ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(PROJECT_ROOT), method_map, options_map, keywords=keywords):
        found[message] = filename
    return found


def test_every_message_on_the_citizen_pages_has_an_english_translation():
    with open(catalog_path("en"), "rb") as f:
        catalog = read_po(f, locale="en")
    extracted = _extracted()
    templates = {m for m, f in extracted.items() if f.startswith(("templates/citizen/", "templates/base.html",
                                                                    "templates/errors/", "templates/attachments/",
                                                                    "templates/public/"))}
    assert len(templates) > 50
    # the public transparency pages (/cong-khai, /thong-ke, /du-lieu-mo) and the figures and open-data texts
    # they show are in the catalog too
    public = {m for m, f in extracted.items() if f.startswith(("templates/public/", "app/reports/", "app/web/public"))}
    assert len(public) > 80
    missing = []
    for message, filename in extracted.items():
        msgid = message[0] if isinstance(message, tuple) else message
        entry = catalog.get(msgid)
        strings = entry.string if entry else None
        if not entry or not (all(strings) if isinstance(strings, tuple) else strings) or entry.fuzzy:
            missing.append(f"{filename}: {msgid}")
    assert not missing, "untranslated (run the commands in README, Languages):\n" + "\n".join(missing)
    problems = [(m.id, errors) for m, errors in catalog.check()]
    assert not problems, problems  # e.g. a %(placeholder)s missing from a translation


TRANSLATED_PUBLIC_TEMPLATES = [
    *sorted((PROJECT_ROOT / "templates" / "public").glob("*.html")),
    *(PROJECT_ROOT / "templates" / "citizen" / name for name in (
        "challenges.html", "challenge.html", "_challenge_info.html", "initiatives.html", "initiative.html",
        "_initiative.html", "solution.html")),
]


@pytest.mark.parametrize("path", TRANSLATED_PUBLIC_TEMPLATES, ids=lambda p: p.name)
def test_no_unmarked_vietnamese_in_the_public_templates(path):
    """Outside `_()`, `{% trans %}` and data (`{{ … }}`), a public template holds no Vietnamese word: a text added
    without marking would stay Vietnamese on the English page. "Điện Biên" (in "PAKN Điện Biên") is a name."""
    source = path.read_text(encoding="utf-8")
    source = re.sub(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}", "", source, flags=re.S)
    source = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", source, flags=re.S).replace("Điện Biên", "")
    unmarked = [line.strip() for line in source.splitlines() if VIETNAMESE_LETTERS.search(line)]
    assert not unmarked, unmarked
