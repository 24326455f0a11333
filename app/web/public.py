"""Public pages, no account: published answers (/cong-khai), statistics (/thong-ke) and open data (/du-lieu-mo).

Nothing here reads an item's original text or its sender: the listing reads the reviewed copy
(app/publication/public.py), the figures come from app/reports/queries.py like every other surface."""

import json
from datetime import datetime
from functools import partial

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.agencies import service as agencies_service
from app.attachments.http import file_response
from app.db import get_session, utcnow
from app.exports import CSV_MEDIA_TYPE, attachment_disposition, csv_text
from app.i18n import N_
from app.initiatives import service as initiatives_service
from app.kinds import KIND_LABELS
from app.publication import public
from app.publication.service import FOR_SUPPORT_KINDS
from app.reports import charts, opendata, queries, snapshots, tables
from app.web.common import PageError, render

router = APIRouter()

PUBLIC_CACHE = "public, max-age=60"
CHART_AGENCIES = 15  # the on-time chart shows the agencies with most answers
MAX_ID = 2_147_483_647  # ids are 32-bit integers on PostgreSQL: a larger one in a URL is simply not found


def _page(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 6 else 1


def _public(response):
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response


@router.get("/cong-khai")
def published_list(request: Request, session: Session = Depends(get_session)):
    filters = public.parse_filters(request.query_params, session=session)
    page = public.listing(session=session, filters=filters, page=_page(request.query_params.get("page")))
    ref = agencies_service.reference(session=session)
    context = {"page": page, "filters": filters, "ref": ref, "kinds": KIND_LABELS,
               "agencies": ref.agencies, "supports": _supports(session, page.items)}
    return _public(render(request, "public/list.html", context))


def _supports(session: Session, rows) -> dict[int, int]:
    """Confirmed supports of the published initiatives and solutions among `rows` (by submission id), for the count
    and the link to their support page (/sang-kien/{id}, app/web/challenges.py)."""
    return initiatives_service.support_counts(
        session=session, submission_ids=[r.submission_id for r in rows if r.kind in FOR_SUPPORT_KINDS])


def _published_or_404(session: Session, publication_id: int):
    row = public.published(session=session, publication_id=publication_id) if 0 < publication_id <= MAX_ID else None
    if row is None:
        raise PageError(404, N_("Không tìm thấy"), N_("Nội dung này không có hoặc không còn được công khai."),
                        back_url="/cong-khai")
    return row


@router.get("/cong-khai/{publication_id}")
def published_item(publication_id: int, request: Request, session: Session = Depends(get_session)):
    row = _published_or_404(session, publication_id)
    ref = agencies_service.reference(session=session)
    context = {"row": row, "ref": ref, "kinds": KIND_LABELS, "supports": _supports(session, [row]),
               "files": public.published_files(session=session, row=row)}
    return _public(render(request, "public/item.html", context))


@router.get("/cong-khai/{publication_id}/tep/{attachment_id}")
def published_file(publication_id: int, attachment_id: int, session: Session = Depends(get_session)):
    row = _published_or_404(session, publication_id)
    chosen = {a.id: a for a in public.published_files(session=session, row=row)}  # a dict lookup: any int is safe
    response = file_response(chosen[attachment_id]) if attachment_id in chosen else None
    if response is None:
        raise PageError(404, N_("Không tìm thấy tệp"), N_("Tệp này không được công khai."))
    return response


def statistics_context(session: Session, period_value: str, now: datetime | None = None) -> dict:
    now = now or utcnow()
    period = tables.parse_period(period_value, now)
    by_agency, agency_total, computed_at = tables.timed_table(session=session, period=period, by="agency", now=now)
    by_commune, commune_total = tables.table(session=session, period=period, by="commune", now=now)
    volume = snapshots.series(session=session, period=queries.year_period(period.start.year), now=now)
    months = [m for m, _, _ in volume]
    ranked = sorted((line for line in by_agency if line.figures.answered), key=lambda line: -line.figures.answered)
    return {
        "period": period, "period_code": tables.period_code(period), "options": tables.period_options(now),
        "columns": tables.PUBLIC_COLUMNS, "by_agency": by_agency, "by_commune": by_commune,
        "total": agency_total, "commune_total": commune_total, "volume": volume, "now": now,
        "computed_at": computed_at,
        # Drawn when the page renders (called in the template), so their texts are in the page's language.
        "volume_chart": partial(
            charts.columns, ident="volume",
            title=N_("Số hồ sơ tiếp nhận và trả lời theo tháng, %(year)s", year=months[0].start.year),
            labels=[m.label[:2] for m, _, _ in volume],
            series=[(N_("Tiếp nhận"), [r for _, r, _ in volume]), (N_("Đã trả lời"), [a for _, _, a in volume])]),
        "on_time_chart": partial(
            charts.hbars, ident="ontime",
            title=N_("Tỷ lệ trả lời đúng hạn theo đơn vị, %(period)s", period=period.label),
            rows=[(line.name, line.figures.on_time_pct) for line in ranked[:CHART_AGENCIES]]),
    }


@router.get("/thong-ke")
def statistics(request: Request, session: Session = Depends(get_session)):
    context = statistics_context(session, request.query_params.get("ky", ""))
    return _public(render(request, "public/statistics.html", context))


@router.get("/du-lieu-mo")
def open_data(request: Request, session: Session = Depends(get_session)):
    context = {"datasets": opendata.DATASETS, "options": tables.period_options(), "licence": opendata.LICENCE,
               "columns": tables.ALL_COLUMNS, "item_fields": opendata.ITEM_FIELDS}
    return _public(render(request, "public/open_data.html", context))


@router.get("/du-lieu-mo/{name}.{fmt}")
def open_data_file(name: str, fmt: str, request: Request, session: Session = Depends(get_session)):
    if name not in opendata.DATASETS or fmt not in ("csv", "json"):
        raise PageError(404, N_("Không tìm thấy"), N_("Không có bộ dữ liệu này."), back_url="/du-lieu-mo")
    period = tables.parse_period(request.query_params.get("ky", ""))
    header, rows, meta = opendata.dataset(session=session, name=name, period=period)
    filename = f"pakn-dien-bien-{name}-{tables.period_code(period) if name != 'cong-khai' else 'tat-ca'}.{fmt}"
    if fmt == "csv":
        body = csv_text(header, rows)
        media = CSV_MEDIA_TYPE
    else:
        body = json.dumps({**meta, "fields": header, "rows": [dict(zip(header, r, strict=True)) for r in rows]},
                          ensure_ascii=False, default=str, indent=1)
        media = "application/json; charset=utf-8"
    return _public(Response(body, media_type=media,
                            headers={"Content-Disposition": attachment_disposition(filename)}))
