"""Which messages an event causes, to whom, by which channel, and every word they say: the one place that decides it
(domains only record events and put what the messages need in the event's `data`; the lost-code page, the
incoming-SMS commands and the daily digest take their texts from here too).

Senders (by the channel they chose on the form: SMS, e-mail, both or none; `notify_by` None, the form's default
and the API's: SMS when they gave a phone, else e-mail). SMS goes through Zalo (ZNS) first when a template is
configured for the message, and falls back to SMS when Zalo refuses.

| event | message to the sender |
|---|---|
| submitted | receipt with the tracking code |
| accepted | e-mail only (an SMS would add nothing the receipt did not say) |
| info requested | what is asked and how to reply |
| answered, rejected (reason), transferred (to whom), extension granted (new date), closed | one message each |
| decided (an initiative's or solution's assessment result) | the decision, which is the item's answer |

Agencies and accounts (by topic; each owner chooses immediate, daily digest or off per topic, app/notifications/
service.py; defaults: the agency inbox immediate, people digest):

| event | topic | to |
|---|---|---|
| routed, assigned, transferred, reopened, sent to triage | new_item | the holding agency (inbox and staff) |
| officer assigned (not when officers take an item themselves) | assigned | the officer (subject account) |
| assessor assigned | assigned | the assessor (subject account) |
| support threshold reached | new_item | the holding agency (count, threshold) |
| info provided | sender_replied | the holding agency |
| deadline at risk | at_risk | the clock's agency (data["agency_id"]) |
| deadline overdue | overdue | the clock's agency and the coordinator |
| rated unsatisfied | unsatisfied | the holding agency and the coordinator |
| extension granted / refused | extension_decided | the holding agency |
| extension requested | extension_requested | the coordinator |

Account events: repeated sign-in failures e-mail the account's holder (if the account has an e-mail).
Without an event: the one-time code of a public support (`support_code`, by e-mail or SMS), the lost-code message,
SMS replies.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from app.accounts.models import Account
from app.config import get_settings
from app.events import bus
from app.events.models import Event
from app.events.service import data_of
from app.kinds import PHASE_LABELS, REJECT_REASON_LABELS, STATE_LABELS, Channel, EventType, NotifyBy, State
from app.notifications import channels, contacts, sms
from app.notifications.models import DigestEntry, Mode, OutboxMessage, Topic
from app.notifications.service import (
    Recipient,
    agency_name,
    enqueue_email,
    enqueue_sms,
    recipients_for,
    sms_opted_out,
)
from app.reach import service as reach_service
from app.submissions.models import Submission
from app.timefmt import format_date, format_datetime

_SIGNATURE = "\n\n--\nHệ thống PAKN Điện Biên (thư tự động, vui lòng không trả lời thư này)."

NEW_ITEM_EVENTS = {EventType.ROUTED, EventType.ASSIGNED, EventType.TRANSFERRED, EventType.REOPENED,
                   EventType.SENT_TO_TRIAGE}

TOPIC_LABELS = {
    Topic.NEW_ITEM: "Hồ sơ mới (được phân luồng, giao hoặc chuyển đến)",
    Topic.ASSIGNED: "Hồ sơ được giao cho tôi",
    Topic.SENDER_REPLIED: "Người gửi bổ sung thông tin",
    Topic.AT_RISK: "Hồ sơ sắp đến hạn",
    Topic.OVERDUE: "Hồ sơ quá hạn",
    Topic.UNSATISFIED: "Người gửi chưa hài lòng với trả lời",
    Topic.EXTENSION_DECIDED: "Kết quả đề nghị gia hạn",
    Topic.EXTENSION_REQUESTED: "Đề nghị gia hạn cần quyết định (Cơ quan thường trực)",
}
MODE_LABELS = {Mode.IMMEDIATE: "Ngay lập tức", Mode.DIGEST: "Tổng hợp 07:30 ngày làm việc", Mode.OFF: "Không nhận"}


def _base_url() -> str:
    return get_settings().public_base_url.rstrip("/")


def _status_link(submission: Submission) -> str:
    """Opens nothing by itself: the page asks for the phone or e-mail given at submission."""
    return f"{_base_url()}/track?code={submission.tracking_code}"


def _officer_link(submission: Submission) -> str:
    return f"{_base_url()}/officer/items/{submission.tracking_code}"


# --- to the sender -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SenderMessage:
    kind: str  # receipt, info_requested, answered, … (also the key of its Zalo template)
    subject: str
    body: str  # the e-mail's text, before the link and the signature
    sms: str | None  # the SMS (before folding), None: no SMS for this step
    params: dict  # what a Zalo template shows


def sender_message(session: Session, submission: Submission, event: Event) -> SenderMessage | None:
    name = agency_name(session=session, agency_id=submission.agency_id) or "cơ quan xử lý"
    code = submission.tracking_code
    link = _status_link(submission)
    params = {"ma_ho_so": code, "co_quan": name}
    match event.type:
        case EventType.SUBMITTED:
            stop = get_settings().sms_stop_keyword
            # Who wrote by SMS follows by SMS: the lookup command, not only a link they may not open.
            follow = (f"Xem tiến độ: soạn TRACUU {code} gửi {service_number()}" if submission.source == Channel.SMS
                      else "")
            return SenderMessage(
                "receipt", f"[{code}] Đã nhận ý kiến của bạn",
                f"Hệ thống PAKN Điện Biên đã nhận ý kiến “{submission.title}” của bạn.\n\n"
                f"Mã tra cứu: {code}\nHãy giữ mã này: cùng số điện thoại hoặc thư điện tử bạn đã khai, mã dùng để "
                "xem tiến độ, trả lời yêu cầu bổ sung và đánh giá kết quả.",
                f"PAKN Điện Biên đã nhận ý kiến của bạn. Mã tra cứu: {code}. {follow + '. ' if follow else ''}"
                f"Ngừng nhận SMS: soạn {stop}. {link}",
                params)
        case EventType.ACCEPTED:
            return SenderMessage("accepted", f"[{code}] Đã được tiếp nhận",
                                 f"{name} đã tiếp nhận ý kiến “{submission.title}” của bạn và đang xử lý.", None,
                                 params)
        case EventType.TRANSFERRED:
            return SenderMessage(
                "transferred", f"[{code}] Đã chuyển đến cơ quan có thẩm quyền",
                f"Ý kiến “{submission.title}” của bạn đã được chuyển đến {name} để xử lý.",
                f"PAKN: hồ sơ {code} đã chuyển đến {name} để xử lý. {link}", params)
        case EventType.INFO_REQUESTED:
            question = " ".join((event.public_note or "").split())
            return SenderMessage(
                "info_requested", f"[{code}] Đề nghị bổ sung thông tin",
                f"{name} đề nghị bạn bổ sung thông tin:\n\n{event.public_note}\n\n"
                f"Vui lòng trả lời tại trang tra cứu (nhập mã {code} và số điện thoại hoặc thư điện tử đã khai). "
                "Thời hạn xử lý tạm dừng cho đến khi bạn trả lời.",
                f"PAKN: {name} đề nghị bổ sung cho hồ sơ {code}: {question} Trả lời tại: {link}",
                {**params, "noi_dung": question[:200]})
        case EventType.ANSWERED:
            return SenderMessage(
                "answered", f"[{code}] Đã có trả lời",
                f"{name} đã trả lời ý kiến “{submission.title}”:\n\n{submission.answer_text}\n\n"
                "Bạn có thể đánh giá mức độ hài lòng tại trang tra cứu.",
                f"PAKN: hồ sơ {code} đã có trả lời của {name}. Xem và đánh giá: {link}", params)
        case EventType.DECIDED:
            return SenderMessage(
                "decided", f"[{code}] Đã có kết quả thẩm định",
                f"{name} đã có kết quả thẩm định “{submission.title}”:\n\n{submission.answer_text}",
                f"PAKN: hồ sơ {code} đã có kết quả thẩm định của {name}. Xem: {link}", params)
        case EventType.REJECTED:
            reason = REJECT_REASON_LABELS.get(submission.reject_reason, submission.reject_reason)
            return SenderMessage(
                "rejected", f"[{code}] Không được tiếp nhận",
                f"Ý kiến “{submission.title}” không được tiếp nhận. Lý do: {reason}.\n\n"
                f"{submission.reject_detail or ''}".rstrip(),
                f"PAKN: hồ sơ {code} không được tiếp nhận. Lý do: {reason}. {link}", {**params, "ly_do": reason})
        case EventType.EXTENSION_GRANTED:
            new_due = data_of(event).get("new_due_at")
            until = f" đến ngày {format_date(datetime.fromisoformat(new_due))}" if new_due else ""
            return SenderMessage(
                "extended", f"[{code}] Thời hạn trả lời được gia hạn",
                f"Thời hạn trả lời ý kiến “{submission.title}” được gia hạn{until} "
                f"({data_of(event).get('working_days')} ngày làm việc).",
                f"PAKN: thời hạn trả lời hồ sơ {code} được gia hạn{until}. {link}", params)
        case EventType.CLOSED:
            return SenderMessage("closed", f"[{code}] Hồ sơ đã đóng",
                                 f"Hồ sơ “{submission.title}” đã được đóng. Cảm ơn bạn đã gửi ý kiến.",
                                 f"PAKN: hồ sơ {code} đã đóng. Cảm ơn bạn. {link}", params)
    return None


def sender_channels(submission: Submission) -> list[tuple[str, str]]:
    """(channel, address) the sender chose; reserved demo addresses never."""
    choice = submission.notify_by
    if choice is None:  # not chosen (the form's default, the API): SMS when a phone was given, else e-mail
        choice = NotifyBy.SMS if submission.sender_phone else NotifyBy.EMAIL
    wanted = []
    if submission.sender_phone and choice in (NotifyBy.SMS, NotifyBy.BOTH):
        wanted.append(("sms", submission.sender_phone))
    if submission.sender_email and choice in (NotifyBy.EMAIL, NotifyBy.BOTH):
        wanted.append(("email", submission.sender_email))
    return [(c, a) for c, a in wanted if not contacts.is_reserved(c, a)]


def zalo_templates() -> dict[str, str]:
    raw = get_settings().zalo_templates
    return dict(part.split("=", 1) for part in raw.replace(";", ",").split(",") if "=" in part)


def sms_text(text: str, link: str | None = None) -> str:
    return sms.render(text, keep=link or "")


def _to_phone(session: Session, *, phone: str, kind: str, text: str, link: str | None, params: dict,
              submission_id: int | None) -> None:
    """By Zalo when a template is configured for `kind` (falling back to SMS), else by SMS; nothing to a phone
    that replied the stop keyword."""
    if sms_opted_out(session=session, phone=phone):
        return
    body = sms_text(text, link)
    template = zalo_templates().get(kind) if channels.zalo_configured() else None
    if template:
        enqueue_sms(session=session, to=phone, body=body, submission_id=submission_id, via_zalo=True,
                    payload={"template_id": template, "template_data": params, "tracking_id": kind,
                             "fallback": {"channel": "sms", "body": body,
                                          "max_attempts": get_settings().sms_max_attempts}})
    else:
        enqueue_sms(session=session, to=phone, body=body, submission_id=submission_id)


def tell_sender(session: Session, submission: Submission, message: SenderMessage) -> None:
    link = _status_link(submission)
    for channel, address in sender_channels(submission):
        if channel == "email":
            enqueue_email(session=session, to=address, subject=message.subject,
                          body=f"{message.body}\n\nTra cứu: {link}{_SIGNATURE}", submission_id=submission.id)
        elif message.sms:
            _to_phone(session, phone=address, kind=message.kind, text=message.sms, link=link,
                      params=message.params, submission_id=submission.id)


def tell_assistants(session: Session, submission: Submission, message: SenderMessage) -> None:
    """An item entered by a commune assistant (app/reach): the assistant hears by e-mail what the sender hears, and
    relays it in the village."""
    already = {address.lower() for channel, address in sender_channels(submission) if channel == "email"}
    for address in reach_service.assistant_emails(session=session, submission=submission):
        if address.lower() not in already:  # the assistant's address may be the sender's contact: once is enough
            enqueue_email(session=session, to=address, subject=message.subject,
                          body=f"Hồ sơ bạn nhập thay {submission.sender_name}:\n\n{message.body}\n\n"
                               f"Xem và chuyển trả lời: {_base_url()}/assistant/items/{submission.tracking_code}"
                               f"{_SIGNATURE}", submission_id=submission.id)


# --- to agencies and accounts ------------------------------------------------------------------------------

@dataclass(frozen=True)
class StaffMessage:
    topic: Topic
    subject: str
    body: str
    line: str  # its line in a digest
    agency_id: int | None = None
    account_ids: tuple[int, ...] = ()
    coordinator: bool = False


def staff_message(session: Session, submission: Submission, event: Event) -> StaffMessage | None:
    code = submission.tracking_code
    data = data_of(event)
    holder = submission.agency_id
    link = _officer_link(submission)
    title = submission.title
    if event.type in NEW_ITEM_EVENTS and holder:
        return StaffMessage(Topic.NEW_ITEM, f"[{code}] Hồ sơ mới: {title}",
                            f"Đơn vị có hồ sơ mới cần tiếp nhận trong hạn.\n\n{title}\n\nXem và xử lý: {link}",
                            f"{code} — Hồ sơ mới: {title}", agency_id=holder)
    match event.type:
        case EventType.OFFICER_ASSIGNED if event.subject_account_id and \
                event.subject_account_id != event.actor_account_id:  # taking an item oneself needs no message
            return StaffMessage(Topic.ASSIGNED, f"[{code}] Hồ sơ được giao cho bạn: {title}",
                                f"Bạn được giao xử lý hồ sơ {code} “{title}”.\n\nXem và xử lý: {link}",
                                f"{code} — Được giao cho bạn: {title}", account_ids=(event.subject_account_id,))
        case EventType.ASSESSOR_ASSIGNED if event.subject_account_id:
            return StaffMessage(Topic.ASSIGNED, f"[{code}] Bạn được phân công thẩm định",
                                f"Bạn được phân công thẩm định “{title}”. Vui lòng chấm điểm độc lập theo từng tiêu "
                                f"chí: {link}/tham-dinh", f"{code} — Được phân công thẩm định: {title}",
                                account_ids=(event.subject_account_id,))
        case EventType.SUPPORT_THRESHOLD_REACHED if holder:
            return StaffMessage(Topic.NEW_ITEM, f"[PAKN] Hồ sơ {code} đạt ngưỡng ủng hộ",
                                f"Hồ sơ {code} “{title}” có {data['count']} người ủng hộ (ngưỡng {data['threshold']})"
                                f" và được báo Ban Chỉ đạo.\nXem hồ sơ: {link}",
                                f"{code} — Đạt ngưỡng ủng hộ ({data['count']}): {title}", agency_id=holder)
        case EventType.INFO_PROVIDED if holder:
            return StaffMessage(Topic.SENDER_REPLIED, f"[{code}] Người gửi đã bổ sung thông tin",
                                f"Người gửi hồ sơ {code} “{title}” đã bổ sung thông tin; thời hạn xử lý chạy "
                                f"tiếp.\n\nXem: {link}", f"{code} — Người gửi đã bổ sung: {title}", agency_id=holder)
        case EventType.DEADLINE_AT_RISK | EventType.DEADLINE_OVERDUE:
            agency_id = data.get("agency_id")
            phase = PHASE_LABELS[data["phase"]].lower()
            due = format_datetime(datetime.fromisoformat(data["due_at"]))
            at_risk = event.type == EventType.DEADLINE_AT_RISK
            subject = (f"[PAKN] Hồ sơ {code} sắp đến hạn ({phase} {due})" if at_risk
                       else f"[PAKN] Hồ sơ {code} đã quá hạn ({phase} {due})")
            body = (f"Hồ sơ {code} “{title}”\nĐơn vị xử lý: {agency_name(session=session, agency_id=agency_id)}\n"
                    f"{event.internal_note}\nXem hồ sơ: {link}")
            line = f"{code} — {'Sắp đến hạn' if at_risk else 'Quá hạn'} {phase} {due}: {title}"
            return StaffMessage(Topic.AT_RISK if at_risk else Topic.OVERDUE, subject, body, line,
                                agency_id=agency_id, coordinator=not at_risk)
        case EventType.RATED if data.get("satisfied") is False:
            return StaffMessage(Topic.UNSATISFIED, f"[{code}] Người gửi chưa hài lòng với trả lời",
                                f"Người gửi hồ sơ {code} “{title}” chưa hài lòng với trả lời.\n"
                                f"{event.public_note or ''}\nXem: {link}", f"{code} — Chưa hài lòng: {title}",
                                agency_id=holder, coordinator=True)
        case EventType.EXTENSION_REQUESTED:
            return StaffMessage(
                Topic.EXTENSION_REQUESTED, f"[PAKN] Đề nghị gia hạn hồ sơ {code}",
                f"Hồ sơ {code} “{title}” đề nghị gia hạn {data['working_days']} ngày làm việc.\n"
                f"Lý do: {data['reason']}\nXem và quyết định: {_base_url()}/sla/extensions",
                f"{code} — Đề nghị gia hạn {data['working_days']} ngày: {title}", coordinator=True)
        case EventType.EXTENSION_GRANTED:
            new_due = data.get("new_due_at")
            new_due_text = f" đến {format_datetime(datetime.fromisoformat(new_due))}" if new_due else ""
            return StaffMessage(
                Topic.EXTENSION_DECIDED, f"[PAKN] Hồ sơ {code} được gia hạn",
                f"Cơ quan thường trực đồng ý gia hạn hồ sơ {code} thêm {data['working_days']} ngày làm việc"
                f"{new_due_text}.\n{event.internal_note or ''}", f"{code} — Được gia hạn{new_due_text}",
                agency_id=holder)
        case EventType.EXTENSION_REFUSED:
            return StaffMessage(
                Topic.EXTENSION_DECIDED, f"[PAKN] Đề nghị gia hạn hồ sơ {code} không được chấp thuận",
                f"Cơ quan thường trực không chấp thuận gia hạn hồ sơ {code}.\nLý do: {event.internal_note}",
                f"{code} — Không được gia hạn", agency_id=holder)
    return None


def staff_sms(message: StaffMessage) -> str:
    return sms_text(f"PAKN: {message.line}")


def tell_staff(session: Session, submission: Submission, event: Event) -> None:
    message = staff_message(session, submission, event)
    if message is None:
        return
    for recipient, mode in recipients_for(session=session, topic=message.topic, agency_id=message.agency_id,
                                          account_ids=message.account_ids, coordinator=message.coordinator):
        if mode == Mode.DIGEST:
            session.add(DigestEntry(channel=recipient.channel, recipient=recipient.address, topic=message.topic,
                                    line=message.line[:500], submission_id=submission.id,
                                    created_at=event.created_at))
        else:
            _immediate(session, recipient, message, submission.id)


def _immediate(session: Session, recipient: Recipient, message: StaffMessage, submission_id: int | None) -> None:
    if recipient.channel == "email":
        enqueue_email(session=session, to=recipient.address, subject=message.subject,
                      body=message.body if message.topic != Topic.NEW_ITEM else f"{message.body}{_SIGNATURE}",
                      submission_id=submission_id)
    else:
        enqueue_sms(session=session, to=recipient.address, body=staff_sms(message), submission_id=submission_id)


def on_submission_event(*, session: Session, submission: Submission, event: Event) -> None:
    message = sender_message(session, submission, event)  # once: the sender's and the assistant's copies
    if message is not None:
        tell_sender(session, submission, message)
        tell_assistants(session, submission, message)
    tell_staff(session, submission, event)


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


def support_code(*, session: Session, to: str, code: str, title: str, item_id: int, withdraw: bool,
                 minutes: int) -> None:
    """The one-time code confirming a public support or its withdrawal (app/initiatives/support.py), by SMS when
    `to` is a phone number (normalised, 0-prefixed), else by e-mail. Not an event: a code must never enter the
    audit chain, and the contact is kept nowhere else. Nothing goes to reserved demo phones, nor by SMS to a phone
    that replied the stop keyword."""
    action = "rút ủng hộ" if withdraw else "ủng hộ"
    if "@" not in to:
        if contacts.is_reserved_phone(to):
            return
        link = f"{_base_url()}/sang-kien/{item_id}"
        _to_phone(session, phone=to, kind="support_code", submission_id=None, params={"code": code},
                  text=f"PAKN: Mã xác nhận {action}: {code} (dùng trong {minutes} phút). Nhập mã tại {link}",
                  link=link)
        return
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


# --- texts of the other doors ------------------------------------------------------------------------------

def digest_message(channel: str, day: datetime, lines: list[str]) -> tuple[str, str]:
    """(subject, body) of one recipient's daily digest: everything since the previous one, in one message."""
    n = len(lines)
    if channel == "sms":
        return "", sms_text(f"PAKN: {n} việc mới cần xem ({format_date(day)}). Xem: {_base_url()}/officer/inbox",
                            f"{_base_url()}/officer/inbox")
    body = "\n".join(f"• {line}" for line in lines)
    return (f"[PAKN] Tổng hợp ngày {format_date(day)}: {n} việc cần xem",
            f"Những việc mới từ bản tổng hợp trước:\n\n{body}\n\nHộp hồ sơ: {_base_url()}/officer/inbox{_SIGNATURE}")


