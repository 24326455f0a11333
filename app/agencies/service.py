"""Queries over the reference data, shared by pages, the API and the seed. The lists come from a per-process
snapshot (app/cache.py): read-only copies, refreshed when `pakn seed` (or any change) bumps the cache stamp."""

from dataclasses import dataclass, make_dataclass
from typing import Any

from sqlmodel import Session, select

from app.agencies.models import Agency, Commune, Field
from app.cache import Cached
from app.text import sort_vietnamese

OTHER_FIELD = "khac"  # the catch-all field, listed last


def _frozen(model) -> type:
    return make_dataclass(f"{model.__name__}Row", [(name, Any) for name in model.model_fields], frozen=True)


FieldRow, CommuneRow, AgencyRow = _frozen(Field), _frozen(Commune), _frozen(Agency)


def _copy(row_type: type, row) -> Any:
    return row_type(**{name: getattr(row, name) for name in row_type.__dataclass_fields__})


@dataclass(frozen=True)
class Reference:
    fields: tuple  # Vietnamese alphabetical order, "Khác" (other) last
    communes: tuple  # Vietnamese alphabetical order (so phường before xã)
    agencies: tuple  # by id

    def __post_init__(self) -> None:
        index = {
            "field_by_code": {f.code: f for f in self.fields}, "field_by_id": {f.id: f for f in self.fields},
            "commune_by_code": {c.code: c for c in self.communes}, "commune_by_id": {c.id: c for c in self.communes},
            "agency_by_code": {a.code: a for a in self.agencies}, "agency_by_id": {a.id: a for a in self.agencies},
        }
        for name, value in index.items():
            object.__setattr__(self, name, value)

    @property
    def coordinator(self):
        return next(a for a in self.agencies if a.is_coordinator)


def _load(session: Session) -> Reference:
    communes = sort_vietnamese(session.exec(select(Commune)).all(), key=lambda c: c.name)
    fields = sort_vietnamese(session.exec(select(Field)).all(), key=lambda f: f.name)
    fields.sort(key=lambda f: f.code == OTHER_FIELD)  # stable: the catch-all stays last
    return Reference(
        fields=tuple(_copy(FieldRow, f) for f in fields),
        communes=tuple(_copy(CommuneRow, c) for c in communes),
        agencies=tuple(_copy(AgencyRow, a) for a in session.exec(select(Agency).order_by(Agency.id)).all()),
    )


_REFERENCE = Cached(_load)


def reference(*, session: Session) -> Reference:
    return _REFERENCE.get(session)


def list_communes(*, session: Session) -> list:
    return list(reference(session=session).communes)


def list_fields(*, session: Session) -> list:
    return list(reference(session=session).fields)


def list_agencies(*, session: Session) -> list:
    return list(reference(session=session).agencies)


def agencies_alphabetical(*, session: Session) -> list:
    """Agencies in Vietnamese alphabetical order of their names (pickers and filters)."""
    return sort_vietnamese(reference(session=session).agencies, key=lambda a: a.name)



def by_code(model, code: str, *, session: Session):
    return session.exec(select(model).where(model.code == code)).first()
