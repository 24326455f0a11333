"""Every staff route, walked from a table, for two agencies (both ways round).

- agency A can neither read nor act on agency B's items: 404, the item row unchanged, no event, no mail queued;
- officers (and the coordinator) cannot manage accounts: 403; an agency admin cannot touch another agency's: 404;
- only the coordinator triages (assign, reopen), exports the audit trail, sees or edits routing rules, and runs the
  deadline pages (calendar, policies, extension decisions); an agency asks for an extension only on its own items;
- an attachment is served only under the item it belongs to, to those who may see that item (and, on the citizen
  side, only to a browser that proved the item's contact);
- the system admin and anonymous visitors get nothing.

The table is checked against `app.routes`: a new /officer, /agency, /coordinator or /sla route (or a new item action
in `ITEM_ACTIONS`) fails `test_every_staff_route_is_in_the_table` until a row says who may use it. Every refusal is
paired with a positive control (the rightful actor, same URL, same form, same item) so a wrong URL or form cannot
make a refusal pass by accident.
"""

import io
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.accounts.models import Account, Role
from app.attachments import service as attachments_service
from app.attachments.models import Attachment
from app.attachments.service import IncomingFile
from app.kinds import State
from app.routing.models import RoutingRule
from app.sla import service as sla_service
from app.submissions import service
from app.submissions.models import Submission
from app.web.officer import ITEM_ACTIONS
from tests.attachments import files
from tests.conftest import PASSWORD, agency, csrf_from, login, submission_data
from tests.initiatives.conftest import challenge_for_permissions

STAFF_PREFIXES = ("/officer", "/agency", "/coordinator", "/sla")

# Guards: who may use a route.
STAFF = "any handler (agency admin, officer, coordinator)"
ITEM = "the agency holding the item, or the coordinator; 404 for other agencies"
ITEM_COORDINATOR = "ITEM, and then only the coordinator (403)"
COORDINATOR = "the coordinator only (403)"  # routing rules, review list, deadline pages
ACCOUNTS = "an agency admin only (403)"
ACCOUNT = "ACCOUNTS, and then only officers of the admin's own agency (404)"
# Initiatives (app/initiatives/permissions.py): walked in tests/initiatives/test_permissions.py.
INITIATIVES = "the assessment: holding agency or coordinator (404); challenges: owner agency or coordinator (404)"
CRITERIA_FORM = {"set_id": "", "name": "Bộ tiêu chí thử quyền", "criteria": "Tính mới | 50\nHiệu quả | 50"}

AGENCY_FORMS = {"accept": {}, "answer": {"answer_text": "Sở đã làm việc với nhà mạng để khắc phục."},
                "transfer": {"agency_code": "vnpt", "reason": "Thuộc phạm vi của VNPT"},
                "reject": {"reason_code": "out_of_scope", "detail": "Việc này không thuộc lĩnh vực tiếp nhận."},
                "request-info": {"question": "Xin cho biết địa chỉ cụ thể của trạm?"},
                "note": {"note": "Ghi chú nội bộ thử quyền"}}


@dataclass(frozen=True)
class ItemCase:
    """How to make a request on an item succeed for the rightful actor: the item's state and the form."""

    state: str  # "assigned" | "in_progress" | "triage" | "closed_unsatisfied"
    form: dict = field(default_factory=dict)
    rightful: str = "agency"  # "agency": an officer of the holding agency; "coordinator"
    photo: bool = False  # the sender attached a photo; its id fills {attachment_id}


