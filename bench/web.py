"""Dashboard benchmark in headless Chromium: first render, interactive map, bytes transferred, route round trip.

The app runs in-process (uvicorn on a free loopback port); Debian's ``chromium`` is driven by Playwright. In the
same run the same route query (Xi'an → Duisburg avoiding RU and BY, k = 2, EUR) is timed through the JSON API with
httpx (a kept-alive client, like the browser's connection; a new client per call, which adds the client's own
set-up; ``/currencies`` on the kept-alive connection as the floor of one HTTP round trip), the Python API
(:func:`corridor.routing.find_routes` and ``to_dict``) and the CLI (``corridor route ... --json``, a fresh process
each time), and each is printed with its ratio to the Python API. Medians of RUNS (default 5).
Run with ``python bench/web.py [RUNS]``.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from corridor.api.app import create_app  # noqa: E402
from corridor.data import read_dataset  # noqa: E402
from corridor.routing import find_routes  # noqa: E402

QUERY = {"origin": "Xi'an", "destination": "Duisburg", "avoid": "RU,BY", "k": 2, "currency": "EUR"}
HASH = "origin=Xi'an&destination=Duisburg&avoid=RU,BY&k=2&currency=EUR"
PY = sys.executable
CLI = [str(Path(PY).parent / "corridor")] if (Path(PY).parent / "corridor").exists() else [PY, "-m", "corridor.cli"]
FCP = "() => (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"


def serve(net) -> tuple[uvicorn.Server, str]:
    """The app on a free port in a daemon thread; returns the server and its base URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = Path(tempfile.mkdtemp()) / "bench.db"
    server = uvicorn.Server(uvicorn.Config(create_app(net, f"sqlite:///{db}"), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return server, f"http://127.0.0.1:{port}"


def page_load(browser, base: str) -> dict[str, float]:
    """One cold page load: first contentful paint, time until the network is drawn, bytes and requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    done: list = []
    page.on("requestfinished", lambda r: done.append(r))
    t0 = time.perf_counter()
    page.goto(base + "/#map")
    page.wait_for_selector("#map-counts[data-links]", state="attached", timeout=60_000)
    interactive = time.perf_counter() - t0
    fcp = page.evaluate(FCP)
    sizes = [r.sizes() for r in done]
    total = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
    context.close()
    return {"fcp_ms": fcp or float("nan"), "interactive_s": interactive, "bytes": total, "requests": len(done)}


def route_round_trips(browser, base: str, runs: int) -> tuple[list[float], list[float]]:
    """Seconds from pressing "Find routes" to the route tables on screen, *runs* times, as Playwright sees it and as
    the page measures it (``data-ms``: from the request to the tables and lines drawn)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{base}/#routes?{HASH}")
    page.wait_for_selector("#route-results[data-routes]", state="attached", timeout=60_000)
    times, in_page = [], []
    for _ in range(runs):
        page.evaluate("() => document.getElementById('route-results').removeAttribute('data-routes')")
        t0 = time.perf_counter()
        page.click("#rt-submit")
        page.wait_for_selector("#route-results[data-routes='2']", state="attached", timeout=60_000)
        times.append(time.perf_counter() - t0)
        in_page.append(float(page.get_attribute("#route-results", "data-ms")) / 1000)
    context.close()
    return times, in_page


def median_time(fn, runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(runs: int = 5) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("no chromium on PATH: make chromium")
    from playwright.sync_api import sync_playwright

    net = read_dataset()
    server, base = serve(net)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    cli = [*CLI, "route", "Xi'an", "Duisburg", "--avoid", "RU,BY", "--k", "2", "--currency", "EUR", "--json"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-dev-shm-usage"])
        loads = [page_load(browser, base) for _ in range(runs)]
        clicks, in_page = route_round_trips(browser, base, runs)
        browser_route, page_route = statistics.median(clicks), statistics.median(in_page)
        browser.close()
    with httpx.Client(timeout=60) as client:  # one kept-alive connection, as the browser's
        http_route = median_time(lambda: client.get(base + "/routes", params=QUERY).raise_for_status(), runs)
        http_floor = median_time(lambda: client.get(base + "/currencies").raise_for_status(), runs)
    http_fresh = median_time(lambda: httpx.get(base + "/routes", params=QUERY, timeout=60).raise_for_status(), runs)
    py_route = median_time(
        lambda: [r.to_dict(currency="EUR") for r in find_routes(net, "xian", "duisburg", avoid_countries=["RU", "BY"], k=2)],
        runs,
    )
    cli_route = median_time(lambda: subprocess.run(cli, env=env, check=True, stdout=subprocess.DEVNULL), runs)
    server.should_exit = True

    med = {k: statistics.median(x[k] for x in loads) for k in loads[0]}
    print(f"dashboard page load, cold context, median of {runs} (headless {Path(chromium).name})")
    print(f"  first contentful paint   {med['fcp_ms']:8.0f} ms")
    print(f"  interactive map          {med['interactive_s'] * 1000:8.0f} ms  (network of the year drawn)")
    print(f"  transferred              {med['bytes'] / 1024:8.0f} KiB in {med['requests']:.0f} requests")
    print(f"route Xi'an → Duisburg avoiding RU,BY (k=2, EUR), median of {runs}")
    print(f"{'  path':28} {'ms':>8} {'x Python API':>13}")
    for name, s in (
        ("browser: click → tables", browser_route),
        ("  in the page: fetch → drawn", page_route),
        ("JSON API (httpx.Client)", http_route),
        ("  new client per call", http_fresh),
        ("  /currencies (HTTP floor)", http_floor),
        ("Python API (find_routes)", py_route),
        ("CLI (fresh process)", cli_route),
    ):
        print(f"  {name:26} {s * 1000:8.1f} {s / py_route:13.1f}")
    print(f"  browser round trip vs CLI: {browser_route / cli_route:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
