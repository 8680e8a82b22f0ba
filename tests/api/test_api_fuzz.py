"""Fuzzing every endpoint with schemathesis over real HTTP, on SQLite and PostgreSQL: no input gets a 5xx.

Per operation, schema-conforming and schema-violating (negative) data; then stateful sequences along the links
schemathesis infers between operations (a lodged declaration's id fed to its reads and decisions, an event's id to
its retraction). Every refusal must be problem details. Examples are bounded so that each backend takes about a
minute on this machine.
"""

from __future__ import annotations

import threading
import time

import httpx
import hypothesis
import pytest
import schemathesis
import uvicorn
from api_helpers import RELAXED, fresh_database
from hypothesis import HealthCheck
from hypothesis import strategies as st
from schemathesis import GenerationMode
from transit_helpers import free_port

from corridor.api import create_app
from corridor.transit.schemas import PartyIn

EXAMPLES_PER_OPERATION = 15
#: Read-only dashboard operations that run an engine per new input (a scenario year, a simulated year, a calibration):
#: fewer examples, enough to reach their validation, and a longer read timeout.
ENGINE_PATHS = ("/scenarios/{name}/", "/simulation/", "/calibration/")
ENGINE_EXAMPLES = 4
STATEFUL_EXAMPLES = 20
SETTINGS = dict(deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck), print_blob=True)


class _LiveServer:
    """The app under uvicorn in a thread of this process (lifespan run once), on a free loopback port."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> _LiveServer:
        self.thread.start()
        deadline = time.time() + 60
        while not self.server.started:
            assert time.time() < deadline and self.thread.is_alive(), "server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def check(response, case) -> None:
    """The fuzzing oracle: never a server error; every refusal is problem details."""
    status = response.status_code
    assert status < 500, f"{case.method} {case.formatted_path} -> {status}: {response.text[:500]}"
    if status >= 400:
        ctype = response.headers.get("content-type") or [""]
        assert ctype[0].startswith("application/problem+json"), (case.method, case.path, status, ctype)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request, network, tmp_path_factory):
    """A live server on a fresh database of each backend; headers of an operator, a holder, a carrier, an office."""
    if request.param == "postgresql":
        from transit_helpers import pg_bin

        if pg_bin() is None:
            pytest.skip("no PostgreSQL")
    url = fresh_database(request.param, tmp_path_factory, request)
    app = create_app(network, url, limits=RELAXED)
    with _LiveServer(app) as server:
        _, token = app.state.service.create_party(PartyIn(name="fuzz operator", role="operator"), by=None)
        identities = [{"Authorization": f"Bearer {token}"}]
        for role, office in (("holder", None), ("carrier", None), ("customs", "altynkol")):
            r = httpx.post(
                server.url + "/parties",
                json={"name": f"fuzz {role}", "role": role, "office_node": office},
                headers=identities[0],
            )
            assert r.status_code == 201, r.text
            identities.append({"Authorization": f"Bearer {r.json()['token']}"})
        yield server, identities


def test_every_operation_with_valid_and_invalid_data(live):
    """Each example is sent as one of the operator, a holder, a carrier or a customs office."""
    server, identities = live
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 19
    calls: list[int] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            engine = operation.path.startswith(ENGINE_PATHS)
            timeout_s = 300 if engine else 30

            @hypothesis.given(case=operation.as_strategy(generation_mode=mode), auth=st.sampled_from(identities))
            @hypothesis.settings(max_examples=ENGINE_EXAMPLES if engine else EXAMPLES_PER_OPERATION, **SETTINGS)
            def fuzz(case, auth) -> None:
                case.headers = {**(case.headers or {}), **auth}  # authenticated: the input, not the token, is fuzzed
                response = case.call(base_url=server.url, timeout=timeout_s)  # noqa: B023 (called before the next loop)
                calls.append(response.status_code)
                check(response, case)

            try:
                fuzz()
            except hypothesis.errors.Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing to break: an operation without parameters or body
    assert len(calls) > 10 * len(operations)
    assert {200, 201} <= set(calls) and {401, 404, 422} & set(calls), sorted(set(calls))


def test_stateful_sequences_along_inferred_links(live):
    server, identities = live
    auth = identities[0]  # the operator may follow every link
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    machine = schema.as_state_machine()

    class Workflow(machine):  # type: ignore[misc, valid-type]
        def before_call(self, case):
            case.headers = {**(case.headers or {}), **auth}

        def get_call_kwargs(self, case):
            return {"base_url": server.url, "timeout": 30}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            check(response, case)

    Workflow.run(settings=hypothesis.settings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=8, **SETTINGS))
