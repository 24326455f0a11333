"""The public listing: published items only, with their reviewed copy, never the original text or any contact.

One definition of "public" (`is_public`) for every door: /cong-khai, /du-lieu-mo, the API and Open311 (the
anonymous Open311 listing shows published items only: `published_submission_ids()` is the condition to call).

Search ignores diacritics like the inbox's (app/submissions/search.py) but over the *published* copy: SQLite reads
the FTS5 table `publications_fts`, PostgreSQL the GIN-indexed `search_vector` (migration 0020).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, and_, bindparam, column, func, literal_column, table
from sqlalchemy.engine import Dialect
from sqlmodel import Session, col, select

from app.agencies import service as agencies_service
from app.attachments.models import Attachment
from app.kinds import Kind
from app.publication.models import Publication, PublicationStatus
from app.submissions import search

PAGE_SIZE = 20
FTS_TABLE = "publications_fts"
PG_VECTOR = "search_vector"


def is_public() -> ColumnElement[bool]:
    return col(Publication.status) == PublicationStatus.PUBLISHED


def published_submission_ids():
    """SELECT of the ids of published items (e.g. `Submission.id.in_(published_submission_ids())`)."""
    return select(Publication.submission_id).where(is_public())


def search_condition(query: str, dialect: Dialect) -> ColumnElement[bool] | None:
    terms = search.query_words(query)
    if not terms:
        return None
    if dialect.name == "sqlite":
        fts = table(FTS_TABLE, column("rowid", Integer))
        match = " ".join(f'"{t}"' for t in terms[:-1]) + f' "{terms[-1]}"*'
        rows = select(fts.c.rowid).where(
            literal_column(FTS_TABLE).op("MATCH")(bindparam("pub_fts", match, unique=True)))
        return col(Publication.id).in_(rows.scalar_subquery())
    if dialect.name == "postgresql":
        return literal_column(f"{Publication.__tablename__}.{PG_VECTOR}").op("@@")(
            func.to_tsquery(literal_column("'simple'"), " & ".join([*terms[:-1], f"{terms[-1]}:*"])))
    return and_(*(col(Publication.search_text).contains(t) for t in terms))


@dataclass(frozen=True)
class PublicFilters:
    q: str = ""
    field: str = ""  # codes, as in the URL
    commune: str = ""
    agency: str = ""
    kind: str = ""

    def params(self, **changes) -> dict:
        values = {"q": self.q, "field": self.field, "commune": self.commune, "agency": self.agency,
                  "kind": self.kind, **changes}
        return {k: v for k, v in values.items() if v}


def parse_filters(params, *, session: Session) -> PublicFilters:
    """Unknown codes are ignored (a public page never errors on a stale link)."""
    ref = agencies_service.reference(session=session)

    def one(name: str, known) -> str:
        value = str(params.get(name, "")).strip()[:100]
        return value if value in known else ""

    return PublicFilters(q=str(params.get("q", "")).strip()[:200], field=one("field", ref.field_by_code),
                         commune=one("commune", ref.commune_by_code), agency=one("agency", ref.agency_by_code),
                         kind=one("kind", Kind._value2member_map_))


@dataclass
class PublicPage:
    items: list[Publication]
    total: int
    page: int
    pages: int


def listing(*, session: Session, filters: PublicFilters = PublicFilters(), page: int = 1,
            page_size: int = PAGE_SIZE) -> PublicPage:
    """Published items matching the filters, newest publication first."""
    ref = agencies_service.reference(session=session)
    where = [is_public()]
    if filters.field:
        where.append(col(Publication.field_id) == ref.field_by_code[filters.field].id)
    if filters.commune:
        where.append(col(Publication.commune_id) == ref.commune_by_code[filters.commune].id)
    if filters.agency:
        where.append(col(Publication.agency_id) == ref.agency_by_code[filters.agency].id)
    if filters.kind:
        where.append(col(Publication.kind) == filters.kind)
    if filters.q and (match := search_condition(filters.q, session.get_bind().dialect)) is not None:
        where.append(match)
    total = session.exec(select(func.count()).select_from(Publication).where(*where)).one()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    items = session.exec(
        select(Publication).where(*where)
        .order_by(col(Publication.published_at).desc(), col(Publication.id).desc())
        .offset((page - 1) * page_size).limit(page_size)).all()
    return PublicPage(items=list(items), total=total, page=page, pages=pages)


def published(*, session: Session, publication_id: int) -> Publication | None:
    return session.exec(select(Publication).where(Publication.id == publication_id, is_public())).first()


def published_for_submission(*, session: Session, submission_id: int) -> Publication | None:
    return session.exec(select(Publication).where(Publication.submission_id == submission_id, is_public())).first()


def published_files(*, session: Session, row: Publication) -> list[Attachment]:
    """The files the reviewing officer ticked (shown without their original names, which may name a person)."""
    ids = [int(i) for i in row.attachment_ids.split(",") if i.isdigit()]
    if not ids:
        return []
    return list(session.exec(select(Attachment).where(col(Attachment.id).in_(ids),
                                                      Attachment.submission_id == row.submission_id)
                             .order_by(col(Attachment.id))).all())


def published_since(*, session: Session, since: datetime | None = None, limit: int = 10_000) -> list[Publication]:
    """Every published item (for the open-data export), newest first."""
    stmt = select(Publication).where(is_public())
    if since is not None:
        stmt = stmt.where(col(Publication.published_at) >= since)
    return list(session.exec(stmt.order_by(col(Publication.published_at).desc()).limit(limit)).all())

