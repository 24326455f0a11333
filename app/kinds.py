"""The vocabularies of a submission: its kind, state, priority, sender, channel, reject reason and the kinds of event
in its history."""

from enum import StrEnum

from app.events.types import EventType  # noqa: F401
from app.i18n import N_


class Kind(StrEnum):
    FEEDBACK = "feedback"
    PETITION = "petition"
    INITIATIVE = "initiative"
    SOLUTION = "solution"


KIND_LABELS = {
    Kind.FEEDBACK: N_("Phản ánh"),
    Kind.PETITION: N_("Kiến nghị"),
    Kind.INITIATIVE: N_("Sáng kiến"),
    Kind.SOLUTION: N_("Giải pháp"),
}

KIND_HINTS = {
    Kind.FEEDBACK: N_("Báo một vấn đề, vướng mắc hay việc làm chưa đúng"),
    Kind.PETITION: N_("Đề nghị cơ quan nhà nước làm hoặc thay đổi một việc"),
    Kind.INITIATIVE: N_("Ý tưởng để làm việc tốt hơn"),
    Kind.SOLUTION: N_("Giải pháp kỹ thuật hoặc tổ chức cụ thể"),
}

# One everyday example per kind, shown under its name on the form (plain words, not the official ones).
KIND_EXAMPLES = {
    Kind.FEEDBACK: N_("Ví dụ: sóng điện thoại ở bản yếu, không gọi được."),
    Kind.PETITION: N_("Ví dụ: đề nghị lắp wifi miễn phí ở nhà văn hóa bản."),
    Kind.INITIATIVE: N_("Ví dụ: dùng Zalo nhóm bản để báo lịch tiêm phòng."),
    Kind.SOLUTION: N_("Ví dụ: phần mềm theo dõi nước tưới cho ruộng bậc thang."),
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
    State.SUBMITTED: N_("Đã gửi"),
    State.TRIAGE: N_("Chờ phân loại"),
    State.ASSIGNED: N_("Đã chuyển đến cơ quan xử lý"),
    State.IN_PROGRESS: N_("Đang xử lý"),
    State.INFO_REQUESTED: N_("Chờ bổ sung thông tin"),
    State.ANSWERED: N_("Đã trả lời"),
    State.CLOSED: N_("Đã đóng"),
    State.REJECTED: N_("Từ chối tiếp nhận"),
}

OPEN_STATES = frozenset(
    {State.SUBMITTED, State.TRIAGE, State.ASSIGNED, State.IN_PROGRESS, State.INFO_REQUESTED}
)


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class NotifyBy(StrEnum):
    """How the sender wants to hear about their item (chosen on the form; None: SMS if a phone was given)."""

    SMS = "sms"
    EMAIL = "email"
    BOTH = "both"
    NONE = "none"


NOTIFY_BY_LABELS = {
    NotifyBy.SMS: N_("Tin nhắn SMS"),
    NotifyBy.EMAIL: N_("Thư điện tử"),
    NotifyBy.BOTH: N_("Cả SMS và thư điện tử"),
    NotifyBy.NONE: N_("Không nhận thông báo (tự tra cứu)"),
}


class SenderType(StrEnum):
    INDIVIDUAL = "individual"
    BUSINESS = "business"
    ORGANISATION = "organisation"


class Channel(StrEnum):
    """Where an item came in: the citizen pages, the JSON API, the Open311 API, a commune assistant on behalf
    of a villager (app/reach), or an SMS to the service number."""

    WEB = "web"
    API = "api"
    OPEN311 = "open311"
    ASSISTED = "assisted"
    SMS = "sms"  # an SMS to the service number (app/notifications/sms_intake.py)


CHANNEL_LABELS = {
    Channel.WEB: "Trang web",
    Channel.API: "Ứng dụng (API)",
    Channel.OPEN311: "Open311",
    Channel.ASSISTED: "Tổ công nghệ số cộng đồng hỗ trợ",
    Channel.SMS: "Tin nhắn SMS",
}

PRIORITY_LABELS = {Priority.NORMAL: N_("Thường"), Priority.URGENT: N_("Khẩn cấp")}


SENDER_TYPE_LABELS = {
    SenderType.INDIVIDUAL: N_("Cá nhân"),
    SenderType.BUSINESS: N_("Doanh nghiệp"),
    SenderType.ORGANISATION: N_("Tổ chức"),
}


# EventType lives with the event table (app/events/types.py); re-exported here for the item pages.

# What the sender reads in the history. Internal details (which officer, internal notes) stay out;
# event types missing here are never shown to the sender.
EVENT_PUBLIC_LABELS = {
    EventType.SUBMITTED: N_("Đã nhận ý kiến của bạn"),
    EventType.ROUTED: N_("Đã chuyển đến cơ quan xử lý"),
    EventType.SENT_TO_TRIAGE: N_("Chờ Cơ quan thường trực phân loại"),
    EventType.ASSIGNED: N_("Cơ quan thường trực đã giao cơ quan xử lý"),
    EventType.ACCEPTED: N_("Cơ quan xử lý đã tiếp nhận"),
    EventType.TRANSFERRED: N_("Đã chuyển sang cơ quan có thẩm quyền"),
    EventType.REJECTED: N_("Từ chối tiếp nhận"),
    EventType.INFO_REQUESTED: N_("Cơ quan xử lý đề nghị bổ sung thông tin"),
    EventType.INFO_PROVIDED: N_("Người gửi đã bổ sung thông tin"),
    EventType.ANSWERED: N_("Đã có trả lời"),
    EventType.CLOSED: N_("Đã đóng hồ sơ"),
    EventType.EXTENSION_GRANTED: N_("Thời hạn trả lời được gia hạn"),
    EventType.RATED: N_("Người gửi đã đánh giá"),
    EventType.REOPENED: N_("Hồ sơ được mở lại để xử lý tiếp"),
    EventType.ATTACHMENT_ADDED: N_("Đính kèm tệp"),
    EventType.DECIDED: N_("Đã có kết quả thẩm định"),
    EventType.IMPLEMENTATION_RECORDED: N_("Sáng kiến đã được đưa vào thực tiễn"),
    EventType.PUBLISHED_FOR_SUPPORT: N_("Đã công khai để mọi người ủng hộ"),
}

