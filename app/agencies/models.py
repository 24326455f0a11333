"""Reference data: the 45 communes, the fields (lĩnh vực) and the 130 handling agencies."""

from sqlmodel import Field as Column
from sqlmodel import SQLModel


class Commune(SQLModel, table=True):
    __tablename__ = "communes"

    id: int | None = Column(default=None, primary_key=True)
    code: str = Column(max_length=64, unique=True, index=True)
    name: str = Column(max_length=200)
    kind: str = Column(max_length=16)  # "phuong" | "xa"


class Field(SQLModel, table=True):
    __tablename__ = "fields"

    id: int | None = Column(default=None, primary_key=True)
    code: str = Column(max_length=64, unique=True, index=True)
    name: str = Column(max_length=200)
    sort_order: int = Column(default=0)


class Agency(SQLModel, table=True):
    __tablename__ = "agencies"

    id: int | None = Column(default=None, primary_key=True)
    code: str = Column(max_length=64, unique=True, index=True)
    name: str = Column(max_length=300)
    kind: str = Column(max_length=32)
    parent_code: str | None = Column(default=None, max_length=64)
    commune_code: str | None = Column(default=None, max_length=64)
    is_coordinator: bool = Column(default=False)
    # The agency's shared inbox: one or more addresses / phone numbers, separated by commas (app/notifications/contacts)
    email: str | None = Column(default=None, max_length=1000)
    phone: str | None = Column(default=None, max_length=200)