# One row per item action in app.web.officer.ITEM_ACTIONS.
ITEM_ACTION_CASES: dict[str, ItemCase] = {
    "accept": ItemCase("assigned"),
    "answer": ItemCase("in_progress", AGENCY_FORMS["answer"]),
    "transfer": ItemCase("in_progress", AGENCY_FORMS["transfer"]),
    "reject": ItemCase("in_progress", AGENCY_FORMS["reject"]),
    "request-info": ItemCase("in_progress", AGENCY_FORMS["request-info"]),
    "note": ItemCase("in_progress", AGENCY_FORMS["note"]),
    "assign-officer": ItemCase("in_progress", {"officer": ""}),
    "assign": ItemCase("triage", {"agency_code": "vnpt", "note": "Giao VNPT"}, rightful="coordinator"),
    "reopen": ItemCase("closed_unsatisfied", {"agency_code": "vnpt", "note": "Mở lại cho VNPT"},
                       rightful="coordinator"),
    # app/reach: urgency, and the voice message's interpreter mark and transcript
    "urgency": ItemCase("in_progress", {"urgent": "yes", "priority_reason": "Ảnh hưởng nhiều người"}),
    "interpreter": ItemCase("in_progress"),
    "transcript": ItemCase("in_progress", {"transcript": "Bản dịch tiếng Việt thử quyền"}),
}

RULE_FORM = {"name": "Quy tắc thử quyền", "kind": "", "field_code": "khac", "commune_code": "", "keywords": "",
             "target_agency_code": "vnpt", "priority": "3", "is_active": "1"}
TRIAL_FORM = {"t_title": "Sóng yếu", "t_content": "", "t_kind": "feedback", "t_field_code": "ha-tang-so",
              "t_commune_code": ""}
OFFICER_FORM = {"username": "canbo.moi", "display_name": "Cán bộ mới", "email": "moi@dienbien.gov.vn"}
EXTENSION_FORM = {"working_days": "3", "reason": "Chờ ý kiến bằng văn bản của nhà mạng."}
CALENDAR_DAY = date(2030, 6, 12)  # a Wednesday, a working day nationally: it may become a province day off
CALENDAR_FORM = {"day": "2030-06-13", "kind": "day_off", "description": "Nghỉ thử quyền",
                 "legal_reference": "Quyết định số 1/QĐ-UBND"}
PUBLISH_FORM = {"title": "Sóng yếu ở một bản", "question": "Sóng điện thoại rất yếu, không gọi được.",
                "answer": "Sở đã làm việc với nhà mạng để khắc phục."}
POLICY_FORM = {"amount": "8", "unit": "working_days", "legal_basis": "Quyết định số 5/QĐ-UBND về thời hạn"}