# Labels for officers (the full trail).
EVENT_LABELS = {
    **EVENT_PUBLIC_LABELS,
    EventType.SUBMITTED: "Tiếp nhận ý kiến từ người gửi",
    EventType.ROUTED: "Phân luồng tự động",
    EventType.ASSIGNED: "Giao xử lý",
    EventType.TRANSFERRED: "Chuyển xử lý",
    EventType.NOTE_ADDED: "Ghi chú nội bộ",
    EventType.OFFICER_ASSIGNED: "Phân công cán bộ",
    EventType.DEADLINE_AT_RISK: "Sắp đến hạn xử lý",
    EventType.DEADLINE_OVERDUE: "Quá hạn xử lý",
    EventType.DEADLINE_CHANGED: "Thời hạn thay đổi theo lịch làm việc",
    EventType.EXTENSION_REQUESTED: "Đề nghị gia hạn",
    EventType.EXTENSION_REFUSED: "Không chấp thuận gia hạn",
    EventType.LOGGED_IN: "Đăng nhập",
    EventType.LOGGED_OUT: "Đăng xuất",
    EventType.PASSWORD_CHANGED: "Đổi mật khẩu",
    EventType.PASSWORD_RESET: "Đặt lại mật khẩu",
    EventType.ACCOUNT_CREATED: "Tạo tài khoản",
    EventType.ACCOUNT_DISABLED: "Khóa tài khoản",
    EventType.ACCOUNT_ENABLED: "Mở khóa tài khoản",
    EventType.SIGN_IN_FAILURES: "Đăng nhập sai nhiều lần",
    EventType.TWO_FACTOR_ENABLED: "Bật xác thực hai bước",
    EventType.TWO_FACTOR_DISABLED: "Tắt xác thực hai bước",
    EventType.RECOVERY_CODES_ISSUED: "Cấp mã khôi phục",
    EventType.RECOVERY_CODE_USED: "Dùng mã khôi phục",
    EventType.CONTACT_CHANGED: "Đổi thông tin liên hệ nhận thông báo",
    EventType.RULE_CREATED: "Tạo quy tắc phân luồng",
    EventType.RULE_UPDATED: "Sửa quy tắc phân luồng",
    EventType.RULE_ENABLED: "Bật quy tắc phân luồng",
    EventType.RULE_DISABLED: "Tắt quy tắc phân luồng",
    EventType.RULE_REORDERED: "Đổi thứ tự quy tắc phân luồng",
    EventType.PRIORITY_CHANGED: "Đổi mức khẩn cấp",
    EventType.INTERPRETER_NEEDED: "Đánh dấu cần phiên dịch",
    EventType.TRANSCRIPT_SAVED: "Ghi bản dịch tiếng Việt của tin nhắn thoại",
    EventType.CHALLENGE_PUBLISHED: "Công bố bài toán",
    EventType.CHALLENGE_UPDATED: "Sửa bài toán",
    EventType.CHALLENGE_DECIDED: "Công bố kết quả bài toán",
    EventType.CRITERIA_CHANGED: "Sửa bộ tiêu chí thẩm định",
    EventType.ASSESSOR_ASSIGNED: "Phân công người thẩm định",
    EventType.SCORED: "Chấm điểm thẩm định",
    EventType.SHORTLISTED: "Đưa vào / bỏ khỏi danh sách rút gọn",
    EventType.DECIDED: "Quyết định thẩm định",
    EventType.PUBLICATION_CONSENTED: "Người gửi đồng ý công khai",
    EventType.PUBLICATION_WITHDRAWN: "Người gửi rút đồng ý công khai",
    EventType.SUPPORT_THRESHOLD_REACHED: "Đạt ngưỡng ủng hộ: báo Ban Chỉ đạo",
}


class RejectReason(StrEnum):
    OUT_OF_SCOPE = "out_of_scope"
    DUPLICATE = "duplicate"
    NOT_ENOUGH_INFO = "not_enough_info"
    ABUSIVE = "abusive"
    OTHER = "other"


REJECT_REASON_LABELS = {
    RejectReason.OUT_OF_SCOPE: N_("Không thuộc phạm vi tiếp nhận"),
    RejectReason.DUPLICATE: N_("Trùng với hồ sơ đã gửi"),
    RejectReason.NOT_ENOUGH_INFO: N_("Không đủ thông tin để xử lý"),
    RejectReason.ABUSIVE: N_("Nội dung xúc phạm hoặc vi phạm pháp luật"),
    RejectReason.OTHER: N_("Lý do khác"),
}


# The two deadlines of an item (app/sla): accept or transfer, then answer.
PHASE_LABELS = {"accept": "Hạn tiếp nhận", "answer": "Hạn trả lời"}
