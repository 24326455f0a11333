"""QR posters per commune and village (HTML for print and PDF), the source tag their link carries, and the figures
by source and of communes with nothing in 30 days."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from app.accounts.models import Role
from app.db import utcnow
from app.reach import figures
from app.reach.posters import source_tag
from tests.reach.conftest import make_assistant  # noqa: F401 (fixture)
from tests.web.test_citizen import post_form


def test_commune_admin_prints_a_village_poster_with_qr_sms_and_team_phone(client, login_as, make_assistant,  # noqa: F811
                                                                         monkeypatch):
    from app.config import get_settings
    monkeypatch.setattr(get_settings(), "sms_number", "8077")
    make_assistant(phone="0912345678")
    login_as("ubnd-xa-muong-nhe", Role.AGENCY_ADMIN)
    listing = client.get("/posters")
    assert listing.status_code == 200 and "Xã Mường Nhé" in listing.text and "Phường Mường Thanh" not in listing.text
    page = client.get("/posters/xa-muong-nhe?ban=Bản Huổi Lếch")
    assert page.status_code == 200
    assert 'id="place">Bản Huổi Lếch, Xã Mường Nhé' in page.text and "<svg" in page.text
    assert "Nhắn tin: 8077" in page.text and "ghi rõ tên bản và xã, gửi 8077" in page.text
    assert "Tổ công nghệ số cộng đồng: 0912345678" in page.text
    assert "size: A4" in page.text
    url = page.text.split('id="url">')[1].split("<")[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(url).query)
    assert query == {"xa": ["xa-muong-nhe"], "ban": ["Bản Huổi Lếch"], "nguon": ["poster:xa-muong-nhe:ban-huoi-lech"]}
    if not Path(get_settings().poster_font).is_file():
        pytest.skip("no DejaVu font on this machine (Debian: fonts-dejavu-core)")
    pdf = client.get("/posters/xa-muong-nhe.pdf?ban=Bản Huổi Lếch")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert b"/MediaBox [0 0 595.28 841.89]" in pdf.content  # A4
    assert client.get("/posters/phuong-muong-thanh").status_code == 404  # another commune's poster


def test_an_unreachable_font_gives_a_clear_page_not_a_500(client, login_as, monkeypatch):
    from app.config import get_settings
    monkeypatch.setattr(get_settings(), "poster_font", "/khong/co/phong.ttf")
    login_as("so-khcn", Role.COORDINATOR)
    response = client.get("/posters/xa-muong-nhe.pdf")
    assert response.status_code == 503 and "fonts-dejavu-core" in response.text


def test_officers_of_other_agencies_get_no_posters(client, login_as):
    login_as("so-y-te", Role.OFFICER)
    assert client.get("/posters").status_code == 403


def test_figures_by_source_and_silent_communes(client, db, login_as):
    post_form(client, commune_code="xa-muong-nhe", source_tag=source_tag("xa-muong-nhe", "Bản Huổi Lếch"))
    post_form(client, commune_code="xa-muong-nhe")
    now = utcnow()
    counts = {(r.channel, r.source_tag): r.count for r in figures.submissions_by_source(
        session=db, since=now - timedelta(days=1))}
    assert counts[("web", "poster:xa-muong-nhe:ban-huoi-lech")] == 1 and counts[("web", None)] >= 1
    silent = {c.code for c in figures.silent_communes(session=db, days=30, now=now)}
    assert "xa-muong-nhe" not in silent
    assert len(silent) < 45
    # 31 days later the commune is silent again.
    later = {c.code: c for c in figures.silent_communes(session=db, days=30, now=now + timedelta(days=31))}
    assert "xa-muong-nhe" in later and later["xa-muong-nhe"].last_at is not None
    login_as("so-khcn", Role.COORDINATOR)
    page = client.get("/reach/figures")
    assert page.status_code == 200 and "poster:xa-muong-nhe:ban-huoi-lech" in page.text


def test_figures_page_is_the_coordinators(client, login_as):
    login_as("ubnd-xa-muong-nhe", Role.AGENCY_ADMIN)
    assert client.get("/reach/figures").status_code == 403


def test_the_poster_chooser_works_without_javascript(client, login_as):
    login_as("so-khcn", Role.COORDINATOR)
    response = client.get("/posters/go?xa=xa-muong-nhe&ban=Bản Nậm Pồ")
    assert response.status_code == 303 and response.headers["location"].startswith("/posters/xa-muong-nhe?ban=")
