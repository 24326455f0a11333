"""The agency inbox: what an officer may filter and sort by, parsed from a query string and turned into SQL.

Adding a filter (e.g. "overdue" from the deadlines work) is one field on `InboxFilters`, one line in `parse()`,
one condition in `conditions()` and one control in templates/officer/inbox.html; a sort is one entry in `SORTS`.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, and_, case
from sqlalchemy.engine import Dialect
from sqlmodel import Session, col, select

from app.accounts.models import Account
from app.accounts.permissions import is_coordinator
from app.agencies.models import Agency, Commune, Field
from app.assignments import service as assignment_service
from app.assignments.models import ItemAssignment
from app.db import utcnow, vietnamese
from app.kinds import OPEN_STATES, Channel, EventType, Kind, State
from app.sla.models import Clock, Phase, SubmissionDeadline
from app.sla.service import overdue_condition, urgency_key
from app.submissions import search
from app.submissions.models import Submission
from app.timefmt import LOCAL_TZ

QUERY_MAX = 200


def newest_first(stmt: Select) -> Select:
    return stmt.order_by(col(Submission.created_at).desc(), col(Submission.id).desc())


def oldest_first(stmt: Select) -> Select:
    return stmt.order_by(col(Submission.created_at), col(Submission.id))


def urgency_order(stmt: Select) -> Select:
    """Most urgent first: the earliest running deadline (app/sla), then other open items oldest first,
    then finished ones."""
    still_open = case((col(Submission.state).in_(sorted(OPEN_STATES)), 0), else_=1)
    return stmt.order_by(urgency_key().asc().nulls_last(), still_open, col(Submission.created_at),
                         col(Submission.id))


@dataclass(frozen=True)
class SortOption:
    label: str
    apply: Callable[[Select], Select]


def _by(*columns, descending: bool = False) -> Callable[[Select], Select]:
    """Sort by `columns` (then newest first for ties)."""
    def apply(stmt: Select) -> Select:
        keys = [c.desc() if descending else c.asc() for c in columns]
        return stmt.order_by(*keys, col(Submission.created_at).desc(), col(Submission.id).desc())
    return apply


def _commune_name():
    return (select(Commune.name).where(col(Commune.id) == col(Submission.commune_id))
            .correlate(Submission).scalar_subquery())


def _assignee_name():
    return (select(Account.display_name).join(ItemAssignment, col(ItemAssignment.account_id) == col(Account.id))
            .where(assignment_service.current_assignee_condition()).correlate(Submission).scalar_subquery())


def latest_deadline_first(stmt: Select) -> Select:
    return stmt.order_by(urgency_key().desc().nulls_last(), col(Submission.created_at).desc(), col(Submission.id))


SORTS: dict[str, SortOption] = {
    "newest": SortOption("Mới nhất trước", newest_first),
    "oldest": SortOption("Cũ nhất trước", oldest_first),
    "urgency": SortOption("Gấp nhất trước", urgency_order),
    # Column headings of the inbox table sort by their column; a second click reverses (the "-desc" twin).
    "deadline_desc": SortOption("Hạn xa nhất trước", latest_deadline_first),
    "code": SortOption("Mã hồ sơ A→Z", _by(col(Submission.tracking_code))),
    "code_desc": SortOption("Mã hồ sơ Z→A", _by(col(Submission.tracking_code), descending=True)),
    "title": SortOption("Tiêu đề A→Z", _by(vietnamese(col(Submission.title)))),
    "title_desc": SortOption("Tiêu đề Z→A", _by(vietnamese(col(Submission.title)), descending=True)),
    "kind": SortOption("Loại", _by(col(Submission.kind))),
    "kind_desc": SortOption("Loại (ngược)", _by(col(Submission.kind), descending=True)),
    "commune": SortOption("Xã, phường A→Z", _by(vietnamese(_commune_name()))),
    "commune_desc": SortOption("Xã, phường Z→A", _by(vietnamese(_commune_name()), descending=True)),
    "state": SortOption("Trạng thái", _by(col(Submission.state))),
    "state_desc": SortOption("Trạng thái (ngược)", _by(col(Submission.state), descending=True)),
    "assignee": SortOption("Cán bộ A→Z", _by(vietnamese(_assignee_name()))),
    "assignee_desc": SortOption("Cán bộ Z→A", _by(vietnamese(_assignee_name()), descending=True)),
}
DEFAULT_SORT = "urgency"
# Column → (sort when clicked, sort when clicked again). The deadline column's first click is the default sort.
COLUMN_SORTS = {
    "code": ("code", "code_desc"), "title": ("title", "title_desc"), "kind": ("kind", "kind_desc"),
    "commune": ("commune", "commune_desc"), "state": ("state", "state_desc"),
    "deadline": ("urgency", "deadline_desc"), "assignee": ("assignee", "assignee_desc"),
}

# Views of the inbox by assignee ("" is every item of the agency).
VIEWS = {"": "Tất cả", "mine": "Của tôi", "unassigned": "Chưa phân công"}


# What the report figures count (app/reports/queries.py), as inbox filters so every dashboard figure links to the
# items behind it. Clock stages match the clocks the agency itself held (the report counts them for that agency);
# the dates of a stage are `done_from` / `done_to` (local days), separate from the item's creation dates.
CLOCK_STAGES = {
    "accepted": "Đã tiếp nhận xử lý",
    "transferred": "Đã chuyển đơn vị khác",
    "answered": "Đã trả lời",
    "on_time": "Trả lời đúng hạn",
    "late": "Trả lời trễ hạn",
}
STAGES = {
    **CLOCK_STAGES,
    "rejected": "Bị từ chối",
    "rated": "Đã được đánh giá",
    "satisfied": "Người gửi hài lòng",
    "at_risk": "Đang sắp đến hạn",
}
CHANNELS = {c.value for c in Channel}


@dataclass(frozen=True)
class InboxFilters:
    """Every value is a plain string or date as it appears in the URL; empty means "any"."""

    state: str = ""
    kind: str = ""
    field: str = ""  # field code
    commune: str = ""  # commune code
    created_from: date | None = None
    created_to: date | None = None
    q: str = ""
    overdue: bool = False
    view: str = ""  # "", "mine" or "unassigned" (VIEWS)
    sort: str = DEFAULT_SORT
    channel: str = ""  # Channel value
    agency: str = ""  # agency code, or "all": the coordinator's view of other agencies' items
    stage: str = ""  # a key of STAGES
    done_from: date | None = None
    done_to: date | None = None

    def query_string(self, page: int = 1, **changes) -> str:
        """The URL query for these filters (page links keep them); empty values and defaults are left out."""
        return urlencode(self.params(page, **changes))

    def params(self, page: int = 1, **changes) -> dict[str, str]:
        """The query's parameters (hidden fields of forms that keep the filters); empty values left out."""
        f = replace(self, **changes)
        params = {
            "state": f.state, "kind": f.kind, "field": f.field, "commune": f.commune,
            "from": f.created_from.isoformat() if f.created_from else "",
            "to": f.created_to.isoformat() if f.created_to else "",
            "q": f.q, "overdue": "1" if f.overdue else "", "view": f.view,
            "sort": "" if f.sort == DEFAULT_SORT else f.sort, "page": str(page) if page != 1 else "",
            "channel": f.channel, "agency": f.agency, "stage": f.stage,
            "done_from": f.done_from.isoformat() if f.done_from else "",
            "done_to": f.done_to.isoformat() if f.done_to else "",
        }
        return {k: v for k, v in params.items() if v}

    @property
    def active(self) -> bool:
        return self != InboxFilters(sort=self.sort)


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value: str) -> date | None:
    """dd/mm/yyyy (as Vietnamese write it) or yyyy-mm-dd (what a date input sends); ValueError otherwise."""
    value = value.strip()
    if not value:
        return None
    if m := _DMY.match(value):
        day, month, year = (int(g) for g in m.groups())
    elif m := _ISO.match(value):
        year, month, day = (int(g) for g in m.groups())
    else:
        raise ValueError(value)
    if not 2000 <= year <= 2100:
        raise ValueError(value)
    return date(year, month, day)


