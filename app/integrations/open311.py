"""Open311 GeoReport v2 over our domain: one service per (kind, field) grouped by kind, the request form
mapped onto a SubmissionCreate, our states mapped onto open/closed. Formats (JSON/XML) live in app/api."""

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import and_, false, or_
from sqlmodel import Session, col, select

from app.accounts.models import ApiClient
from app.agencies import service as agencies_service
from app.agencies.models import Agency, Commune, Field
from app.config import get_settings
from app.db import utcnow
from app.errors import Invalid
from app.integrations import service as integrations_service
from app.integrations.models import ApiChannel, ApiSubmission, Open311Request
from app.kinds import KIND_HINTS, KIND_LABELS, OPEN_STATES, SENDER_TYPE_LABELS, Kind, SenderType
from app.publication import public
from app.publication.models import Publication
from app.reach import service as reach_service
from app.submissions import service as submissions_service
from app.submissions.contact import normalize_tracking_code
from app.submissions.models import Submission
from app.submissions.permissions import publicly_listed
from app.submissions.schemas import parse_submission
from app.timefmt import LOCAL_TZ

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00+07:00"  # when this endpoint's behaviour last changed
DEFAULT_WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
TITLE_FROM_DESCRIPTION = 120
DESCRIPTION_MIN = 20  # as SubmissionCreate.content


class Open311Error(Exception):
    """One or more (status, description) errors in the spec's format."""

    def __init__(self, status: int, *descriptions: str, headers: dict[str, str] | None = None):
        super().__init__("; ".join(descriptions))
        self.status = status
        self.headers = headers
        self.descriptions = list(descriptions) or ["Lỗi"]


def w3c(value: datetime | None) -> str | None:
    """W3C / ISO 8601 with the offset, in Vietnam time: 2026-11-22T14:05:00+07:00."""
    return value.astimezone(LOCAL_TZ).isoformat(timespec="seconds") if value else None


def open311_status(state: str) -> str:
    return "open" if state in OPEN_STATES else "closed"


def service_code(kind: str, field_code: str) -> str:
    return f"{kind}-{field_code}"


def parse_service_code(session: Session, code: str) -> tuple[Kind, Field] | None:
    kind, _, field_code = code.partition("-")
    if kind not in Kind._value2member_map_ or not field_code:
        return None
    field = agencies_service.by_code(Field, field_code, session=session)
    return (Kind(kind), field) if field else None


def services(*, session: Session) -> list[dict]:
    out = []
    for kind in Kind:
        for field in agencies_service.list_fields(session=session):
            out.append({
                "service_code": service_code(kind.value, field.code),
                "service_name": f"{KIND_LABELS[kind]}: {field.name}",
                "description": f"{KIND_HINTS[kind]} — lĩnh vực {field.name.lower()}.",
                "metadata": True,
                "type": "realtime",
                "keywords": f"{KIND_LABELS[kind].lower()}, {field.name.lower()}",
                "group": KIND_LABELS[kind],
            })
    return out


def _values(pairs) -> list[dict]:
    return [{"key": k, "name": n} for k, n in pairs]


def service_definition(*, session: Session, code: str) -> dict:
    parsed = parse_service_code(session, code)
    if parsed is None:
        raise Open311Error(404, f"Không có dịch vụ (service_code) '{code}'.")
    kind, field = parsed
    communes = agencies_service.list_communes(session=session)
    attributes = [
        {"variable": False, "code": "kind", "datatype": "string", "required": False, "datatype_description": None,
         "order": 1, "description": f"{KIND_LABELS[kind]} về {field.name.lower()}: {KIND_HINTS[kind].lower()}."},
        {"variable": True, "code": "commune", "datatype": "singlevaluelist", "required": True,
         "datatype_description": None, "order": 2, "description": "Xã, phường nơi có sự việc hoặc nơi áp dụng",
         "values": _values((c.code, c.name) for c in communes)},
        {"variable": True, "code": "title", "datatype": "string", "required": False,
         "datatype_description": "5–200 ký tự; bỏ trống thì lấy đầu phần mô tả", "order": 3,
         "description": "Tiêu đề ngắn"},
        {"variable": True, "code": "sender_type", "datatype": "singlevaluelist", "required": False,
         "datatype_description": None, "order": 4, "description": "Người gửi là",
         "values": _values((t.value, SENDER_TYPE_LABELS[t]) for t in SenderType)},
        {"variable": True, "code": "hide_identity", "datatype": "singlevaluelist", "required": False,
         "datatype_description": None, "order": 5, "description": "Ẩn danh tính người gửi khi công khai",
         "values": _values([("false", "Không"), ("true", "Có")])},
        {"variable": True, "code": "consent", "datatype": "singlevaluelist", "required": True,
         "datatype_description": None, "order": 6,
         "description": "Tôi đồng ý để cơ quan nhà nước xử lý thông tin cá nhân đã gửi để giải quyết phản ánh, "
                        "kiến nghị này (Luật Bảo vệ dữ liệu cá nhân).",
         "values": _values([("true", "Đồng ý")])},
        {"variable": True, "code": "publish_consent", "datatype": "singlevaluelist", "required": False,
         "datatype_description": None, "order": 7,
         "description": "Cho phép công khai nội dung và câu trả lời (không kèm thông tin cá nhân), sau khi cơ quan "
                        "trả lời và xem xét; người gửi rút lại được bất cứ lúc nào tại trang tra cứu.",
         "values": _values([("false", "Không"), ("true", "Đồng ý")])},
    ]
    return {"service_code": service_code(kind.value, field.code), "attributes": attributes}


