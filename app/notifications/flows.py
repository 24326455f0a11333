"""Which e-mails an event causes: the one place that decides it, for every event (domains only record events and
put what the messages need in the event's `data`). Senders hear about every step they can act on; agencies about
new items, deadline crossings and decisions on their extension requests; the coordinator about overdue items and
extension requests.

| event | to | data used |
|---|---|---|
| accepted, transferred, info requested, answered, rejected | the sender (if they gave an e-mail) | — |
| routed, assigned, transferred, reopened, sent to triage | the holding agency | — |
| deadline at risk | the clock's agency | phase, due_at, agency_id |
| deadline overdue | the clock's agency and the coordinator | phase, due_at, agency_id |
| extension requested | the coordinator | working_days, reason |
| extension granted | the holding agency | working_days, new_due_at (None while paused) |
| extension refused | the holding agency | the internal note (the reason) |
| sign-in failures (an account event) | the account holder (if the account has an e-mail) | failures, ip |
| officer assigned | the assigned officer (if their account has an e-mail) | subject_account_id |
| decided (initiative, solution) | the sender | — (the decision is the item's answer) |
| support threshold reached | the holding agency | count, threshold |
| assessor assigned | the assessor (subject account), if they have an e-mail | — |
| (no event) a support code was asked | the person who asked (`support_code`) | — |
"""

from datetime import datetime

from sqlmodel import Session

from app.accounts.models import Account
from app.agencies.models import Agency
from app.config import get_settings
from app.events import bus
from app.events.models import Event
from app.events.service import data_of
from app.kinds import PHASE_LABELS, REJECT_REASON_LABELS, EventType
from app.notifications.service import agency_name, agency_recipients, coordinator_recipients, enqueue_email
from app.reach import service as reach_service
from app.submissions.models import Submission
from app.timefmt import format_datetime

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
        case EventType.DECIDED:
            return (f"[{code}] Đã có kết quả thẩm định",
                    f"{agency_name} đã có kết quả thẩm định “{submission.title}”:\n\n{submission.answer_text}")
        case EventType.REJECTED:
            reason = REJECT_REASON_LABELS.get(submission.reject_reason, submission.reject_reason)
            return (f"[{code}] Không được tiếp nhận",
                    f"Ý kiến “{submission.title}” không được tiếp nhận. Lý do: {reason}.\n\n{submission.reject_detail}")
    return None


def _base_url() -> str:
    return get_settings().public_base_url.rstrip("/")


def _deadline_message(session: Session, submission: Submission, event: Event) -> tuple[list[str], str, str] | None:
    """(recipients, subject, body) of an event of the deadline machinery (app/sla), or None."""
    code = submission.tracking_code
    data = data_of(event)
    match event.type:
        case EventType.DEADLINE_AT_RISK | EventType.DEADLINE_OVERDUE:
            agency_id = data.get("agency_id")
            to = agency_recipients(session=session, agency_id=agency_id) if agency_id is not None else []
            phase = PHASE_LABELS[data["phase"]].lower()
            due = format_datetime(datetime.fromisoformat(data["due_at"]))
            if event.type == EventType.DEADLINE_AT_RISK:
                subject = f"[PAKN] Hồ sơ {code} sắp đến hạn ({phase} {due})"
            else:
                subject = f"[PAKN] Hồ sơ {code} đã quá hạn ({phase} {due})"
                to += coordinator_recipients(session=session)
            holder = agency_name(session=session, agency_id=agency_id)
            body = (f"Hồ sơ {code} “{submission.title}”\nĐơn vị xử lý: {holder}\n"
                    f"{event.internal_note}\nXem hồ sơ: {_officer_link(submission)}")
            return to, subject, body
        case EventType.EXTENSION_REQUESTED:
            return (coordinator_recipients(session=session), f"[PAKN] Đề nghị gia hạn hồ sơ {code}",
                    f"Hồ sơ {code} “{submission.title}” đề nghị gia hạn {data['working_days']} ngày làm việc.\n"
                    f"Lý do: {data['reason']}\nXem và quyết định: {_base_url()}/sla/extensions")
        case EventType.EXTENSION_GRANTED:
            new_due = data.get("new_due_at")
            new_due_text = f" đến {format_datetime(datetime.fromisoformat(new_due))}" if new_due else ""
            return (_holders(session, submission), f"[PAKN] Hồ sơ {code} được gia hạn",
                    f"Cơ quan thường trực đồng ý gia hạn hồ sơ {code} thêm {data['working_days']} ngày làm việc"
                    f"{new_due_text}.\n{event.internal_note or ''}")
        case EventType.SUPPORT_THRESHOLD_REACHED:
            return (_holders(session, submission), f"[PAKN] Hồ sơ {code} đạt ngưỡng ủng hộ",
                    f"Hồ sơ {code} “{submission.title}” có {data['count']} người ủng hộ (ngưỡng {data['threshold']})"
                    f" và được báo Ban Chỉ đạo.\nXem hồ sơ: {_officer_link(submission)}")
        case EventType.EXTENSION_REFUSED:
            return (_holders(session, submission), f"[PAKN] Đề nghị gia hạn hồ sơ {code} không được chấp thuận",
                    f"Cơ quan thường trực không chấp thuận gia hạn hồ sơ {code}.\nLý do: {event.internal_note}")
    return None


def _holders(session: Session, submission: Submission) -> list[str]:
    return agency_recipients(session=session, agency_id=submission.agency_id) if submission.agency_id else []


