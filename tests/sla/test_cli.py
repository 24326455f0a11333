"""`pakn calendar …` and `pakn sla …` give the module's answers, with the province's entries from the database."""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.sla import calendar as cal
from app.sla import cli as sla_cli
from app.sla import service as sla_service
from tests.sla.conftest import events, local

runner = CliRunner()


@pytest.fixture
def in_test_transaction(db, monkeypatch):
    """The commands use the test's session, so what they write is rolled back with the test."""

    @contextmanager
    def session():
        yield db

    monkeypatch.setattr(sla_cli, "_session", session)
    return db


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["add-working-days", "2026-02-12", "3"], "2026-02-24"),  # across Tết 2026
        (["add-working-days", "2026-04-29", "1"], "2026-05-04"),  # 30/4 and 1/5
        (["add-working-days", "2026-08-20", "2"], "2026-08-22"),  # the swapped working Saturday
        (["working-days-between", "2026-02-12", "2026-02-24"], "3"),
        (["working-days-between", "2026-02-24", "2026-02-12"], "-3"),
        (["working-days-between", "2027-02-01", "2027-02-12"], "4"),  # Tết 2027
    ],
)
def test_calendar_commands_match_the_module(in_test_transaction, args, expected):
    result = runner.invoke(cli, ["calendar", *args])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == expected


def test_calendar_commands_agree_with_the_module_on_many_dates(in_test_transaction):
    start = date(2026, 1, 1)
    for offset in range(0, 400, 37):
        d = start + timedelta(days=offset)
        out = runner.invoke(cli, ["calendar", "add-working-days", d.isoformat(), "7"]).output.strip()
        assert out == cal.add_working_days(d, 7).isoformat()


def test_add_list_remove_entries_changes_the_answers(in_test_transaction, submit, travel):
    db = in_test_transaction
    travel(local(2026, 5, 4, 9))
    item = submit()
    r = runner.invoke(cli, ["calendar", "add", "2026-05-05", "--kind", "day_off",
                            "--description", "Nghỉ kỷ niệm chiến thắng Điện Biên Phủ",
                            "--legal-reference", "Quyết định số 12/QĐ-UBND ngày 20/4/2026"])
    assert r.exit_code == 0, r.output
    assert "1 thời hạn thay đổi" in r.output  # the command runs the recompute to completion
    assert runner.invoke(cli, ["calendar", "add-working-days", "2026-05-04", "1"]).output.strip() == "2026-05-06"
    assert runner.invoke(cli, ["calendar", "is-working-day", "2026-05-05"]).exit_code == 1
    listing = runner.invoke(cli, ["calendar", "list", "--year", "2026"]).output
    assert "2026-05-05\tday_off\tNghỉ kỷ niệm chiến thắng Điện Biên Phủ\tQuyết định số 12/QĐ-UBND" in listing
    assert len(events(db, item, "deadline_changed")) == 1  # the open accept-by moved by a day

    r = runner.invoke(cli, ["calendar", "add", "2026-05-05", "--kind", "day_off", "--description", "Trùng",
                            "--legal-reference", "QĐ 13"])
    assert r.exit_code == 1 and "đã có trong lịch" in r.output
    assert runner.invoke(cli, ["calendar", "remove", "2026-05-05"]).exit_code == 0
    assert runner.invoke(cli, ["calendar", "add-working-days", "2026-05-04", "1"]).output.strip() == "2026-05-05"
    assert sla_service.list_entries(session=db) == []


def test_bad_dates_get_a_clear_error(in_test_transaction):
    r = runner.invoke(cli, ["calendar", "add-working-days", "12/02/2026", "3"])
    assert r.exit_code != 0 and "YYYY-MM-DD" in r.output


def test_sla_sweep_command_reports_what_it_recorded(in_test_transaction, submit, travel):
    travel(local(2026, 3, 4, 8))
    submit()
    r = runner.invoke(cli, ["sla", "sweep", "--now", "2026-03-09T08:00:00+07:00"])
    assert r.exit_code == 0, r.output
    assert "1 sắp đến hạn, 1 quá hạn" in r.output
    r = runner.invoke(cli, ["sla", "sweep", "--now", "2026-03-09T08:00:00+07:00"])
    assert "0 sắp đến hạn, 0 quá hạn" in r.output