def parse(params: Mapping[str, str], *, session: Session) -> tuple[InboxFilters, dict[str, str]]:
    """Filters from a query string, and a Vietnamese message per value we could not use (that value is ignored)."""
    errors: dict[str, str] = {}

    def one(name: str) -> str:
        return str(params.get(name, "")).strip()[:QUERY_MAX]

    state, kind, field_code, commune_code, sort = one("state"), one("kind"), one("field"), one("commune"), one("sort")
    view = one("view")
    if view not in VIEWS:
        errors["view"], view = "Chế độ xem không hợp lệ.", ""
    if state and state not in State._value2member_map_:
        errors["state"], state = "Trạng thái không hợp lệ.", ""
    if kind and kind not in Kind._value2member_map_:
        errors["kind"], kind = "Loại hồ sơ không hợp lệ.", ""
    if field_code and session.exec(select(Field.id).where(Field.code == field_code)).first() is None:
        errors["field"], field_code = "Lĩnh vực không có trong danh mục.", ""
    if commune_code and session.exec(select(Commune.id).where(Commune.code == commune_code)).first() is None:
        errors["commune"], commune_code = "Xã, phường không có trong danh mục.", ""
    if sort not in SORTS:
        if sort:
            errors["sort"] = "Cách sắp xếp không hợp lệ."
        sort = DEFAULT_SORT
    dates: dict[str, date | None] = {}
    for name, label in (("from", "Từ ngày"), ("to", "Đến ngày")):
        try:
            dates[name] = parse_date(one(name))
        except ValueError:
            errors[name], dates[name] = f"{label}: vui lòng nhập ngày dạng ngày/tháng/năm, ví dụ 25/11/2026.", None
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors["to"] = "“Đến ngày” phải sau hoặc bằng “Từ ngày”."
        dates["to"] = None
    channel, agency_code, stage = one("channel"), one("agency"), one("stage")
    if channel and channel not in CHANNELS:
        errors["channel"], channel = "Kênh không hợp lệ.", ""
    if agency_code and agency_code != "all" and session.exec(
            select(Agency.id).where(Agency.code == agency_code)).first() is None:
        errors["agency"], agency_code = "Đơn vị không có trong danh mục.", ""
    if stage and stage not in STAGES:
        errors["stage"], stage = "Giai đoạn không hợp lệ.", ""
    for name, label in (("done_from", "Từ ngày"), ("done_to", "Đến ngày")):
        try:
            dates[name] = parse_date(one(name))
        except ValueError:
            errors[name], dates[name] = f"{label}: vui lòng nhập ngày dạng ngày/tháng/năm, ví dụ 25/11/2026.", None
    filters = InboxFilters(state=state, kind=kind, field=field_code, commune=commune_code,
                           created_from=dates["from"], created_to=dates["to"], q=one("q"),
                           overdue=one("overdue") in ("1", "on", "true"), view=view, sort=sort, channel=channel,
                           agency=agency_code, stage=stage, done_from=dates["done_from"], done_to=dates["done_to"])
    return filters, errors