@dataclass(frozen=True)
class Route:
    guard: str
    form: dict = field(default_factory=dict)
    item: ItemCase | None = None  # item routes other than the actions (which use ITEM_ACTION_CASES)


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/officer"): Route(STAFF),
    ("GET", "/officer/inbox"): Route(STAFF),
    ("GET", "/officer/inbox/export.csv"): Route(STAFF),
    ("GET", "/officer/inbox/export.xlsx"): Route(STAFF),
    ("POST", "/officer/inbox/filters"): Route(STAFF),
    ("POST", "/officer/inbox/filters/delete"): Route(STAFF),
    ("POST", "/officer/inbox/bulk"): Route(STAFF),
    ("GET", "/officer/review"): Route(COORDINATOR),
    ("GET", "/officer/audit/checkpoints.jsonl"): Route(COORDINATOR),
    ("GET", "/officer/items/{code}"): Route(ITEM, item=ItemCase("in_progress")),
    ("POST", "/officer/items/{code}/{action}"): Route(ITEM),  # expanded over ITEM_ACTION_CASES
    ("GET", "/officer/items/{code}/audit.csv"): Route(ITEM_COORDINATOR, item=ItemCase("in_progress",
                                                                                       rightful="coordinator")),
    ("GET", "/officer/items/{code}/attachments/{attachment_id}"): Route(ITEM, item=ItemCase("in_progress",
                                                                                               photo=True)),
    ("GET", "/officer/items/{code}/attachments/{attachment_id}/thumbnail"): Route(ITEM, item=ItemCase(
        "in_progress", photo=True)),
    ("GET", "/officer/cong-khai"): Route(STAFF),
    ("GET", "/officer/thong-ke"): Route(STAFF),  # each agency its own figures (tests/reports)
    ("GET", "/officer/cong-khai/{code}"): Route(ITEM, item=ItemCase("answered_consent")),
    ("POST", "/officer/cong-khai/{code}"): Route(ITEM, item=ItemCase("answered_consent", PUBLISH_FORM)),
    ("GET", "/agency"): Route(ACCOUNTS),
    ("GET", "/agency/accounts"): Route(ACCOUNTS),
    ("POST", "/agency/accounts"): Route(ACCOUNTS, OFFICER_FORM),
    ("POST", "/agency/accounts/{account_id}/disable"): Route(ACCOUNT),
    ("POST", "/agency/accounts/{account_id}/enable"): Route(ACCOUNT),
    ("POST", "/agency/accounts/{account_id}/reset-password"): Route(ACCOUNT),
    ("GET", "/agency/contacts"): Route(ACCOUNTS),
    ("POST", "/agency/contacts"): Route(ACCOUNTS, {"email": "vanthu@donvi.thu-nghiem.vn", "phone": ""}),
    ("POST", "/agency/contacts/accounts/{account_id}"): Route(ACCOUNT, {"email": "cb@donvi.thu-nghiem.vn"}),
    ("GET", "/coordinator"): Route(COORDINATOR),
    ("GET", "/coordinator/contacts"): Route(COORDINATOR),
    ("POST", "/coordinator/contacts"): Route(COORDINATOR, {"agency_code": "so-y-te", "email": "a@thu-nghiem.vn"}),
    ("GET", "/coordinator/rules"): Route(COORDINATOR),
    ("POST", "/coordinator/rules"): Route(COORDINATOR, RULE_FORM),
    ("GET", "/coordinator/rules/new"): Route(COORDINATOR),
    ("GET", "/coordinator/rules/test"): Route(COORDINATOR),
    ("POST", "/coordinator/rules/test"): Route(COORDINATOR, TRIAL_FORM),
    ("GET", "/coordinator/rules/{rule_id:int}"): Route(COORDINATOR),
    ("POST", "/coordinator/rules/{rule_id:int}"): Route(COORDINATOR, RULE_FORM),
    ("POST", "/coordinator/rules/{rule_id:int}/move"): Route(COORDINATOR, {"direction": "down"}),
    ("POST", "/coordinator/rules/{rule_id:int}/enable"): Route(COORDINATOR),
    ("POST", "/coordinator/rules/{rule_id:int}/disable"): Route(COORDINATOR),
    ("GET", "/sla"): Route(COORDINATOR),
    ("GET", "/sla/overview"): Route(COORDINATOR),
    ("GET", "/sla/calendar"): Route(COORDINATOR),
    ("POST", "/sla/calendar"): Route(COORDINATOR, CALENDAR_FORM),
    ("POST", "/sla/calendar/{entry_id}/delete"): Route(COORDINATOR),
    ("GET", "/sla/policies"): Route(COORDINATOR),
    ("POST", "/sla/policies/{policy_id}"): Route(COORDINATOR, POLICY_FORM),
    ("GET", "/sla/extensions"): Route(COORDINATOR),
    ("POST", "/sla/extensions/{extension_id}/grant"): Route(COORDINATOR, {"working_days": "4", "note": "Đồng ý"}),
    ("POST", "/sla/extensions/{extension_id}/refuse"): Route(COORDINATOR, {"note": "Chưa đủ căn cứ gia hạn."}),
    ("POST", "/sla/items/{code}/extension"): Route(ITEM, item=ItemCase("in_progress", EXTENSION_FORM)),
    ("GET", "/officer/items/{code}/tham-dinh"): Route(INITIATIVES),
    ("POST", "/officer/items/{code}/tham-dinh/{action}"): Route(INITIATIVES),
    ("GET", "/officer/bai-toan"): Route(INITIATIVES),
    ("GET", "/officer/bai-toan/moi"): Route(INITIATIVES),
    ("POST", "/officer/bai-toan/moi"): Route(INITIATIVES),
    ("GET", "/officer/bai-toan/{challenge_id}"): Route(INITIATIVES),
    ("POST", "/officer/bai-toan/{challenge_id}"): Route(INITIATIVES),
    ("POST", "/officer/bai-toan/{challenge_id}/ket-qua"): Route(INITIATIVES),
    ("GET", "/officer/sang-kien"): Route(INITIATIVES),
    ("GET", "/officer/sang-kien/so-theo-doi.{fmt}"): Route(INITIATIVES),
    ("GET", "/officer/tieu-chi"): Route(COORDINATOR),
    ("POST", "/officer/tieu-chi"): Route(COORDINATOR, CRITERIA_FORM),
}

