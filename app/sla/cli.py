"""`pakn calendar ...` and `pakn sla ...`: the working-day calendar and the deadline sweep from a shell.

The answers are the module's (app/sla/calendar.py) with the province's entries loaded from the database, so
`pakn calendar add-working-days 2026-02-12 3` prints 2026-02-24 exactly as the deadlines count it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import typer
from sqlmodel import Session, select

from app.db import get_engine, unit_of_work
from app.errors import Invalid
from app.sla import service
from app.sla.models import CalendarEntry, EntryKind
from app.sla.scheduled import recompute_calendar

app = typer.Typer(no_args_is_help=True)
calendar_cli = typer.Typer(help="Lịch ngày làm việc (ngày lễ, ngày nghỉ và ngày làm bù của tỉnh).",
                           no_args_is_help=True)
sla_cli = typer.Typer(help="Thời hạn xử lý (SLA).", no_args_is_help=True)
app.add_typer(calendar_cli, name="calendar")
app.add_typer(sla_cli, name="sla")


@contextmanager
def _session() -> Iterator[Session]:
    """A session of its own (tests replace this to run inside their transaction)."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"ngày không hợp lệ: {value!r} (dạng YYYY-MM-DD)") from None


@calendar_cli.command("add-working-days")
def add_working_days(start: str = typer.Argument(..., help="Ngày bắt đầu, YYYY-MM-DD (không tính ngày này)."),
                     n: int = typer.Argument(..., min=0, help="Số ngày làm việc.")) -> None:
    """Print the date N working days after START."""
    with _session() as session:
        typer.echo(service.working_calendar(session=session).add_working_days(_date(start), n).isoformat())


@calendar_cli.command("working-days-between")
def working_days_between(a: str = typer.Argument(..., help="Từ ngày (không tính), YYYY-MM-DD."),
                         b: str = typer.Argument(..., help="Đến ngày (có tính), YYYY-MM-DD.")) -> None:
    """Print the number of working days d with A < d <= B (negative when B is before A)."""
    with _session() as session:
        typer.echo(service.working_calendar(session=session).working_days_between(_date(a), _date(b)))


@calendar_cli.command("is-working-day")
def is_working_day(day: str = typer.Argument(..., help="YYYY-MM-DD")) -> None:
    """Print "có" (a working day, exit 0) or "không" (exit 1)."""
    with _session() as session:
        working = service.working_calendar(session=session).is_working_day(_date(day))
    typer.echo("có" if working else "không")
    raise typer.Exit(0 if working else 1)


@calendar_cli.command("list")
def list_entries(year: int = typer.Option(None, help="Chỉ năm này.")) -> None:
    """List the province's entries (tab-separated: date, kind, description, legal reference)."""
    with _session() as session:
        entries = service.list_entries(session=session, year=year)
    if not entries:
        typer.echo("Chưa có ngày nào trong lịch của tỉnh.")
    for e in entries:
        typer.echo(f"{e.day.isoformat()}\t{e.kind}\t{e.description}\t{e.legal_reference}")


@calendar_cli.command("add")
def add_entry(
    day: str = typer.Argument(..., help="YYYY-MM-DD"),
    kind: EntryKind = typer.Option(..., "--kind", help="day_off: ngày nghỉ; working_day: ngày làm việc bù."),
    description: str = typer.Option(..., "--description", help="Nội dung, ví dụ: Nghỉ bù ngày lễ của tỉnh."),
    legal_reference: str = typer.Option(..., "--legal-reference", help="Văn bản quyết định, ví dụ: QĐ số …/QĐ-UBND."),
) -> None:
    """Add a province day off or swapped-in working day; open deadlines that span it move accordingly (the command
    runs the recompute to completion before it returns)."""
    with _session() as session:
        try:
            with unit_of_work(session):
                entry = service.add_entry(session=session, actor=None, day=_date(day), kind=kind,
                                          description=description, legal_reference=legal_reference)
        except Invalid as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        typer.echo(f"Đã thêm {entry.day.isoformat()} ({service.ENTRY_KIND_LABELS[EntryKind(entry.kind)]}).")
        typer.echo(str(recompute_calendar(session=session)))


@calendar_cli.command("remove")
def remove_entry(day: str = typer.Argument(..., help="YYYY-MM-DD")) -> None:
    """Remove the province's entry for DAY."""
    with _session() as session:
        entry = session.exec(select(CalendarEntry).where(CalendarEntry.day == _date(day))).first()
        if entry is None:
            typer.echo(f"Không có ngày {day} trong lịch của tỉnh.", err=True)
            raise typer.Exit(1)
        with unit_of_work(session):
            service.remove_entry(session=session, actor=None, entry=entry)
        typer.echo(f"Đã xóa {day}.")
        typer.echo(str(recompute_calendar(session=session)))


@calendar_cli.command("recompute")
def recompute() -> None:
    """Move now the due dates that calendar changes still have pending (normally the worker's job does it)."""
    with _session() as session:
        typer.echo(str(recompute_calendar(session=session)))


@sla_cli.command("sweep")
def sweep(now: str = typer.Option(None, help="Thời điểm ISO 8601 có múi giờ (mặc định: bây giờ).")) -> None:
    """Record every deadline crossing due now (and any missed while stopped), once; print what was found."""
    from app.sla.scheduled import sweep as do_sweep

    at = None
    if now:
        at = datetime.fromisoformat(now)
        if at.tzinfo is None:
            raise typer.BadParameter("thời điểm phải có múi giờ, ví dụ 2026-03-02T08:00:00+07:00")
    with _session() as session:
        typer.echo(str(do_sweep(session=session, now=at)))


@sla_cli.command("backfill")
def backfill() -> None:
    """Start the clocks of open items that have none (items from before deadlines existed), from their history."""
    from app.sla.flows import replay_missing

    with _session() as session, unit_of_work(session):
        n = replay_missing(session=session)
    typer.echo(f"Đã dựng thời hạn cho {n} hồ sơ.")
