"""One error shape for every refused request: RFC 9457 problem details plus the list of ``failures``.

Every path that can refuse a request — the service's :class:`TransitError`, request validation, unknown routes and
methods, the body-size and rate limits, a busy database and unexpected exceptions — answers
``application/problem+json`` with ``type``, ``title``, ``status``, ``detail``, ``instance`` and ``failures``.
Values echoed back are made JSON-safe first (NaN, infinities, lone surrogates and oversized strings become
strings), so rendering an error can never fail in turn.
"""

from __future__ import annotations

import json
import logging
import math
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from corridor.transit import TransitError

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "Failure",
    "Problem",
    "document_problems",
    "install_error_handlers",
    "json_safe",
    "problem_body",
    "problem_response",
    "render",
    "transit_problem",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
_ECHO_MAX_CHARS = 200
_log = logging.getLogger("corridor.api")

#: problem ``type`` URIs of the refusals that carry more meaning than their HTTP status
TYPES = {
    "validation": "urn:corridor:problem:validation",
    "rule": "urn:corridor:problem:rule",
    "rate_limit": "urn:corridor:problem:rate-limit",
    "too_large": "urn:corridor:problem:body-too-large",
    "busy": "urn:corridor:problem:database-busy",
    "internal": "urn:corridor:problem:internal",
}


class Failure(BaseModel):
    """One reason a request was refused: the rule (or validation type), where, the value found and what was expected."""

    model_config = ConfigDict(extra="allow")

    rule: str | None = Field(default=None, description="Rule id, e.g. R001 (business rule) or S000 (structure).")
    type: str | None = Field(default=None, description="Validation error type, e.g. string_pattern_mismatch.")
    path: str = Field(description="Where: a field path such as goods[0].hs_code, or a parameter name.")
    value: Any = Field(default=None, description="The value found (JSON-safe; long strings are cut).")
    message: str = Field(description="What was expected.")


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every 4xx and 5xx answer."""

    type: str = Field(default="about:blank", description="URI naming the kind of problem; about:blank means the status says it.")
    title: str = Field(description="Short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request.")
    instance: str = Field(description="The request path.")
    failures: list[Failure] = Field(default_factory=list, description="Every failed check, with its field path.")


def json_safe(value: Any, depth: int = 0) -> Any:
    """*value* with everything JSON cannot carry replaced by strings: NaN/inf, lone surrogates, bytes, objects."""
    if value is None or isinstance(value, bool | int):
        return value if not isinstance(value, int) or abs(value) < 2**63 else str(value)[:_ECHO_MAX_CHARS]
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, str):
        text = value[:_ECHO_MAX_CHARS]
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, bytes | bytearray):
        return json_safe(bytes(value[:_ECHO_MAX_CHARS]).decode("utf-8", "backslashreplace"))
    if depth >= 4:
        return json_safe(repr(value))
    if isinstance(value, dict):
        return {str(json_safe(str(k))): json_safe(v, depth + 1) for k, v in list(value.items())[:20]}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v, depth + 1) for v in list(value)[:20]]
    return json_safe(str(value))


def problem_response(
    request: Request,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_: str = "about:blank",
    failures: list[dict] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The problem-details answer for *request*."""
    body = problem_body(request.url.path, status, detail, title=title, type_=type_, failures=failures)
    return Response(render(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def problem_body(
    path: str,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    type_: str = "about:blank",
    failures: list[dict] | None = None,
) -> dict:
    """The problem-details document as a JSON-safe dict."""
    return {
        "type": type_,
        "title": title or _phrase(status),
        "status": status,
        "detail": json_safe(str(detail)),
        "instance": json_safe(path),
        "failures": [_failure(f) for f in failures or []],
    }


def render(body: dict) -> bytes:
    """Compact JSON bytes of a JSON-safe *body*."""
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _failure(f: Any) -> dict:
    if not isinstance(f, dict):
        return {"path": "", "message": json_safe(str(f))}
    out = {k: json_safe(v) for k, v in f.items()}
    out.setdefault("path", "")
    out.setdefault("message", "")
    return out


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _loc_path(loc: tuple) -> str:
    """('body', 'goods', 0, 'hs_code') -> 'goods[0].hs_code'; ('query', 'limit') -> 'limit'."""
    parts = list(loc[1:]) if loc and loc[0] in ("body", "query", "path", "header", "cookie") else list(loc)
    if not parts:
        return str(loc[0]) if loc else ""
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def validation_failures(exc: RequestValidationError) -> list[dict]:
    """Pydantic errors as failures: structure stage S000, the pydantic type, field path, value and message."""
    failures = []
    for e in exc.errors():
        message = e.get("msg", "invalid")
        ctx = e.get("ctx") or {}
        if e.get("type") == "json_invalid" and ctx.get("error"):
            message = f"{message}: {ctx['error']}"
        value = e.get("input")
        failures.append(
            {
                "rule": "S000",
                "type": e.get("type"),
                "path": _loc_path(tuple(e.get("loc", ()))),
                "value": value,
                "message": message,
            }
        )
    return failures


def transit_problem(path: str, exc: TransitError) -> dict:
    """The problem-details body of a refusal by the service."""
    title = getattr(exc, "title", None) or str(exc)
    detail = getattr(exc, "detail", None) or str(exc)
    type_ = TYPES["rule"] if exc.failures else "about:blank"
    return problem_body(path, exc.status, detail, title=title, type_=type_, failures=exc.failures)


async def _transit_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TransitError)
    headers = dict(getattr(exc, "headers", None) or {})
    if exc.status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="corridor"')
    body = transit_problem(request.url.path, exc)
    return Response(render(body), status_code=exc.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers or None)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    failures = validation_failures(exc)
    detail = f"request failed structure validation ({len(failures)} failure{'s' if len(failures) != 1 else ''})"
    return problem_response(request, 422, detail, title="Invalid request", type_=TYPES["validation"], failures=failures)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) else _phrase(status)
    if status == 404 and detail == "Not Found":
        detail = f"no route {request.url.path}"
    elif status == 405:
        detail = f"method {request.method} is not allowed on {request.url.path}"
    elif status in (413, 429):
        type_ = TYPES["too_large"] if status == 413 else TYPES["rate_limit"]
        return problem_response(request, status, detail, type_=type_, headers=exc.headers)
    if status < 400:
        return Response(status_code=status, headers=exc.headers)
    return problem_response(request, status, detail, headers=exc.headers)


