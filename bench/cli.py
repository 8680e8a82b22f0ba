"""CLI start-up benchmark: whole-process time of ``corridor --help`` and ``corridor route xian duisburg``.

Each command runs as a fresh process, median of 5, beside ``python -c pass`` measured in the same run, and is
printed with its ratio to that baseline (absolute times depend on how busy the machine is; the ratios much less),
and with the median CPU time (user + system) of the process, which a busy shared machine inflates far less.
The dataset cache lives in a private temporary folder (filled by the warm-up run), so other processes sharing
the user's cache cannot evict the entry mid-run and turn a measured run into a re-validation.
Targets (issue 7 item 7): ``--help`` under 0.3 s, a route under 1 s. Run with ``python bench/cli.py [RUNS]``.
"""

from __future__ import annotations

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


def whole_process_s(cmd: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median wall time and CPU time of *runs* fresh processes of *cmd* (one unmeasured warm-up run first)."""
    times, cpu = [], []
    for i in range(runs + 1):
        c0, t0 = _children_cpu_s(), time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
        if i:
            times.append(time.perf_counter() - t0)
            cpu.append(_children_cpu_s() - c0)
    return statistics.median(times), statistics.median(cpu)


def main(runs: int = 5) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.TemporaryDirectory(prefix="corridor-bench-cache-") as cache:
        env["CORRIDOR_CACHE_DIR"] = cache
        results = {name: whole_process_s(cmd, runs, env) for name, cmd in CASES.items()}
    base = results["python -c pass"][0]
    print(f"whole process, median of {runs} ({' '.join(CORRIDOR)}); load average {os.getloadavg()[0]:.1f}")
    print(f"{'command':32} {'seconds':>8} {'x python -c pass':>17} {'CPU s':>6}")
    for name, (s, cpu) in results.items():
        print(f"{name:32} {s:8.3f} {s / base:17.1f} {cpu:6.3f}")
    print("targets: corridor --help < 0.3 s, corridor route < 1 s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
