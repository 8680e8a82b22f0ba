"""CPU time per lodgement of the transit app, now and (with ``--before SRC``) from another source tree.

Wall throughput on a shared machine swings with other processes' load; the CPU time one lodgement costs the server
process swings much less. Each tree runs in its own Python process (``PYTHONPATH`` = the tree) that builds the app
the way ``corridor serve`` does (:func:`corridor.api.server.create_default_app`), runs its ASGI lifespan, warms up,
and then, started at the same moment as the other tree's process (so both see the same machine load), posts the
same declaration bodies straight into the ASGI app (no sockets, no HTTP client) with ``-c`` requests in flight
(1: a group-commit batch per lodgement; 16: shared batches). Printed: CPU time of the whole process (event loop,
request threads, group committer, SQLite; ``os.times`` user + system) per lodgement, the median over chunks of
``--chunk`` lodgements, and the ratio now/before. PostgreSQL's own work (another process) is not counted.

Run: ``python bench/transit_cpu.py [--before SRC] [-n 1000] [-c 16] [--backend sqlite|postgresql|both]
[--profile FILE] [--sample FILE]`` (cProfile of the measured requests; pyinstrument samples of the event loop).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
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


async def _child(url: str, args: argparse.Namespace) -> dict:
    from corridor.api.server import create_default_app

    op = subprocess.run(
        [str(Path(sys.executable).parent / "corridor"), "transit", "bootstrap", "--database-url", url, "--json"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    app = create_default_app()
    task, inbox = await _lifespan(app, [])
    party = json.dumps({"name": "cpu holder", "role": "holder"}).encode()
    status, out = await call(app, "POST", "/parties", json.loads(op)["token"], party)
    if status != 201:
        raise RuntimeError(f"party creation: {status} {out[:300]!r}")
    holder, codes = json.loads(out)["token"], {}
    await _post_all(app, holder, bodies("warm", args.warmup), args.concurrency, codes)
    measured = bodies("cpu", args.n)
    prof, sampler = _profilers(args)
    print("ready", flush=True)
    sys.stdin.readline()  # the parent starts both trees' measurements at once: same machine load for both
    chunks = []
    for k in range(0, args.n, args.chunk):
        t0, loop0 = os.times(), time.thread_time()
        await _post_all(app, holder, measured[k : k + args.chunk], args.concurrency, codes)
        t1, loop = os.times(), time.thread_time() - loop0
        m = len(measured[k : k + args.chunk])
        chunks.append((1e3 * (t1.user - t0.user + t1.system - t0.system) / m, 1e3 * loop / m))
    if prof is not None:
        prof.disable()
        prof.dump_stats(args.profile)
    if sampler is not None:
        sampler.stop()
        Path(args.sample).write_text(sampler.output_text(unicode=False, color=False, show_all=args.sample_all), encoding="utf-8")
    await inbox.put({"type": "lifespan.shutdown"})
    await task
    cpu, loop = sorted(c for c, _ in chunks), sorted(x for _, x in chunks)
    return {
        "n": args.n, "cpu_ms_median": statistics.median(cpu), "cpu_ms_min": cpu[0], "loop_ms_median": statistics.median(loop),
        "cpu_ms_mean": statistics.fmean(cpu), "codes": codes,
    }  # fmt: skip


def _profilers(args: argparse.Namespace) -> tuple:
    """cProfile (event loop; the committer into FILE.committer) and pyinstrument sampler, started, as asked."""
    prof = sampler = None
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        _profile_committer(args.profile + ".committer")
        prof.enable()
    if args.sample:
        from pyinstrument import Profiler  # the bench extra

        sampler = Profiler(interval=0.0002, async_mode="disabled")
        sampler.start()
    return prof, sampler


def _profile_committer(path: str) -> None:
    """Profile the group committer's batches (another thread than the event loop's) into *path*."""
    import atexit
    import cProfile

    try:
        from corridor.transit.committer import GroupCommitter
    except ImportError:  # an older tree: its committer is not profiled
        return
    prof, run_batch = cProfile.Profile(), GroupCommitter._run

    def profiled(self, batch):
        if threading.current_thread() is threading.main_thread():  # committed inline: the event loop's profile has it
            return run_batch(self, batch)
        prof.enable()
        try:
            return run_batch(self, batch)
        finally:
            prof.disable()

    GroupCommitter._run = profiled
    atexit.register(prof.dump_stats, path)


def _spawn(src: Path, url: str, args: argparse.Namespace, suffix: str = "") -> subprocess.Popen:
    env = {**os.environ, **UNLIMITED, "PYTHONPATH": str(src.resolve()), "CORRIDOR_DATABASE_URL": url}
    cmd = [sys.executable, __file__, "--child", url, "-n", str(args.n), "--warmup", str(args.warmup)]
    cmd += ["-c", str(args.concurrency), "--chunk", str(args.chunk)]
    for flag, value in (("--profile", args.profile), ("--sample", args.sample)):
        if value:
            cmd += [flag, value + suffix]
    cmd += ["--sample-all"] if args.sample_all else []
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def measure_pair(url_for, args: argparse.Namespace, rep: int) -> tuple[dict, dict | None]:
    """Both trees' children side by side: each warms up, then both measure at the same time."""
    procs = [_spawn(ROOT / "src", url_for(f"now{rep}"), args)]
    if args.before:
        procs.append(_spawn(Path(args.before), url_for(f"before{rep}"), args, ".before"))
    for p in procs:
        if p.stdout.readline().strip() != "ready":
            raise RuntimeError(f"child failed:\n{p.communicate()[1][-3000:]}")
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    out = []
    for p in procs:
        stdout, stderr = p.communicate()
        if p.returncode != 0:
            raise RuntimeError(f"child failed:\n{stderr[-3000:]}")
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out[0], (out[1] if len(out) > 1 else None)


