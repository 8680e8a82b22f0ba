"""Migration 0002 on a database holding 0001 data: guarantees and indexed references are back-filled."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text

import corridor.transit.db as db
from corridor.transit.db import make_engine, migrate


def _upgrade(engine, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)  # 0001 only creates tables: no foreign-key juggling needed


def _url(backend, request, tmp_path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'old.sqlite'}"
    base = request.getfixturevalue("pg_cluster").rsplit("/", 1)[0]
    admin = make_engine(f"{base}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql("DROP DATABASE IF EXISTS mig0001")
        c.exec_driver_sql("CREATE DATABASE mig0001")
    admin.dispose()
    return f"{base}/mig0001"


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_0002_backfills_guarantees_and_references(backend, request, tmp_path):
    engine = make_engine(_url(backend, request, tmp_path))
    _upgrade(engine, "0001")
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with engine.begin() as c:
        c.execute(
            text("INSERT INTO parties (id, name, role, token_hash, created_at) VALUES (1, 'h', 'holder', 'x', :t)"), {"t": now}
        )
        for i, status in enumerate(["released", "submitted"], start=1):
            cols = (
                "id, holder_id, lrn, status, declaration_type, office_departure, office_destination, offices_transit,"
                " itinerary, containers, guarantee_reference, guarantee_amount, guarantee_currency, amount_at_risk, body,"
                " errors, created_at, updated_at"
            )
            values = (
                ":id, 1, :lrn, :st, 'T1', 'altynkol', 'poti', '[\"beyuk_kesik\"]', '[]', '[\"CSQU3054383\"]', 'GRN1',"
                " 100000, 'USD', 50000, '{}', '[]', :t, :t"
            )
            c.execute(
                text(f"INSERT INTO declarations ({cols}) VALUES ({values})"),
                {"id": i, "lrn": f"L{i}", "st": status, "t": now},
            )
    migrate(engine)
    with engine.connect() as c:
        assert c.execute(text("SELECT holder_id, reference, amount, reserved_usd FROM guarantees")).all() == [
            (1, "GRN1", 100000.0, 50000.0)
        ]
        refs = set(c.execute(text("SELECT declaration_id, kind, value FROM declaration_refs")).all())
        assert (1, "container", "CSQU3054383") in refs and (2, "office", "beyuk_kesik") in refs
        assert c.execute(text("SELECT active FROM parties")).scalar() in (True, 1)
        assert compare_metadata(MigrationContext.configure(c), db.Base.metadata) == []  # the models match the schema
    engine.dispose()
