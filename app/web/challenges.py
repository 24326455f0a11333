"""Public pages of the initiatives domain: challenges (/bai-toan) and their solution form, published initiatives and
solutions (/sang-kien) and their support with a one-time code (by e-mail or SMS), and the author's later consent
to publication on the status page (kept by app/publication, which alone says what is published)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlmodel import Session
from starlette.datastructures import FormData

from app import throttle
from app.agencies import service as agencies_service
from app.agencies.models import Field
from app.attachments import service as attachments_service
from app.attachments import storage
from app.attachments.http import content_disposition, uploads_from_form
from app.db import get_session, unit_of_work
from app.errors import Invalid, InvalidTransition
from app.i18n import N_
from app.initiatives import service as initiatives_service
from app.initiatives import support as support_service
from app.initiatives.models import Challenge, ChallengeDocument, CodePurpose
from app.kinds import SENDER_TYPE_LABELS, Kind
from app.publication import service as publication_service
from app.submissions.models import Submission
from app.submissions.schemas import parse_submission
from app.web.citizen import FORM_FIELDS, remember_code, tracked_submission
from app.web.common import PageError, form_data, render, require_csrf

router = APIRouter(dependencies=[Depends(require_csrf)])

SOLUTION_FIELDS = ("organisation", "team", "maturity", "estimated_cost", "needs")
SESSION_KEY = "support_code"
CONSENT_GIVEN = N_("Đã ghi nhận đồng ý công khai.")
CONSENT_WITHDRAWN = N_("Đã rút đồng ý công khai.")
CODE_SENT = N_("Đã gửi mã xác nhận đến thư điện tử của bạn. Vui lòng nhập mã vào ô dưới đây.")
CODE_SENT_SMS = N_("Đã gửi mã xác nhận bằng tin nhắn đến số điện thoại của bạn. Vui lòng nhập mã vào ô dưới đây.")


def _not_found() -> PageError:
    return PageError(404, N_("Không tìm thấy trang"),
                     N_("Bài toán hoặc nội dung này không có hoặc chưa được công khai."), back_url="/bai-toan")


def _challenge(challenge_id: int, session: Session = Depends(get_session)) -> Challenge:
    challenge = session.get(Challenge, challenge_id)
    if challenge is None:
        raise _not_found()
    return challenge


def _challenge_context(session: Session, challenge: Challenge) -> dict:
    ref = agencies_service.reference(session=session)
    today = initiatives_service.local_today()
    published = initiatives_service.published_items(session=session, challenge_id=challenge.id)
    return {
        "challenge": challenge,
        "is_open": initiatives_service.is_open(challenge, today),
        "not_yet": today < challenge.opens_on,
        "field": session.get(Field, challenge.field_id),
        "owner": ref.agency_by_id.get(challenge.owner_agency_id),
        "criteria": initiatives_service.criteria_of(session=session, set_id=challenge.criteria_set_id),
        "documents": initiatives_service.documents(session=session, challenge_id=challenge.id),
        "solution_count": initiatives_service.solution_counts(session=session).get(challenge.id, 0),
        "published": published,
        "adopted": [p for p in published if p.assessment.decision in ("adopted", "pilot")],
        "decision_labels": initiatives_service.DECISION_LABELS,
    }


@router.get("/bai-toan")
def challenge_list(request: Request, session: Session = Depends(get_session)):
    today = initiatives_service.local_today()
    challenges = initiatives_service.list_challenges(session=session)
    ref = agencies_service.reference(session=session)
    return render(request, "citizen/challenges.html", {
        "open": [c for c in challenges if initiatives_service.is_open(c, today) or today < c.opens_on],
        "closed": [c for c in challenges if not (initiatives_service.is_open(c, today) or today < c.opens_on)],
        "counts": initiatives_service.solution_counts(session=session),
        "agencies": ref.agency_by_id, "fields": {f.id: f for f in ref.fields}, "today": today,
    })


@router.get("/bai-toan/{challenge_id}")
def challenge_page(request: Request, challenge: Challenge = Depends(_challenge),
                   session: Session = Depends(get_session)):
    return render(request, "citizen/challenge.html", _challenge_context(session, challenge))


@router.get("/bai-toan/{challenge_id}/tai-lieu/{document_id}")
def challenge_document(document_id: int, challenge: Challenge = Depends(_challenge),
                       session: Session = Depends(get_session)):
    document = session.get(ChallengeDocument, document_id)
    if document is None or document.challenge_id != challenge.id:
        raise _not_found()
    path = storage.path_for(document.storage_key)
    if not path.is_file():
        raise _not_found()
    return FileResponse(path, media_type=document.content_type, headers={
        "Content-Disposition": content_disposition(document.original_name),
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"})


def _solution_form(request: Request, session: Session, challenge: Challenge, values: dict, errors: dict,
                   status: int = 200, reattach: bool = False):
    context = {**_challenge_context(session, challenge), "values": values, "errors": errors, "reattach": reattach,
               "sender_types": SENDER_TYPE_LABELS, "fields": agencies_service.list_fields(session=session),
               "communes": agencies_service.list_communes(session=session),
               "maturities": initiatives_service.MATURITY_LABELS, "uploads": attachments_service.upload_rules()}
    return render(request, "citizen/solution.html", context, status_code=status)


@router.get("/bai-toan/{challenge_id}/giai-phap")
def solution_form(request: Request, challenge: Challenge = Depends(_challenge),
                  session: Session = Depends(get_session)):
    field = session.get(Field, challenge.field_id)
    values = {"kind": Kind.SOLUTION.value, "field_code": field.code if field else "", "sender_type": "organisation"}
    return _solution_form(request, session, challenge, values, {})


@router.post("/bai-toan/{challenge_id}/giai-phap")
def solution_submit(request: Request, challenge: Challenge = Depends(_challenge),
                    form: FormData = Depends(form_data), session: Session = Depends(get_session)):
    """Whether the challenge still takes solutions is decided in the writing transaction; a refusal comes back with
    everything the sender typed (files must be chosen again, as browsers never refill a file input)."""
    values = {name: str(form.get(name, ""))[:20_000] for name in (*FORM_FIELDS, *SOLUTION_FIELDS)}
    values["kind"] = Kind.SOLUTION.value
    values["hide_identity"] = form.get("hide_identity") == "on"
    values["consent"] = form.get("consent") == "on"
    values["publish_consent"] = form.get("publish_consent") == "on"
    files = uploads_from_form(form)
    errors: dict = {}
    data = details = None
    try:
        data = parse_submission({k: v for k, v in values.items()
                                 if v != "" and k not in SOLUTION_FIELDS and k != "publish_consent"})
    except Invalid as exc:
        errors.update(exc.errors)
    try:
        details = initiatives_service.parse_solution_details(values)
    except Invalid as exc:
        errors.update(exc.errors)
    if not errors:
        try:
            batch = attachments_service.stage(files)
            with attachments_service.unit_with_files(session, batch):
                submission = initiatives_service.submit_solution(session=session, challenge_id=challenge.id,
                                                                 data=data, details=details, batch=batch)
        except Invalid as exc:
            errors.update(exc.errors)
        except InvalidTransition as exc:
            errors["action"] = exc.args[0] if exc.args else str(exc)  # a Msg: shown in the visitor's language
    if errors:
        session.rollback()
        return _solution_form(request, session, challenge, values, errors, status=422,
                              reattach=any(f.filename for f in files))
    remember_code(request, submission.tracking_code)
    return RedirectResponse(f"/track/{submission.tracking_code}?sent=1", status_code=303)


# ------------------------------------------------------------------ published items and support


@router.get("/sang-kien")
def published_list(request: Request, session: Session = Depends(get_session)):
    items = initiatives_service.published_items(session=session)
    return render(request, "citizen/initiatives.html", {"items": items,
                                                          "decision_labels": initiatives_service.DECISION_LABELS})


def _public(submission_id: int, session: Session = Depends(get_session)) -> initiatives_service.PublicItem:
    item = initiatives_service.public_item(session=session, submission_id=submission_id)
    if item is None:
        raise _not_found()
    return item


def _item_page(request: Request, session: Session, item: initiatives_service.PublicItem, *, values: dict | None = None,
               errors: dict | None = None, status: int = 200, step: str = "ask"):
    pending = request.session.get(SESSION_KEY) or {}
    if step == "ask" and pending.get("item") == item.submission.id:
        step = "code"
    context = {
        "item": item, "values": values or {}, "errors": errors or {}, "step": step,
        "purpose": pending.get("purpose", "support"),
        "message": N_(flash) if (flash := request.session.pop("flash", None)) else None,
        "decision_labels": initiatives_service.DECISION_LABELS,
        "maturities": initiatives_service.MATURITY_LABELS,
        "field": session.get(Field, item.submission.field_id),
    }
    return render(request, "citizen/initiative.html", context, status_code=status)


@router.get("/sang-kien/{submission_id}")
def published_item(request: Request, item=Depends(_public), session: Session = Depends(get_session)):
    return _item_page(request, session, item)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _ask(request: Request, session: Session, item, form: FormData, purpose: CodePurpose):
    contact = str(form.get("contact", ""))[:254]
    try:
        address = support_service.check_contact(contact)
    except Invalid as exc:
        return _item_page(request, session, item, values={"contact": contact}, errors=exc.errors, status=422)
    # The hits outlive the request (their own unit of work): a refused request still counts.
    with unit_of_work(session):
        by_contact = throttle.hit(session, support_service.PER_CONTACT, support_service.contact_hash(address))
        by_address = throttle.hit(session, support_service.PER_ADDRESS, _address(request))
    if not (by_contact.allowed and by_address.allowed):
        retry = max(by_contact.retry_after if not by_contact.allowed else 0,
                    by_address.retry_after if not by_address.allowed else 0)
        response = _item_page(request, session, item, values={"contact": contact}, status=429, errors={
            "contact": N_("Đã yêu cầu quá nhiều mã xác nhận. Vui lòng thử lại sau %(minutes)s phút.",
                          minutes=max(1, retry // 60))})
        response.headers["Retry-After"] = str(retry)
        return response
    with unit_of_work(session):
        code = support_service.request_code(session=session, item=item, contact=address, purpose=purpose)
    request.session[SESSION_KEY] = {"item": item.submission.id, "code": code.id, "purpose": purpose.value}
    request.session["flash"] = CODE_SENT if "@" in address else CODE_SENT_SMS
    return RedirectResponse(f"/sang-kien/{item.submission.id}#xac-nhan", status_code=303)


@router.post("/sang-kien/{submission_id}/ung-ho")
def support_ask(request: Request, item=Depends(_public), form: FormData = Depends(form_data),
                session: Session = Depends(get_session)):
    return _ask(request, session, item, form, CodePurpose.SUPPORT)


@router.post("/sang-kien/{submission_id}/rut-ung-ho")
def withdraw_ask(request: Request, item=Depends(_public), form: FormData = Depends(form_data),
                 session: Session = Depends(get_session)):
    return _ask(request, session, item, form, CodePurpose.WITHDRAW)


@router.post("/sang-kien/{submission_id}/xac-nhan")
def support_confirm(request: Request, item=Depends(_public), form: FormData = Depends(form_data),
                    session: Session = Depends(get_session)):
    pending = request.session.get(SESSION_KEY) or {}
    code_id = pending.get("code") if pending.get("item") == item.submission.id else None
    with unit_of_work(session):  # a wrong code's attempt is committed too
        outcome = support_service.confirm(session=session, submission_id=item.submission.id, code_id=code_id,
                                          code=str(form.get("code", ""))[:20])
    message = support_service.MESSAGES[outcome.status]  # a catalog message: the session keeps its text
    if outcome.status == "wrong":
        session.expire_all()
        return _item_page(request, session, item, errors={"code": message}, status=422, step="code")
    request.session.pop(SESSION_KEY, None)
    request.session["flash"] = message
    return RedirectResponse(f"/sang-kien/{item.submission.id}", status_code=303)


@router.post("/sang-kien/{submission_id}/huy-ma")
def support_cancel(request: Request, item=Depends(_public)):
    request.session.pop(SESSION_KEY, None)
    return RedirectResponse(f"/sang-kien/{item.submission.id}", status_code=303)


# ------------------------------------------------------------------ the author's consent (status page)


@router.post("/track/{code}/cong-khai")
def consent(request: Request, submission: Submission = Depends(tracked_submission),
            form: FormData = Depends(form_data), session: Session = Depends(get_session)):
    """The author of an initiative or a solution consents to publication after sending (app/publication keeps the
    consent; "no" withdraws it there, which is final)."""
    if submission.kind not in initiatives_service.ASSESSED_KINDS:
        raise _not_found()
    give = form.get("consent") == "yes"
    try:
        with unit_of_work(session):
            if give:
                publication_service.consent(session=session, submission=submission)
            else:
                publication_service.withdraw(session=session, submission=submission)
    except InvalidTransition as exc:
        raise PageError(422, N_("Không thực hiện được"), exc.args[0] if exc.args else str(exc),
                        back_url=f"/track/{submission.tracking_code}") from None
    request.session["flash"] = CONSENT_GIVEN if give else CONSENT_WITHDRAWN
    return RedirectResponse(f"/track/{submission.tracking_code}", status_code=303)
