"""CLI start-up benchmark: whole-process time of ``corridor --help`` and ``corridor route xian duisburg``.

Each command runs as a fresh process, median of 5, beside ``python -c pass`` measured in the same run, and is
printed with its ratio to that baseline (absolute times depend on how busy the machine is; the ratios much less),
and with the median CPU time (user + system) of the process, which a busy shared machine inflates far less.
The dataset cache lives in a private temporary folder (filled by the warm-up run), so other processes sharing
the user's cache cannot evict the entry mid-run and turn a measured run into a re-validation.
With ``--baseline SRC`` the same commands also run from another source tree (e.g. a checkout of main), one run
of each interleaved with this tree's, so both see the same machine load.
Targets (issue 7 item 7): ``--help`` under 0.3 s, a route under 1 s. Run with ``python bench/cli.py [RUNS]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
BIN = Path(PY).parent / "corridor"
SCRIPT = str(BIN) if BIN.exists() else shutil.which("corridor")
CORRIDOR = [SCRIPT] if SCRIPT else [PY, "-m", "corridor.cli"]
CASES = {
    "python -c pass": [PY, "-c", "pass"],
    "corridor --help": [*CORRIDOR, "--help"],
    "corridor route xian duisburg": [*CORRIDOR, "route", "xian", "duisburg"],
}


def _children_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    c0, t0 = _children_cpu_s(), time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - t0, _children_cpu_s() - c0


def measure(trees: dict[str, dict[str, str]], runs: int) -> dict[tuple[str, str], tuple[float, float]]:
    """Median wall and CPU seconds per (tree, case): one unmeasured warm-up run each, then *runs* rounds in which
    every tree runs every case once, so trees compared with each other share the machine's load."""
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {(t, c): [] for t in trees for c in CASES}
    for env in trees.values():
        for cmd in CASES.values():
            _once(cmd, env)
    for _ in range(runs):
        for case, cmd in CASES.items():
            for tree, env in trees.items():
                samples[(tree, case)].append(_once(cmd, env))
    return {k: (statistics.median(s[0] for s in v), statistics.median(s[1] for s in v)) for k, v in samples.items()}


def main(runs: int = 5, baseline: str | None = None) -> None:
    sources = {"this tree": ROOT / "src", **({f"baseline {baseline}": Path(baseline)} if baseline else {})}
    with tempfile.TemporaryDirectory(prefix="corridor-bench-cache-") as cache:
        trees = {
            name: {
                **os.environ,
                "PYTHONPATH": str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                "CORRIDOR_CACHE_DIR": str(Path(cache) / str(i)),
            }
            for i, (name, src) in enumerate(sources.items())
        }
        results = measure(trees, runs)
    print(f"whole process, median of {runs} ({' '.join(CORRIDOR)}); load average {os.getloadavg()[0]:.1f}")
    for tree in trees:
        base = results[(tree, "python -c pass")][0]
        if baseline:
            print(f"\n{tree}:")
        print(f"{'command':32} {'seconds':>8} {'x python -c pass':>17} {'CPU s':>6}")
        for case in CASES:
            s, cpu = results[(tree, case)]
            print(f"{case:32} {s:8.3f} {s / base:17.1f} {cpu:6.3f}")
    print("targets: corridor --help < 0.3 s, corridor route < 1 s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=5, help="measured runs per command (default 5)")
    parser.add_argument("--baseline", help="another source folder (its src/) to measure alongside, e.g. main's")
    args = parser.parse_args()
    main(args.runs, args.baseline)