# Two agencies, both ways round. so-khcn is also the coordinator's agency (it holds untriaged items).
DIRECTIONS = [("so-y-te", "so-khcn"), ("so-khcn", "so-y-te")]
FIELD_OF = {"so-khcn": "ha-tang-so", "so-y-te": "y-te-so"}
AGENCY_ROLES = [Role.OFFICER, Role.AGENCY_ADMIN]


def _all_routes(app) -> list[tuple[str, set[str]]]:
    """(path, methods) of every route the app serves, included routers flattened."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI ≥ 0.16x includes routers lazily
    except ImportError:
        return [(r.path, r.methods) for r in app.routes if getattr(r, "methods", None)]
    return [(c.path, c.methods) for c in iter_route_contexts(app.routes) if c.methods]


def _staff_routes(app) -> set[tuple[str, str]]:
    return {(method, path) for path, methods in _all_routes(app) if path.startswith(STAFF_PREFIXES)
            for method in methods - {"HEAD"}}


def test_every_staff_route_is_in_the_table(app):
    routes = _staff_routes(app)
    assert routes - ROUTES.keys() == set(), "new staff route(s): add a row to ROUTES saying who may use it"
    assert ROUTES.keys() - routes == set(), "ROUTES lists route(s) the app no longer has"
    assert set(ITEM_ACTIONS) == set(ITEM_ACTION_CASES), "item actions and ITEM_ACTION_CASES differ"


# Requests ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemRequest:
    method: str
    path: str  # template with {code} (and {action})
    case: ItemCase
    action: str | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.path.replace('{action}', self.action or '')}"


def _item_requests() -> list[ItemRequest]:
    out = []
    for (method, path), route in ROUTES.items():
        if route.guard not in (ITEM, ITEM_COORDINATOR):
            continue
        if "{action}" in path:
            out += [ItemRequest(method, path, case, action) for action, case in ITEM_ACTION_CASES.items()]
        else:
            assert route.item is not None, f"{method} {path}: item routes need an ItemCase"
            out.append(ItemRequest(method, path, route.item))
    return out


ITEM_REQUESTS = _item_requests()


def _send(client, method: str, url: str, form: dict):
    if method == "GET":
        return client.get(url)
    token = csrf_from(client.get("/").text)  # the citizen form carries the session's CSRF token
    return client.post(url, data={"csrf_token": token, **form})


def _fill(path: str, **values) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", str(value)).replace("{" + name + ":int}", str(value))
    assert "{" not in path, f"no value for a path parameter of {path}"
    return path


def _item_url(db: Session, req: ItemRequest, item: Submission) -> str:
    photo = {"attachment_id": _photo_id(db, item)} if req.case.photo else {}
    return _fill(req.path, code=item.tracking_code, action=req.action, **photo)


# Database state that must not change on a refusal ---------------------------------------------------------------

def _rows(db: Session, sql: str) -> list[tuple]:
    db.flush()
    return [tuple(r) for r in db.exec(text(sql)).all()]


def _state(db: Session) -> dict[str, list[tuple]]:
    return {
        "submissions": _rows(db, "SELECT * FROM submissions ORDER BY id"),
        "events": _rows(db, "SELECT count(*) FROM events"),
        "outbox": _rows(db, "SELECT count(*) FROM outbox_messages"),
        "accounts": _rows(db, "SELECT id, username, is_active, password_hash, must_change_password FROM accounts"
                              " ORDER BY id"),
        "sessions": _rows(db, "SELECT count(*) FROM auth_sessions"),
        "rules": _rows(db, "SELECT * FROM routing_rules ORDER BY id"),
        "attachments": _rows(db, "SELECT * FROM attachments ORDER BY id"),
        "deadlines": _rows(db, "SELECT * FROM submission_deadlines ORDER BY id"),
        "extensions": _rows(db, "SELECT * FROM deadline_extensions ORDER BY id"),
        "calendar": _rows(db, "SELECT * FROM calendar_entries ORDER BY id"),
        "policies": _rows(db, "SELECT * FROM deadline_policies ORDER BY id"),
        "publications": _rows(db, "SELECT * FROM publications ORDER BY id"),
    }


# Items of agency B in a given state ------------------------------------------------------------------------------

def _with_photo(db: Session):
    """Like the `submit` fixture, with a photo the sender attached (it has a thumbnail)."""
    def submit(**overrides) -> Submission:
        batch = attachments_service.stage([IncomingFile("Ảnh hiện trường.jpg", io.BytesIO(files.jpeg()))])
        with attachments_service.unit_with_files(db, batch):
            return service.submit(session=db, data=submission_data(**overrides), batch=batch)
    return submit


def _photo_id(db: Session, item: Submission) -> int:
    return db.exec(select(Attachment.id).where(Attachment.submission_id == item.id)).one()


def _item(db: Session, make_account, submit, holder: str, state: str, photo: bool = False) -> Submission:
    if photo:
        submit = _with_photo(db)
    if state == "triage" and holder != "so-khcn":
        state = "assigned"  # only the coordinator's agency holds untriaged items
    if state == "triage":
        item = submit(field_code="khac")
        assert item.state == State.TRIAGE and item.agency_id == agency(db, holder).id
        return item
    item = submit(field_code=FIELD_OF[holder], publish_consent=state == "answered_consent")
    assert item.agency_id == agency(db, holder).id
    if state == "assigned":
        return item
    actor = make_account(holder, Role.OFFICER, username=f"setup-{holder}")
    service.accept(session=db, submission=item, actor=actor)
    if state in ("closed_unsatisfied", "answered_consent"):
        service.answer(session=db, submission=item, actor=actor, text="Trả lời đầy đủ cho người gửi.")
    if state == "closed_unsatisfied":
        service.rate(session=db, submission=item, satisfied=False, comment="Chưa giải quyết được")
    return item


def _login(client, make_account, agency_code: str, role: Role) -> Account:
    account = make_account(agency_code, role)
    assert login(client, account.username, PASSWORD).status_code == 303
    return account


# A cannot read or act on B's items -------------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b"), DIRECTIONS, ids=lambda v: v)
@pytest.mark.parametrize("role", AGENCY_ROLES, ids=str)
@pytest.mark.parametrize("req", ITEM_REQUESTS, ids=lambda r: r.id)
def test_agency_cannot_read_or_act_on_another_agencys_item(client, db, make_account, submit, req, role, a, b):
    item = _item(db, make_account, submit, b, req.case.state, req.case.photo)
    _login(client, make_account, a, role)
    before = _state(db)
    r = _send(client, req.method, _item_url(db, req, item), req.case.form)
    assert r.status_code == 404, r.text[:300]
    assert "Không tìm thấy hồ sơ" in r.text and item.title not in r.text and item.sender_phone not in r.text
    assert _state(db) == before


@pytest.mark.parametrize("b", [b for _a, b in DIRECTIONS])
@pytest.mark.parametrize("req", ITEM_REQUESTS, ids=lambda r: r.id)
def test_positive_control_the_rightful_actor_gets_through(client, db, make_account, submit, req, b):
    """Same item, URL and form as above: the holding agency (or the coordinator) is not refused."""
    item = _item(db, make_account, submit, b, req.case.state, req.case.photo)
    untriaged = item.state == State.TRIAGE
    if req.case.rightful == "coordinator":
        _login(client, make_account, "so-khcn", Role.COORDINATOR)
    else:
        _login(client, make_account, b, Role.OFFICER)
    r = _send(client, req.method, _item_url(db, req, item), req.case.form)
    ok = {"GET": {200}, "POST": {303}}[req.method]
    if req.action == "assign" and not untriaged:
        ok = {422}  # agency B is not the coordinator's: its items are never untriaged; refused by state, not by 404
    assert r.status_code in ok, r.text[:500]


def test_inbox_and_search_do_not_show_another_agencys_items(client, db, make_account, submit):
    theirs = _item(db, make_account, submit, "so-khcn", "in_progress")
    _login(client, make_account, "so-y-te", Role.OFFICER)
    for params in ({}, {"q": theirs.tracking_code}, {"q": "song 4g"}, {"state": "in_progress"}):
        page = client.get("/officer/inbox", params=params)
        listing = page.text.split('id="inbox-list"')[1]
        assert page.status_code == 200 and "Không có hồ sơ nào" in listing
        assert f"/officer/items/{theirs.tracking_code}" not in listing and theirs.title not in listing


# Attachments are served only under the item they belong to ------------------------------------------------------

ATTACHMENT_ROUTES = [p for _m, p in ROUTES if "{attachment_id}" in p]


@pytest.mark.parametrize(("a", "b"), DIRECTIONS, ids=lambda v: v)
@pytest.mark.parametrize("role", AGENCY_ROLES, ids=str)
@pytest.mark.parametrize("path", ATTACHMENT_ROUTES)
def test_another_items_attachment_is_not_served_under_ones_own_item(client, db, make_account, submit, path, role,
                                                                     a, b):
    theirs = _item(db, make_account, submit, b, "assigned", photo=True)
    own = _item(db, make_account, submit, a, "assigned", photo=True)
    _login(client, make_account, a, role)
    r = client.get(_fill(path, code=own.tracking_code, attachment_id=_photo_id(db, theirs)))
    assert r.status_code == 404 and "Không tìm thấy tệp" in r.text, r.text[:300]
    # Positive control: the same URL with the item's own attachment.
    r = client.get(_fill(path, code=own.tracking_code, attachment_id=_photo_id(db, own)))
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"


# The sender's side: /track/{code}/attachments/…, for a browser that proved the item's contact --------------------

SENDER_ATTACHMENT_ROUTES = ["/track/{code}/attachments/{attachment_id}",
                            "/track/{code}/attachments/{attachment_id}/thumbnail"]


def test_every_sender_attachment_route_is_tested(app):
    served = {path for path, _methods in _all_routes(app) if path.startswith("/track/{code}/attachments")}
    assert served == set(SENDER_ATTACHMENT_ROUTES)


def _prove_contact(client, code: str, contact: str) -> None:
    form = client.get("/track")
    r = client.post("/track", data={"code": code, "contact": contact, "csrf_token": csrf_from(form.text)})
    assert r.status_code == 303 and r.headers["location"] == f"/track/{code}"


@pytest.mark.parametrize("path", SENDER_ATTACHMENT_ROUTES)
def test_the_sender_must_prove_the_contact_to_fetch_an_attachment(client, db, path):
    item = _with_photo(db)()
    url = _fill(path, code=item.tracking_code, attachment_id=_photo_id(db, item))
    r = client.get(url)
    assert r.status_code == 303 and r.headers["location"] == f"/track?code={item.tracking_code}"
    _prove_contact(client, item.tracking_code, item.sender_phone)
    r = client.get(url)  # positive control
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"


@pytest.mark.parametrize("path", SENDER_ATTACHMENT_ROUTES)
def test_a_proved_contact_does_not_open_another_items_attachment(client, db, path):
    mine = _with_photo(db)()
    other = _with_photo(db)(sender_name="Quàng Thị Hoa", sender_phone="0987654321")
    _prove_contact(client, mine.tracking_code, mine.sender_phone)
    r = client.get(_fill(path, code=mine.tracking_code, attachment_id=_photo_id(db, other)))
    assert r.status_code == 404 and "Không tìm thấy tệp" in r.text, r.text[:300]
    r = client.get(_fill(path, code=other.tracking_code, attachment_id=_photo_id(db, other)))
    assert r.status_code == 303 and r.headers["location"] == f"/track?code={other.tracking_code}"
    # Positive control: the same URL with the proved item's own attachment.
    assert client.get(_fill(path, code=mine.tracking_code, attachment_id=_photo_id(db, mine))).status_code == 200


# Only the coordinator triages (assign, reopen) and exports the trail, even on its own agency's items -------------

@pytest.mark.parametrize("role", AGENCY_ROLES, ids=str)
@pytest.mark.parametrize("action", [a for a, c in ITEM_ACTION_CASES.items() if c.rightful == "coordinator"])
def test_only_the_coordinator_triages(client, db, make_account, submit, role, action):
    case = ITEM_ACTION_CASES[action]
    item = _item(db, make_account, submit, "so-khcn", case.state)  # held by the actor's own agency
    _login(client, make_account, "so-khcn", role)
    before = _state(db)
    r = _send(client, "POST", f"/officer/items/{item.tracking_code}/{action}", case.form)
    assert r.status_code in (403, 422) and "Chỉ Cơ quan thường trực" in r.text
    assert _state(db) == before


@pytest.mark.parametrize("role", AGENCY_ROLES, ids=str)
def test_only_the_coordinator_exports_the_audit_trail(client, db, make_account, submit, role):
    item = _item(db, make_account, submit, "so-khcn", "in_progress")
    _login(client, make_account, "so-khcn", role)
    assert client.get(f"/officer/items/{item.tracking_code}/audit.csv").status_code == 403


# Coordinator-only pages: routing rules, review list, deadline pages ----------------------------------------------

COORDINATOR_ROUTES = [(m, p) for (m, p), r in ROUTES.items() if r.guard == COORDINATOR]
# What a refused agency account reads, by prefix (all 403 "Không có quyền truy cập").
COORDINATOR_REFUSALS = {"/officer": "Trang này dành cho Cơ quan thường trực.",
                        "/coordinator": "Trang này dành cho Cơ quan thường trực.",
                        "/sla": "Trang này dành cho Cơ quan thường trực."}


def _rule_id(db: Session) -> int:
    return db.exec(select(RoutingRule.id).order_by(RoutingRule.priority, RoutingRule.id)).first()


def _ids(db: Session, make_account, submit, path: str) -> dict[str, int]:
    """Real ids for the path's parameters other than {code} (rows made only when the path needs them), so that a
    refusal cannot pass by a missing row and the positive control acts on something that exists."""
    ids = {}
    if "{challenge_id}" in path:
        ids["challenge_id"] = challenge_for_permissions(db).id
    if "{fmt}" in path:
        ids["fmt"] = "csv"
    if "{rule_id" in path:
        ids["rule_id"] = _rule_id(db)
    if "{entry_id}" in path:
        ids["entry_id"] = sla_service.add_entry(session=db, actor=None, day=CALENDAR_DAY, kind="day_off",
                                                description="Nghỉ kỷ niệm thử quyền",
                                                legal_reference="Quyết định số 2/QĐ-UBND").id
    if "{policy_id}" in path:
        ids["policy_id"] = sla_service.current_policy(session=db, kind="petition", priority="normal",
                                                      phase="answer").id
    if "{extension_id}" in path:
        item = _item(db, make_account, submit, "so-y-te", "in_progress")
        officer = make_account("so-y-te", Role.OFFICER, username="xin-gia-han")
        ids["extension_id"] = sla_service.request_extension(session=db, submission=item, actor=officer,
                                                            working_days=5,
                                                            reason="Cần khảo sát hiện trường tại bản.").id
    return ids


@pytest.mark.parametrize("agency_code", ["so-khcn", "so-y-te"])
@pytest.mark.parametrize("role", AGENCY_ROLES, ids=str)
@pytest.mark.parametrize(("method", "path"), COORDINATOR_ROUTES, ids=lambda v: v)
def test_only_the_coordinator_uses_the_coordinator_pages(client, db, make_account, submit, method, path, role,
                                                         agency_code):
    url = _fill(path, **_ids(db, make_account, submit, path))
    _login(client, make_account, agency_code, role)
    before = _state(db)
    r = _send(client, method, url, ROUTES[(method, path)].form)
    assert r.status_code == 403 and "Không có quyền truy cập" in r.text, r.text[:300]
    assert COORDINATOR_REFUSALS["/" + path.split("/")[1]] in r.text
    assert _state(db) == before


@pytest.mark.parametrize(("method", "path"), COORDINATOR_ROUTES, ids=lambda v: v)
def test_positive_control_coordinator_uses_its_pages(client, db, make_account, submit, method, path):
    url = _fill(path, **_ids(db, make_account, submit, path))
    _login(client, make_account, "so-khcn", Role.COORDINATOR)
    before = _state(db)
    r = _send(client, method, url, ROUTES[(method, path)].form)
    assert r.status_code in ({"GET": {200, 303}, "POST": {200, 303}}[method]), r.text[:500]
    if path.startswith("/sla") and method == "POST":
        assert _state(db) != before  # the same form that was refused above does change something here


# Accounts: only agency admins, only their own agency's officers --------------------------------------------------

ACCOUNT_ROUTES = [(m, p) for (m, p), r in ROUTES.items() if r.guard in (ACCOUNTS, ACCOUNT)]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COORDINATOR], ids=str)
@pytest.mark.parametrize(("method", "path"), ACCOUNT_ROUTES, ids=lambda v: v)
def test_officers_cannot_manage_accounts(client, db, make_account, method, path, role):
    colleague = make_account("so-khcn", Role.OFFICER, username="dong-nghiep")
    _login(client, make_account, "so-khcn", role)
    before = _state(db)
    r = _send(client, method, _fill(path, account_id=colleague.id), ROUTES[(method, path)].form)
    assert r.status_code == 403 and "Chỉ quản trị đơn vị" in r.text
    assert _state(db) == before


@pytest.mark.parametrize(("a", "b"), DIRECTIONS, ids=lambda v: v)
@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in ACCOUNT_ROUTES if ROUTES[(m, p)].guard == ACCOUNT],
                         ids=lambda v: v)
def test_agency_admin_cannot_touch_another_agencys_officers(client, db, make_account, method, path, a, b):
    theirs = make_account(b, Role.OFFICER, username="can-bo-khac")
    _login(client, make_account, a, Role.AGENCY_ADMIN)
    before = _state(db)
    r = _send(client, method, _fill(path, account_id=theirs.id), ROUTES[(method, path)].form)
    assert r.status_code == 404 and "Không tìm thấy tài khoản" in r.text
    assert _state(db) == before


@pytest.mark.parametrize(("method", "path"), ACCOUNT_ROUTES, ids=lambda v: v)
def test_positive_control_agency_admin_manages_own_officers(client, db, make_account, method, path):
    own = make_account("so-y-te", Role.OFFICER, username="can-bo-minh")
    _login(client, make_account, "so-y-te", Role.AGENCY_ADMIN)
    r = _send(client, method, _fill(path, account_id=own.id), ROUTES[(method, path)].form)
    assert r.status_code in {"GET": {200, 303}, "POST": {200, 303}}[method], r.text[:500]


# Nobody else: the system admin and anonymous visitors -----------------------------------------------------------

def _any_request(db: Session, make_account, submit, method: str, path: str) -> tuple[str, dict]:
    photo = "{attachment_id}" in path
    item = _item(db, make_account, submit, "so-khcn", "in_progress", photo)
    officer = make_account("so-khcn", Role.OFFICER, username="canbo-bat-ky")
    ids = {"attachment_id": _photo_id(db, item)} if photo else {}
    url = _fill(path, code=item.tracking_code, action="accept", account_id=officer.id,
                **ids, **_ids(db, make_account, submit, path))
    return url, ROUTES[(method, path)].form


@pytest.mark.parametrize(("method", "path"), list(ROUTES), ids=lambda v: v)
def test_system_admin_is_refused_everywhere(client, db, make_account, submit, method, path):
    url, form = _any_request(db, make_account, submit, method, path)
    _login(client, make_account, None, Role.SYSTEM_ADMIN)
    before = _state(db)
    assert _send(client, method, url, form).status_code == 403
    assert _state(db) == before


@pytest.mark.parametrize(("method", "path"), list(ROUTES), ids=lambda v: v)
def test_anonymous_visitors_are_sent_to_login(client, db, make_account, submit, method, path):
    url, form = _any_request(db, make_account, submit, method, path)
    before = _state(db)
    r = _send(client, method, url, form)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert _state(db) == before