# Our field names → the Open311 parameter a client should fix.
_PARAM_OF = {
    "kind": "service_code", "field_code": "service_code", "commune_code": "attribute[commune]",
    "title": "attribute[title]", "content": "description", "sender_type": "attribute[sender_type]",
    "sender_name": "first_name/last_name", "sender_phone": "phone", "sender_email": "email",
    "sender_address": "address_string", "hide_identity": "attribute[hide_identity]",
    "consent": "attribute[consent]", "publish_consent": "attribute[publish_consent]", "contact": "email/phone",
}


def _float(form: dict, name: str, low: float, high: float, errors: list[str]) -> float | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not low <= value <= high:
        errors.append(f"{name}: phải là số từ {low:g} đến {high:g}.")
        return None
    return value


def _short(form: dict, name: str, limit: int, errors: list[str]) -> str | None:
    value = (form.get(name) or "").strip()
    if len(value) > limit:
        errors.append(f"{name}: tối đa {limit} ký tự.")
        return None
    return value or None


def _title_from(description: str) -> str:
    first = " ".join(description.split())
    if len(first) <= TITLE_FROM_DESCRIPTION:
        return first
    return first[: TITLE_FROM_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"


@dataclass
class CreatedRequest:
    submission: Submission
    token: str
    account_id: str | None


def create_request(*, session: Session, client: ApiClient, form: dict) -> CreatedRequest:
    """POST requests: validate the form the spec defines, then create the item like any API submission."""
    errors: list[str] = []
    jurisdiction = (form.get("jurisdiction_id") or "").strip()
    if jurisdiction and jurisdiction != get_settings().open311_jurisdiction_id:
        raise Open311Error(404, f"jurisdiction_id '{jurisdiction}' không do máy chủ này phục vụ.")
    code = (form.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code: bắt buộc.")
    parsed = parse_service_code(session, code)
    if parsed is None:
        raise Open311Error(400, f"service_code: không có dịch vụ '{code}' (xem services.json).")
    kind, field = parsed

    lat = _float(form, "lat", -90, 90, errors)
    long = _float(form, "long", -180, 180, errors)
    address_string = _short(form, "address_string", 300, errors)
    address_id = _short(form, "address_id", 100, errors)
    if (lat is None) != (long is None) and not any(e.startswith(("lat", "long")) for e in errors):
        errors.append("lat/long: phải gửi cả hai.")
    if lat is None and address_string is None and address_id is None and not errors:
        errors.append("Vị trí: cần lat và long, hoặc address_string.")
    media_url = _short(form, "media_url", 1000, errors)
    if media_url and urlsplit(media_url).scheme not in ("http", "https"):
        errors.append("media_url: phải là địa chỉ http(s).")
    device_id = _short(form, "device_id", 100, errors)
    account_id = _short(form, "account_id", 100, errors)

    description = (form.get("description") or "").strip()
    if len(description) < DESCRIPTION_MIN:
        errors.append(f"description: cần mô tả sự việc (ít nhất {DESCRIPTION_MIN} ký tự).")
    given_title = (form.get("attribute[title]") or "").strip()
    title = given_title or _title_from(description)
    location = []
    if address_string:
        location.append(address_string)
    content = description + (f"\n\nVị trí: {'; '.join(location)}" if location and description else "")
    raw = {
        "kind": kind.value,
        "field_code": field.code,
        "commune_code": form.get("attribute[commune]") or "",
        "title": title,
        "content": content,
        "sender_type": form.get("attribute[sender_type]") or SenderType.INDIVIDUAL.value,
        "sender_name": " ".join(p for p in ((form.get("first_name") or "").strip(),
                                            (form.get("last_name") or "").strip()) if p),
        "sender_phone": form.get("phone") or None,
        "sender_email": form.get("email") or None,
        "hide_identity": form.get("attribute[hide_identity]") or False,
        "consent": form.get("attribute[consent]") == "true",
        "publish_consent": form.get("attribute[publish_consent]") == "true",
    }
    if not raw["commune_code"]:
        errors.append("attribute[commune]: bắt buộc (mã xã, phường; xem services/{service_code}.json).")
    try:
        data = parse_submission(raw)
    except Invalid as exc:
        skip = {"commune_code"} if not raw["commune_code"] else set()
        if len(description) < DESCRIPTION_MIN:
            skip |= {"content"} | (set() if given_title else {"title"})
        errors.extend(f"{_PARAM_OF.get(k, k)}: {v}" for k, v in exc.errors.items() if k not in skip)
        data = None
    if errors or data is None:
        raise Open311Error(400, *errors)

    details = Open311Request(
        submission_id=0, token=secrets.token_urlsafe(16), lat=lat, long=long, address_string=address_string,
        address_id=address_id, device_id=device_id, account_id=account_id, media_url=media_url,
    )
    try:
        submission = integrations_service.create_submission(session=session, client=client, data=data,
                                                            channel=ApiChannel.OPEN311)
        details.submission_id = submission.id
        session.add(details)
        if lat is not None and long is not None:  # the officer's item page shows it with a map link
            reach_service.record_point(session=session, submission=submission, lat=lat, lon=long)
    except Invalid as exc:
        raise Open311Error(400, *(f"{_PARAM_OF.get(k, k)}: {v}" for k, v in exc.errors.items())) from None
    return CreatedRequest(submission=submission, token=details.token, account_id=account_id)


def request_view(
    submission: Submission, *, details: Open311Request | None, creator: int | None, viewer: ApiClient | None,
    field: Field, agency: Agency | None, commune: Commune, due: integrations_service.Due,
    published: Publication | None = None,
) -> dict:
    """One request in the spec's fields. Content and location go only to the client that sent the item; anyone
    else sees the published copy (app/publication) of a published item, and no content otherwise."""
    own = viewer is not None and creator == viewer.id
    status_notes = integrations_service.state_label(submission.state)
    if own and (text := submissions_service.visible_answer(submission)) is not None:
        status_notes = f"{status_notes}: {text}"
    elif not own and published is not None:
        status_notes = f"{status_notes}: {published.answer}"
    address = commune.name
    if own and details and details.address_string:
        address = f"{details.address_string}, {commune.name}"
    return {
        # The tracking code is the sender's secret: others see a published item under its public number.
        "service_request_id": submission.tracking_code if own or published is None else public_id(published),
        "status": open311_status(submission.state),
        "status_notes": status_notes,
        "service_name": f"{KIND_LABELS[submission.kind]}: {field.name}",
        "service_code": service_code(submission.kind, field.code),
        "description": submission.content if own else (published.question if published else None),
        "agency_responsible": agency.name if agency else None,
        "service_notice": None,
        "requested_datetime": w3c(submission.created_at),
        "updated_datetime": w3c(submission.updated_at),
        "expected_datetime": w3c(due.at),
        "address": address,
        "address_id": details.address_id if own and details else None,
        "zipcode": None,
        "lat": details.lat if own and details else None,
        "long": details.long if own and details else None,
        "media_url": details.media_url if own and details else None,
    }


PUBLIC_PREFIX = "CK-"


def public_id(row: Publication) -> str:
    return f"{PUBLIC_PREFIX}{row.id}"


def _public_numbers(ids: list[str]) -> list[int]:
    return [int(i[len(PUBLIC_PREFIX):]) for i in ids  # at most 9 digits: a 32-bit id on PostgreSQL
            if i.upper().startswith(PUBLIC_PREFIX) and i[len(PUBLIC_PREFIX):].isdigit() and len(i) <= 12]


def _parse_time(name: str, raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        return (value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value).astimezone(LOCAL_TZ)
    except (ValueError, OverflowError):
        raise Open311Error(400, f"{name}: không phải thời điểm W3C hợp lệ (ví dụ 2026-11-22T00:00:00+07:00).") from None


def _split(raw: str | None) -> list[str]:
    return [p.strip() for p in (raw or "").split(",") if p.strip()]


def query_requests(*, session: Session, params: dict, viewer: ApiClient | None) -> list[dict]:
    """GET requests: by ids (other filters ignored, as the spec says) or by service, dates and status."""
    ids = _split(params.get("service_request_id"))
    stmt = select(Submission).where(_visible_to(viewer))
    if ids:
        # tracking codes among the client's own items, public numbers (CK-n) among published ones
        numbers = _public_numbers(ids[:MAX_RESULTS])
        stmt = stmt.where(or_(
            and_(col(Submission.tracking_code).in_([i.upper() for i in ids[:MAX_RESULTS]]), _own(viewer)),
            col(Submission.id).in_(select(Publication.submission_id).where(col(Publication.id).in_(numbers),
                                                                            public.is_public()))))
    else:
        now = utcnow()
        end = _parse_time("end_date", params["end_date"]) if params.get("end_date") else None
        start = _parse_time("start_date", params["start_date"]) if params.get("start_date") else None
        if start is None:
            start = (end or now) - DEFAULT_WINDOW
        stmt = stmt.where(Submission.created_at >= start)
        if end is not None:
            stmt = stmt.where(Submission.created_at <= end)
        statuses = _split(params.get("status"))
        if any(s not in ("open", "closed") for s in statuses):
            raise Open311Error(400, "status: chỉ nhận open, closed.")
        if set(statuses) == {"open"}:
            stmt = stmt.where(col(Submission.state).in_(sorted(OPEN_STATES)))
        elif set(statuses) == {"closed"}:
            stmt = stmt.where(col(Submission.state).not_in(sorted(OPEN_STATES)))
        codes = _split(params.get("service_code"))
        if codes:
            pairs = [parse_service_code(session, c) for c in codes]
            pairs = [p for p in pairs if p is not None]
            if not pairs:
                return []
            field_ids = {f.code: f.id for _, f in pairs}
            conditions = [(Submission.kind == k) & (Submission.field_id == field_ids[f.code]) for k, f in pairs]
            stmt = stmt.where(or_(*conditions))
    if viewer is None:  # anyone without a key lists published items only (app/publication/public.py)
        stmt = stmt.where(col(Submission.id).in_(public.published_submission_ids()))
    rows = list(session.exec(stmt.order_by(col(Submission.created_at).desc()).limit(MAX_RESULTS)).all())
    return _views(session, rows, viewer)


def _views(session: Session, rows: list[Submission], viewer: ApiClient | None) -> list[dict]:
    if not rows:
        return []
    ids = [r.id for r in rows]
    details = {d.submission_id: d for d in session.exec(
        select(Open311Request).where(col(Open311Request.submission_id).in_(ids))).all()}
    creators = dict(session.exec(
        select(ApiSubmission.submission_id, ApiSubmission.api_client_id)
        .where(col(ApiSubmission.submission_id).in_(ids))).all())
    fields = {f.id: f for f in agencies_service.list_fields(session=session)}
    communes = {c.id: c for c in agencies_service.list_communes(session=session)}
    agencies = {a.id: a for a in agencies_service.list_agencies(session=session)}
    dues = integrations_service.dues_of(session, rows)
    published = {p.submission_id: p for p in session.exec(
        select(Publication).where(col(Publication.submission_id).in_(ids), public.is_public())).all()}
    return [
        request_view(r, details=details.get(r.id), creator=creators.get(r.id), viewer=viewer,
                     field=fields[r.field_id], agency=agencies.get(r.agency_id), commune=communes[r.commune_id],
                     due=dues[r.id], published=published.get(r.id))
        for r in rows
    ]


def _own(viewer: ApiClient | None):
    if viewer is None:
        return false()
    return col(Submission.id).in_(select(ApiSubmission.submission_id).where(ApiSubmission.api_client_id == viewer.id))


def _visible_to(viewer: ApiClient | None):
    """Anonymous: what the public may list (`permissions.publicly_listed`: published items, shown under their
    public numbers); with an api_key also the client's own items. Codes of anyone else's items are never listed or
    confirmed."""
    if viewer is None:
        return publicly_listed()
    return or_(_own(viewer), publicly_listed())


def get_request(*, session: Session, request_id: str, viewer: ApiClient | None) -> dict:
    numbers = _public_numbers([request_id])
    if numbers:  # a published item under its public number
        row = session.exec(select(Publication).where(Publication.id == numbers[0], public.is_public())).first()
        submission = session.get(Submission, row.submission_id) if row else None
    else:  # a tracking code: only the client's own items (a code is never confirmed to anyone else)
        code = normalize_tracking_code(request_id)
        submission = session.exec(select(Submission).where(Submission.tracking_code == code, _own(viewer))
                                  ).first() if code else None
    if submission is None:  # one answer for unknown codes and codes this caller may not see
        raise Open311Error(404, f"Không có yêu cầu '{request_id}'.")
    return _views(session, [submission], viewer)[0]


def request_for_token(*, session: Session, token: str) -> dict:
    row = session.exec(select(Open311Request).where(Open311Request.token == token)).first()
    if row is None:
        raise Open311Error(404, "Không có token này.")
    submission = session.get(Submission, row.submission_id)
    return {"service_request_id": submission.tracking_code, "token": token}
