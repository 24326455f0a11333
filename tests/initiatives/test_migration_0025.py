"""Migration 0025 carries issue 12's own publication consent (assessments.public_consent_at / published_at) over to
app/publication's `publications` and drops the old columns; downgrade fills them back."""

from alembic import command
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from app.accounts.models import Account, Role
from app.cli import alembic_config
from app.db import unit_of_work
from app.initiatives import service
from app.publication import public
from app.publication.models import Publication
from app.submissions import service as submissions_service
from tests.conftest import submission_data
from tests.databases import scratch_database
from tests.initiatives.conftest import publish


def _alembic(engine, target: str, *, down: bool = False) -> None:
    with engine.connect() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(config, target)
        conn.commit()


def test_old_consents_move_to_publications_and_the_old_columns_go(tmp_path):
    with scratch_database("migration_0025", tmp_path, seed=True) as (_url, engine):
        with Session(engine, expire_on_commit=False) as s, unit_of_work(s):
            coordinator = s.exec(select(Account).where(Account.role == Role.COORDINATOR)).first()
            made = {}
            for name, consent in (("consented", True), ("published", True), ("silent", False)):
                item = submissions_service.submit(session=s, data=submission_data(
                    kind="initiative", field_code="giao-duc-so", title=f"Sáng kiến {name} về tủ sách số",
                    content="Mỗi điểm trường bản có một máy đọc sách điện tử nạp sẵn sách.", publish_consent=consent))
                service.ensure_assessment(session=s, submission=item)
                made[name] = item.id
            publish(s, coordinator, s.get(type(item), made["published"]))

        # Back to 0022: the old columns come back, filled from publications; then the world before 0025 (issue 12's
        # consent lived in assessments only)
        _alembic(engine, "0022", down=True)
        with engine.begin() as conn:
            old = {r.submission_id: r for r in conn.execute(text(
                "SELECT submission_id, public_consent_at, published_at FROM assessments"))}
            assert old[made["consented"]].public_consent_at is not None and old[made["consented"]].published_at is None
            assert old[made["published"]].published_at is not None
            assert old[made["silent"]].public_consent_at is None
            conn.execute(text("DELETE FROM publications"))

        _alembic(engine, "head")
        assert {"public_consent_at", "published_at"}.isdisjoint(
            c["name"] for c in inspect(engine).get_columns("assessments"))
        with Session(engine) as s:
            rows = {p.submission_id: p for p in s.exec(select(Publication)).all()}
            assert set(rows) == {made["consented"], made["published"]}
            assert rows[made["consented"]].status == "consented" and rows[made["consented"]].title is None
            carried = rows[made["published"]]
            assert carried.status == "published" and carried.title == "Sáng kiến published về tủ sách số"
            assert carried.sender_label is None and carried.kind == "initiative"
            # one place decides: the initiative is public and supportable again, and found by the public search
            assert service.public_item(session=s, submission_id=made["published"]) is not None
            assert service.public_item(session=s, submission_id=made["consented"]) is None
            found = public.listing(session=s, filters=public.PublicFilters(q="tu sach so")).items
            assert [p.submission_id for p in found] == [made["published"]]
            # the recreated table keeps its CHECK constraint
            try:
                s.execute(text("UPDATE assessments SET support_count = -1"))
                raise AssertionError("support_count < 0 accepted")
            except Exception as exc:  # noqa: BLE001 (IntegrityError on both databases)
                assert "support_count" in str(exc).lower() or "check" in str(exc).lower()
                s.rollback()
