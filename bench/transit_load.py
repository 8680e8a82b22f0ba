"""Load test of the transit service against a bare FastAPI + SQLAlchemy peer measured in the same run.

Corridor runs as users run it (``corridor serve``, one process) on loopback; beside it, on the same backend, a bare
FastAPI + SQLAlchemy app whose endpoint inserts one row per request and commits it durably (SQLite WAL with
synchronous=FULL; PostgreSQL with its default synchronous_commit=on and fsync=on). Both are driven by the same
clients (1, 16 and 64 threads, one keep-alive connection each) posting the same declaration bodies, level by level,
alternating, so that a busy machine slows both alike. Printed: each one's lodgements per second and p50/p99, and
Corridor's figures as ratios to the peer's; then the arrival-event-to-release p50/p99 Corridor measured, and the
fairness check: one holder's lodgement p50 alone and while another holder floods list queries at default limits.

Run: ``python bench/transit_load.py [--duration S]`` (about 3 minutes with the default 6 s per level).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from transit_helpers import Server, arrival, bootstrap, declaration, free_port, pg_bin, postgres_server

TEZ_S = 30 * 60
UNLIMITED = {"CORRIDOR_RATE_PER_S": "1000000", "CORRIDOR_RATE_BURST": "1000000", "CORRIDOR_LIST_CONCURRENCY_PER_PARTY": "1000"}


# ----------------------------------------------------------------------------------------------- the peer
def baseline_app(database_url: str):
    """The peer: POST /declarations stores the JSON body as one row and commits it durably before answering."""
    from fastapi import FastAPI
    from sqlalchemy import JSON, Column, DateTime, Integer, MetaData, String, Table, create_engine, event, func, insert

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"), pool_size=64, max_overflow=0)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record) -> None:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA busy_timeout=30000")

    rows = Table(
        "declarations",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("lrn", String(22)),
        Column("body", JSON),
        Column("created_at", DateTime(timezone=True), server_default=func.now()),
    )
    rows.metadata.create_all(engine)
    app = FastAPI()

    @app.post("/declarations", status_code=201)
    def lodge(body: dict) -> dict:
        with engine.begin() as conn:
            new_id = conn.execute(insert(rows).values(lrn=str(body.get("lrn"))[:22], body=body)).inserted_primary_key[0]
        return {"id": new_id}

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok"}

    return app


class Baseline:
    """The peer app under uvicorn in its own process (one worker, like Corridor)."""

    def __init__(self, database_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve-baseline", database_url, str(self.port)], stderr=subprocess.PIPE
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("baseline did not start: " + self.proc.stderr.read().decode()[-2000:])

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


# --------------------------------------------------------------------------------------------- the drivers
def drive(url: str, token: str, clients: int, tag: str, duration_s: float, path: str = "/declarations") -> dict:
    """*clients* threads, each with one keep-alive connection, posting declarations (or GETting *path*)."""
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    codes: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.perf_counter() + duration_s
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def client(cid: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        mine, seen, i = [], {}, 0
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            if path == "/declarations":
                body = json.dumps(declaration(f"{tag}-{cid}-{i}", train=f"{tag}-{cid}-{i}"))
                conn.request("POST", path, body=body, headers=headers)
            else:
                conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            if resp.status in (200, 201):
                mine.append(time.perf_counter() - t0)
            seen[resp.status] = seen.get(resp.status, 0) + 1
            i += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for k, v in seen.items():
                codes[k] = codes.get(k, 0) + v

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    n = len(latencies)
    return {
        "ok": n,
        "codes": codes,
        "per_s": n / wall,
        "p50_ms": 1e3 * statistics.median(latencies) if n else float("nan"),
        "p99_ms": 1e3 * latencies[int(0.99 * (n - 1))] if n else float("nan"),
    }


async def _arrivals(url: str, holder: str, carrier: str, carrier_id: int, n: int, tag: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=60) as c:
        sem = asyncio.Semaphore(16)

        async def one(i: int) -> None:
            async with sem:
                body = declaration(f"{tag}-{i}", train=f"{tag}-{i}", guarantee_ref=f"GA{i}")
                body["transport"]["carrier_id"] = carrier_id
                await c.post("/declarations", json=body, headers={"Authorization": f"Bearer {holder}"})
                ev = arrival(f"{tag}-ev-{i}", train=f"{tag}-{i}")
                await c.post("/events", json=ev, headers={"Authorization": f"Bearer {carrier}"})

        await asyncio.gather(*(one(i) for i in range(n)))


def _party(c: httpx.Client, op: str, name: str, role: str) -> tuple[str, int]:
    r = c.post("/parties", json={"name": name, "role": role}, headers={"Authorization": f"Bearer {op}"})
    r.raise_for_status()
    return r.json()["token"], r.json()["id"]


def _start_before(src: str, url: str) -> tuple[Server, str]:
    """Corridor from the source tree *src* (its own schema, its own database *url*) and a holder token."""
    env = {**UNLIMITED, "PYTHONPATH": str(Path(src).resolve())}
    exe = str(Path(sys.executable).parent / "corridor")
    boot = subprocess.run(
        [exe, "transit", "bootstrap", "--database-url", url, "--json"], capture_output=True, text=True, check=True,
        env={**os.environ, **env},
    )  # fmt: skip
    server = Server(url, env=env).start()
    holder, _ = _party(httpx.Client(base_url=server.url, timeout=60), json.loads(boot.stdout)["token"], "old holder", "holder")
    return server, holder


# --------------------------------------------------------------------------------------------- the runs
def run_backend(
    name: str, url: str, baseline_url: str, duration_s: float, before_src: str | None = None, before_url: str = ""
) -> dict:
    """Corridor and the peer (and Corridor from *before_src*) level by level on one backend; then arrival-to-release
    and fairness."""
    op = bootstrap(url)
    server, peer = Server(url, env=UNLIMITED).start(), Baseline(baseline_url)
    before, before_holder = _start_before(before_src, before_url) if before_src else (None, "")
    out: dict = {"backend": name, "levels": []}
    try:
        c = httpx.Client(base_url=server.url, timeout=60)
        holder, _ = _party(c, op, "bench holder", "holder")
        carrier, carrier_id = _party(c, op, "bench carrier", "carrier")
        for clients in (1, 16, 64):
            level = {"clients": clients, "corridor": drive(server.url, holder, clients, f"{name}-{clients}", duration_s)}
            level["baseline"] = drive(peer.url, holder, clients, f"{name}-b{clients}", duration_s)
            if before is not None:
                level["before"] = drive(before.url, before_holder, clients, f"{name}-o{clients}", duration_s)
            out["levels"].append(level)
        asyncio.run(_arrivals(server.url, holder, carrier, carrier_id, 300, f"{name}-arr"))
        out["stats"] = c.get("/stats", headers={"Authorization": f"Bearer {op}"}).json()
    finally:
        for s in (server, peer, before):
            if s is not None:
                s.stop()
    out["fairness"] = fairness(url, op, duration_s)
    return out


def fairness(url: str, op: str, duration_s: float) -> dict:
    """Holder B lodging with one client, alone and while holder A floods list queries; default limits."""
    server = Server(url).start()
    try:
        c = httpx.Client(base_url=server.url, timeout=60)
        a, _ = _party(c, op, "flooding holder", "holder")
        b, _ = _party(c, op, "quiet holder", "holder")
        alone = drive(server.url, b, 1, "fair-alone", duration_s)
        flood: dict = {}
        flooder = threading.Thread(
            target=lambda: flood.update(drive(server.url, a, 16, "fair-flood", duration_s + 1, "/declarations?limit=500"))
        )
        flooder.start()
        time.sleep(0.5)
        during = drive(server.url, b, 1, "fair-during", duration_s)
        flooder.join()
    finally:
        server.stop()
    return {"alone": alone, "during": during, "flood": flood}


def report(results: list[dict], duration_s: float) -> None:
    print(
        f"Lodgements over loopback, {duration_s:.0f} s per level, each committed durably before the answer; "
        "one server process each"
    )
    print("peer: bare FastAPI + SQLAlchemy endpoint inserting one row per request (same backend, same clients, same run)\n")
    head = f"{'backend':10s} {'clients':>7s} | {'Corridor/s':>10s} {'p50 ms':>7s} {'p99 ms':>7s} | {'peer/s':>7s} {'p50 ms':>7s}"
    print(head + f" {'p99 ms':>7s} | {'ratio /s':>8s} {'ratio p99':>9s}")
    for res in results:
        for lv in res["levels"]:
            co, ba = lv["corridor"], lv["baseline"]
            print(
                f"{res['backend']:10s} {lv['clients']:7d} | {co['per_s']:10.0f} {co['p50_ms']:7.1f} {co['p99_ms']:7.1f} | "
                f"{ba['per_s']:7.0f} {ba['p50_ms']:7.1f} {ba['p99_ms']:7.1f} | {co['per_s'] / ba['per_s']:8.2f} "
                f"{co['p99_ms'] / ba['p99_ms']:9.2f}" + (f"   (non-2xx: {dict(co['codes'])})" if set(co["codes"]) - {201} else "")
            )
    if any("before" in lv for res in results for lv in res["levels"]):
        print("\nBefore hardening (Corridor from --before SRC, same run, same peer): ratios to the peer, and now/before")
        for res in results:
            for lv in res["levels"]:
                co, ba, old = lv["corridor"], lv["baseline"], lv["before"]
                r_now, r_old = co["per_s"] / ba["per_s"], old["per_s"] / ba["per_s"]
                print(
                    f"{res['backend']:10s} {lv['clients']:7d} | before {old['per_s']:6.0f}/s p99 {old['p99_ms']:7.1f} ms | "
                    f"ratio /s before {r_old:5.2f} now {r_now:5.2f} (now/before {r_now / r_old:4.2f}) | "
                    f"p99 ratio before {old['p99_ms'] / ba['p99_ms']:5.2f} now {co['p99_ms'] / ba['p99_ms']:5.2f}"
                )
    print("\nArrival event to release (measured by the service), 300 movements with 16 clients")
    for res in results:
        s = res["stats"]
        p99 = s["arrival_to_release_p99_s"]
        print(
            f"{res['backend']:10s} p50 {1e3 * s['arrival_to_release_p50_s']:.1f} ms, p99 {1e3 * p99:.1f} ms "
            f"-> Tez Customs' 30 min / p99 = {TEZ_S / p99:,.0f}x  ({'under' if p99 < 1 else 'OVER'} 1 s)"
        )
    print(
        "\nFairness at default limits: holder B lodging (1 client) while holder A floods GET /declarations?limit=500 (16 clients)"
    )
    for res in results:
        f = res["fairness"]
        print(
            f"{res['backend']:10s} B p50 alone {f['alone']['p50_ms']:.1f} ms, during flood {f['during']['p50_ms']:.1f} ms "
            f"(x{f['during']['p50_ms'] / f['alone']['p50_ms']:.2f}); A's answers {dict(sorted(f['flood']['codes'].items()))}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=6.0, help="seconds per load level")
    parser.add_argument(
        "--before",
        metavar="SRC",
        help="also drive Corridor from another source tree (e.g. the pre-hardening commit's src/) in the same run",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the raw figures as JSON")
    parser.add_argument("--serve-baseline", nargs=2, metavar=("DATABASE_URL", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_baseline:
        import uvicorn

        db, port = args.serve_baseline
        uvicorn.run(baseline_app(db), host="127.0.0.1", port=int(port), log_level="warning", access_log=False)
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(
            run_backend(
                "sqlite", f"sqlite:///{tmp}/bench.sqlite", f"sqlite:///{tmp}/peer.sqlite", args.duration, args.before,
                f"sqlite:///{tmp}/before.sqlite",
            )
        )  # fmt: skip
    if pg_bin() is not None:
        with postgres_server() as url:
            import sqlalchemy as sa

            engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(sa.text("CREATE DATABASE peer"))
                conn.execute(sa.text("CREATE DATABASE before"))
            engine.dispose()
            base = url.rsplit("/", 1)[0]
            results.append(run_backend("postgresql", url, base + "/peer", args.duration, args.before, base + "/before"))
    report(results, args.duration)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
