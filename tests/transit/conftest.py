"""Fixtures of the service-level transit tests: the service in-process on SQLite and on a throw-away PostgreSQL.

PostgreSQL runs once per test session (initdb into a temporary folder, as tests/transit_helpers.py does for the
HTTP tests) with one migrated database that is emptied before each test; each SQLite test gets a copy of a migrated
file, so tests never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from transit_payloads import Cast

from corridor.data import read_dataset
from corridor.transit import TransitService
from corridor.transit.config import TransitSettings
from corridor.transit.db import Base, make_engine, migrate

TEST_SETTINGS = TransitSettings(allow_private_callbacks=True, idempotency_wait_s=1.0, webhook_timeout_s=2.0, webhook_poll_s=0.02)


def pg_bin() -> Path | None:
    """The PostgreSQL server binaries, if installed."""
    for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (p / "initdb").exists():
            return p
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[str]:
    """A throw-away PostgreSQL cluster with a migrated database; yields its URL."""
    bindir = pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries are not installed")
    tmp = Path(tempfile.mkdtemp(prefix="corridor-pg-"))
    port = _free_port()
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if run_as:
        shutil.chown(tmp, "postgres")
    data = tmp / "data"
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "corridor", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    opts = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(tmp / "log"), "-w", "-o", opts, "start"],
        check=True,
        capture_output=True,
    )
    base = f"postgresql://corridor@127.0.0.1:{port}"
    try:
        admin = make_engine(f"{base}/postgres").execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql("CREATE DATABASE transit")
        admin.dispose()
        engine = make_engine(f"{base}/transit")
        migrate(engine)
        engine.dispose()
        yield f"{base}/transit"
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite database file to copy."""
    path = tmp_path_factory.mktemp("tpl") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


_counter = itertools.count()


def fresh_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh migrated database on *backend*."""
    if backend == "sqlite":
        dest = tmp_path / f"transit-{next(_counter)}.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), dest)
        return f"sqlite:///{dest}"
    url = request.getfixturevalue("pg_cluster")
    engine = make_engine(url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as c:  # one database, emptied before each test: cheaper than a database per test
        c.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def network():
    """The shipped dataset."""
    return read_dataset()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    """Each test that takes it runs on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture
def svc(backend, request, tmp_path, network) -> Iterator[TransitService]:
    """A started service on a fresh database."""
    service = TransitService(network, make_engine(fresh_url(backend, request, tmp_path)), TEST_SETTINGS)
    service.start()
    yield service
    service.close()
    service.store.engine.dispose()


@pytest.fixture
def sqlite_svc(request, tmp_path, network) -> Iterator[TransitService]:
    """A started service on SQLite only (for checks that do not depend on the backend)."""
    service = TransitService(network, make_engine(fresh_url("sqlite", request, tmp_path)), TEST_SETTINGS)
    service.start()
    yield service
    service.close()
    service.store.engine.dispose()


@pytest.fixture
def cast(svc) -> Cast:
    return Cast(svc)
