"""Load test of the transit service: durable declaration submissions and arrival-to-release times.

The service runs in its own process (``corridor serve``) on loopback; this process drives it with 1, 16 and 64
concurrent clients for a fixed time each, on SQLite (WAL, synchronous=FULL) and on a throwaway PostgreSQL
server. Reported: submissions per second (each one committed before it is acknowledged), p50/p99 latency, and
the arrival-event-to-release p50/p99 the service measured, against Tez Customs' 30 minutes.
Targets (issue #4): >= 300 submissions/s and p99 < 100 ms at 16 clients, arrival-to-release p99 < 1 s.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from transit_helpers import Server, arrival, bootstrap, declaration, pg_bin, postgres_server

DURATION_S = 8.0
TEZ_S = 30 * 60


def _load(url: str, token: str, clients: int, tag: str) -> tuple[int, list[float], float]:
    """*clients* threads, each with one keep-alive connection, posting declarations for DURATION_S."""
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + DURATION_S
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def client(cid: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        mine, bad, i = [], 0, 0
        while time.perf_counter() < stop:
            body = json.dumps(declaration(f"{tag}-{cid}-{i}", train=f"{tag}-{cid}-{i}"))
            t0 = time.perf_counter()
            conn.request("POST", "/declarations", body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            dt = time.perf_counter() - t0
            if resp.status == 201:
                mine.append(dt)
            else:
                bad += 1
            i += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    # the clients are threads of one process: switch the GIL often so that a client's own wait for the GIL
    # does not show up as service latency
    sys.setswitchinterval(0.0005)
    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors[0], latencies, time.perf_counter() - t0


async def _arrivals(url: str, holder: str, carrier: str, n: int, tag: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as c:
        sem = asyncio.Semaphore(16)

        async def one(i: int) -> None:
            async with sem:
                await c.post(
                    "/declarations",
                    json=declaration(f"{tag}-{i}", train=f"{tag}-{i}"),
                    headers={"Authorization": f"Bearer {holder}"},
                )
                await c.post(
                    "/events", json=arrival(f"{tag}-ev-{i}", train=f"{tag}-{i}"), headers={"Authorization": f"Bearer {carrier}"}
                )

        await asyncio.gather(*(one(i) for i in range(n)))


def run_backend(name: str, url: str, workers: int = 1) -> list[dict]:
    op = bootstrap(url)
    server = Server(url, workers=workers).start()
    rows = []
    try:
        c = httpx.Client(base_url=server.url, timeout=30)
        holder = c.post(
            "/parties", json={"name": "bench holder", "role": "holder"}, headers={"Authorization": f"Bearer {op}"}
        ).json()["token"]
        carrier = c.post(
            "/parties", json={"name": "bench carrier", "role": "carrier"}, headers={"Authorization": f"Bearer {op}"}
        ).json()["token"]
        for clients in (1, 16, 64):
            errors, lat, wall = _load(server.url, holder, clients, f"{name}-{clients}")
            lat.sort()
            rows.append(
                {
                    "backend": name,
                    "clients": clients,
                    "ok": len(lat),
                    "errors": errors,
                    "per_s": len(lat) / wall,
                    "p50_ms": 1e3 * statistics.median(lat),
                    "p99_ms": 1e3 * lat[int(0.99 * (len(lat) - 1))],
                }
            )
        asyncio.run(_arrivals(server.url, holder, carrier, 300, f"{name}-arr"))
        stats = c.get("/stats", headers={"Authorization": f"Bearer {op}"}).json()
        rows.append(
            {
                "backend": name,
                "release_n": stats["released_with_arrival"],
                "release_p50_ms": 1e3 * stats["arrival_to_release_p50_s"],
                "release_p99_ms": 1e3 * stats["arrival_to_release_p99_s"],
            }
        )
    finally:
        server.stop()
    return rows


def main() -> int:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results += run_backend("sqlite", f"sqlite:///{tmp}/bench.sqlite")
    if pg_bin() is not None:
        with postgres_server() as url:
            results += run_backend("postgresql", url, workers=1)
    print(
        f"Declaration submissions over loopback, {DURATION_S:.0f} s per level (each committed before the answer); "
        "one server process"
    )
    print(f"{'backend':11s} {'clients':>7s} {'submissions/s':>14s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>7s}")
    ok = True
    for r in results:
        if "clients" in r:
            print(
                f"{r['backend']:11s} {r['clients']:7d} {r['per_s']:14.0f} {r['p50_ms']:8.1f} {r['p99_ms']:8.1f} {r['errors']:7d}"
            )
            if r["clients"] == 16:
                ok &= r["per_s"] >= 300 and r["p99_ms"] < 100
    print("\nArrival event to release (measured by the service), 300 movements with 16 clients")
    for r in results:
        if "release_n" in r:
            ratio = TEZ_S / (r["release_p99_ms"] / 1e3)
            ok &= r["release_p99_ms"] < 1000
            print(
                f"{r['backend']:11s} p50 {r['release_p50_ms']:.1f} ms, p99 {r['release_p99_ms']:.1f} ms "
                f"-> Tez Customs' 30 min / p99 = {ratio:,.0f}x"
            )
    print("targets: >= 300/s and p99 < 100 ms at 16 clients, release p99 < 1 s ->", "MET" if ok else "NOT MET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
