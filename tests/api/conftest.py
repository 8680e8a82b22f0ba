"""Fixtures of the HTTP tests: the app in-process (TestClient, lifespan run) on SQLite and on PostgreSQL, with parties.

Warnings raised by corridor code are errors here (pyproject's filterwarnings), so a deprecated FastAPI hook such as
``on_event`` fails these tests.
"""

from __future__ import annotations

import pytest
from api_helpers import BACKENDS, fresh_database, start_api

from corridor import settings
from corridor.data import read_dataset


@pytest.fixture(scope="session")
def network():
    """The shipped dataset as a Network, loaded once."""
    return read_dataset()


@pytest.fixture(autouse=True, scope="session")
def _private_callbacks():
    """Webhook receivers in the tests listen on loopback."""
    settings.set_option("transit_allow_private_callbacks", True)
    yield


@pytest.fixture(autouse=True, scope="session")
def _evidence_store(tmp_path_factory):
    """The app's /evidence routes read a throw-away store, never ~/.corridor/evidence.sqlite."""
    settings.set_option("evidence_database_url", f"sqlite:///{tmp_path_factory.mktemp('evidence') / 'evidence.sqlite'}")
    yield


@pytest.fixture(scope="module", params=BACKENDS)
def api(request, network, tmp_path_factory):
    """The app on a fresh database of each backend, with an operator, two holders, two carriers, three offices."""
    url = fresh_database(request.param, tmp_path_factory, request)
    env, client = start_api(network, url, request.param)
    yield env
    client.__exit__(None, None, None)
