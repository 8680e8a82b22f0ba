"""Strict request input: JSON as RFC 8259 defines it, and no text the database or a response could not carry.

Python's ``json`` accepts ``NaN``, ``Infinity`` and numbers such as ``1e999`` (which become infinite), and
strings holding lone surrogates or NUL characters; PostgreSQL refuses NUL in text, UTF-8 cannot encode a lone
surrogate, and JSON cannot render NaN. :class:`StrictRoute` parses the body itself before FastAPI does and refuses
such input (and duplicate keys, and NUL in query or path parameters) with a 422 naming the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["StrictRoute", "check_text", "strict_loads"]


class _Refused(ValueError):
    def __init__(self, path: tuple, message: str, value: Any = None, kind: str = "json_invalid") -> None:
        super().__init__(message)
        self.path, self.message, self.value, self.kind = path, message, value, kind


def _constant(name: str) -> Any:
    raise _Refused((), f"{name} is not a JSON number", name, "json_invalid")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused((), f"number {text[:40]} is out of the double range", text[:40], "json_invalid")
    return value


def _int(text: str) -> int | float:
    if len(text) > 30:  # far beyond any field's range; also keeps int() off pathological digit strings
        raise _Refused((), f"integer of {len(text)} digits is out of range", text[:40], "json_invalid")
    return int(text)


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) == len(pairs):  # no key twice (the common case, decided at C speed)
        return out
    seen: set[str] = set()
    for k, _v in pairs:
        if k in seen:
            raise _Refused((), f"duplicate key {k!r} in an object", k, "json_invalid")
        seen.add(k)
    return out


def check_text(text: str) -> str | None:
    """Why *text* cannot be stored or rendered (a NUL or a lone surrogate), or None when it can."""
    if "\x00" in text:
        return "NUL character (\\u0000) not allowed in text"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"lone surrogate \\u{ord(text[exc.start]):04x} is not a character"
    return None


def _walk(value: Any, path: tuple) -> None:
    if isinstance(value, str):
        if (why := check_text(value)) is not None:
            raise _Refused(path, why, value, "string_invalid")
    elif isinstance(value, dict):
        for k, v in value.items():
            if (why := check_text(k)) is not None:
                raise _Refused((*path, k), f"key: {why}", k, "string_invalid")
            _walk(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _walk(v, (*path, i))


def strict_loads(body: bytes) -> Any:
    """Parse *body* as strict JSON; :class:`RequestValidationError` (422) naming the field otherwise."""
    try:
        text = body.decode("utf-8")
        value = json.loads(text, parse_constant=_constant, parse_float=_float, parse_int=_int, object_pairs_hook=_pairs)
        # NUL and lone surrogates can only come from \u escapes: json refuses a raw NUL, UTF-8 cannot carry a surrogate
        if "\\u" in text:
            _walk(value, ())
    except _Refused as exc:
        raise _error(("body", *exc.path), exc.kind, exc.message, exc.value) from None
    except UnicodeDecodeError as exc:
        raise _error(("body",), "json_invalid", f"body is not UTF-8 (byte {exc.start})", None) from None
    except json.JSONDecodeError as exc:
        raise _error(
            ("body",), "json_invalid", f"JSON decode error: {exc.msg} at line {exc.lineno} column {exc.colno}", None
        ) from None
    except RecursionError:
        raise _error(("body",), "json_invalid", "JSON nested too deeply", None) from None
    return value


def _error(loc: tuple, kind: str, message: str, value: Any) -> RequestValidationError:
    return RequestValidationError([{"type": kind, "loc": loc, "msg": message, "input": value}])


def _is_json(request: Request) -> bool:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return ctype == "application/json" or (ctype.startswith("application/") and ctype.endswith("+json"))


def _query(request: Request) -> Any:
    """The query parameters; none parsed when there is no query string (most writes)."""
    return request.query_params if request.scope.get("query_string") else {}


class StrictRoute(APIRoute):
    """An APIRoute that checks parameters and parses a JSON body strictly before FastAPI's own handling."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict_handler(request: Request) -> Response:
            for where, params in (("path", request.path_params), ("query", _query(request))):
                for name, value in params.items():
                    if isinstance(value, str) and (why := check_text(value)) is not None:
                        raise _error((where, name), "string_invalid", why, value)
            if request.method in ("POST", "PUT", "PATCH", "DELETE") and _is_json(request):
                body = await request.body()
                if body:
                    request._json = strict_loads(body)  # FastAPI's request.json() returns this parsed value
            return await handler(request)

        return strict_handler
