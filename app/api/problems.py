"""RFC 9457 problem details for every API error: a stable `type`, Vietnamese title and detail."""

from fastapi.responses import JSONResponse

PROBLEM_BASE = "https://pakn.dienbien.gov.vn/problems/"

STATUS_TITLES = {
    400: ("bad-request", "Yêu cầu không hợp lệ"),
    401: ("unauthorized", "Chưa xác thực"),
    403: ("forbidden", "Không có quyền"),
    404: ("not-found", "Không tìm thấy"),
    405: ("method-not-allowed", "Phương thức không được hỗ trợ"),
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
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)
