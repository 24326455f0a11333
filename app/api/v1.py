"""/api/v1 reference data: agencies, communes, fields, kinds and states, cacheable with ETag."""

import hashlib
import json

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.agencies import service as agencies_service
from app.db import get_session
from app.integrations.schemas import KindOut, StateOut
from app.kinds import KIND_HINTS, KIND_LABELS, OPEN_STATES, STATE_LABELS, Kind, State

router = APIRouter(prefix="/api/v1", tags=["reference"])

CACHE_CONTROL = "public, max-age=3600"
NOT_MODIFIED = {304: {"description": "Không đổi so với bản đã có (If-None-Match khớp ETag)"}}
ETAG_DOC = {"ETag": {"description": "Phiên bản của dữ liệu; gửi lại trong If-None-Match", "schema": {"type": "string"}}}


class CommuneOut(BaseModel):
    code: str
    name: str
    kind: str


class FieldOut(BaseModel):
    code: str
    name: str


class AgencyOut(BaseModel):
    code: str
    name: str
    kind: str
    parent_code: str | None
    commune_code: str | None
    is_coordinator: bool


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 §13.1.2): W/"x" matches "x"; gzip may turn ours weak on the way.
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return etag in tags


def cached_json(request: Request, data) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _doc(model, summary: str) -> dict:
    return {
        "response_model": list[model],
        "summary": summary,
        "responses": {200: {"headers": ETAG_DOC}, **NOT_MODIFIED},
    }


@router.get("/communes", **_doc(CommuneOut, "Xã, phường (45 đơn vị)"))
def communes(request: Request, session: Session = Depends(get_session)):
    rows = agencies_service.list_communes(session=session)
    return cached_json(request, [CommuneOut.model_validate(r, from_attributes=True).model_dump() for r in rows])


@router.get("/fields", **_doc(FieldOut, "Lĩnh vực"))
def fields(request: Request, session: Session = Depends(get_session)):
    rows = agencies_service.list_fields(session=session)
    return cached_json(request, [FieldOut.model_validate(r, from_attributes=True).model_dump() for r in rows])


@router.get("/agencies", **_doc(AgencyOut, "Cơ quan, đơn vị xử lý (130)"))
def agencies(request: Request, session: Session = Depends(get_session)):
    rows = agencies_service.list_agencies(session=session)
    return cached_json(request, [AgencyOut.model_validate(r, from_attributes=True).model_dump() for r in rows])


@router.get("/kinds", **_doc(KindOut, "Loại hồ sơ: phản ánh, kiến nghị, sáng kiến, giải pháp"))
def kinds(request: Request):
    return cached_json(request, [{"code": k.value, "name": KIND_LABELS[k], "hint": KIND_HINTS[k]} for k in Kind])


@router.get("/states", **_doc(StateOut, "Trạng thái hồ sơ và cách ánh xạ sang Open311 (open/closed)"))
def states(request: Request):
    return cached_json(request, [
        {"code": s.value, "name": STATE_LABELS[s], "is_open": s in OPEN_STATES,
         "open311_status": "open" if s in OPEN_STATES else "closed"}
        for s in State
    ])
