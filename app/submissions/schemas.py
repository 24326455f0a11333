"""What a sender gives us, validated once for the web form and the API alike."""

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator
from pydantic import Field as F

from app.errors import Invalid
from app.i18n import N_, Msg
from app.kinds import Kind, Priority, SenderType
from app.submissions.contact import normalize_email, normalize_phone
from app.text import normalize_input

FIELD_LABELS = {
    "kind": N_("Loại"),
    "field_code": N_("Lĩnh vực"),
    "commune_code": N_("Xã, phường"),
    "title": N_("Tiêu đề"),
    "content": N_("Nội dung"),
    "sender_type": N_("Người gửi là"),
    "sender_name": N_("Họ và tên"),
    "sender_phone": N_("Số điện thoại"),
    "sender_email": N_("Thư điện tử"),
    "sender_address": N_("Địa chỉ"),
    "consent": N_("Đồng ý"),
    "contact": N_("Liên hệ"),
}

# Fields the sender picks from a list (or a set of choices): a missing one is "Vui lòng chọn …", not "nhập".
CHOICE_FIELDS = frozenset({"kind", "field_code", "commune_code", "sender_type"})

TITLE_MIN = 5
TITLE_MAX = 200
CONTENT_MIN = 20
CONTENT_MAX = 10_000


class SubmissionCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")

    kind: Kind
    field_code: str = F(min_length=1, max_length=64)
    commune_code: str = F(min_length=1, max_length=64)
    title: str = F(min_length=TITLE_MIN, max_length=TITLE_MAX)
    content: str = F(min_length=CONTENT_MIN, max_length=CONTENT_MAX)
    sender_type: SenderType = SenderType.INDIVIDUAL
    sender_name: str = F(min_length=2, max_length=120)
    sender_phone: str | None = F(default=None, max_length=20)
    sender_email: str | None = F(default=None, max_length=254)
    sender_address: str | None = F(default=None, max_length=300)
    hide_identity: bool = False
    consent: bool
    priority: Priority = Priority.NORMAL

    @field_validator("title", "content", "sender_name", "sender_address", mode="before")
    @classmethod
    def _nfc(cls, v):
        return normalize_input(v) if isinstance(v, str) else v

    @field_validator("title", "sender_name")
    @classmethod
    def _single_line(cls, v: str) -> str:
        return " ".join(v.split())

    @field_validator("sender_phone", "sender_email", "sender_address", mode="before")
    @classmethod
    def _blank_is_none(cls, v):
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("sender_phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        if v is None:
            return None
        phone = normalize_phone(v)
        if phone is None:
            raise ValueError(N_("Số điện thoại không đúng dạng số Việt Nam (ví dụ 0912 345 678)."))
        return phone

    @field_validator("sender_email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is None:
            return None
        email = normalize_email(v)
        if email is None:
            raise ValueError(N_("Địa chỉ thư điện tử không hợp lệ (ví dụ ten@gmail.com)."))
        return email

    @field_validator("consent")
    @classmethod
    def _consent(cls, v: bool) -> bool:
        if not v:
            raise ValueError(N_("Vui lòng đánh dấu đồng ý để cơ quan nhà nước xử lý thông tin bạn gửi."))
        return v

    @model_validator(mode="after")
    def _contact(self):
        if not self.sender_phone and not self.sender_email:
            raise ValueError(_CONTACT_MISSING)  # a model-level error: reported under "contact"
        return self


# Message templates (catalog msgids); each error becomes a Msg with the label and pydantic's ctx as parameters.
_INVALID = N_("%(label)s không hợp lệ.")
_MESSAGES = {
    "missing": N_("Vui lòng nhập %(label)s."),
    "missing_choice": N_("Vui lòng chọn %(label)s."),
    "string_too_short": N_("%(label)s quá ngắn (ít nhất %(min_length)s ký tự)."),
    "string_too_long": N_("%(label)s quá dài (tối đa %(max_length)s ký tự)."),
    "enum": _INVALID,
    "bool_parsing": _INVALID,
    "bool_type": _INVALID,
    "string_type": N_("%(label)s phải là chuỗi ký tự."),
}


def vietnamese_errors(exc: ValidationError) -> dict[str, str]:
    """Field → one Vietnamese message, for forms and for problem+json `errors`. Each message is a Msg: Vietnamese
    as a str, translated when a citizen page shows it in another language."""
    errors: dict[str, str] = {}
    for err in exc.errors():
        loc = str(err["loc"][0]) if err["loc"] else "contact"
        if err["type"] == "value_error":
            error = err.get("ctx", {}).get("error")
            given = error.args[0] if isinstance(error, ValueError) and error.args else None
            message = given if isinstance(given, Msg) else str(error) if error is not None else err["msg"]
        else:
            kind = "missing_choice" if err["type"] == "missing" and loc in CHOICE_FIELDS else err["type"]
            if loc in CHOICE_FIELDS and err["type"] in ("string_too_short", "enum"):
                kind = "missing_choice" if not err.get("input") else err["type"]
            template = _MESSAGES.get(kind, _INVALID)
            label = FIELD_LABELS.get(loc, loc)
            params = {k: v for k, v in err.get("ctx", {}).items() if k in ("min_length", "max_length")}
            lowered = kind in ("missing", "missing_choice")
            message = Msg(template.msgid, {"label": label.lower() if lowered else label, **params})
        errors.setdefault(loc, message)
    return errors



_CONTACT_MISSING = N_("Vui lòng cho biết số điện thoại hoặc thư điện tử để nhận trả lời.")


def parse_submission(raw: dict) -> SubmissionCreate:
    """Validates raw input and reports every problem at once (pydantic skips the cross-field check
    when a field already failed, so the contact rule is checked here too)."""
    try:
        return SubmissionCreate(**raw)
    except ValidationError as exc:
        errors = vietnamese_errors(exc)
        if not str(raw.get("sender_phone") or "").strip() and not str(raw.get("sender_email") or "").strip():
            errors.setdefault("contact", _CONTACT_MISSING)
        raise Invalid(errors) from None
