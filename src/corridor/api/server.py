"""ASGI entry points: the app factory uvicorn starts (``corridor serve``) and the OpenAPI exporter.

Settings come from the environment so that any ASGI server can start the service the same way:
``CORRIDOR_DATABASE_URL`` (default: SQLite in ~/.corridor), ``CORRIDOR_DATASET_DIR`` (default: the shipped
dataset), ``CORRIDOR_RATE_PER_S`` and ``CORRIDOR_RATE_BURST`` (per-client token bucket, default 5000/s, 10000).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from fastapi import FastAPI

from corridor.api.app import create_app
from corridor.data import read_dataset

__all__ = ["create_default_app", "main"]


def create_default_app() -> FastAPI:
    """The service over the dataset and database named by the environment."""
    # request threads, the group-commit writer and the event loop share one GIL: switching every 1 ms instead of
    # the default 5 ms keeps a waiting writer from adding whole switch intervals to the latency tail
    sys.setswitchinterval(0.001)
    return create_app(
        read_dataset(),
        os.environ.get("CORRIDOR_DATABASE_URL"),
        rate_per_s=float(os.environ.get("CORRIDOR_RATE_PER_S", "5000")),
        burst=float(os.environ.get("CORRIDOR_RATE_BURST", "10000")),
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m corridor.api.server [FILE]``: write the OpenAPI document (default: openapi.json)."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path("openapi.json")
    os.environ.setdefault("CORRIDOR_DATABASE_URL", "sqlite://")
    app = create_app(read_dataset(), os.environ["CORRIDOR_DATABASE_URL"], deliver_webhooks=False)
    target.write_text(json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
