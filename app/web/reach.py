"""What the citizen form gains from app/reach (urgency, village, point, source tag, voice message), and the pages
of reaching villages that are not an assistant's: posters and the figures by source."""

import hashlib
import re
from datetime import timedelta
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData, QueryParams

from app.accounts.models import Account, Role
from app.agencies import service as agencies_service
from app.agencies.models import Commune
from app.attachments import service as attachments_service
from app.attachments.http import content_disposition, uploads_from_form
from app.clientaddr import client_address
from app.config import PROJECT_ROOT, get_settings
from app.db import get_session, unit_of_work
from app.errors import Invalid
from app.integrations import idempotency
from app.kinds import Channel
from app.reach import posters
from app.reach import service as reach_service
from app.reach.schemas import ReachDetails, fill_voice_only, parse_details
from app.submissions.models import Submission
from app.submissions.schemas import SubmissionCreate, parse_submission
from app.web.common import (
    CSRF_FIELD,
    PageError,
    coordinator_only,
    csrf_token,
    current_account,
    form_data,
    remember_code,
    render,
    require_csrf,
)
from app.web.limits import door_refusal

REACH_FIELDS = ("urgent", "urgent_reason", "village", "lat", "lon", "accuracy", "source_tag")
AUDIO_NAME = re.compile(r"\.(m4a|aac|mp3|ogg|oga|opus|webm|weba|wav)$", re.IGNORECASE)


def form_values(form: FormData) -> dict:
    return {name: str(form.get(name, ""))[:2_000] for name in REACH_FIELDS}


def preset_from_query(query: QueryParams) -> dict:
    """?xa=<commune code>&ban=<village>&nguon=<source tag>: the link of a QR poster."""
    preset = {}
    if query.get("xa"):
        preset["commune_code"] = query["xa"][:64]
    if query.get("ban"):
        preset["village"] = query["ban"][:120]
    if query.get("nguon"):
        preset["source_tag"] = query["nguon"][:80]
    return preset


def has_voice(files) -> bool:
    """Whether the sender sent a recording (checked by content when staged; this only decides whether the
    typed content may be left empty)."""
    return any((getattr(f, "content_type", "") or "").startswith("audio/") or AUDIO_NAME.search(f.filename or "")
               for f in files if f.filename)


def collecting(errors: dict, parse, *args):
    """parse(*args), or None with its errors added to `errors`: a form reports every problem at once."""
    try:
        return parse(*args)
    except Invalid as exc:
        errors.update(exc.errors)
        return None


def with_voice(session: Session, values: dict, files) -> dict:
    """The form's values, a voice message standing for empty content (and an empty title)."""
    field = agencies_service.reference(session=session).field_by_code.get(values.get("field_code", ""))
    return fill_voice_only(values, has_voice=has_voice(files), field_name=field.name if field else None)


def parse_citizen(session: Session, values: dict, files) -> tuple[SubmissionCreate, ReachDetails]:
    """The citizen form: every error at once, the voice message standing for empty content."""
    raw = with_voice(session, values, files)
    errors: dict = {}
    details = collecting(errors, parse_details, raw)
    data = collecting(errors, parse_submission, {k: v for k, v in raw.items() if v != "" and k not in REACH_FIELDS})
    if errors or data is None or details is None:
        raise Invalid(errors)
    return data, details


# ------------------------------------------------------------------ the installable app and its offline queue

router = APIRouter(dependencies=[Depends(require_csrf)])
PWA = PROJECT_ROOT / "static" / "pwa"
HONEYPOT = "website"  # the citizen form's hidden field (app/web/citizen.py, templates/citizen/_form_guard.html)
QUEUE_KEY_TTL = timedelta(days=60)  # a queued submission may wait weeks for signal; its retries must still replay
MANIFEST = {
    "name": "PAKN Điện Biên — Gửi ý kiến", "short_name": "PAKN Điện Biên", "lang": "vi", "start_url": "/",
    "scope": "/", "display": "standalone", "background_color": "#ffffff", "theme_color": "#0b5394",
    "description": "Gửi phản ánh, kiến nghị, sáng kiến, giải pháp đến chính quyền tỉnh Điện Biên, cả khi chưa có sóng.",
    "icons": [{"src": "/static/pwa/icon-192.png", "sizes": "192x192", "type": "image/png"},
              {"src": "/static/pwa/icon-512.png", "sizes": "512x512", "type": "image/png"},
              {"src": "/static/pwa/icon.svg", "sizes": "any", "type": "image/svg+xml"}],
}


