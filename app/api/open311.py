"""Open311 GeoReport v2 at /open311/v2, in JSON and XML (the `.json` / `.xml` suffix picks the format)."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from app import throttle
from app.accounts.models import ApiClient, ApiScope
from app.api.auth import check_key
from app.api.inputs import unstorable
from app.clientaddr import client_address
from app.config import get_settings
from app.db import get_session, unit_of_work
from app.integrations import open311
from app.integrations.open311 import Open311Error

PREFIX = "/open311/v2"
router = APIRouter(prefix=PREFIX, tags=["open311"])

XML_MEDIA_TYPE = "text/xml"
# Element names for the items of each list, as in the spec's XML examples.
_ITEM_NAMES = {
    "endpoints": "endpoint", "formats": "format", "attributes": "attribute", "values": "value",
    "services": "service", "service_requests": "request", "errors": "error",
}


def _to_xml(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for k, v in value.items():
            _to_xml(element, k, v)
    elif isinstance(value, list):
        for item in value:
            _to_xml(element, _ITEM_NAMES.get(name, "item"), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def xml_bytes(root: str, value: Any) -> bytes:
    holder = ET.Element("holder")
    _to_xml(holder, root, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(holder[0], encoding="utf-8", xml_declaration=False)


def render(fmt: str, root: str, value: Any, status_code: int = 200, headers: dict | None = None) -> Response:
    if fmt == "xml":
        return Response(xml_bytes(root, value), status_code=status_code, headers=headers,
                        media_type=f"{XML_MEDIA_TYPE}; charset=utf-8")
    return JSONResponse(value, status_code=status_code, headers=headers)


def format_of_path(path: str) -> str:
    return "xml" if path.lower().endswith(".xml") else "json"


def error_response(path: str, status: int, descriptions: list[str], headers: dict | None = None) -> Response:
    """The spec's error format: [{"code": 400, "description": "…"}] or <errors><error>…</error></errors>."""
    errors = [{"code": status, "description": d} for d in descriptions]
    return render(format_of_path(path), "errors", errors, status_code=status, headers=headers)


# --- documentation models (the spec's field lists) -------------------------------------------------------

class O311Endpoint(BaseModel):
    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


class O311Discovery(BaseModel):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[O311Endpoint]


class O311Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class O311Value(BaseModel):
    key: str
    name: str


class O311Attribute(BaseModel):
    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[O311Value] | None = None


class O311ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[O311Attribute]


class O311Request(BaseModel):
    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str | None
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class O311Created(BaseModel):
    service_request_id: str
    token: str
    service_notice: str | None
    account_id: str | None


class O311Token(BaseModel):
    service_request_id: str
    token: str


class O311Error(BaseModel):
    code: int
    description: str


def _ok(model, many: bool, description: str = "Thành công") -> dict:
    schema = {"type": "array", "items": {"$ref": f"#/components/schemas/{model.__name__}"}} if many else \
        {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"description": description,
            "content": {"application/json": {"schema": schema}, XML_MEDIA_TYPE: {"schema": {"type": "string"}}}}


_ERROR_DOC = {
    "content": {
        "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/O311Error"}}},
        XML_MEDIA_TYPE: {"schema": {"type": "string"}},
    }
}


def _errors(*codes: int) -> dict:
    text = {400: "Tham số sai hoặc thiếu", 403: "api_key thiếu hoặc không hợp lệ", 404: "Không tìm thấy",
            429: "Quá nhiều yêu cầu"}
    return {code: {"description": text[code], **_ERROR_DOC} for code in codes}


OPEN311_MODELS = [O311Endpoint, O311Discovery, O311Service, O311Value, O311Attribute, O311ServiceDefinition,
                  O311Request, O311Created, O311Token, O311Error]

Fmt = Annotated[str, Path(pattern=r"^(json|xml)$", description="json hoặc xml")]
W3CTime = Annotated[str | None, Query(
    max_length=40, pattern=r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$",
    json_schema_extra={"format": "date-time"}, description="W3C, ví dụ 2026-11-22T00:00:00+07:00")]
ApiKeyQuery = Annotated[str | None, Query(max_length=200, description="Khóa API (không bắt buộc khi đọc)")]


