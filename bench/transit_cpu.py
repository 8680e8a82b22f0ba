"""CPU time per lodgement of the transit app, now and (with ``--before SRC``) from another source tree.

Wall throughput on a shared machine swings with other processes' load; the CPU time one lodgement costs the server
process does not. Each tree runs in its own Python process (``PYTHONPATH`` = the tree) that builds the app the way
``corridor serve`` does (:func:`corridor.api.server.create_default_app`), runs its ASGI lifespan, and posts the
same declaration bodies sequentially straight into the ASGI app (no sockets, no HTTP client): printed is
``time.process_time()`` (every thread of the process: event loop, request threads, group committer, SQLite) per
lodgement, and the ratio now/before. The database work on PostgreSQL's side is not counted (another process).

Run: ``python bench/transit_cpu.py [--before SRC] [-n 1500] [--backend sqlite|postgresql|both]
[--profile FILE]`` (``--profile`` writes a cProfile of the current tree's measured requests, all threads).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from transit_helpers import declaration, pg_bin, postgres_server

ROOT = Path(__file__).resolve().parents[1]
UNLIMITED = {"CORRIDOR_RATE_PER_S": "1000000", "CORRIDOR_RATE_BURST": "1000000", "CORRIDOR_LIST_CONCURRENCY_PER_PARTY": "1000"}


# ------------------------------------------------------------------------------------- ASGI, in-process
async def _lifespan(app, events: list) -> tuple[asyncio.Task, asyncio.Queue]:
    """Start *app*'s lifespan; returns the running task and its inbox (put lifespan.shutdown to stop)."""
    inbox: asyncio.Queue = asyncio.Queue()
    started = asyncio.get_running_loop().create_future()

    async def send(message: dict) -> None:
        events.append(message["type"])
        if message["type"].startswith("lifespan.startup") and not started.done():
            started.set_result(message["type"])

    task = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, send))
    await inbox.put({"type": "lifespan.startup"})
    if await started != "lifespan.startup.complete":
        raise RuntimeError(f"lifespan failed: {events}")
    return task, inbox


async def call(app, method: str, path: str, token: str, body: bytes = b"") -> tuple[int, bytes]:
    """One request straight into the ASGI *app*; (status, body)."""
    headers = [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"", "headers": headers,
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
    }  # fmt: skip
    sent = False
    status, chunks = 0, []

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def bodies(tag: str, n: int) -> list[bytes]:
    """*n* distinct declaration bodies (same shape as bench/transit_load.py's)."""
    return [json.dumps(declaration(f"{tag}-{i}", train=f"{tag}-{i}")).encode() for i in range(n)]


