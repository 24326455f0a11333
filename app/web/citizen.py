"""Citizen pages: send a submission, then follow it with the tracking code and phone or email."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.datastructures import FormData

from app.agencies import service as agencies_service
from app.agencies.models import Agency, Commune, Field
from app.attachments import service as attachments_service
from app.attachments.http import uploads_from_form
from app.clientaddr import client_address
from app.config import get_settings
from app.db import get_session, unit_of_work
from app.errors import Invalid, InvalidTransition
from app.i18n import N_
from app.initiatives import service as initiatives_service
from app.kinds import (
    EVENT_PUBLIC_LABELS,
    KIND_EXAMPLES,
    KIND_HINTS,
    KIND_LABELS,
    NOTIFY_BY_LABELS,
    REJECT_REASON_LABELS,
    SENDER_TYPE_LABELS,
    Channel,
)
from app.publication import service as publication_service
from app.reach import service as reach_service
from app.sla import service as sla_service
from app.submissions import form_tokens, lookup
from app.submissions import service as submissions_service
from app.submissions.contact import mask_email, mask_name, mask_phone
from app.submissions.models import Submission
from app.submissions.schemas import CONTENT_MIN, TITLE_MIN
from app.web import reach as reach_web
from app.web.common import PageError, form_data, remember_code, render, require_csrf
from app.web.limits import door_refusal

router = APIRouter(dependencies=[Depends(require_csrf)])

HONEYPOT = "website"  # templates/citizen/_form_guard.html: people never see it, form-filling robots do
FORM_FIELDS = (
    "kind", "field_code", "commune_code", "title", "content", "sender_type", "sender_name",
    "sender_phone", "sender_email", "sender_address", "notify_by",
)


# The order in which the error summary lists problems: the order of the fields on the form.
FIELD_ORDER = ("form", "kind", "attachments", "field_code", "commune_code", "title", "content", "sender_type",
               "sender_name", "contact", "sender_phone", "sender_email", "sender_address", "consent")


def _form_context(session: Session, values: dict, errors: dict) -> dict:
    ordered = dict(sorted(errors.items(), key=lambda e: FIELD_ORDER.index(e[0]) if e[0] in FIELD_ORDER else 99))
    return {
        "kinds": KIND_LABELS,
        "kind_hints": KIND_HINTS,
        "kind_examples": KIND_EXAMPLES,
        "sender_types": SENDER_TYPE_LABELS,
        "fields": agencies_service.list_fields(session=session),
        "communes": agencies_service.list_communes(session=session),
        "values": values,
        "errors": ordered,
        "uploads": attachments_service.upload_rules(),
        "content_min": CONTENT_MIN,
        "title_min": TITLE_MIN,
        # A new one-time token for each form shown; a form shown again after an error keeps its token, so a
        # post that did go through is not sent twice.
        "form_token": values.get("form_token") if form_tokens.well_formed(values.get("form_token"))
        else form_tokens.new_token(),
        "notify_labels": NOTIFY_BY_LABELS,
        "stop_keyword": get_settings().sms_stop_keyword,
    }


@router.get("/")
def submit_form(request: Request, session: Session = Depends(get_session)):
    # A QR poster's link presets the commune and village and tags the source (app/reach, /posters).
    preset = reach_web.preset_from_query(request.query_params)
    return render(request, "citizen/submit.html", _form_context(session, {"sender_type": "individual", **preset}, {}))


def form_values(form: FormData | None) -> dict:
    """What the sender typed, as the form shows it again."""
    form = form or FormData()
    values: dict = {name: str(form.get(name, ""))[:20_000] for name in FORM_FIELDS}
    values["hide_identity"] = form.get("hide_identity") == "on"
    values["consent"] = form.get("consent") == "on"
    values["publish_consent"] = form.get("publish_consent") == "on"
    values.update(reach_web.form_values(form))  # urgency, village, point, source tag, voice (app/reach)
    values["form_token"] = str(form.get("form_token", ""))[:64]
    return values


@router.post("/")
def submit(request: Request, form: FormData = Depends(form_data), session: Session = Depends(get_session)):
    values = form_values(form)
    token = values["form_token"] if form_tokens.well_formed(values["form_token"]) else None
    files = uploads_from_form(form)
    if (refused := door_refusal(session, "submit", client_address(request))) is not None:
        return _form_error(request, session, values, {}, reattach=any(f.filename for f in files),
                           notice=refused[0], status_code=429, headers=refused[1])
    if str(form.get(HONEYPOT, "")).strip():
        return _form_error(request, session, values, {}, reattach=any(f.filename for f in files), notice=N_(
            "Chưa gửi được: ô ẩn dành để chặn máy gửi tự động đã bị điền. Vui lòng tải lại trang rồi gửi lại."))
    try:
        # Urgency, village, point, source tag and a voice message standing for empty content (app/reach).
        data, details = reach_web.parse_citizen(session, {k: v for k, v in values.items() if k != "form_token"}, files)
        batch = attachments_service.stage(files)  # decoding images holds no database lock
        with attachments_service.unit_with_files(session, batch):
            # The token is claimed first, in the same transaction: a second post with it creates nothing.
            submission_id, created = form_tokens.once(
                session=session, token=token,
                create=lambda: reach_service.submit(session=session, data=data, details=details, source=Channel.WEB,
                                                    batch=batch).id)
            if not created:
                raise _AlreadySent(submission_id)  # rolls back: this post's staged files are deleted
    except Invalid as exc:
        return _form_error(request, session, values, exc.errors, reattach=any(f.filename for f in files))
    except _AlreadySent as sent:
        submission_id = sent.submission_id
    submission = session.get(Submission, submission_id)
    _remember(request, submission.tracking_code)
    return RedirectResponse(f"/track/{submission.tracking_code}?sent=1", status_code=303)


class _AlreadySent(Exception):
    """This form was posted before: roll back (the staged files of this post are deleted) and confirm the first."""

    def __init__(self, submission_id: int):
        super().__init__(submission_id)
        self.submission_id = submission_id


def _form_error(request: Request, session: Session, values: dict, errors: dict, reattach: bool = False, *,
                notice: str | None = None, status_code: int = 422, headers: dict | None = None):
    # Browsers never refill a file input: say so, rather than let the sender believe the files went.
    context = {**_form_context(session, values, errors), "reattach": reattach, "form_notice": notice}
    return render(request, "citizen/submit.html", context, status_code=status_code, headers=headers)


FORM_EXPIRED = N_("Biểu mẫu đã hết hạn nên chưa được gửi. Nội dung bạn nhập vẫn còn dưới đây: "
                  "vui lòng kiểm tra rồi bấm “Gửi ý kiến” lại.")


def refill_form(request: Request, session: Session, form: FormData | None, status_code: int) -> object:
    """The form again, filled with what was typed and the problem marked: after an expired form (403, the
    posted text is known) or a request too large to read (413: nothing was read, so the fields come back empty
    and the page's script puts back the draft it kept in the browser)."""
    if status_code == 413:
        errors = {"attachments": N_("Tệp đính kèm quá lớn nên chưa gửi được (mỗi tệp tối đa %(size)s). "
                                    "Vui lòng chọn ảnh nhỏ hơn hoặc bớt tệp rồi gửi lại.",
                                    size=attachments_service.upload_rules()["max_size"])}
        return _form_error(request, session, form_values(form), errors, status_code=413)
    return _form_error(request, session, form_values(form), {"form": FORM_EXPIRED},
                       reattach=bool(form and uploads_from_form(form)), status_code=status_code)


_remember = remember_code  # web/common.py: the offline queue's door remembers codes too

# remember_code (web/common.py) is also what the solution form of a challenge (app/web/challenges.py) uses.


@router.get("/track")
def track_form(request: Request, code: str = ""):
    return render(request, "citizen/track.html", {"values": {"code": code}, "errors": {}})


@router.post("/track")
def track(
    request: Request,
    code: str = Form("", max_length=100),
    contact: str = Form("", max_length=254),
    session: Session = Depends(get_session),
):
    values = {"code": code, "contact": ""}
    errors = {}
    address = client_address(request)
    if (refused := door_refusal(session, "track", address)) is not None:
        return render(request, "citizen/track.html", {"values": values, "errors": {"code": refused[0]}},
                      status_code=429, headers=refused[1])
    if not code.strip():
        errors["code"] = N_("Vui lòng nhập mã tra cứu.")
    if not contact.strip():
        errors["contact"] = N_("Vui lòng nhập số điện thoại hoặc thư điện tử đã dùng khi gửi.")
    if not errors:
        if (limited := lookup.refusal(session, address=address, code=code, contact=contact)) is not None:
            return render(request, "citizen/track.html",
                          {"values": values, "errors": {"code": lookup.refusal_message(limited)}},
                          status_code=429, headers={"Retry-After": str(limited.retry_after)})
        submission = submissions_service.find_for_sender(session=session, code=code, contact=contact)
        if submission is None:
            with unit_of_work(session):  # a miss counts even though the answer is an error
                lookup.count_failure(session, address=address, code=code, contact=contact)
            # One message for both cases, so the form does not reveal which codes exist.
            errors["code"] = N_(
                "Không tìm thấy hồ sơ khớp với mã tra cứu và thông tin liên hệ này. Vui lòng kiểm tra lại.")
        else:
            _remember(request, submission.tracking_code)
            return RedirectResponse(f"/track/{submission.tracking_code}", status_code=303)
    return render(request, "citizen/track.html", {"values": values, "errors": errors}, status_code=422)


class NotYours(Exception):
    """This browser has not proved the contact for the code: send it to the lookup form."""


def tracked_submission(request: Request, code: str, session: Session = Depends(get_session)) -> Submission:
    submission = submissions_service.get_by_code(session=session, code=code)
    if submission is None and not code.upper().startswith("DB"):
        raise PageError(404, N_("Không tìm thấy trang"), N_("Địa chỉ này không có trên hệ thống."))
    if submission is None or submission.tracking_code not in request.session.get("tracked", []):
        # The same answer for an unknown code and for someone else's: the look-up form, with the code as typed.
        raise NotYours(code[:40])
    return submission


@router.get("/track/{code}")
def status_page(
    request: Request, sent: int = 0, submission: Submission = Depends(tracked_submission),
    session: Session = Depends(get_session),
):
    context = {**public_view(session, submission), "just_sent": bool(sent),
               "message": _flash(request)}
    return render(request, "citizen/status.html", context)


def _flash(request: Request):
    """The message left by the last action. The session stores text only; it is a catalog msgid (no parameters)."""
    message = request.session.pop("flash", None)
    return N_(message) if message else None


def _sender_action(request: Request, session: Session, submission: Submission, form: FormData,
                   fields: tuple[str, ...], run, done: str):
    """Runs `run(values, batch)` in one unit of work (files checked before it opens)."""
    values = {name: str(form.get(name, ""))[:20_000] for name in fields}
    try:
        batch = attachments_service.stage(uploads_from_form(form)) if "attachments" in form else None
        with attachments_service.unit_with_files(session, batch):
            run(values, batch)
    except Invalid as exc:
        errors = exc.errors
    except InvalidTransition as exc:
        errors = {"action": exc.args[0] if exc.args else str(exc)}
    else:
        request.session["flash"] = done
        return RedirectResponse(f"/track/{submission.tracking_code}", status_code=303)
    session.rollback()
    context = {**public_view(session, submission), "just_sent": False, "errors": errors, "values": values}
    return render(request, "citizen/status.html", context, status_code=422)


@router.post("/track/{code}/reply")
def reply(request: Request, submission: Submission = Depends(tracked_submission), form: FormData = Depends(form_data),
          session: Session = Depends(get_session)):
    return _sender_action(
        request, session, submission, form, ("reply",),
        lambda v, batch: submissions_service.provide_info(session=session, submission=submission, reply=v["reply"],
                                                          batch=batch),
        N_("Đã gửi thông tin bổ sung đến cơ quan xử lý."))


@router.post("/track/{code}/rate")
def rate(request: Request, submission: Submission = Depends(tracked_submission), form: FormData = Depends(form_data),
         session: Session = Depends(get_session)):
    def run(values, _batch):
        if values["satisfied"] not in ("yes", "no"):
            raise Invalid({"satisfied": N_("Vui lòng chọn mức độ hài lòng.")})
        submissions_service.rate(session=session, submission=submission, satisfied=values["satisfied"] == "yes",
                                 comment=values["comment"])

    return _sender_action(request, session, submission, form, ("satisfied", "comment"), run,
                                N_("Cảm ơn bạn đã đánh giá."))


def public_view(session: Session, submission: Submission) -> dict:
    """What the sender sees: state, handling agency, answer and history, without internal details."""
    agency = session.get(Agency, submission.agency_id) if submission.agency_id else None
    events = [
        {"at": e.created_at, "label": EVENT_PUBLIC_LABELS[e.type], "note": e.public_note}
        for e in submissions_service.history(session=session, submission=submission)
        if e.type in EVENT_PUBLIC_LABELS
    ]
    answer = submissions_service.visible_answer(submission)
    return {
        "question": submissions_service.pending_question(session=session, submission=submission),
        "answer": answer,
        "can_rate": answer is not None and submission.rated_at is None,
        "reject_reason": REJECT_REASON_LABELS.get(submission.reject_reason) if submission.reject_reason else None,
        "errors": {},
        "values": {},
        "attachments": attachments_service.for_submission(session=session, submission_id=submission.id),
        "uploads": attachments_service.upload_rules(),
        "item": submission,
        "agency": agency,
        "field": session.get(Field, submission.field_id),
        "commune": session.get(Commune, submission.commune_id),
        "events": events,
        "deadline": sla_service.public_deadline(session=session, submission=submission),
        "initiative": initiatives_service.status_view(session=session, submission=submission),
        "publication": publication_service.for_submission(session=session, submission_id=submission.id),
        "masked": {
            "name": mask_name(submission.sender_name),
            "phone": mask_phone(submission.sender_phone),
            "email": mask_email(submission.sender_email),
        },
    }