def viewer(request: Request, session: Session, api_key: str | None) -> ApiClient | None:
    """GET calls are public; with an api_key the client also sees the content of the items it sent."""
    if not api_key:
        return None
    try:
        return check_key(request=request, session=session, key=api_key)
    except Exception as exc:  # ApiProblem 401/429 → the spec's 403/429
        status = getattr(exc, "status", None)
        if status == 429:
            raise Open311Error(429, exc.detail) from None
        if status == 401:
            raise Open311Error(403, "api_key không hợp lệ.") from None
        raise


def _check_text(params: dict) -> None:
    bad = [k for k, v in params.items() if isinstance(v, str) and unstorable(v)]
    if bad:
        raise Open311Error(400, *(f"{k}: có ký tự không hợp lệ." for k in bad))


# --- routes -----------------------------------------------------------------------------------------------

@router.get("/discovery.{fmt}", summary="Open311: discovery", responses={200: _ok(O311Discovery, False),
                                                                         **_errors(400)})
def discovery(fmt: Fmt):
    # The configured public address, never the request's Host header (which anyone can set).
    base = get_settings().public_base_url.rstrip("/") + PREFIX
    return render(fmt, "discovery", {
        "changeset": open311.CHANGESET,
        "contact": "Sở Khoa học và Công nghệ tỉnh Điện Biên — Cơ quan thường trực tiếp nhận PAKN",
        "key_service": "Liên hệ quản trị hệ thống PAKN Điện Biên để được cấp api_key (quyền submit).",
        "endpoints": [{"specification": open311.SPECIFICATION, "url": base, "changeset": open311.CHANGESET,
                       "type": "production", "formats": [XML_MEDIA_TYPE, "application/json"]}],
    })


@router.get("/services.{fmt}", summary="Open311: danh sách dịch vụ (loại × lĩnh vực, nhóm theo loại)",
            responses={200: _ok(O311Service, True), **_errors(400, 404)})
def services(fmt: Fmt, jurisdiction_id: Annotated[str | None, Query(max_length=100)] = None,
             session: Session = Depends(get_session)):
    _check_jurisdiction(jurisdiction_id)
    return render(fmt, "services", open311.services(session=session))


@router.get("/services/{service_code}.{fmt}", summary="Open311: định nghĩa dịch vụ (thuộc tính)",
            responses={200: _ok(O311ServiceDefinition, False), **_errors(400, 404)})
def service_definition(
    service_code: Annotated[str, Path(max_length=100)], fmt: Fmt,
    jurisdiction_id: Annotated[str | None, Query(max_length=100)] = None, session: Session = Depends(get_session),
):
    _check_jurisdiction(jurisdiction_id)
    _check_text({"service_code": service_code})
    return render(fmt, "service_definition", open311.service_definition(session=session, code=service_code))


