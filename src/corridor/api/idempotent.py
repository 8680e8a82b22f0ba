"""``Idempotency-Key`` on the HTTP side: claim the key, run the work once, answer (or replay) the stored answer.

The bookkeeping itself — the atomic claim before any work, the request hash, replay after a crash, redaction of
secrets — is the service's (``service.idempotency``, :mod:`corridor.transit.idempotency`); this module only turns
its answers into HTTP responses. A retry of a finished request gets the first answer with ``Idempotent-Replay:
true``; the same key with a different request gets 422; the same key still in flight gets 409 with Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from starlette.responses import JSONResponse, Response

from corridor.api.errors import PROBLEM_MEDIA_TYPE, render, transit_problem
from corridor.transit import TransitError, TransitService
from corridor.transit.db import Party
from corridor.transit.idempotency import Replay, request_hash

__all__ = ["IdempotencyKey", "run_once"]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Any printable ASCII string unique per request; a retry with the same key gets the first answer.",
    ),
]

Work = Callable[[Any], tuple[int, dict]]


def run_once(
    service: TransitService,
    party: Party,
    key: str | None,
    method: str,
    path: str,
    payload: Any,
    work: Work,
    model: type[BaseModel],
) -> Response:
    """Run ``work(claim)`` once per (party, key) and answer its ``(status, body)``; replay it for a retry.

    *work* receives the claim (None without a key) and passes it to the service, which stores the answer in the
    same transaction as the work. Blocking: call it in a worker thread.
    """
    if not key:
        status, body = work(None)
        return _answer(status, body, model)
    store = service.idempotency
    got = store.begin(party.id, key, method, path, request_hash(method, path, payload))
    if isinstance(got, Replay):
        headers = {"Idempotent-Replay": "true"}
        if got.status >= 400:
            return Response(render(got.body), status_code=got.status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)
        return JSONResponse(got.body, status_code=got.status, headers=headers)
    try:
        status, body = work(got)
    except TransitError as exc:
        store.complete(got, exc.status, transit_problem(path, exc))
        raise
    except BaseException:
        store.release(got)
        raise
    store.complete(got, status, jsonable_encoder(body))
    return _answer(status, body, model)


def _answer(status: int, body: dict, model: type[BaseModel]) -> Response:
    model.model_validate(body)  # the documented shape; the body itself goes out as the service made it (and replays it)
    return JSONResponse(jsonable_encoder(body), status_code=status)
