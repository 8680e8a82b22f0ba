"""Fixtures of the dashboard tests: the app served by uvicorn in a thread, and a real headless Chromium (Debian's
``chromium`` package, driven through Playwright's Python API with ``executable_path``; ``make test`` installs it).

Every page records its console errors, uncaught exceptions and any request that is not to the test server; a request
leaving localhost is aborted and recorded, so the tests can assert that none was made.
"""

from __future__ import annotations

import threading

import httpx
import pytest
from web_support import DESKTOP, FLOW_YEARS, LiveServer, chromium_executable, watch

from corridor.data import read_dataset
from corridor.model import Network


@pytest.fixture(scope="session")
def network() -> Network:
    return read_dataset()


@pytest.fixture(scope="session")
def live(network, tmp_path_factory):
    """The dashboard on the shipped dataset; the base scenario's years used by the tests are computed up front."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'transit.db'}"
    with LiveServer(network, url) as server:
        # the Flows view's years, computed while the first tests run (the results are cached by the app)
        warm = threading.Thread(target=lambda: httpx.get(f"{server.url}/scenarios/base/series?years={FLOW_YEARS}", timeout=300))
        warm.start()
        yield server
        warm.join()


@pytest.fixture(scope="session")
def browser():
    path = chromium_executable()
    if path is None:
        pytest.skip("no chromium on PATH: `make chromium` (apt-get install chromium) installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def desk(browser, live):
    """A 1280×800 page on the live server."""
    context = browser.new_context(viewport=DESKTOP)
    yield watch(context, live.url)
    context.close()