def _fmt(r: dict) -> str:
    return (
        f"CPU/lodgement median {r['cpu_ms_median']:6.3f} ms (min {r['cpu_ms_min']:.3f}, mean {r['cpu_ms_mean']:.3f}; "
        f"event-loop thread median {r['loop_ms_median']:.3f}); {r['codes']}"
    )


def run(backend: str, url_for, args: argparse.Namespace) -> list[tuple]:
    rows = []
    for rep in range(args.repeat):
        now, before = measure_pair(url_for, args, rep)
        rows.append((backend, now, before))
        c = args.concurrency
        print(f"{backend:10s} c={c:<3d} now    {_fmt(now)}", flush=True)
        if before:
            ratio = now["cpu_ms_median"] / before["cpu_ms_median"]
            print(f"{backend:10s} c={c:<3d} before {_fmt(before)}", flush=True)
            print(f"{backend:10s} c={c:<3d} now/before CPU per lodgement (medians) {ratio:4.2f}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="measured lodgements per tree")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=100, help="lodgements per CPU reading (median over chunks)")
    parser.add_argument("-c", "--concurrency", type=int, default=1, help="requests in flight (group commit batches)")
    parser.add_argument("--before", metavar="SRC", help="also measure the source tree SRC (e.g. the pre-hardening src/)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--profile", metavar="FILE", help="cProfile of the measured requests (+.committer, +.before)")
    parser.add_argument("--sample", metavar="FILE", help="pyinstrument samples of the event-loop thread (text)")
    parser.add_argument("--sample-all", action="store_true", help="--sample shows library frames too")
    parser.add_argument("--child", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(_child(args.child, args))))
        return 0
    print(f"lodgements posted into the ASGI app in-process; n={args.n} after {args.warmup} warm-up, both trees at once")
    if args.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run("sqlite", lambda name: f"sqlite:///{tmp}/{name}.sqlite", args)
    if args.backend in ("postgresql", "both") and pg_bin() is not None:
        with postgres_server() as url:
            import sqlalchemy as sa

            names = [f"{k}{r}" for r in range(args.repeat) for k in ("now", "before")]  # one database each
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
