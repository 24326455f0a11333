"""/api/v1: JSON for the Điện Biên Smart app and integrators. Reference data for now."""

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlmodel import Session

from app.agencies import service as agencies_service
from app.db import get_session

router = APIRouter(prefix="/api/v1", tags=["reference"])


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


@router.get("/communes", response_model=list[CommuneOut], summary="Xã, phường (45 đơn vị)")
def communes(session: Session = Depends(get_session)):
    return agencies_service.list_communes(session=session)


@router.get("/fields", response_model=list[FieldOut], summary="Lĩnh vực")
def fields(session: Session = Depends(get_session)):
    return agencies_service.list_fields(session=session)


@router.get("/agencies", response_model=list[AgencyOut], summary="Cơ quan, đơn vị xử lý (130)")
def agencies(session: Session = Depends(get_session)):
    return agencies_service.list_agencies(session=session)