@router.get("/sw.js", include_in_schema=False)
def service_worker():
    """Served from the root so that it may keep the form pages (its scope is the whole site)."""
    return FileResponse(PWA / "sw.js", media_type="text/javascript",
                        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


@router.get("/manifest.webmanifest", include_in_schema=False)
def manifest():
    return JSONResponse(MANIFEST, media_type="application/manifest+json",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/queue/token", include_in_schema=False)
def queue_token(request: Request):
    """A fresh CSRF token for sending the queue (the page it was queued from may be days old)."""
    return JSONResponse({"csrf": csrf_token(request)}, headers={"Cache-Control": "no-store"})


def queued_response(request: Request, session: Session, form: FormData, *, endpoint: str, create,
                    limit_key: str, role: str | None = None) -> JSONResponse:
    """One queued submission, created once per Idempotency-Key (app/integrations/idempotency.py, under the
    internal client of the web forms): a retry, or the page and the service worker sending at once, gets the
    first answer. `create(values, files, batch)` stores the item in the unit of work that `execute` opens."""
    key = request.headers.get("idempotency-key")
    if not key:
        return JSONResponse({"message": "Thiếu Idempotency-Key."}, status_code=400)
    # The same abuse limits as the forms' own doors (app/web/limits.py); a refused item stays queued for later.
    if (refused := door_refusal(session, "submit", limit_key, role=role)) is not None:
        return JSONResponse({"message": str(refused[0])}, status_code=429, headers=refused[1])
    if str(form.get(HONEYPOT, "")).strip():
        return JSONResponse({"message": "Ô ẩn chặn máy gửi tự động đã bị điền."}, status_code=422)
    values = {k: str(v)[:20_000] for k, v in form.multi_items() if isinstance(v, str) and k != CSRF_FIELD}
    files = uploads_from_form(form)
    payload = {"fields": sorted(values.items()),
               "files": [[f.filename or "", _digest(f)] for f in files]}
    try:
        batch = attachments_service.stage(files)
        client_id = reach_service.web_queue_client_id(session=session)
        if client_id is None:
            with unit_of_work(session):
                reach_service.ensure_web_queue_client(session=session)
            client_id = reach_service.web_queue_client_id(session=session)
        with batch.kept_only_on_success():

            def action():
                submission = create(values, files, batch)
                body = {"tracking_code": submission.tracking_code, "url": _status_url(submission, endpoint)}
                return 201, body, submission.id

            def rebuild(submission_id: int):
                submission = session.get(Submission, submission_id)
                return 201, {"tracking_code": submission.tracking_code, "url": _status_url(submission, endpoint)}

            outcome = idempotency.execute(session=session, client_id=client_id, key=key, endpoint=endpoint,
                                          payload=payload, action=action, rebuild=rebuild, key_after_work=True,
                                          ttl=QUEUE_KEY_TTL)
        if outcome.replayed:
            batch.discard()
    except Invalid as exc:
        session.rollback()
        return JSONResponse({"message": " ".join(str(v) for v in exc.errors.values()), "errors": exc.errors},
                            status_code=422)
    except (idempotency.IdempotencyKeyInvalid, idempotency.IdempotencyMismatch) as exc:
        return JSONResponse({"message": str(exc)}, status_code=409)
    except idempotency.IdempotencyInProgress as exc:
        return JSONResponse({"message": str(exc)}, status_code=503, headers={"Retry-After": "5"})
    if endpoint == "/queue/submit":
        remember_code(request, outcome.body["tracking_code"])
    return JSONResponse(outcome.body, status_code=outcome.status_code)


def _digest(upload) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.file.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.file.seek(0)
    return digest.hexdigest()


def _status_url(submission: Submission, endpoint: str) -> str:
    if endpoint == "/queue/submit":
        return f"/track/{submission.tracking_code}"
    return f"/assistant/items/{submission.tracking_code}"


@router.post("/queue/submit", include_in_schema=False)
def queued_submit(request: Request, form: FormData = Depends(form_data), session: Session = Depends(get_session)):
    """The citizen form, sent from the offline queue."""
    def create(values, files, batch):
        values = {**values, "hide_identity": values.get("hide_identity") == "on",
                  "consent": values.get("consent") == "on"}
        data, details = parse_citizen(session, values, files)
        return reach_service.submit(session=session, data=data, details=details, source=Channel.WEB, batch=batch)

    return queued_response(request, session, form, endpoint="/queue/submit", create=create,
                           limit_key=client_address(request))


# ------------------------------------------------------------------ QR posters and the figures by source


def poster_maker(actor: Account = Depends(current_account), session: Session = Depends(get_session)) -> Account:
    """The coordinator (every commune), a commune's UBND xã admin and its assistants (their own commune)."""
    if actor.role == Role.COORDINATOR or _own_commune(session, actor) is not None:
        return actor
    raise PageError(403, "Không có quyền truy cập", "Trang này dành cho UBND xã, tổ công nghệ số cộng đồng và "
                    "Cơ quan thường trực.", back_url=None)


def _own_commune(session: Session, actor: Account) -> Commune | None:
    commune = reach_service.commune_of_admin(session=session, actor=actor)
    if commune is None and (profile := reach_service.assistant_profile(session=session, account=actor)):
        commune = session.get(Commune, profile.commune_id)
    return commune


def _poster(session: Session, actor: Account, commune_code: str, village: str) -> posters.Poster:
    commune = agencies_service.reference(session=session).commune_by_code.get(commune_code)
    own = _own_commune(session, actor)
    if commune is None or (actor.role != Role.COORDINATOR and (own is None or own.id != commune.id)):
        raise PageError(404, "Không tìm thấy trang", "Xã, phường không có hoặc không thuộc phạm vi của bạn.",
                        back_url="/posters")
    settings = get_settings()
    return posters.poster(base_url=settings.public_base_url, commune_code=commune.code, commune_name=commune.name,
                          village=" ".join(village.split())[:120] or None, sms_number=settings.sms_number,
                          team_phone=reach_service.team_phone(session=session, commune_id=commune.id))


@router.get("/posters")
def poster_list(request: Request, actor: Account = Depends(poster_maker), session: Session = Depends(get_session)):
    own = _own_commune(session, actor)
    communes = [own] if own and actor.role != Role.COORDINATOR else agencies_service.list_communes(session=session)
    return render(request, "reach/posters.html", {
        "account": actor, "communes": communes,
        "villages": reach_service.known_villages(session=session, commune_ids=[c.id for c in communes])})


@router.get("/posters/go", include_in_schema=False)
def poster_go(xa: str = "", ban: str = "", actor: Account = Depends(poster_maker)):
    """The chooser's plain GET form lands here (no JavaScript)."""
    return RedirectResponse(f"/posters/{quote(xa, safe='')}?" + urlencode({"ban": ban}), status_code=303)


@router.get("/posters/{commune_code}.pdf")
def poster_pdf(commune_code: str, ban: str = "", actor: Account = Depends(poster_maker),
               session: Session = Depends(get_session)):
    poster = _poster(session, actor, commune_code, ban)
    try:
        data = posters.pdf_bytes(poster, font_path=get_settings().poster_font)
    except posters.FontMissing:
        raise PageError(503, "Chưa tạo được PDF", "Máy chủ thiếu phông chữ tiếng Việt cho PDF (cài gói "
                        "fonts-dejavu-core hoặc đặt PAKN_POSTER_FONT). Bản HTML vẫn in được.",
                        back_url=f"/posters/{commune_code}") from None
    name = posters.source_tag(poster.commune_code, poster.village).replace(":", "-") + ".pdf"
    return Response(data, media_type="application/pdf", headers={"Content-Disposition": content_disposition(name)})


@router.get("/posters/{commune_code}")
def poster_page(request: Request, commune_code: str, ban: str = "", actor: Account = Depends(poster_maker),
                session: Session = Depends(get_session)):
    poster = _poster(session, actor, commune_code, ban)
    return render(request, "reach/poster.html", {"account": actor, "poster": poster,
                                                  "pdf_url": f"/posters/{commune_code}.pdf?" + urlencode({"ban": ban})})


@router.get("/reach/figures")
def figures_page(actor: Account = Depends(coordinator_only)):
    """Where the figures were before the dashboard showed them: an old bookmark lands on them there."""
    return RedirectResponse("/officer/thong-ke#by-source", status_code=303)

