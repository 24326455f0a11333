"""The agency inbox: one page of an agency's items with filters, search and sort (app/inbox/filters.py),
and the count per state. A read model over items and their deadline clocks."""

import dataclasses
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.db import vietnamese
from app.errors import Invalid
from app.inbox import filters as inbox_filters
from app.inbox.filters import InboxFilters
from app.inbox.models import SavedFilter
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
    *, session: Session, agency_id: int | None, filters: InboxFilters | None = None, page: int = 1,
    page_size: int = INBOX_PAGE_SIZE, state: str | None = None, account_id: int | None = None,
) -> InboxPage:
    """One page of the agency's items matching `filters` (see app/inbox/filters.py), and the agency's count per
    state (for the state menu). `state=` is a shortcut for `filters=InboxFilters(state=...)`."""
    filters = filters or InboxFilters()
    if state:
        filters = dataclasses.replace(filters, state=state)
    # agency_id None: every agency (the coordinator's view). A clock stage (accepted, transferred, answered…) is
    # scoped by the clock the agency held, not by where the item sits now (as the reports count it).
    scope = [] if agency_id is None else [Submission.agency_id == agency_id]
    counts = dict(
        session.exec(select(Submission.state, func.count()).where(*scope).group_by(Submission.state)).all()
    )
    if filters.stage in inbox_filters.CLOCK_STAGES:
        scope = []
    where = [*scope, *inbox_filters.conditions(filters, dialect=session.get_bind().dialect, account_id=account_id,
                                               agency_id=agency_id)]
    total = session.exec(select(func.count()).select_from(Submission).where(*where)).one()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    stmt = inbox_filters.SORTS[filters.sort].apply(select(Submission).where(*where))
    items = session.exec(stmt.offset((page - 1) * page_size).limit(page_size)).all()
    return InboxPage(items=list(items), total=total, page=page, pages=pages, counts=counts)


EXPORT_LIMIT = 10_000


def export_rows(*, session: Session, agency_id: int, filters: InboxFilters, account_id: int | None = None,
                limit: int = EXPORT_LIMIT) -> list[Submission]:
    """Every item of the list as filtered and sorted on screen (not only the page shown), up to `limit`."""
    where = [Submission.agency_id == agency_id,
             *inbox_filters.conditions(filters, dialect=session.get_bind().dialect, account_id=account_id)]
    stmt = inbox_filters.SORTS[filters.sort].apply(select(Submission).where(*where))
    return list(session.exec(stmt.limit(limit)).all())




SAVED_FILTERS_MAX = 20


def saved_filters(*, session: Session, account_id: int) -> list[SavedFilter]:
    return list(session.exec(select(SavedFilter).where(SavedFilter.account_id == account_id)
                             .order_by(vietnamese(col(SavedFilter.name)), SavedFilter.id)).all())


def save_filter(*, session: Session, account_id: int, name: str, filters: InboxFilters) -> SavedFilter:
    """Stores the filters under a name for this account (the same name again replaces it)."""
    name = " ".join(name.split())[:80]
    if not name:
        raise Invalid({"filter_name": "Vui lòng đặt tên cho bộ lọc."})
    query = filters.query_string()
    existing = session.exec(select(SavedFilter).where(SavedFilter.account_id == account_id,
                                                      SavedFilter.name == name)).first()
    if existing is not None:
        existing.query = query
        session.add(existing)
        session.flush()
        return existing
    count = session.exec(select(func.count()).select_from(SavedFilter)
                         .where(SavedFilter.account_id == account_id)).one()
    if count >= SAVED_FILTERS_MAX:
        raise Invalid({"filter_name": f"Mỗi tài khoản lưu được tối đa {SAVED_FILTERS_MAX} bộ lọc."})
    row = SavedFilter(account_id=account_id, name=name, query=query)
    session.add(row)
    session.flush()
    return row


def delete_filter(*, session: Session, account_id: int, filter_id: int) -> None:
    row = session.get(SavedFilter, filter_id)
    if row is not None and row.account_id == account_id:
        session.delete(row)
        session.flush()
