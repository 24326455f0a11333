"""Every page of the feature renders for the people who use it, on the demo data (no JavaScript needed: plain
links and forms)."""

import re
from datetime import timedelta

from sqlmodel import select

from app.accounts.models import Role
from app.initiatives import service
from app.initiatives.models import Assessment, Challenge
from app.seed.initiatives import seed_initiatives_demo
from app.submissions.models import Submission
from tests.initiatives.conftest import post_solution, sign_in, staff, today


def test_demo_pages_render_for_the_public_the_coordinator_and_the_owner_agency(client, db, make_account):
    assert seed_initiatives_demo(session=db) == 2
    challenges = db.exec(select(Challenge)).all()
    public = ["/bai-toan", "/sang-kien"] + [f"/bai-toan/{c.id}" for c in challenges]
    published = [p.submission.id for p in service.published_items(session=db)]
    assert len(published) == 2  # the demo's two consenting solutions, published by their owner agency
    public += [f"/sang-kien/{i}" for i in published]
    for url in public:
        page = client.get(url)
        assert page.status_code == 200, url
        assert "<script" not in page.text, url  # citizen pages load no JavaScript
    listing = client.get("/bai-toan").text
    assert "Kỹ năng số cho người dân ở các bản chưa có sóng di động" in listing.split("Đã đóng")[0]
    assert "Truy xuất nguồn gốc sản phẩm OCOP bằng mã QR" in listing.split("Đã đóng")[1]
    open_one = next(c for c in challenges if c.title.startswith("Kỹ năng số"))
    form = client.get(f"/bai-toan/{open_one.id}/giai-phap")
    assert form.status_code == 200 and 'value="xa-hoi-so" selected' in form.text

    coordinator = staff(make_account, "so-khcn", "dieu-phoi-p", Role.COORDINATOR)
    sign_in(client, coordinator)
    codes = [s.tracking_code for s in db.exec(select(Submission).join(
        Assessment, Assessment.submission_id == Submission.id)).all()]
    pages = ["/officer/bai-toan", "/officer/bai-toan/moi", "/officer/sang-kien", "/officer/tieu-chi"]
    pages += [f"/officer/bai-toan/{c.id}" for c in challenges] + [f"/officer/items/{c}/tham-dinh" for c in codes]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
    ocop = next(c for c in challenges if c.title.startswith("Truy xuất"))
    ranking = client.get(f"/officer/bai-toan/{ocop.id}").text
    means = re.findall(r'<td class="mean">([^<]+)</td>', ranking)
    assert means == ["4,50", "3,60", "2,70"]  # (4·20+5·25+5·25+4·15+4·15)/100 = 4,5 …
    assert 'id="outcome-form"' in ranking  # closed: the coordinator may publish the outcome
    register = client.get("/officer/sang-kien").text
    assert "Sở Y tế" in register and 'id="at-zero-count">' in register

    owner = db.exec(select(Challenge.owner_agency_id).where(Challenge.id == ocop.id)).one()
    assert owner
    sign_in(client, staff(make_account, "so-nnmt", "admin-nnmt-p", Role.AGENCY_ADMIN))
    mine = client.get("/officer/bai-toan").text
    assert "Truy xuất nguồn gốc" in mine and "Kỹ năng số cho người dân" not in mine
    assert client.get(f"/officer/bai-toan/{ocop.id}").status_code == 200
    assert client.get(f"/officer/bai-toan/{open_one.id}").status_code == 404


def test_the_public_pages_speak_english_too(client, db, challenge):
    closed = challenge(opens_on=(today() - timedelta(days=9)).isoformat(),
                       closes_on=(today() - timedelta(days=2)).isoformat())
    page = client.get("/bai-toan?lang=en")
    assert '<html lang="en">' in page.text and "Grand challenges of Điện Biên province" in page.text
    assert "No challenge is taking solutions at the moment." in page.text and "Closed on" in page.text
    page = client.get(f"/bai-toan/{closed.id}")
    assert "Assessment criteria" in page.text and "0 solutions sent" in page.text
    r = post_solution(client, closed.id)
    assert r.status_code == 422 and "This challenge no longer takes solutions" in r.text
    assert "Name of the solution" in r.text
    open_one = challenge()
    assert post_solution(client, open_one.id).status_code == 303
    page = client.get(f"/bai-toan/{open_one.id}").text
    assert "1 solution sent" in page and "1 solutions" not in page  # English plurals, not "1 solutions"


def test_the_api_lists_challenges_and_public_items_without_contacts(client, db):
    seed_initiatives_demo(session=db)
    listing = client.get("/api/v1/challenges")
    assert listing.status_code == 200
    by_title = {c["title"]: c for c in listing.json()}
    ocop = by_title["Truy xuất nguồn gốc sản phẩm OCOP bằng mã QR"]
    assert ocop["solutions"] == 3 and ocop["is_open"] is False and ocop["owner_agency_code"] == "so-nnmt"
    detail = client.get(f"/api/v1/challenges/{ocop['id']}").json()
    assert [c["weight"] for c in detail["criteria"]] == [20, 25, 25, 15, 15]
    assert [s["title"] for s in detail["published_solutions"]] == ["Nhật ký sản xuất bằng Zalo Mini App cho hợp tác xã"]
    missing = client.get("/api/v1/challenges/999999")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    items = client.get("/api/v1/initiatives").json()
    assert len(items) == 2 and all("supports" in i for i in items)
    assert "@" not in listing.text + client.get("/api/v1/initiatives").text  # no contact of anyone