def local_day_start(day: date) -> datetime:
    """Midnight in Vietnam at the start of `day`, as an aware datetime (compared with UTC timestamps)."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def conditions(filters: InboxFilters, *, dialect: Dialect, account_id: int | None = None,
               agency_id: int | None = None) -> list[ColumnElement[bool]]:
    """WHERE conditions for everything but the agency scope; `account_id` is whose "Của tôi" (mine) view it is;
    `agency_id` the scope, for the clock stages."""
    where: list[ColumnElement[bool]] = []
    if filters.view == "mine" and account_id is not None:
        where.append(assignment_service.assigned_to(account_id))
    elif filters.view == "unassigned":
        where.append(assignment_service.unassigned())
    if filters.state:
        where.append(col(Submission.state) == filters.state)
    if filters.kind:
        where.append(col(Submission.kind) == filters.kind)
    if filters.field:
        where.append(col(Submission.field_id) == select(Field.id).where(Field.code == filters.field).scalar_subquery())
    if filters.commune:
        where.append(col(Submission.commune_id) ==
                     select(Commune.id).where(Commune.code == filters.commune).scalar_subquery())
    if filters.created_from:
        where.append(col(Submission.created_at) >= local_day_start(filters.created_from))
    if filters.created_to:
        where.append(col(Submission.created_at) < local_day_start(filters.created_to + timedelta(days=1)))
    if filters.q and (match := search.condition(filters.q, dialect)) is not None:
        where.append(match)
    if filters.overdue:
        where.append(overdue_condition(utcnow()))
    if filters.channel:
        where.append(col(Submission.source) == filters.channel)
    if filters.stage:
        where.append(stage_condition(filters, agency_id=agency_id))
    return where


def _between(column, filters: InboxFilters) -> list[ColumnElement[bool]]:
    out = []
    if filters.done_from:
        out.append(column >= local_day_start(filters.done_from))
    if filters.done_to:
        out.append(column < local_day_start(filters.done_to + timedelta(days=1)))
    return out


def stage_condition(filters: InboxFilters, *, agency_id: int | None) -> ColumnElement[bool]:
    """The items a report figure counts (app/reports/queries.py uses the same definitions)."""
    stage, now = filters.stage, utcnow()
    if stage == "rejected":
        return and_(col(Submission.state) == State.REJECTED, *_between(col(Submission.updated_at), filters))
    if stage in ("rated", "satisfied"):
        extra = [col(Submission.rating_satisfied).is_(True)] if stage == "satisfied" else []
        return and_(col(Submission.rated_at).is_not(None), *_between(col(Submission.rated_at), filters), *extra)
    clock = SubmissionDeadline
    if stage == "at_risk":
        return (select(clock.id).where(clock.submission_id == Submission.id, clock.clock == Clock.RUNNING,
                                       clock.at_risk_at <= now, clock.due_at > now)
                .correlate(Submission).exists())
    match = {
        "accepted": [clock.phase == Phase.ACCEPT, clock.outcome == EventType.ACCEPTED],
        "transferred": [clock.phase == Phase.ACCEPT, clock.outcome == EventType.TRANSFERRED],
        "answered": [clock.phase == Phase.ANSWER, clock.outcome == EventType.ANSWERED],
        "on_time": [clock.phase == Phase.ANSWER, clock.outcome == EventType.ANSWERED, col(clock.on_time).is_(True)],
        "late": [clock.phase == Phase.ANSWER, clock.outcome == EventType.ANSWERED, col(clock.on_time).is_not(True)],
    }[stage]
    if agency_id is not None:
        match.append(clock.agency_id == agency_id)
    return (select(clock.id).where(clock.submission_id == Submission.id, *match,
                                   *_between(col(clock.stopped_at), filters))
            .correlate(Submission).exists())


def scope_of(actor: Account, filters: InboxFilters, *, session: Session) -> int | None:
    """Whose items the list shows: the actor's agency; the coordinator may ask for another agency or all."""
    if filters.agency and is_coordinator(actor):
        if filters.agency == "all":
            return None
        return session.exec(select(Agency.id).where(Agency.code == filters.agency)).first()
    return actor.agency_id