def on_submission_event(*, session: Session, submission: Submission, event: Event) -> None:
    # An item entered by a commune assistant: the assistant hears what the sender hears, and relays it.
    assistants = reach_service.assistant_emails(session=session, submission=submission)
    if submission.sender_email or assistants:
        message = _sender_message(session, submission, event)
        if message:
            subject, body = message
            if submission.sender_email:
                enqueue_email(session=session, to=submission.sender_email, subject=subject,
                              body=f"{body}\n\nTra cứu: {_status_link(submission)}{_SIGNATURE}",
                              submission_id=submission.id)
            for address in assistants:
                if address.lower() != (submission.sender_email or "").lower():
                    enqueue_email(session=session, to=address, subject=subject,
                                  body=f"Hồ sơ bạn nhập thay {submission.sender_name}:\n\n{body}\n\n"
                                       f"Xem và chuyển trả lời: {_base_url()}/assistant/items/"
                                       f"{submission.tracking_code}{_SIGNATURE}", submission_id=submission.id)
    if event.type in NEW_ITEM_EVENTS and submission.agency_id:
        for address in agency_recipients(session=session, agency_id=submission.agency_id):
            enqueue_email(
                session=session, to=address, subject=f"[{submission.tracking_code}] Hồ sơ mới: {submission.title}",
                body=f"Đơn vị có hồ sơ mới cần tiếp nhận trong hạn.\n\n{submission.title}\n\n"
                     f"Xem và xử lý: {_officer_link(submission)}{_SIGNATURE}",
                submission_id=submission.id,
            )
    if event.type == EventType.OFFICER_ASSIGNED and event.subject_account_id:
        _assignee_message(session, submission, event)
    if event.type == EventType.ASSESSOR_ASSIGNED and event.subject_account_id:
        assessor = session.get(Account, event.subject_account_id)
        if assessor is not None and assessor.email:
            enqueue_email(session=session, to=assessor.email,
                          subject=f"[{submission.tracking_code}] Bạn được phân công thẩm định",
                          body=f"Bạn được phân công thẩm định “{submission.title}”. Vui lòng chấm điểm độc lập theo "
                               f"từng tiêu chí: {_officer_link(submission)}/tham-dinh{_SIGNATURE}",
                          submission_id=submission.id)
    deadline = _deadline_message(session, submission, event)
    if deadline:
        to, subject, body = deadline
        for address in dict.fromkeys(to):
            enqueue_email(session=session, to=address, subject=subject, body=body, submission_id=submission.id)


def on_account_event(*, session: Session, event: Event) -> None:
    """Repeated sign-in failures: the account's holder hears of it (someone may be guessing their password)."""
    if event.type != EventType.SIGN_IN_FAILURES or event.subject_account_id is None:
        return
    account = session.get(Account, event.subject_account_id)
    if account is None or not account.email:
        return
    data = data_of(event)
    enqueue_email(
        session=session, to=account.email,
        subject="[PAKN] Cảnh báo: tài khoản của bạn bị đăng nhập sai nhiều lần",
        body=(f"Tài khoản {account.username} vừa bị đăng nhập sai {data.get('failures')} lần liên tiếp "
              f"(lần gần nhất lúc {format_datetime(event.created_at)}, từ địa chỉ {data.get('ip')}).\n\n"
              "Nếu đó là bạn, không cần làm gì. Nếu không, có thể ai đó đang dò mật khẩu của bạn: hãy đổi mật khẩu "
              f"và bật xác thực hai bước tại {_base_url()}/account/2fa. Hệ thống đã làm chậm các lần thử tiếp "
              f"theo; tài khoản không bị khóa.{_SIGNATURE}"),
    )


def _assignee_message(session: Session, submission: Submission, event: Event) -> None:
    officer = session.get(Account, event.subject_account_id)
    if officer is None or not officer.email or not officer.is_active or officer.id == event.actor_account_id:
        return  # taking an item oneself needs no message
    enqueue_email(session=session, to=officer.email,
                  subject=f"[{submission.tracking_code}] Bạn được phân công: {submission.title}",
                  body=f"Bạn được phân công xử lý hồ sơ {submission.tracking_code}:\n\n{submission.title}\n\n"
                       f"Xem và xử lý: {_officer_link(submission)}{_SIGNATURE}", submission_id=submission.id)


def support_code(*, session: Session, to: str, code: str, title: str, item_id: int, withdraw: bool,
                 minutes: int) -> None:
    """The one-time code confirming a public support or its withdrawal (app/initiatives/support.py). Not an event:
    a code must never enter the audit chain, and the e-mail address is kept nowhere else."""
    action = "rút ủng hộ" if withdraw else "ủng hộ"
    enqueue_email(session=session, to=to, subject=f"Mã xác nhận {action}: {code}",
                  body=f"Mã xác nhận {action} “{title}” là: {code}\n\n"
                       f"Nhập mã này vào ô “Mã xác nhận” trên trang {_base_url()}/sang-kien/{item_id} trong "
                       f"{minutes} phút. Nếu bạn không yêu cầu, hãy bỏ qua thư này: không có gì được ghi nhận khi "
                       f"chưa nhập mã.{_SIGNATURE}")


def register() -> None:
    bus.subscribe("notifications", lambda session, event, submission: on_submission_event(
        session=session, submission=submission, event=event), order=10)
    bus.subscribe("notifications.accounts", lambda session, event, submission: on_account_event(
        session=session, event=event) if submission is None else None, order=11, item_events_only=False)
