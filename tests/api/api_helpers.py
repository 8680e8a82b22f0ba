"""Helpers of the HTTP tests: start the app in-process, fresh databases, problem-details assertions."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from transit_helpers import pg_bin

from corridor.api import create_app
from corridor.api.middleware import ApiLimits

#: limits that never bind in functional tests; the limit tests build their own app
RELAXED = ApiLimits(rate_per_s=1e6, rate_burst=1e6, list_concurrency_per_party=64)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(pg_bin() is None, reason="no PostgreSQL"))]
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "failures"}
_db_names = itertools.count(1)


def assert_problem(r, status: int) -> dict:
    """*r* is problem details with *status*; returns the body."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers["content-type"]
    body = r.json()
    assert set(body) == PROBLEM_KEYS, body
    assert body["status"] == status and body["title"] and body["detail"] and body["instance"].startswith("/")
    for f in body["failures"]:
        assert {"path", "message"} <= set(f)
    return body


def fresh_database(backend: str, tmp_path_factory, request) -> str:
    """A new, empty database on *backend*: a SQLite file, or a new database in the session's PostgreSQL cluster."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'transit.sqlite'}"
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"api_{next(_db_names)}"
    engine = sa.create_engine(cluster.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return cluster.rsplit("/", 1)[0] + "/" + name


def bearer(token: str, key: str | None = None) -> dict:
    """Headers of a request as the party owning *token*."""
    h = {"Authorization": f"Bearer {token}"}
    if key:
        h["Idempotency-Key"] = key
    return h


@dataclass
class Api:
    """A started app, its client and the tokens and ids of its parties by role name."""

    client: TestClient
    backend: str
    url: str
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def h(self, who: str, key: str | None = None) -> dict:
        return {} if who == "anonymous" else bearer(self.tokens[who], key)


PARTIES = {
    "holder": ("Forwarder A", "holder", None),
    "holder_b": ("Forwarder B", "holder", None),
    "carrier": ("KTZ Express", "carrier", None),
    "carrier_b": ("Other rail", "carrier", None),
    "customs": ("Altynkol customs", "customs", "altynkol"),
    "customs_poti": ("Poti customs", "customs", "poti"),
    "customs_other": ("Dostyk customs", "customs", "dostyk"),
}


def start_api(network, url: str, backend: str, limits: ApiLimits = RELAXED) -> tuple[Api, TestClient]:
    """Start the app on *url* (lifespan: migrate, start workers), bootstrap an operator and create the parties."""
    from corridor.transit.schemas import PartyIn

    app = create_app(network, url, limits=limits)
    client = TestClient(app, raise_server_exceptions=False)
    client.__enter__()
    op, token = app.state.service.create_party(PartyIn(name="operator", role="operator"), by=None)
    api = Api(client, backend, url, {"operator": token}, {"operator": op.id})
    for who, (name, role, office) in PARTIES.items():
        r = client.post("/parties", json={"name": name, "role": role, "office_node": office}, headers=api.h("operator"))
        assert r.status_code == 201, r.text
        api.tokens[who], api.ids[who] = r.json()["token"], r.json()["id"]
    return api, client
