"""ASGI entry points: the app factory uvicorn starts (``corridor serve``) and the OpenAPI exporter.

Configuration comes from :mod:`corridor.settings` (so ``CORRIDOR_DATABASE_URL``, ``CORRIDOR_DATASET_DIR``,
``CORRIDOR_RATE_PER_S``, ``CORRIDOR_RATE_BURST``, ``CORRIDOR_MAX_BODY_BYTES``, ... work for any ASGI server).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fastapi import FastAPI

from corridor import settings
from corridor.api.app import create_app
from corridor.api.middleware import ApiLimits
from corridor.data import read_dataset

__all__ = ["create_default_app", "main", "openapi_document"]


def create_default_app() -> FastAPI:
    """The service over the dataset and database the settings name."""
    # request threads, the group-commit writer and the event loop share one GIL: switching every 1 ms instead of
    # the default 5 ms keeps a waiting writer from adding whole switch intervals to the latency tail
    sys.setswitchinterval(0.001)
    return create_app(read_dataset(), settings.get("database_url") or None, limits=ApiLimits.from_settings())


def openapi_document() -> str:
    """The OpenAPI document of the app as it is written to openapi.json (default limits, no database touched)."""
    app = create_app(read_dataset(), "sqlite://")
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m corridor.api.server [FILE]``: write the OpenAPI document (default: openapi.json)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path("openapi.json")
    target.write_text(openapi_document(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
