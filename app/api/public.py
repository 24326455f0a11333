"""/api/v1/published: published items for anyone, no key (the reviewed copy only: never the original text, the
sender's contacts or the tracking code). The same listing as /cong-khai (app/publication/public.py)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic import Field as F
from sqlmodel import Session

from app.agencies import service as agencies_service
from app.api.problems import ApiProblem, problem_responses
from app.db import get_session
from app.publication import public
from app.publication.models import Publication

router = APIRouter(prefix="/api/v1", tags=["published"])
PUBLIC_CACHE = "public, max-age=60"
MAX_ID = 2_147_483_647  # the column is a 32-bit integer on PostgreSQL


class PublishedItemOut(BaseModel):
    id: int = F(description="Số hiệu công khai (không phải mã tra cứu)")
    url: str
    kind: str | None
    field_code: str | None
    commune_code: str | None
    agency_code: str | None
    agency_name: str | None
    title: str
    question: str = F(description="Nội dung đã xoá thông tin cá nhân")
    answer: str
    sender: str | None = F(description="Chữ cái đầu họ tên và xã, phường; null nếu người gửi ẩn danh tính")
    received_at: datetime | None
    answered_at: datetime | None
    answered_on_time: bool | None
    published_at: datetime | None


class PublishedPage(BaseModel):
    items: list[PublishedItemOut]
    total: int
    page: int
    pages: int


def _out(session: Session, row: Publication) -> PublishedItemOut:
    ref = agencies_service.reference(session=session)
    field = ref.field_by_id.get(row.field_id)
    commune = ref.commune_by_id.get(row.commune_id)
    agency = ref.agency_by_id.get(row.agency_id)
    return PublishedItemOut(
        id=row.id, url=f"/cong-khai/{row.id}", kind=row.kind, field_code=field.code if field else None,
        commune_code=commune.code if commune else None, agency_code=agency.code if agency else None,
        agency_name=agency.name if agency else None, title=row.title or "", question=row.question or "",
        answer=row.answer or "", sender=row.sender_label, received_at=row.received_at, answered_at=row.answered_at,
        answered_on_time=row.on_time, published_at=row.published_at)


@router.get("/published", response_model=PublishedPage, summary="Hồ sơ đã công khai (không cần khoá API)",
            responses=problem_responses(422))
def published_list(
    q: Annotated[str, Query(max_length=200, description="Tìm không phân biệt dấu")] = "",
    field_code: Annotated[str, Query(max_length=64)] = "",
    commune_code: Annotated[str, Query(max_length=64)] = "",
    agency_code: Annotated[str, Query(max_length=64)] = "",
    kind: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    session: Session = Depends(get_session),
):
    filters = public.parse_filters({"q": q, "field": field_code, "commune": commune_code, "agency": agency_code,
                                    "kind": kind}, session=session)
    result = public.listing(session=session, filters=filters, page=page)
    body = PublishedPage(items=[_out(session, r) for r in result.items], total=result.total, page=result.page,
                         pages=result.pages)
    return _cached(body)


@router.get("/published/{publication_id}", response_model=PublishedItemOut, summary="Một hồ sơ đã công khai",
            responses=problem_responses(404, 422))
def published_item(publication_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: Session = Depends(get_session)):
    row = public.published(session=session, publication_id=publication_id)
    if row is None:
        raise ApiProblem(404, "Không có hồ sơ công khai với số hiệu này.")
    return _cached(_out(session, row))


def _cached(model: BaseModel):
    return JSONResponse(model.model_dump(mode="json"), headers={"Cache-Control": PUBLIC_CACHE})
