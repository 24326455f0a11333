"""Full-text search over submissions that ignores Vietnamese diacritics ("muong nhe" finds "Mường Nhé").

One definition of "the same word": `app.text.fold` (lower case, no diacritics, đ→d), applied in Python to both
the stored text and the query, so SQLite and PostgreSQL agree with each other and with the routing engine's
keyword matching. The domain service stores the folded text of code + title + content + sender name in
`submissions.search_text`; each backend indexes that column its own way (the only backend-specific SQL is here and
in migrations/versions/0005_search.py):

- SQLite: an FTS5 table `submissions_fts` over `search_text` (external content, rowid = submissions.id),
  kept in sync by triggers, so every writer keeps it current.
- PostgreSQL: a stored generated column `search_vector = to_tsvector('simple', search_text)` with a GIN index
  (PostgreSQL only, so not in the SQLModel model); 'simple' neither stems nor drops stop words, which is what
  folded Vietnamese needs. (`unaccent` is not needed: the text is already folded, and Python's folding is the one
  the routing engine uses.)

Every query word must occur as a word; the last one may be the start of a word (the officer is still typing):
"muong nh" finds "Mường Nhé", "ha noi" does not find "hai ... kết nối".
"""

import re

from sqlalchemy import ColumnElement, Integer, and_, bindparam, column, func, literal_column, select, table
from sqlalchemy.engine import Dialect

from app.submissions.models import Submission
from app.text import fold

MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 64
_WORD = re.compile(r"[^\W_]+")

FTS_TABLE = "submissions_fts"  # SQLite
PG_VECTOR = "search_vector"  # PostgreSQL


def words(value: str) -> list[str]:
    """The folded words of a text: letters and digits only, so neither backend's query syntax can be injected."""
    return _WORD.findall(fold(value))


def index_text(*, tracking_code: str, title: str, content: str, sender_name: str) -> str:
    """What `search_text` holds: the folded words of everything an officer may search by."""
    return " ".join(words(f"{tracking_code} {title} {content} {sender_name}"))


def fill(submission: Submission) -> None:
    """Called by the domain service whenever a searchable field is set."""
    submission.search_text = index_text(
        tracking_code=submission.tracking_code or "", title=submission.title or "",
        content=submission.content or "", sender_name=submission.sender_name or "",
    )


def query_words(query: str) -> list[str]:
    return [w[:MAX_WORD_LENGTH] for w in words(query)][:MAX_QUERY_WORDS]


def _fts5_match(terms: list[str]) -> str:
    # Each word quoted (a phrase of one token); the last one is a prefix; FTS5 joins them with AND.
    return " ".join(f'"{t}"' for t in terms[:-1]) + f' "{terms[-1]}"*'


def _tsquery(terms: list[str]) -> str:
    return " & ".join([*terms[:-1], f"{terms[-1]}:*"])


def condition(query: str, dialect: Dialect) -> ColumnElement[bool] | None:
    """A WHERE condition on `submissions` for the search box, or None when the query has no words."""
    terms = query_words(query)
    if not terms:
        return None
    if dialect.name == "sqlite":
        fts = table(FTS_TABLE, column("rowid", Integer))
        matching = select(fts.c.rowid).where(
            literal_column(FTS_TABLE).op("MATCH")(bindparam("fts_query", _fts5_match(terms), unique=True)))
        return Submission.id.in_(matching.scalar_subquery())
    if dialect.name == "postgresql":
        return literal_column(f"{Submission.__tablename__}.{PG_VECTOR}").op("@@")(
            func.to_tsquery(literal_column("'simple'"), _tsquery(terms)))
    # Any other backend: a scan of the folded text (substring matching, looser than the indexes).
    return and_(*(Submission.search_text.contains(t) for t in terms))