def queue_digest(session: Session, channel: str, recipient: str, day: datetime, lines: list[str]) -> OutboxMessage:
    subject, body = digest_message(channel, day, lines)
    if channel == "email":
        return enqueue_email(session=session, to=recipient, subject=subject, body=body)
    return enqueue_sms(session=session, to=recipient, body=body)


def queue_lost_codes(session: Session, channel: str, address: str, codes: list[str]) -> None:
    """Nothing to reserved demo addresses, nor by SMS to a phone that replied the stop keyword."""
    if not codes or contacts.is_reserved(channel, address):
        return
    subject, body = lost_code_message(channel, codes)
    if channel == "email":
        enqueue_email(session=session, to=address, subject=subject, body=body)
    elif not sms_opted_out(session=session, phone=address):
        enqueue_sms(session=session, to=address, body=body)


def queue_reply(session: Session, phone: str, text: str, *, submission: Submission | None = None,
                force: bool = False) -> None:
    """An answer to an incoming SMS (TRACUU, the stop keyword, help): by SMS, to the phone that wrote; `force`:
    even to a phone that stopped SMS (the confirmation of the stop itself)."""
    if contacts.is_reserved_phone(phone) or (not force and sms_opted_out(session=session, phone=phone)):
        return
    enqueue_sms(session=session, to=phone, body=text, submission_id=submission.id if submission else None)


