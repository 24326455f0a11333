"""Queries over the reference data, shared by pages, the API and the seed."""

from sqlmodel import Session, select

from app.agencies.models import Agency, Commune, Field


def list_communes(*, session: Session) -> list[Commune]:
    # Phường first, then xã, each alphabetical as people look them up.
    rows = session.exec(select(Commune)).all()
    return sorted(rows, key=lambda c: (c.kind != "phuong", c.name))


def list_fields(*, session: Session) -> list[Field]:
    return list(session.exec(select(Field).order_by(Field.sort_order)).all())


def list_agencies(*, session: Session) -> list[Agency]:
    return list(session.exec(select(Agency).order_by(Agency.id)).all())


def get_coordinator(*, session: Session) -> Agency:
    agency = session.exec(select(Agency).where(Agency.is_coordinator == True)).first()  # noqa: E712
    if agency is None:
        raise LookupError("no coordinator agency: run `pakn seed`")
    return agency


def by_code(model, code: str, *, session: Session):
    return session.exec(select(model).where(model.code == code)).first()