async def _busy(request: Request, exc: Exception) -> Response:
    _log.warning("database busy on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    return problem_response(request, 503, "database busy, retry", type_=TYPES["busy"], headers={"Retry-After": "1"})


async def _data_error(request: Request, exc: Exception) -> Response:
    _log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc)
    return problem_response(request, 422, "the database refused a value of this request", type_=TYPES["validation"])


async def _unexpected(request: Request, exc: Exception) -> Response:
    _log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "unexpected error; it has been logged", type_=TYPES["internal"])


def install_error_handlers(app: FastAPI) -> None:
    """Render every refusal of *app* as problem details."""
    app.add_exception_handler(TransitError, _transit_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _busy)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(Exception, _unexpected)


#: statuses every operation can answer: the body limit, structure validation, the rate limit, an unexpected error
COMMON_ERRORS = {
    "413": "Request body over the size limit (max_body_bytes), counted as it arrives.",
    "422": "The request failed validation: every failure with its field path, value and what was expected.",
    "429": "Rate limit or concurrent-query limit of this party (or client address) reached; see Retry-After.",
    "500": "Unexpected error (logged); never caused by input alone.",
    "503": "Database busy; retry after Retry-After seconds.",
}


def document_problems(schema: dict) -> dict:
    """Make *schema* describe the errors truthfully: every 4xx/5xx answer is a Problem as problem+json."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem_schema.pop("$defs", {}))
    components["Problem"] = problem_schema
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, item in schema.get("paths", {}).items():
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            common = COMMON_ERRORS if path != "/health" else {k: v for k, v in COMMON_ERRORS.items() if k in ("429", "500")}
            for status, description in common.items():
                responses.setdefault(status, {"description": description})
            if op.get("security"):
                responses.setdefault("401", {"description": "Missing, malformed, unknown or deactivated bearer token."})
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": ref}}
            op["responses"] = dict(sorted(responses.items()))
    return schema
