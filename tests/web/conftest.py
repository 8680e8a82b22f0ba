"""Fixtures of the dashboard tests: the app served by uvicorn in a thread, and a real headless Chromium (Debian's
``chromium`` package, driven through Playwright's Python API with ``executable_path``; ``make test`` installs it).

Every page records its console errors, uncaught exceptions and any request that is not to the test server; a request
leaving localhost is aborted and recorded, so the tests can assert that none was made.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn

from corridor.api.app import create_app
from corridor.data import read_dataset
from corridor.model import Network

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
FLOW_YEARS = "2024,2027,2030,2035"  # the series the Flows view asks for (js/views/flows.js)
VIEWS = ("map", "routes", "corridors", "flows", "simulation", "evidence", "transit")


def chromium_executable() -> str | None:
    """The system Chromium (Debian's ``chromium``), or None."""
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


class LiveServer:
    """The app on a free loopback port, served by uvicorn in a daemon thread."""

    def __init__(self, net: Network, database_url: str) -> None:
        self.app = create_app(net, database_url)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def get(self, path: str, **params: object) -> dict:
        r = httpx.get(self.url + path, params=params, timeout=60)
        assert r.status_code == 200, r.text
        return r.json()


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


@dataclass
class Watched:
    """A page and what it did: console errors, uncaught exceptions, requests (all) and requests outside the server."""

    page: object
    base: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)

    def open(self, view: str, query: str = "") -> None:
        """Go to a view and wait until it has loaded (the app marks ``body[data-ready]``)."""
        self.page.goto(f"{self.base}/#{view}{'?' + query if query else ''}")
        self.ready(view)

    def ready(self, view: str) -> None:
        self.page.wait_for_selector(f"body[data-ready='{view}']", state="attached", timeout=60_000)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


def watch(context, base: str) -> Watched:
    """A new page of *context* whose requests outside *base* are aborted and recorded."""
    page = context.new_page()
    w = Watched(page, base)
    origin = urlsplit(base).netloc

    def route(r) -> None:
        url = r.request.url
        w.requests.append(url)
        if urlsplit(url).netloc != origin:
            w.outside.append(url)
            r.abort()
        else:
            r.continue_()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and w.errors.append(m.text))
    page.on("pageerror", lambda e: w.errors.append(f"uncaught: {e}"))
    return w


@pytest.fixture
def desk(browser, live):
    """A 1280×800 page on the live server."""
    context = browser.new_context(viewport=DESKTOP)
    yield watch(context, live.url)
    context.close()