def lost_code_message(channel: str, codes: list[str]) -> tuple[str, str]:
    """The codes of a person's items, sent only to the phone or e-mail they were given with."""
    listed = ", ".join(codes)
    if channel == "sms":
        return "", sms_text(f"PAKN: mã tra cứu của bạn: {listed}. {_base_url()}/track", f"{_base_url()}/track")
    return ("[PAKN] Mã tra cứu hồ sơ của bạn",
            "Bạn (hoặc ai đó nhập địa chỉ này) đã yêu cầu gửi lại mã tra cứu. Các hồ sơ gửi kèm địa chỉ này:\n\n"
            + "\n".join(f"• {c}" for c in codes)
            + f"\n\nTra cứu: {_base_url()}/track\nNếu bạn không yêu cầu, có thể bỏ qua thư này.{_SIGNATURE}")


def status_reply(submission: Submission | None) -> str:
    """The answer to `TRACUU <mã>`: the state of the item if it was sent from this phone; the same words for an
    unknown code and for somebody else's."""
    if submission is None:
        return sms_text("PAKN: không tìm thấy hồ sơ này của số điện thoại của bạn. Soạn: TRACUU <mã tra cứu>")
    state = STATE_LABELS[State(submission.state)]
    return sms_text(f"PAKN: hồ sơ {submission.tracking_code}: {state}. Xem: {_status_link(submission)}",
                    _status_link(submission))


