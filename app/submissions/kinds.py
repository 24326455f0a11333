"""The vocabularies of a submission: its kind, its state and the kinds of event in its history."""

from enum import StrEnum


class Kind(StrEnum):
    FEEDBACK = "feedback"
    PETITION = "petition"
    INITIATIVE = "initiative"
    SOLUTION = "solution"


KIND_LABELS = {
    Kind.FEEDBACK: "Phản ánh",
    Kind.PETITION: "Kiến nghị",
    Kind.INITIATIVE: "Sáng kiến",
    Kind.SOLUTION: "Giải pháp",
}

KIND_HINTS = {
    Kind.FEEDBACK: "Báo một vấn đề, vướng mắc hay việc làm chưa đúng",
    Kind.PETITION: "Đề nghị cơ quan nhà nước làm hoặc thay đổi một việc",
    Kind.INITIATIVE: "Ý tưởng để làm việc tốt hơn",
    Kind.SOLUTION: "Giải pháp kỹ thuật hoặc tổ chức cụ thể",
}


class State(StrEnum):
    SUBMITTED = "submitted"
    TRIAGE = "triage"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    INFO_REQUESTED = "info_requested"
    ANSWERED = "answered"
    CLOSED = "closed"
    REJECTED = "rejected"


STATE_LABELS = {
    State.SUBMITTED: "Đã gửi",
    State.TRIAGE: "Chờ phân loại",
    State.ASSIGNED: "Đã chuyển đến cơ quan xử lý",
    State.IN_PROGRESS: "Đang xử lý",
    State.INFO_REQUESTED: "Chờ bổ sung thông tin",
    State.ANSWERED: "Đã trả lời",
    State.CLOSED: "Đã đóng",
    State.REJECTED: "Từ chối tiếp nhận",
}

OPEN_STATES = frozenset(
    {State.SUBMITTED, State.TRIAGE, State.ASSIGNED, State.IN_PROGRESS, State.INFO_REQUESTED}
)


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class SenderType(StrEnum):
    INDIVIDUAL = "individual"
    BUSINESS = "business"
    ORGANISATION = "organisation"


SENDER_TYPE_LABELS = {
    SenderType.INDIVIDUAL: "Cá nhân",
    SenderType.BUSINESS: "Doanh nghiệp",
    SenderType.ORGANISATION: "Tổ chức",
}


class EventType(StrEnum):
    SUBMITTED = "submitted"
    ROUTED = "routed"
    SENT_TO_TRIAGE = "sent_to_triage"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    ANSWERED = "answered"
    CLOSED = "closed"
    # Deadlines (app/sla): crossings found by the sweep, extensions, calendar changes that move a due date.
    DEADLINE_AT_RISK = "deadline_at_risk"
    DEADLINE_OVERDUE = "deadline_overdue"
    DEADLINE_CHANGED = "deadline_changed"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_GRANTED = "extension_granted"
    EXTENSION_REFUSED = "extension_refused"


# What the sender reads in the history. Internal details (which officer, internal notes) stay out.
EVENT_PUBLIC_LABELS = {
    EventType.SUBMITTED: "Đã nhận phản ánh, kiến nghị",
    EventType.ROUTED: "Đã chuyển đến cơ quan xử lý",
    EventType.SENT_TO_TRIAGE: "Chờ Cơ quan thường trực phân loại",
    EventType.ASSIGNED: "Cơ quan thường trực đã giao cơ quan xử lý",
    EventType.ACCEPTED: "Cơ quan xử lý đã tiếp nhận",
    EventType.ANSWERED: "Đã có trả lời",
    EventType.CLOSED: "Đã đóng hồ sơ",
    EventType.DEADLINE_AT_RISK: "Sắp đến hạn xử lý",
    EventType.DEADLINE_OVERDUE: "Quá hạn xử lý",
    EventType.DEADLINE_CHANGED: "Thời hạn xử lý thay đổi theo lịch làm việc",
    EventType.EXTENSION_REQUESTED: "Cơ quan xử lý đề nghị gia hạn",
    EventType.EXTENSION_GRANTED: "Thời hạn trả lời được gia hạn",
    EventType.EXTENSION_REFUSED: "Đề nghị gia hạn không được chấp thuận",
}
