"""Transit service commands: ``serve`` (the HTTP service) and ``transit bootstrap|stats``.

Only ``serve`` and ``transit bootstrap`` migrate the database; ``transit stats`` reads it as it is. Settings reach
the server (and each of its worker processes) through :mod:`corridor.settings`, never through ``os.environ`` here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer

from corridor.cli.common import DataOpt, DbOpt, JsonOpt, emit, err, fail, load, out, run
from corridor.errors import DataError

__all__ = ["serve", "transit_app", "transit_bootstrap", "transit_stats"]

transit_app = typer.Typer(no_args_is_help=True, help="Transit service administration and statistics.")

#: The ASGI application factory uvicorn imports in each worker process.
APP_FACTORY = "corridor.api.server:create_default_app"


@contextmanager
def _database_errors(url: str | None, as_json: bool) -> Iterator[None]:
    """Database errors as one line naming the database (bad URL, server down, schema missing), exit 2."""
    from sqlalchemy.exc import ArgumentError, OperationalError, ProgrammingError

    try:
        yield
    except ArgumentError as exc:
        fail(DataError(f"--database-url = {url!r}: expected an SQLAlchemy URL such as sqlite:///file.db ({exc})"), as_json)
    except (OperationalError, ProgrammingError) as exc:
        reason = str(exc.orig if getattr(exc, "orig", None) is not None else exc).splitlines()[0]
        fail(DataError(f"database {url or '(default)'!r}: {reason}"), as_json)


def _engine(database_url: str | None, as_json: bool, *, migrate: bool) -> Any:
    """An engine on the chosen database (``--database-url``, else the ``database_url`` setting)."""
    from corridor import settings
    from corridor.transit import db

    url = database_url or settings.get("database_url") or None
    with _database_errors(url, as_json):
        engine = db.make_engine(url)
        if migrate:
            db.migrate(engine)
    return engine


def _service(engine: Any, net: Any) -> Any:
    from corridor.transit import TransitService

    return TransitService(net, engine)


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port, 1 to 65535.")] = 8000,
    database_url: DbOpt = None,
    workers: Annotated[int, typer.Option("--workers", help="Server processes, 1 or more (more than 1 suits PostgreSQL).")] = 1,
    data: DataOpt = None,
) -> None:
    """Start the dashboard, its JSON API and the transit service (FastAPI) on localhost; migrates the database first.

    The OpenAPI document is served at /openapi.json (and kept in the repository as openapi.json).
    """
    import uvicorn

    from corridor import settings
    from corridor.model.inputs import check_count

    run(False, lambda: check_count(workers, "--workers"))
    if not 1 <= port <= 65535:
        fail(DataError(f"--port = {port!r}: expected a TCP port from 1 to 65535"), False)
    load(data, False)  # validate the dataset before binding the port: bad data is a clear error, not a traceback
    if database_url:
        settings.set_option("database_url", database_url)
    if data:
        settings.set_option("dataset_dir", str(data.resolve()))
    _engine(database_url, False, migrate=True).dispose()  # once here, not racing in every worker
    settings.export_to_environment("database_url", "dataset_dir")  # worker processes read settings afresh
    err.print(
        f"Corridor dashboard on http://{host}:{port}/ (API docs at /docs), {workers} worker(s); Ctrl-C stops it",
        highlight=False,
    )
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers, log_level="warning", access_log=False)


@transit_app.command("bootstrap")
def transit_bootstrap(
    name: Annotated[str, typer.Option("--name", help="Operator name.")] = "operator",
    database_url: DbOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an operator party and print its API token (once; only its hash is stored); migrates the database."""
    from corridor.transit.schemas import PartyIn

    net = load(data, as_json)
    engine = _engine(database_url, as_json, migrate=True)
    party, token = run(as_json, lambda: _service(engine, net).create_party(PartyIn(name=name, role="operator"), by=None))
    if as_json:
        emit({"id": party.id, "role": "operator", "token": token})
    else:
        out.print(f"operator {party.id} token: {token}", highlight=False)


@transit_app.command("stats")
def transit_stats(database_url: DbOpt = None, data: DataOpt = None, as_json: JsonOpt = False) -> None:
    """Arrival-to-release times (p50/p99) against Tez Customs' 30 minutes, and declarations by status.

    Reads the database as it is (no migration): a database never set up gets a clear error.
    """
    net = load(data, as_json)
    engine = _engine(database_url, as_json, migrate=False)
    with _database_errors(database_url, as_json):
        st = _service(engine, net).stats()
    if as_json:
        emit(st)
        return
    for k, v in st.items():
        out.print(f"{k}: {v:.4g}" if isinstance(v, float) else f"{k}: {v}", highlight=False)