def stopped_reply() -> str:
    return sms_text("PAKN: bạn sẽ không nhận SMS thông báo nữa. Vẫn tra cứu được tại trang PAKN Điện Biên.")


def resumed_reply() -> str:
    stop = get_settings().sms_stop_keyword
    return sms_text(f"PAKN: bạn sẽ nhận lại SMS thông báo về hồ sơ. Muốn ngừng: soạn {stop}.")


def help_reply() -> str:
    stop = get_settings().sms_stop_keyword
    return sms_text(f"PAKN: soạn nội dung ý kiến kèm tên xã, phường gửi {service_number()} để gửi phản ánh; soạn "
                    f"TRACUU <mã tra cứu> để xem tiến độ; soạn {stop} để ngừng nhận SMS.")


def service_number() -> str:
    """The number citizens write to (shown in SMS replies and on posters)."""
    s = get_settings()
    return s.sms_number or s.sms_sender or "tổng đài PAKN"


# --- replies of SMS intake (app/notifications/sms_intake.py) -------------------------------------------------

def intake_ask_commune() -> str:
    return sms_text(f"PAKN: đã nhận tin của bạn. Bạn ở xã, phường nào? Soạn tên xã, phường (ví dụ: Mường Nhé) gửi "
                    f"{service_number()} để hoàn tất gửi ý kiến.")


def intake_too_short() -> str:
    return sms_text(f"PAKN: tin nhắn quá ngắn để gửi thành ý kiến. Hãy soạn rõ sự việc, địa điểm và tên xã, phường "
                    f"gửi {service_number()}.")


def intake_too_many() -> str:
    return sms_text("PAKN: số điện thoại này đã gửi nhiều ý kiến trong thời gian ngắn. Tin nhắn tiếp theo chưa được "
                    "nhận; hãy thử lại sau hoặc nhờ tổ công nghệ số của xã.")
