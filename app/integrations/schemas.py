"""What the API takes and gives. Input is validated by app.submissions.schemas (one set of rules and
Vietnamese messages for web and API); these models document it and shape the output."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as F

from app.kinds import Kind, NotifyBy, SenderType, State
from app.submissions.schemas import CONTENT_MAX, TITLE_MAX

# Input fields the API passes on to app.submissions.schemas.parse_submission (priority is the agency's call).
SUBMISSION_INPUT_FIELDS = (
    "kind", "field_code", "commune_code", "title", "content", "sender_type", "sender_name",
    "sender_phone", "sender_email", "sender_address", "hide_identity", "consent", "notify_by",
    "publish_consent",
)
# Read by app.reach.schemas.parse_details: urgency with its reason, the village, the point.
REACH_INPUT_FIELDS = ("urgent", "urgent_reason", "village", "lat", "lon", "accuracy")


class SubmissionIn(BaseModel):
    """A new item. `sender_phone` or `sender_email` is required; `consent` must be true."""

    model_config = ConfigDict(title="SubmissionIn")

    kind: Kind = F(description="feedback (phản ánh) · petition (kiến nghị) · initiative (sáng kiến) · solution")
    field_code: str = F(min_length=1, max_length=64, description="Mã lĩnh vực, xem GET /api/v1/fields")
    commune_code: str = F(min_length=1, max_length=64, description="Mã xã, phường, xem GET /api/v1/communes")
    title: str = F(min_length=5, max_length=TITLE_MAX)
    content: str = F(min_length=20, max_length=CONTENT_MAX)
    sender_type: SenderType = SenderType.INDIVIDUAL
    sender_name: str = F(min_length=2, max_length=120)
    sender_phone: str | None = F(default=None, max_length=20, description="Số điện thoại Việt Nam")
    sender_email: str | None = F(default=None, max_length=254)
    sender_address: str | None = F(default=None, max_length=300)
    hide_identity: bool = F(default=False, description="Ẩn danh tính người gửi khi công khai")
    notify_by: NotifyBy | None = F(default=None, description="Báo tiến độ cho người gửi qua: sms · email · both · "
                                   "none; bỏ trống: SMS nếu có số điện thoại, nếu không thì thư điện tử")
    consent: bool = F(description="Người gửi đồng ý cho cơ quan nhà nước xử lý thông tin (phải là true)")
    publish_consent: bool = F(default=False, description=(
        "Riêng và không bắt buộc: người gửi cho phép công khai nội dung và câu trả lời (không kèm thông tin cá "
        "nhân) sau khi cơ quan trả lời và xem xét; rút lại được bất cứ lúc nào tại trang tra cứu"))
    urgent: bool = F(default=False, description="Khẩn cấp (cần urgent_reason); thời hạn khẩn cấp được áp dụng")
    urgent_reason: str | None = F(default=None, max_length=1000, description="Vì sao khẩn cấp")
    village: str | None = F(default=None, max_length=120, description="Bản, thôn, tổ dân phố")
    lat: float | None = F(default=None, ge=-90, le=90, description="Vĩ độ WGS84 (người gửi đồng ý chia sẻ vị trí)")
    lon: float | None = F(default=None, ge=-180, le=180, description="Kinh độ WGS84 (cùng với lat)")
    accuracy: float | None = F(default=None, ge=0, description="Sai số vị trí, mét")


class ReplyIn(BaseModel):
    reply: str = F(min_length=5, max_length=10_000, pattern=r"\S[\s\S]{3,}\S",
                   description="Thông tin người gửi bổ sung theo yêu cầu (ít nhất 5 ký tự, không kể khoảng trắng "
                               "hai đầu)")


class RatingIn(BaseModel):
    satisfied: bool
    comment: str = F(default="", max_length=2000)


class Ref(BaseModel):
    code: str
    name: str


class SenderOut(BaseModel):
    type: SenderType
    name: str = F(description="Che một phần")
    phone: str | None = F(description="Che một phần")
    email: str | None = F(description="Che một phần")
    hide_identity: bool


class AnswerOut(BaseModel):
    text: str
    answered_at: datetime | None


class RejectionOut(BaseModel):
    reason: str | None = F(description="out_of_scope · duplicate · not_enough_info · abusive · other")
    reason_label: str | None
    detail: str | None
    duplicate_of: str | None = F(description="Mã tra cứu của hồ sơ bị trùng")


class InfoRequestOut(BaseModel):
    question: str | None
    requested_at: datetime


class RatingOut(BaseModel):
    satisfied: bool
    comment: str | None
    rated_at: datetime | None


class AttachmentOut(BaseModel):
    id: int
    name: str
    content_type: str = F(description="Xác định theo nội dung tệp")
    size: int
    owner: str = F(description="sender (người gửi) · agency (cơ quan, kèm trả lời)")
    created_at: datetime
    url: str = F(description="Tải tệp (cùng khóa API, cùng quyền xem hồ sơ)")


class HistoryEntry(BaseModel):
    at: datetime
    type: str
    label: str
    note: str | None


class LocationOut(BaseModel):
    lat: float
    lon: float
    accuracy_m: float | None


class SubmissionSummary(BaseModel):
    tracking_code: str = F(examples=["DB-2026-7KQ4M9"])
    kind: Kind
    title: str
    state: State
    state_label: str
    is_open: bool
    agency: Ref | None
    due_at: datetime | None = F(description="Hạn trả lời người gửi (trước khi tiếp nhận: hạn tiếp nhận); "
                                            "null khi chưa có hoặc khi đang chờ người gửi bổ sung")
    due_paused: bool = F(description="true khi đồng hồ hạn tạm dừng chờ người gửi bổ sung thông tin")
    due_days_left: int | None = F(default=None, description=(
        "Số ngày làm việc còn lại, như trang của người gửi và của cán bộ: các ngày làm việc sau hôm nay (giờ Việt "
        "Nam) đến hết ngày hạn; 0 = hạn là hôm nay; số âm = quá hạn bấy nhiêu ngày; null khi không có hạn đang "
        "chạy (xem docs/deadlines.md)"))
    created_at: datetime
    updated_at: datetime


class SubmissionOut(SubmissionSummary):
    kind_label: str
    field: Ref
    commune: Ref
    content: str
    source: str
    priority: str = F(description="normal · urgent")
    village: str | None = None
    location: LocationOut | None = None
    sender: SenderOut
    answer: AnswerOut | None
    rejection: RejectionOut | None
    info_request: InfoRequestOut | None
    rating: RatingOut | None
    attachments: list[AttachmentOut]
    history: list[HistoryEntry]


class SubmissionPage(BaseModel):
    items: list[SubmissionSummary]
    next_cursor: str | None = F(description="Truyền vào tham số cursor để lấy trang sau; null là hết")


class KindOut(BaseModel):
    code: Kind
    name: str
    hint: str


class StateOut(BaseModel):
    code: State
    name: str
    is_open: bool
    open311_status: str = F(description="open | closed")


class WebhookIn(BaseModel):
    url: str = F(min_length=1, max_length=1000, description="https://… nhận POST JSON đã ký")
    events: list[Literal["submission.state_changed", "submission.answered", "submission.info_requested",
                         "submission.rejected"]] = F(
        min_length=1, max_length=4,
        description="submission.state_changed · submission.answered · submission.info_requested · "
                    "submission.rejected",
    )


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: datetime
    disabled_at: datetime | None


class WebhookCreated(WebhookOut):
    secret: str = F(description="Khóa ký HMAC; chỉ hiện một lần, khi tạo")


class AttemptOut(BaseModel):
    at: datetime
    ok: bool
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(BaseModel):
    id: int
    event_id: str = F(description="Giống nhau giữa các lần gửi lại: bên nhận dùng để bỏ trùng")
    event_type: str
    tracking_code: str | None
    status: str = F(description="pending · sent · dead")
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    redelivery_of: int | None
    attempt_log: list[AttemptOut]


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None
