"""RFC 9457 problem details for every API error: a stable `type`, Vietnamese title and detail."""

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic import Field as F

PROBLEM_BASE = "https://pakn.dienbien.gov.vn/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

STATUS_TITLES = {
    400: ("bad-request", "Yêu cầu không hợp lệ"),
    401: ("unauthorized", "Chưa xác thực"),
    403: ("forbidden", "Không có quyền"),
    404: ("not-found", "Không tìm thấy"),
    405: ("method-not-allowed", "Phương thức không được hỗ trợ"),
    406: ("not-acceptable", "Không có định dạng phù hợp"),
    409: ("conflict", "Xung đột"),
    413: ("payload-too-large", "Dữ liệu gửi lên quá lớn"),
    415: ("unsupported-media-type", "Kiểu dữ liệu không được hỗ trợ"),
    422: ("validation", "Dữ liệu không hợp lệ"),
    429: ("rate-limited", "Quá nhiều yêu cầu"),
    500: ("internal", "Lỗi hệ thống"),
    503: ("unavailable", "Dịch vụ tạm thời không sẵn sàng"),
}


def problem(
    status: int,
    detail: str | None = None,
    *,
    type_: str | None = None,
    title: str | None = None,
    errors: dict[str, str] | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    slug, default_title = STATUS_TITLES.get(status, ("error", "Lỗi"))
    body = {"type": PROBLEM_BASE + (type_ or slug), "title": title or default_title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = [{"field": k, "detail": v} for k, v in errors.items()]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


_HTTP_DETAILS = {
    400: "Thân yêu cầu không đọc được (ví dụ JSON hỏng hoặc sai bảng mã).",
    404: "Không có địa chỉ này.",
    405: "Địa chỉ này không nhận phương thức HTTP vừa dùng.",
    406: "Không có định dạng phản hồi phù hợp.",
    413: "Dữ liệu gửi lên quá lớn.",
    415: "Kiểu nội dung không được hỗ trợ.",
}


def http_status_detail(status: int) -> str:
    return _HTTP_DETAILS.get(status) or STATUS_TITLES.get(status, ("", "Lỗi"))[1]


class ApiProblem(Exception):
    """Raised anywhere under /api/ and rendered by the app's handler as problem+json."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        type_: str | None = None,
        title: str | None = None,
        errors: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail or title or str(status))
        self.status = status
        self.detail = detail
        self.type_ = type_
        self.title = title
        self.errors = errors
        self.headers = headers

    def response(self, instance: str | None = None) -> JSONResponse:
        return problem(self.status, self.detail, type_=self.type_, title=self.title, errors=self.errors,
                       instance=instance, headers=self.headers)


# Stable `type` slugs beyond the per-status defaults, listed here so they are documented in one place.
PROBLEM_TYPES = {
    "validation": "Dữ liệu gửi lên không hợp lệ; `errors` nêu từng trường.",
    "malformed-body": "Thân yêu cầu không đọc được (JSON hỏng, sai kiểu nội dung).",
    "unauthorized": "Thiếu hoặc sai khóa API (Authorization: Bearer …).",
    "insufficient-scope": "Khóa API không có quyền cần cho thao tác này.",
    "not-found": "Không có tài nguyên này, hoặc ứng dụng không được xem nó.",
    "invalid-transition": "Hồ sơ không ở trạng thái cho phép thao tác này.",
    "idempotency-key-reused": "Idempotency-Key đã dùng cho một yêu cầu khác.",
    "idempotency-in-progress": "Yêu cầu trước với cùng Idempotency-Key chưa xong; thử lại sau Retry-After.",
    "rate-limited": "Vượt giới hạn số yêu cầu; thử lại sau Retry-After giây.",
    "payload-too-large": "Tệp hoặc dữ liệu gửi lên vượt giới hạn.",
    "unsupported-media-type": "Kiểu nội dung không được hỗ trợ.",
    "internal": "Lỗi hệ thống; dữ liệu đã gửi trước đó không bị mất.",
}


class ProblemFieldError(BaseModel):
    field: str = F(description="Tên trường (hoặc `contact`, `body`, tên header)")
    detail: str = F(description="Thông báo tiếng Việt cho người dùng")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = F(description="URI ổn định của loại lỗi", examples=[PROBLEM_BASE + "validation"])
    title: str = F(description="Tiêu đề tiếng Việt")
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[ProblemFieldError] | None = None


_RESPONSE_DESCRIPTIONS = {
    400: "Yêu cầu không đọc được",
    401: "Thiếu hoặc sai khóa API",
    403: "Khóa API không có quyền cần thiết",
    404: "Không tìm thấy",
    406: "Không có định dạng phù hợp",
    409: "Xung đột (trạng thái hồ sơ, Idempotency-Key)",
    413: "Dữ liệu quá lớn",
    415: "Kiểu nội dung không được hỗ trợ",
    422: "Dữ liệu không hợp lệ, kèm lỗi từng trường",
    429: "Quá nhiều yêu cầu; xem Retry-After",
    500: "Lỗi hệ thống (không mong đợi; dữ liệu đã gửi trước đó không mất)",
}

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def problem_responses(*codes: int) -> dict:
    """`responses=` for a route: each code documented as application/problem+json (schema `Problem`)."""
    out = {}
    for code in codes:
        entry = {"description": _RESPONSE_DESCRIPTIONS.get(code, STATUS_TITLES.get(code, ("", "Lỗi"))[1]),
                 "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}}
        if code == 429:
            entry["headers"] = {"Retry-After": {"description": "Số giây chờ trước khi thử lại",
                                                "schema": {"type": "integer"}}}
        if code == 401:
            entry["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        out[code] = entry
    return out


def _validation_message(err: dict) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "Thiếu giá trị bắt buộc."
    if kind == "string_too_long":
        return f"Quá dài (tối đa {ctx.get('max_length')} ký tự)."
    if kind == "string_too_short":
        return f"Quá ngắn (ít nhất {ctx.get('min_length')} ký tự)."
    if kind == "string_pattern_mismatch":
        return "Không đúng định dạng."
    if kind == "enum":
        return f"Phải là một trong: {ctx.get('expected', '')}."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Phải là số nguyên."
    if kind in ("greater_than_equal", "greater_than"):
        return f"Phải lớn hơn hoặc bằng {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"Phải nhỏ hơn hoặc bằng {ctx.get('le', ctx.get('lt'))}."
    if kind.startswith("datetime") or kind.startswith("date"):
        return "Không phải thời điểm ISO 8601 hợp lệ (ví dụ 2026-11-22T08:00:00+07:00)."
    if kind.startswith("bool"):
        return "Phải là true hoặc false."
    return "Giá trị không hợp lệ."


def validation_errors(errors: list[dict]) -> dict[str, str]:
    """FastAPI's request validation errors → field (query/header/path name or body path) → Vietnamese message."""
    out: dict[str, str] = {}
    for err in errors:
        loc = ".".join(str(p) for p in err.get("loc", ())[1:]) or "body"
        out.setdefault(loc, _validation_message(err))
    return out
