"""The agency inbox: one page of an agency's items with filters, search and sort (app/inbox/filters.py),
and the count per state. A read model over items and their deadline clocks."""

import dataclasses
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from app.inbox import filters as inbox_filters
from app.inbox.filters import InboxFilters
from app.submissions.models import Submission


@dataclass
class InboxPage:
    items: list[Submission]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


INBOX_PAGE_SIZE = 25


def inbox(
    *, session: Session, agency_id: int, filters: InboxFilters | None = None, page: int = 1,
    page_size: int = INBOX_PAGE_SIZE, state: str | None = None,
) -> InboxPage:
    """One page of the agency's items matching `filters` (see app/inbox/filters.py), and the agency's count per
    state (for the state menu). `state=` is a shortcut for `filters=InboxFilters(state=...)`."""
    filters = filters or InboxFilters()
    if state:
        filters = dataclasses.replace(filters, state=state)
    scope = Submission.agency_id == agency_id
    counts = dict(
        session.exec(select(Submission.state, func.count()).where(scope).group_by(Submission.state)).all()
    )
    where = [scope, *inbox_filters.conditions(filters, dialect=session.get_bind().dialect)]
    total = session.exec(select(func.count()).select_from(Submission).where(*where)).one()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    stmt = inbox_filters.SORTS[filters.sort].apply(select(Submission).where(*where))
    items = session.exec(stmt.offset((page - 1) * page_size).limit(page_size)).all()
    return InboxPage(items=list(items), total=total, page=page, pages=pages, counts=counts)


