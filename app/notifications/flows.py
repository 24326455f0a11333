"""Which e-mails an event causes. Senders hear about every step they can act on; agencies about new items."""

from sqlmodel import Session

from app.agencies.models import Agency
from app.config import get_settings
from app.events import bus
from app.events.models import Event
from app.kinds import REJECT_REASON_LABELS, EventType
from app.notifications.service import agency_recipients, enqueue_email
from app.submissions.models import Submission

_SIGNATURE = "\n\n--\nHệ thống PAKN Điện Biên (thư tự động, vui lòng không trả lời thư này)."

NEW_ITEM_EVENTS = {EventType.ROUTED, EventType.ASSIGNED, EventType.TRANSFERRED, EventType.REOPENED,
                   EventType.SENT_TO_TRIAGE}


def _status_link(submission: Submission) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/track?code={submission.tracking_code}"


def _officer_link(submission: Submission) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/officer/items/{submission.tracking_code}"


def _sender_message(session: Session, submission: Submission, event: Event) -> tuple[str, str] | None:
    agency = session.get(Agency, submission.agency_id) if submission.agency_id else None
    agency_name = agency.name if agency else "cơ quan xử lý"
    code = submission.tracking_code
    match event.type:
        case EventType.ACCEPTED:
            return (f"[{code}] Đã được tiếp nhận",
                    f"{agency_name} đã tiếp nhận ý kiến “{submission.title}” của bạn và đang xử lý.")
        case EventType.TRANSFERRED:
            return (f"[{code}] Đã chuyển đến cơ quan có thẩm quyền",
                    f"Ý kiến “{submission.title}” của bạn đã được chuyển đến {agency_name} để xử lý.")
        case EventType.INFO_REQUESTED:
            return (f"[{code}] Đề nghị bổ sung thông tin",
                    f"{agency_name} đề nghị bạn bổ sung thông tin:\n\n{event.public_note}\n\n"
                    f"Vui lòng trả lời tại trang tra cứu (nhập mã {code} và thư điện tử này).")
        case EventType.ANSWERED:
            return (f"[{code}] Đã có trả lời",
                    f"{agency_name} đã trả lời ý kiến “{submission.title}”:\n\n{submission.answer_text}\n\n"
                    "Bạn có thể đánh giá mức độ hài lòng tại trang tra cứu.")
        case EventType.REJECTED:
            reason = REJECT_REASON_LABELS.get(submission.reject_reason, submission.reject_reason)
            return (f"[{code}] Không được tiếp nhận",
                    f"Ý kiến “{submission.title}” không được tiếp nhận. Lý do: {reason}.\n\n{submission.reject_detail}")
    return None


def on_submission_event(*, session: Session, submission: Submission, event: Event) -> None:
    if submission.sender_email:
        message = _sender_message(session, submission, event)
        if message:
            subject, body = message
            enqueue_email(session=session, to=submission.sender_email, subject=subject,
                          body=f"{body}\n\nTra cứu: {_status_link(submission)}{_SIGNATURE}",
                          submission_id=submission.id)
    if event.type in NEW_ITEM_EVENTS and submission.agency_id:
        for address in agency_recipients(session=session, agency_id=submission.agency_id):
            enqueue_email(
                session=session, to=address, subject=f"[{submission.tracking_code}] Hồ sơ mới: {submission.title}",
                body=f"Đơn vị có hồ sơ mới cần tiếp nhận trong hạn.\n\n{submission.title}\n\n"
                     f"Xem và xử lý: {_officer_link(submission)}{_SIGNATURE}",
                submission_id=submission.id,
            )


def register() -> None:
    bus.subscribe("notifications", lambda session, event, submission: on_submission_event(
        session=session, submission=submission, event=event), order=10)
