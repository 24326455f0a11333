"""Publication doors: the sender withdraws consent from the tracking page; the item's agency or the coordinator
reviews an answered item's copy and publishes it (app/publication/service.py decides)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from app.accounts.models import Account
from app.accounts.permissions import is_coordinator
from app.agencies import service as agencies_service
from app.attachments import service as attachments_service
from app.db import get_session, unit_of_work
from app.errors import Invalid, InvalidTransition, NotPermitted
from app.i18n import N_
from app.publication import service as publication_service
from app.publication.models import PublicationStatus
from app.submissions.models import Submission
from app.web.citizen import tracked_submission
from app.web.common import PageError, current_handler, form_data, render, require_csrf
from app.web.officer import submission_for_handler

router = APIRouter(dependencies=[Depends(require_csrf)])

WITHDRAWN = N_("Đã rút lại sự đồng ý công khai. Hồ sơ không còn trên trang công khai.")


@router.post("/track/{code}/publication/withdraw")
def withdraw(request: Request, submission: Submission = Depends(tracked_submission),
             session: Session = Depends(get_session)):
    try:
        with unit_of_work(session):
            publication_service.withdraw(session=session, submission=submission)
        request.session["flash"] = WITHDRAWN
    except InvalidTransition as exc:
        request.session["flash"] = exc.args[0] if exc.args else str(exc)
    return RedirectResponse(f"/track/{submission.tracking_code}", status_code=303)


@router.get("/officer/cong-khai")
def queue(request: Request, actor: Account = Depends(current_handler), session: Session = Depends(get_session)):
    """Answered items whose senders allow publication, waiting for review."""
    items = publication_service.review_queue(session=session,
                                             agency_id=None if is_coordinator(actor) else actor.agency_id)
    ref = agencies_service.reference(session=session)
    return render(request, "publication/queue.html", {"account": actor, "items": items, "ref": ref})


def _review_context(session: Session, actor: Account, submission: Submission, **extra) -> dict:
    row = publication_service.for_submission(session=session, submission_id=submission.id)
    if row is None or row.status == PublicationStatus.WITHDRAWN:
        raise PageError(404, "Không công khai được", "Người gửi không cho phép công khai hồ sơ này.",
                        back_url="/officer/cong-khai")
    draft = publication_service.draft(session=session, submission=submission, row=row)
    return {"account": actor, "item": submission, "publication": row, "draft": draft, "errors": {},
            "attachments": attachments_service.for_submission(session=session, submission_id=submission.id),
            "may_publish": publication_service.may_publish(actor, submission), **extra}


@router.get("/officer/cong-khai/{code}")
def review(request: Request, submission: Submission = Depends(submission_for_handler),
           actor: Account = Depends(current_handler), session: Session = Depends(get_session)):
    context = _review_context(session, actor, submission, message=request.session.pop("flash", None))
    return render(request, "publication/review.html", context)


@router.post("/officer/cong-khai/{code}")
def publish(request: Request, submission: Submission = Depends(submission_for_handler),
            actor: Account = Depends(current_handler), form=Depends(form_data),
            session: Session = Depends(get_session)):
    values = {name: str(form.get(name, ""))[:25_000] for name in ("title", "question", "answer")}
    ticked = {int(v) for v in form.getlist("attachment") if str(v).isdigit()}
    try:
        with unit_of_work(session):
            publication_service.publish(session=session, submission=submission, actor=actor, attachment_ids=ticked,
                                        **values)
    except (Invalid, InvalidTransition, NotPermitted) as exc:
        session.rollback()
        errors = exc.errors if isinstance(exc, Invalid) else {"action": str(exc)}
        context = _review_context(session, actor, submission, errors=errors, message=None)
        context["draft"] = publication_service.Draft(values["title"], values["question"], values["answer"],
                                                     context["draft"].sender_label, frozenset(ticked))
        return render(request, "publication/review.html", context, status_code=422)
    request.session["flash"] = "Đã công khai hồ sơ."
    return RedirectResponse(f"/officer/cong-khai/{submission.tracking_code}", status_code=303)
