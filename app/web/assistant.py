"""Commune assistants (tổ công nghệ số cộng đồng): their accounts (made by the commune's UBND xã or the coordinator),
the assisted form, their own list of items, answering an information request, and the printable answer slip."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.datastructures import FormData

from app.accounts import service as accounts_service
from app.accounts.models import Account, Role
from app.agencies import service as agencies_service
from app.agencies.models import Agency, Commune, Field
from app.attachments import service as attachments_service
from app.attachments.http import uploads_from_form
from app.db import get_session, unit_of_work
from app.errors import Invalid, InvalidTransition, NotPermitted
from app.kinds import KIND_HINTS, KIND_LABELS, Channel
from app.reach import service as reach_service
from app.reach.models import LANGUAGE_LABELS, RELAY_LABELS
from app.reach.schemas import parse_assisted, parse_details
from app.submissions import service as submissions_service
from app.submissions.models import Submission
from app.web import reach as reach_web
from app.web.common import PageError, account_guard, current_account, form_data, render, require_csrf
from app.web.limits import door_refusal

router = APIRouter(dependencies=[Depends(require_csrf)])

assistant_only = account_guard(lambda a: a.role == Role.COMMUNE_ASSISTANT,
                               "Trang này dành cho tổ công nghệ số cộng đồng.", back_url=None)
FORM_FIELDS = ("kind", "field_code", "title", "content", "sender_name", "village", "relay", "relay_phone",
               "language", "interpreter_helped", "spoken_consent", "consent_witness", "urgent", "urgent_reason",
               "lat", "lon", "accuracy")


def _form_page(request: Request, session: Session, actor: Account, values: dict, errors: dict, status_code=200):
    profile = reach_service.assistant_profile(session=session, account=actor)
    context = {
        "account": actor,
        "commune": session.get(Commune, profile.commune_id) if profile else None,
        "kinds": KIND_LABELS, "kind_hints": KIND_HINTS,
        "fields": agencies_service.list_fields(session=session),
        "languages": LANGUAGE_LABELS, "relays": RELAY_LABELS,
        "values": values, "errors": errors, "uploads": attachments_service.upload_rules(),
    }
    return render(request, "reach/assisted_form.html", context, status_code=status_code)


@router.get("/assistant")
def my_items(request: Request, actor: Account = Depends(assistant_only), session: Session = Depends(get_session)):
    items = reach_service.assisted_items(session=session, assistant=actor)
    questions = {i.submission.id: submissions_service.pending_question(session=session, submission=i.submission)
                 for i in items if i.submission.state == "info_requested"}
    return render(request, "reach/assistant_items.html", {
        "account": actor, "items": items, "questions": questions, "languages": LANGUAGE_LABELS,
        "message": request.session.pop("flash", None)})


@router.get("/assistant/new")
def new_form(request: Request, actor: Account = Depends(assistant_only), session: Session = Depends(get_session)):
    return _form_page(request, session, actor, {"language": "hmong", "relay": "none"}, {})


def assisted_parts(session: Session, actor: Account, values: dict, files):
    """Checks the whole form, every error at once: (the item, its reach details, the villager's details)."""
    errors: dict = {}
    assisted = reach_web.collecting(errors, parse_assisted, values)
    details = reach_web.collecting(errors, parse_details, values)
    raw = reach_web.with_voice(session, values, files)
    try:
        data = reach_service.assisted_submission(session=session, assistant=actor, raw=raw,
                                                 assisted=assisted) if assisted else None
    except Invalid as exc:
        errors.update({("relay" if k == "contact" else k): v for k, v in exc.errors.items()})
        data = None
    if errors or data is None or details is None:
        raise Invalid(errors)
    return data, details, assisted


def _store(session: Session, actor: Account, parts, batch) -> Submission:
    data, details, assisted = parts
    return reach_service.submit(session=session, data=data, details=details, source=Channel.ASSISTED,
                                batch=batch, assisted=assisted, assistant=actor)


def assisted_create(session: Session, actor: Account, values: dict, files) -> Submission:
    """The item in one unit of work (files checked before it opens)."""
    parts = assisted_parts(session, actor, values, files)
    batch = attachments_service.stage(files)
    with attachments_service.unit_with_files(session, batch):
        return _store(session, actor, parts, batch)


@router.post("/assistant/queue", include_in_schema=False)
def queued_create(request: Request, actor: Account = Depends(assistant_only), form: FormData = Depends(form_data),
                  session: Session = Depends(get_session)):
    """The assistant's form, sent from the offline queue (once per Idempotency-Key)."""
    return reach_web.queued_response(
        request, session, form, endpoint="/assistant/queue", limit_key=f"account:{actor.id}", role=actor.role,
        create=lambda values, files, batch: _store(session, actor, assisted_parts(session, actor, values, files),
                                                   batch))


@router.post("/assistant/new")
def create(request: Request, actor: Account = Depends(assistant_only), form: FormData = Depends(form_data),
           session: Session = Depends(get_session)):
    values = {name: str(form.get(name, ""))[:20_000] for name in FORM_FIELDS}
    # Counted per account (an assistant sends for many villagers from one address), app/web/limits.py.
    if (refused := door_refusal(session, "submit", f"account:{actor.id}", role=actor.role)) is not None:
        return _form_page(request, session, actor, values, {"action": refused[0]}, status_code=429)
    try:
        submission = assisted_create(session, actor, values, uploads_from_form(form))
    except (Invalid, NotPermitted) as exc:
        errors = exc.errors if isinstance(exc, Invalid) else {"action": str(exc)}
        return _form_page(request, session, actor, values, errors, status_code=422)
    request.session["flash"] = f"Đã gửi. Mã tra cứu: {submission.tracking_code}"
    return RedirectResponse(f"/assistant/items/{submission.tracking_code}", status_code=303)


def _mine(code: str, actor: Account = Depends(assistant_only), session: Session = Depends(get_session)):
    item = reach_service.assisted_item(session=session, assistant=actor, code=code)
    if item is None:
        raise PageError(404, "Không tìm thấy hồ sơ", "Hồ sơ không tồn tại hoặc không do bạn nhập.",
                        back_url="/assistant")
    return item


def _item_context(session: Session, actor: Account, item, **extra) -> dict:
    submission = item.submission
    return {
        "account": actor, "item": submission, "reach": item.reach, "languages": LANGUAGE_LABELS,
        "relays": RELAY_LABELS,
        "agency": session.get(Agency, submission.agency_id) if submission.agency_id else None,
        "field": session.get(Field, submission.field_id), "commune": session.get(Commune, submission.commune_id),
        "question": submissions_service.pending_question(session=session, submission=submission),
        "answer": submissions_service.visible_answer(submission),
        "attachments": attachments_service.for_submission(session=session, submission_id=submission.id),
        "errors": {}, "values": {}, **extra,
    }


@router.get("/assistant/items/{code}")
def item_page(request: Request, item=Depends(_mine), actor: Account = Depends(assistant_only),
              session: Session = Depends(get_session)):
    return render(request, "reach/assistant_item.html",
                  _item_context(session, actor, item, message=request.session.pop("flash", None)))


@router.post("/assistant/items/{code}/reply")
def reply(request: Request, item=Depends(_mine), actor: Account = Depends(assistant_only),
          form: FormData = Depends(form_data), session: Session = Depends(get_session)):
    """The assistant relays the villager's answer to the agency's question."""
    text = str(form.get("reply", ""))[:20_000]
    try:
        batch = attachments_service.stage(uploads_from_form(form))
        with attachments_service.unit_with_files(session, batch):
            submissions_service.provide_info(session=session, submission=item.submission, reply=text, batch=batch)
    except Invalid as exc:
        errors = exc.errors
    except InvalidTransition as exc:
        errors = {"reply": str(exc)}
    else:
        request.session["flash"] = "Đã gửi thông tin bổ sung đến cơ quan xử lý."
        return RedirectResponse(f"/assistant/items/{item.submission.tracking_code}", status_code=303)
    session.rollback()
    return render(request, "reach/assistant_item.html",
                  _item_context(session, actor, item, errors=errors, values={"reply": text}), status_code=422)


@router.get("/assistant/items/{code}/slip")
def slip(request: Request, item=Depends(_mine), actor: Account = Depends(assistant_only),
         session: Session = Depends(get_session)):
    """The A5 answer slip to hand over or read out at the village meeting."""
    return render(request, "reach/slip.html", _item_context(session, actor, item))


# ------------------------------------------------------------------ managing assistants


def assistant_manager(actor: Account = Depends(current_account), session: Session = Depends(get_session)) -> Account:
    if actor.role == Role.COORDINATOR or reach_service.commune_of_admin(session=session, actor=actor) is not None:
        return actor
    raise PageError(403, "Không có quyền truy cập",
                    "Trang này dành cho UBND xã, phường và Cơ quan thường trực.", back_url="/officer/inbox")


def _assistants_page(request: Request, session: Session, actor: Account, *, errors=None, values=None,
                     status_code=200, issued=None):
    own = reach_service.commune_of_admin(session=session, actor=actor)
    return render(request, "reach/assistants.html", {
        "account": actor, "own_commune": own,
        "communes": agencies_service.list_communes(session=session),
        "rows": reach_service.assistants(session=session, commune_id=own.id if own else None),
        "commune_names": {c.id: c.name for c in agencies_service.list_communes(session=session)},
        "errors": errors or {}, "values": values or {}, "issued": issued,
    }, status_code=status_code)


@router.get("/assistants")
def assistants_page(request: Request, actor: Account = Depends(assistant_manager),
                    session: Session = Depends(get_session)):
    return _assistants_page(request, session, actor)


@router.post("/assistants/{account_id}/{action}")
def lock_assistant(request: Request, account_id: int, action: str, actor: Account = Depends(assistant_manager),
                   session: Session = Depends(get_session)):
    if action not in ("disable", "enable"):
        raise PageError(404, "Không tìm thấy trang", "Thao tác này không có trên hệ thống.")
    try:
        with unit_of_work(session):
            target = reach_service.managed_assistant(session=session, actor=actor, account_id=account_id)
            reach_service.set_assistant_active(session=session, actor=actor, account=target,
                                               active=action == "enable")
    except NotPermitted:
        raise PageError(404, "Không tìm thấy tài khoản", "Tài khoản không tồn tại hoặc không thuộc xã của bạn.",
                        back_url="/assistants") from None
    except Invalid as exc:
        return _assistants_page(request, session, actor, errors=exc.errors, status_code=422)
    return RedirectResponse("/assistants", status_code=303)


@router.post("/assistants")
def add_assistant(request: Request, actor: Account = Depends(assistant_manager), form: FormData = Depends(form_data),
                  session: Session = Depends(get_session)):
    values = {k: str(form.get(k, ""))[:300] for k in ("username", "display_name", "email", "phone", "commune_code")}
    own = reach_service.commune_of_admin(session=session, actor=actor)
    if own is not None:
        values["commune_code"] = own.code
    one_time_password = accounts_service.new_one_time_password()
    try:
        with unit_of_work(session):
            issued = reach_service.create_assistant(session=session, actor=actor, one_time_password=one_time_password,
                                                    **values)
    except accounts_service.AccountInvalid as exc:
        return _assistants_page(request, session, actor, errors=exc.errors, values=values, status_code=422)
    except NotPermitted as exc:
        return _assistants_page(request, session, actor, errors={"commune_code": str(exc)}, values=values,
                                status_code=403)
    return _assistants_page(request, session, actor, issued=issued)
