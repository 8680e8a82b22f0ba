"""The dashboard's static files (``src/corridor/web``) at ``/`` and ``/static/...``, with a Content-Security-Policy.

The page and every asset it loads come from this app: the policy allows scripts, styles, images and requests from
the same origin only, and no inline script, so text from data can never run as code. Paths are resolved inside
the web folder; anything outside it, or missing, is a 404 problem.
"""

from __future__ import annotations

import mimetypes
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response

from corridor.api.errors import problem_response

__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "router", "web_root"]

router = APIRouter(include_in_schema=False)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".geojson": "application/geo+json"}


def web_root() -> Path:
    """The folder of the dashboard's files inside the installed package."""
    return Path(str(files("corridor"))) / "web"


def _file(request: Request, relative: str) -> Response:
    root = web_root().resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root) or not target.is_file() or any(p.startswith(".") for p in Path(relative).parts):
        return problem_response(request, 404, f"no dashboard file {relative!r}")
    ctype = _TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return FileResponse(target, media_type=ctype, headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})


@router.get("/")
def dashboard(request: Request) -> Response:
    """The dashboard page."""
    return _file(request, "index.html")


@router.get("/dashboard/endpoints")
def endpoints(request: Request) -> dict:
    """The API paths this build documents, so the page asks only for views whose engine is present (no 404 probes)."""
    return {"paths": sorted(request.app.openapi().get("paths", {}))}


@router.get("/static/{path:path}")
def static(request: Request, path: str) -> Response:
    """A file of the dashboard (scripts, styles, vendored libraries, the basemap)."""
    return _file(request, path)
