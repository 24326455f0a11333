"""The demo seed shows the feature to a new user: an open challenge with public solutions, a closed one ranked by
score, and one agency with an initiative put into practice this year. Running it twice adds nothing."""

import pytest
from sqlmodel import Session, select

from app import audit
from app.initiatives import register, service
from app.initiatives.models import Challenge
from app.seed.initiatives import seed_initiatives_demo
from tests.databases import scratch_database


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    with scratch_database("initiatives_demo", tmp_path_factory.mktemp("demo"), seed=True) as (_url, engine):
        with Session(engine, expire_on_commit=False) as session:
            assert seed_initiatives_demo(session=session) == 2
            assert seed_initiatives_demo(session=session) == 0
        yield engine


def test_demo_challenges_open_and_closed(seeded):
    with Session(seeded) as s:
        today = service.local_today()
        challenges = {c.title: c for c in s.exec(select(Challenge)).all()}
        assert len(challenges) == 2
        skills = challenges["Kỹ năng số cho người dân ở các bản chưa có sóng di động"]
        ocop = challenges["Truy xuất nguồn gốc sản phẩm OCOP bằng mã QR"]
        assert service.is_open(skills, today) and not service.is_open(ocop, today)
        counts = service.solution_counts(session=s)
        assert counts[skills.id] == 2 and counts[ocop.id] == 3
        ranked = [r.submission.title for r in service.ranking(session=s, challenge_id=ocop.id)]
        assert ranked[0] == "Nhật ký sản xuất bằng Zalo Mini App cho hợp tác xã"
        assert ranked[-1] == "Chuỗi khối cho truy xuất gạo Điện Biên"
        assert len(service.published_items(session=s)) == 2


def test_demo_register_has_one_agency_in_practice(seeded):
    with Session(seeded) as s:
        year = service.local_today().year
        rows = {r.agency.code: r for r in register.register(session=s, year=year)}
        assert rows["so-y-te"].in_practice == 1 and rows["so-y-te"].adopted == 1
        assert register.indicator(session=s, year=year).reached == 1


def test_the_audit_finds_the_decided_items_consistent(seeded, tmp_path):
    """A decision moves the item to "answered" with a DECIDED event whose data holds the answer's hash."""
    with Session(seeded) as s:
        report = audit.run(s, checkpoint_file=tmp_path / "none.jsonl", key=b"test-key")
        assert report.items > 0 and not report.counts.get("items") and not report.counts.get("chain"), report.findings
