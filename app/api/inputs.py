"""Reading request bodies for the API: JSON or multipart, with limits, and strings the database can store."""

import json
from dataclasses import dataclass, field

from fastapi import Request
from starlette.datastructures import UploadFile

from app.api.problems import ApiProblem
from app.text import unstorable

JSON_MAX_BYTES = 256 * 1024
TEXT_ERROR = "Có ký tự không hợp lệ (ký tự NUL hoặc mã Unicode hỏng)."


def text_errors(values: dict) -> dict[str, str]:
    return {k: TEXT_ERROR for k, v in values.items() if isinstance(v, str) and unstorable(v)}


@dataclass
class Body:
    values: dict
    files: list[UploadFile] = field(default_factory=list)  # spooled to disk by Starlette beyond 1 MB
    media_type: str = "application/json"


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def read_json_object(request: Request) -> dict:
    raw = await request.body()
    if len(raw) > JSON_MAX_BYTES:
        raise ApiProblem(413, f"Thân yêu cầu quá lớn (tối đa {JSON_MAX_BYTES // 1024} KB).")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiProblem(400, "Thân yêu cầu không phải JSON hợp lệ (UTF-8).", type_="malformed-body") from None
    except RecursionError:
        raise ApiProblem(400, "Thân yêu cầu JSON lồng nhau quá sâu.", type_="malformed-body") from None
    if not isinstance(data, dict):
        raise ApiProblem(422, "Thân yêu cầu phải là một đối tượng JSON.", type_="validation",
                         errors={"body": "Phải là một đối tượng JSON ({…})."})
    return data


async def read_body(request: Request, *, allow_multipart: bool, max_files: int = 0, max_file_bytes: int = 0) -> Body:
    kind = media_type(request)
    if kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json")):
        return Body(values=await read_json_object(request))
    if allow_multipart and kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_files * max_file_bytes + JSON_MAX_BYTES:
            raise ApiProblem(413, "Dữ liệu gửi lên quá lớn.", type_="payload-too-large")
        try:
            # More parts than allowed are let through here so the domain refuses them with a clear message.
            form = await request.form(max_files=max_files + 5, max_fields=100)
        except Exception:  # malformed multipart, too many parts
            raise ApiProblem(400, "Không đọc được dữ liệu multipart/form-data.", type_="malformed-body") from None
        values: dict = {}
        files: list[UploadFile] = []
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                if name == "attachments":
                    files.append(value)
            else:
                values.setdefault(name, value)
        return Body(values=values, files=files, media_type=kind)
    accepted = "application/json" + (", multipart/form-data hoặc application/x-www-form-urlencoded"
                                      if allow_multipart else "")
    raise ApiProblem(415, f"Kiểu nội dung phải là {accepted}.", type_="unsupported-media-type")


def _declared_query(dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _declared_query(sub)
    return names


def reject_unknown_query(request: Request) -> None:
    """An unknown query parameter is most often a typo (`?sate=open`); say so instead of ignoring it."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    unknown = [k for k in request.query_params if k not in _declared_query(dependant)]
    if unknown:
        raise ApiProblem(422, "Có tham số truy vấn không được hỗ trợ.", type_="validation",
                         errors={k or "(trống)": "Tham số không được hỗ trợ." for k in unknown})