async def _post_all(app, token: str, items: list[bytes], concurrency: int, codes: dict) -> None:
    """POST every body of *items* with *concurrency* requests in flight."""
    it = iter(items)

    async def worker() -> None:
        for b in it:
            s, _ = await call(app, "POST", "/declarations", token, b)
            codes[s] = codes.get(s, 0) + 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _child(url: str, n: int, warmup: int, profile: str | None, concurrency: int) -> dict:
    from corridor.api.server import create_default_app

    op = subprocess.run(
        [str(Path(sys.executable).parent / "corridor"), "transit", "bootstrap", "--database-url", url, "--json"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    app = create_default_app()
    events: list = []
    task, inbox = await _lifespan(app, events)
    status, out = await call(app, "POST", "/parties", json.loads(op)["token"], json.dumps({"name": "cpu holder", "role": "holder"}).encode())
    if status != 201:
        raise RuntimeError(f"party creation: {status} {out[:300]!r}")
    holder = json.loads(out)["token"]
    codes: dict[int, int] = {}
    await _post_all(app, holder, bodies("warm", warmup), concurrency, codes)
    measured = bodies("cpu", n)
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        _profile_committer(profile + ".committer")
    t0, main0, wall0 = os.times(), time.thread_time(), time.perf_counter()
    if prof is not None:
        prof.enable()
    await _post_all(app, holder, measured, concurrency, codes)
    if prof is not None:
        prof.disable()
        prof.dump_stats(profile)
    t1, main, wall = os.times(), time.thread_time() - main0, time.perf_counter() - wall0
    user, system = t1.user - t0.user, t1.system - t0.system
    await inbox.put({"type": "lifespan.shutdown"})
    await task
    return {
        "n": n, "cpu_ms": 1e3 * (user + system) / n, "user_ms": 1e3 * user / n, "sys_ms": 1e3 * system / n,
        "loop_ms": 1e3 * main / n, "wall_ms": 1e3 * wall / n, "codes": codes,
    }  # fmt: skip


def _profile_committer(path: str) -> None:
    """Profile the group committer's batches (another thread than the event loop's) into *path*."""
    import atexit
    import cProfile

    from corridor.transit.committer import GroupCommitter

    prof, run_batch = cProfile.Profile(), GroupCommitter._run

    def profiled(self, batch):
        prof.enable()
        try:
            return run_batch(self, batch)
        finally:
            prof.disable()

    GroupCommitter._run = profiled
    atexit.register(prof.dump_stats, path)


def measure(src: Path, url: str, n: int, warmup: int, concurrency: int, profile: str | None = None) -> dict:
    """Run the child for the source tree *src* against the database *url*; its figures."""
    env = {**os.environ, **UNLIMITED, "PYTHONPATH": str(src.resolve()), "CORRIDOR_DATABASE_URL": url}
    cmd = [sys.executable, __file__, "--child", url, "-n", str(n), "--warmup", str(warmup), "-c", str(concurrency)]
    if profile:
        cmd += ["--profile", profile]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"child for {src} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _fmt(r: dict) -> str:
    return (
        f"{r['cpu_ms']:6.3f} ms CPU/lodgement (user {r['user_ms']:.3f}, sys {r['sys_ms']:.3f}; event-loop thread "
        f"{r['loop_ms']:.3f}); wall {r['wall_ms']:.2f} ms; {r['codes']}"
    )


def run(backend: str, url_for, args) -> list[tuple]:
    rows = []
    for rep in range(args.repeat):
        c = args.concurrency
        now = measure(ROOT / "src", url_for(f"now{rep}"), args.n, args.warmup, c, args.profile if rep == 0 else None)
        before = measure(Path(args.before), url_for(f"before{rep}"), args.n, args.warmup, c) if args.before else None
        rows.append((backend, now, before))
        print(f"{backend:10s} c={c:<3d} now    {_fmt(now)}", flush=True)
        if before:
            print(f"{backend:10s} c={c:<3d} before {_fmt(before)}", flush=True)
            print(f"{backend:10s} c={c:<3d} CPU/lodgement now/before {now['cpu_ms'] / before['cpu_ms']:4.2f}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1500, help="measured lodgements per tree")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("-c", "--concurrency", type=int, default=1, help="requests in flight (group commit batches)")
    parser.add_argument("--before", metavar="SRC", help="also measure the source tree SRC (e.g. the pre-hardening src/)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--profile", metavar="FILE", help="cProfile of the current tree's measured requests")
    parser.add_argument("--child", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(_child(args.child, args.n, args.warmup, args.profile, args.concurrency))))
        return 0
    print(f"lodgements posted sequentially into the ASGI app in-process; n={args.n} after {args.warmup} warm-up")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run("sqlite", lambda name: f"sqlite:///{tmp}/{name}.sqlite", args)
    if args.backend in ("postgresql", "both") and pg_bin() is not None:
        with postgres_server() as url:
            import sqlalchemy as sa

            names = [f"{k}{r}" for r in range(args.repeat) for k in ("now", "before")]
            engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                for name in names:
                    conn.execute(sa.text(f"CREATE DATABASE {name}"))
            engine.dispose()
            base = url.rsplit("/", 1)[0]
            run("postgresql", lambda name: f"{base}/{name}", args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
