"""The OpenAPI document: every API error documented as problem+json (Open311 in its own error format), the
request bodies we parse by hand, and the web pages left out (they are not an API)."""

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from app.api.open311 import OPEN311_MODELS
from app.api.problems import Problem, ProblemFieldError, problem_responses
from app.attachments.service import TYPES_TEXT, human_size
from app.config import get_settings
from app.integrations.schemas import ReplyIn, SubmissionIn

API_PREFIXES = ("/api/", "/open311/", "/healthz")


def _add_model(schemas: dict, model: type[BaseModel]) -> None:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        schemas.setdefault(name, sub)
    schemas[model.__name__] = schema


def build_openapi(app: FastAPI, extra_models: list[type[BaseModel]]) -> dict:
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schema["paths"] = {p: ops for p, ops in schema.get("paths", {}).items() if p.startswith(API_PREFIXES)}
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in [Problem, ProblemFieldError, SubmissionIn, ReplyIn, *extra_models]:
        _add_model(schemas, model)
    settings = get_settings()
    files = {"type": "array", "items": {"type": "string", "format": "binary"},
             "maxItems": settings.attachment_max_files,
             "description": f"Ảnh, tài liệu: {TYPES_TEXT}; tối đa {settings.attachment_max_files} tệp, "
                            f"{human_size(settings.attachment_max_bytes)} mỗi tệp (kiểm tra theo nội dung)"}
    for name, base in (("SubmissionMultipart", "SubmissionIn"), ("ReplyMultipart", "ReplyIn")):
        schemas[name] = {**schemas[base], "title": name,
                         "properties": {**schemas[base]["properties"], "attachments": files}}

    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if path.startswith("/api/"):
                if "requestBody" in operation:
                    responses.setdefault("400", problem_responses(400)[400])  # an unreadable body
                # Never expected (schemathesis checks it), but if it happens it is problem+json too.
                responses.setdefault("500", problem_responses(500)[500])
            generated = responses.get("422", {}).get("content", {}).get("application/json", {})
            if "HTTPValidationError" not in str(generated.get("schema", "")):
                continue
            if path.startswith("/open311/"):
                del responses["422"]  # Open311 reports bad parameters as 400 in its own format
            else:
                responses["422"] = problem_responses(422)[422]
    _prune(schema)
    return schema


def _refs(node, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _prune(schema: dict) -> None:
    """Drops component schemas no API path uses (the web forms' bodies, FastAPI's validation error)."""
    schemas = schema["components"]["schemas"]
    used: set[str] = set()
    _refs(schema["paths"], used)
    pending = list(used)
    while pending:
        name = pending.pop()
        found: set[str] = set()
        _refs(schemas.get(name, {}), found)
        for new in found - used:
            used.add(new)
            pending.append(new)
    for name in list(schemas):
        if name not in used:
            del schemas[name]


def install_openapi(app: FastAPI) -> None:
    cache: dict = {}

    def openapi() -> dict:
        if "schema" not in cache:
            cache["schema"] = build_openapi(app, OPEN311_MODELS)
        return cache["schema"]

    app.openapi = openapi