POST_FORM = {
    "requestBody": {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": {
            "type": "object",
            "required": ["api_key", "service_code"],
            "properties": {
                "api_key": {"type": "string"},
                "jurisdiction_id": {"type": "string"},
                "service_code": {"type": "string", "description": "Ví dụ feedback-ha-tang-so"},
                "lat": {"type": "number"}, "long": {"type": "number"},
                "address_string": {"type": "string"}, "address_id": {"type": "string"},
                "email": {"type": "string"}, "phone": {"type": "string"},
                "first_name": {"type": "string"}, "last_name": {"type": "string"},
                "device_id": {"type": "string"}, "account_id": {"type": "string"},
                "description": {"type": "string"}, "media_url": {"type": "string"},
                "attribute[commune]": {"type": "string"}, "attribute[title]": {"type": "string"},
                "attribute[sender_type]": {"type": "string"}, "attribute[hide_identity]": {"type": "string"},
                "attribute[consent]": {"type": "string", "enum": ["true"]},
                "attribute[publish_consent]": {"type": "string", "enum": ["true", "false"]},
            },
        }}},
    }
}
# The document says what the server enforces (_check_text): no text field may carry a NUL (PostgreSQL cannot store
# it; the answer is 400).
for _field in POST_FORM["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["properties"].values():
    if _field["type"] == "string" and "enum" not in _field:
        _field["pattern"] = "^[^\\u0000]*$"


async def form_values(request: Request) -> dict:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Error(400, "Yêu cầu phải gửi dạng application/x-www-form-urlencoded.")
    try:
        form = await request.form(max_files=0, max_fields=100)
    except Exception:
        raise Open311Error(400, "Không đọc được dữ liệu biểu mẫu.") from None
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


@router.post("/requests.{fmt}", status_code=201, summary="Open311: gửi yêu cầu (cần api_key)",
             responses={201: _ok(O311Created, True, "Đã tạo"), **_errors(400, 403, 404, 429)},
             openapi_extra=POST_FORM)
def create_request(request: Request, fmt: Fmt, form: dict = Depends(form_values),
                   session: Session = Depends(get_session)):
    with unit_of_work(session):  # every POST counts per address, refused or not
        decision = throttle.hit(session, throttle.Limit("open311.post", get_settings().open311_posts_per_hour,
                                                        timedelta(hours=1)), client_address(request))
    if not decision.allowed:
        raise Open311Error(429, f"Quá nhiều yêu cầu từ địa chỉ này. Vui lòng thử lại sau "
                                f"{max(1, (decision.retry_after + 59) // 60)} phút.",
                           headers={"Retry-After": str(decision.retry_after)})
    _check_text(form)
    api_key = (form.get("api_key") or "").strip()
    if not api_key:
        raise Open311Error(403, "api_key: bắt buộc khi gửi yêu cầu.")
    client = viewer(request, session, api_key)
    if ApiScope.SUBMIT.value not in client.scope_set:
        raise Open311Error(403, "api_key không có quyền gửi (submit).")
    with unit_of_work(session):
        created = open311.create_request(session=session, client=client, form=form)
    notice = (f"Đã nhận. Mã tra cứu {created.submission.tracking_code}; người gửi theo dõi tại trang Tra cứu "
              "bằng mã này và số điện thoại hoặc thư điện tử đã khai.")
    return render(fmt, "service_requests", [{
        "service_request_id": created.submission.tracking_code, "token": created.token,
        "service_notice": notice, "account_id": created.account_id,
    }], status_code=201)


@router.get("/requests.{fmt}", summary="Open311: danh sách yêu cầu (mặc định 90 ngày, tối đa 1000)",
            responses={200: _ok(O311Request, True), **_errors(400, 403, 404, 429)})
def list_requests(
    request: Request,
    fmt: Fmt,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[str | None, Query(max_length=2000)] = None,
    start_date: W3CTime = None,
    end_date: W3CTime = None,
    status: Annotated[str | None, Query(max_length=20, pattern=r"^(open|closed)(,(open|closed))?$",
                                        description="open, closed hoặc open,closed")] = None,
    jurisdiction_id: Annotated[str | None, Query(max_length=100)] = None,
    api_key: ApiKeyQuery = None,
    session: Session = Depends(get_session),
):
    params = {"service_request_id": service_request_id, "service_code": service_code, "start_date": start_date,
              "end_date": end_date, "status": status}
    _check_text(params)
    _check_jurisdiction(jurisdiction_id)
    who = viewer(request, session, api_key)
    return render(fmt, "service_requests", open311.query_requests(session=session, params=params, viewer=who))


@router.get("/requests/{service_request_id}.{fmt}", summary="Open311: một yêu cầu",
            responses={200: _ok(O311Request, True), **_errors(400, 403, 404, 429)})
def get_request(
    request: Request,
    service_request_id: Annotated[str, Path(max_length=40)],
    fmt: Fmt,
    jurisdiction_id: Annotated[str | None, Query(max_length=100)] = None,
    api_key: ApiKeyQuery = None,
    session: Session = Depends(get_session),
):
    _check_jurisdiction(jurisdiction_id)
    who = viewer(request, session, api_key)
    return render(fmt, "service_requests",
                  [open311.get_request(session=session, request_id=service_request_id, viewer=who)])


@router.get("/tokens/{token}.{fmt}", summary="Open311: mã yêu cầu theo token",
            responses={200: _ok(O311Token, True), **_errors(400, 404)})
def token_lookup(token: Annotated[str, Path(max_length=64)], fmt: Fmt,
                 jurisdiction_id: Annotated[str | None, Query(max_length=100)] = None,
                 session: Session = Depends(get_session)):
    _check_jurisdiction(jurisdiction_id)
    _check_text({"token": token})
    return render(fmt, "service_requests", [open311.request_for_token(session=session, token=token)])


def _check_jurisdiction(jurisdiction_id: str | None) -> None:
    if jurisdiction_id and jurisdiction_id != get_settings().open311_jurisdiction_id:
        raise Open311Error(404, f"jurisdiction_id '{jurisdiction_id}' không do máy chủ này phục vụ.")
