"""Browser-test support shared by the fixtures and the tests (a uniquely named module: several conftest.py exist)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import uvicorn

from corridor.api.app import create_app
from corridor.model import Network

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
FLOW_YEARS = "2024,2027,2030,2035"  # the series the Flows view asks for (js/views/flows.js)
VIEWS = ("map", "routes", "corridors", "flows", "simulation", "calibration", "evidence", "transit")
CALIBRATION_YEAR = 2024  # the base year the Calibration view opens on (index.html)


def chromium_executable() -> str | None:
    """The system Chromium (Debian's ``chromium``), or None."""
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


class LiveServer:
    """The app on a free loopback port, served by uvicorn in a daemon thread."""

    def __init__(self, net: Network, database_url: str, evidence_url: str | None = None) -> None:
        self.app = create_app(net, database_url, evidence_url=evidence_url or f"{database_url}.evidence")
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
        r = httpx.get(self.url + path, params=params, timeout=300)  # a calibration or a simulation takes a while
        assert r.status_code == 200, r.text
        return r.json()


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
        self.page.wait_for_selector(f"body[data-ready='{view}']", state="attached", timeout=300_000)  # engines queue

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
