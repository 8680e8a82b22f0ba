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


#: Two dated news pages whose claims the Evidence view lists (a quota, a reported and a projected BTC volume).
EVIDENCE_PAGES = {
    "kazakh-oil-via-btc.txt": (
        "13 November 2025\n\n\u201cCurrently, 1.4 million tons of Kazakh oil are transported annually to Turkey through "
        "the BTC pipeline.\u201d Kazakhstan was allocated a quota of 1.5 million tons. Cargo on the TITR reached 4.5 "
        "million tons in 2024.\n"
    ),
    "btc-outlook.txt": (
        "21 December 2024\n\nThe Baku-Tbilisi-Ceyhan (BTC) pipeline is projected to carry 1.7 million tons of oil in 2025.\n"
    ),
}


def _ingest_pages(server: LiveServer, folder) -> None:
    paths = []
    for name, text in EVIDENCE_PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    assert all(o.result for o in server.app.state.evidence.ingest(paths))


@pytest.fixture(scope="session")
def live(network, tmp_path_factory):
    """The dashboard on the shipped dataset, with two news pages' claims in its evidence store; the base scenario's
    years used by the tests are computed up front."""
    folder = tmp_path_factory.mktemp("web")
    with LiveServer(network, f"sqlite:///{folder / 'transit.db'}") as server:
        _ingest_pages(server, folder)
        # the Flows view's years, computed while the first tests run (the app caches them; engines run one at a time,
        # so the calibration is left to its own test: warming it too would hold up the map's first requests)
        warm = threading.Thread(target=lambda: httpx.get(f"{server.url}/scenarios/base/series?years={FLOW_YEARS}", timeout=900))
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
