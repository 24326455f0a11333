"""Downloads of attachments, each behind the same check as the page that lists it:
officers through `submission_for_handler` (404 for another agency's item), the sender through
`tracked_submission` (this browser must have proved the contact, else it is sent to the lookup form)."""

from fastapi import APIRouter, Depends
from sqlmodel import Session

from app.accounts.models import Account
from app.attachments import service as attachments_service
from app.attachments.http import file_response
from app.db import get_session
from app.submissions.models import Submission
from app.web.citizen import tracked_submission
from app.web.common import PageError, current_handler
from app.web.officer import former_holder_view, submission_for_handler, visible_attachments

router = APIRouter()


def _not_found() -> PageError:
    return PageError(404, "Không tìm thấy tệp", "Tệp đính kèm không tồn tại hoặc bạn không có quyền xem.")


def _serve(session: Session, submission: Submission, attachment_id: int, *, thumbnail: bool):
    attachment = attachments_service.get_for_submission(
        session=session, submission_id=submission.id, attachment_id=attachment_id)
    response = file_response(attachment, thumbnail=thumbnail) if attachment else None
    if response is None:
        raise _not_found()
    return response


def _officer_serve(session: Session, actor: Account, submission: Submission, attachment_id: int, *,
                   thumbnail: bool):
    """A former holder gets only the files from before the item left its agency (404 for later ones)."""
    _history, left = former_holder_view(session, actor, submission)
    if attachment_id not in {a.id for a in visible_attachments(session, actor, submission, left)}:
        raise _not_found()
    return _serve(session, submission, attachment_id, thumbnail=thumbnail)


@router.get("/officer/items/{code}/attachments/{attachment_id}")
def officer_download(attachment_id: int, submission: Submission = Depends(submission_for_handler),
                     actor: Account = Depends(current_handler), session: Session = Depends(get_session)):
    return _officer_serve(session, actor, submission, attachment_id, thumbnail=False)


@router.get("/officer/items/{code}/attachments/{attachment_id}/thumbnail")
def officer_thumbnail(attachment_id: int, submission: Submission = Depends(submission_for_handler),
                      actor: Account = Depends(current_handler), session: Session = Depends(get_session)):
    return _officer_serve(session, actor, submission, attachment_id, thumbnail=True)


@router.get("/track/{code}/attachments/{attachment_id}")
def sender_download(attachment_id: int, submission: Submission = Depends(tracked_submission),
                    session: Session = Depends(get_session)):
    return _serve(session, submission, attachment_id, thumbnail=False)


@router.get("/track/{code}/attachments/{attachment_id}/thumbnail")
def sender_thumbnail(attachment_id: int, submission: Submission = Depends(tracked_submission),
                     session: Session = Depends(get_session)):
    return _serve(session, submission, attachment_id, thumbnail=True)
