"""Staff report pages: the dashboard (/officer/thong-ke: the coordinator for any agency or all, an agency for its
own) and the quarterly report (/bao-cao/quy, the coordinator) with its XLSX, CSV and print exports."""

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.accounts.models import Account
from app.accounts.permissions import is_coordinator
from app.agencies import service as agencies_service
from app.db import get_session
from app.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, attachment_disposition
from app.inbox.filters import parse_date
from app.kinds import CHANNEL_LABELS
from app.reports import dashboard, quarterly, queries, tables
from app.reports.queries import Period
from app.web.common import coordinator_only, current_handler, render

router = APIRouter()


def _period(params) -> tuple[Period, dict]:
    """?from=&to= (dd/mm/yyyy or yyyy-mm-dd) or ?ky= (2026-Q3, 2026); this quarter by default."""
    errors = {}
    try:
        start, end = parse_date(params.get("from", "")), parse_date(params.get("to", ""))
    except ValueError:
        start = end = None
        errors["period"] = "Ngày không hợp lệ: vui lòng nhập dạng ngày/tháng/năm, ví dụ 25/11/2026."
    if start and end and start <= end and (end - start).days <= 3660:
        return Period(start, end, f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"), errors
    if start or end:
        errors["period"] = "Khoảng thời gian không hợp lệ (từ ngày phải trước đến ngày, tối đa 10 năm)."
    return tables.parse_period(params.get("ky", "")), errors


@router.get("/officer/thong-ke")
def dashboard_page(request: Request, actor: Account = Depends(current_handler),
                   session: Session = Depends(get_session)):
    period, errors = _period(request.query_params)
    ref = agencies_service.reference(session=session)
    code = ""
    agency_id = actor.agency_id
    if is_coordinator(actor):
        code = request.query_params.get("agency", "all")
        agency = ref.agency_by_code.get(code)
        agency_id, code = (agency.id, agency.code) if agency else (None, "all")
    board = dashboard.build(session=session, period=period, agency_id=agency_id, agency_code=code)
    context = {"account": actor, "board": board, "errors": errors, "ref": ref, "options": tables.period_options(),
               "scope_name": ref.agency_by_id[agency_id].name if agency_id else "Tất cả cơ quan, đơn vị",
               "dimension_labels": tables.DIMENSION_LABELS, "coordinator": is_coordinator(actor),
               "columns": tables.ALL_COLUMNS, "channel_labels": CHANNEL_LABELS}
    return render(request, "reports/dashboard.html", context, status_code=422 if errors else 200)


def _quarter(request: Request) -> Period:
    return queries.parse_quarter(request.query_params.get("quy", "")) or queries.current_quarter()


def _report_context(request: Request, session: Session, actor: Account) -> dict:
    period = _quarter(request)
    report = quarterly.build(session=session, period=period)
    return {"account": actor, "report": report, "quarter": queries.quarter_code(period),
            "quarters": [(queries.quarter_code(p), p) for p in queries.previous_quarters(8)]}


@router.get("/bao-cao/quy")
def quarterly_page(request: Request, actor: Account = Depends(coordinator_only),
                   session: Session = Depends(get_session)):
    return render(request, "reports/quarterly.html", _report_context(request, session, actor))


@router.get("/bao-cao/quy/in")
def quarterly_print(request: Request, actor: Account = Depends(coordinator_only),
                    session: Session = Depends(get_session)):
    return render(request, "reports/quarterly_print.html", _report_context(request, session, actor))


def _filename(period: Period, ext: str) -> str:
    return f"bao-cao-pakn-{queries.quarter_code(period)}-{date.today():%Y%m%d}.{ext}"


@router.get("/bao-cao/quy.xlsx")
def quarterly_xlsx(request: Request, actor: Account = Depends(coordinator_only),
                   session: Session = Depends(get_session)):
    report = quarterly.build(session=session, period=_quarter(request))
    return Response(quarterly.xlsx_export(report), media_type=XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition": attachment_disposition(_filename(report.period, "xlsx"))})


@router.get("/bao-cao/quy.csv")
def quarterly_csv(request: Request, actor: Account = Depends(coordinator_only),
                  session: Session = Depends(get_session)):
    report = quarterly.build(session=session, period=_quarter(request))
    return Response(quarterly.csv_export(report), media_type=CSV_MEDIA_TYPE,
                    headers={"Content-Disposition": attachment_disposition(_filename(report.period, "csv"))})
