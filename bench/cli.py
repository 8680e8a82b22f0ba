"""CLI start-up benchmark: whole-process time of ``corridor --help`` and ``corridor route xian duisburg``.

Each command runs as a fresh process, median of 5, beside ``python -c pass`` measured in the same run, and is
printed with its ratio to that baseline (absolute times depend on how busy the machine is; the ratios much less).
Targets (issue 7 item 7): ``--help`` under 0.3 s, a route under 1 s. Run with ``python bench/cli.py [RUNS]``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
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


def whole_process_s(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    """Median wall time of *runs* fresh processes of *cmd* (one unmeasured warm-up run first)."""
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
        if i:
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(runs: int = 5) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    results = {name: whole_process_s(cmd, runs, env) for name, cmd in CASES.items()}
    base = results["python -c pass"]
    print(f"whole process, median of {runs} ({' '.join(CORRIDOR)})")
    print(f"{'command':32} {'seconds':>8} {'x python -c pass':>17}")
    for name, s in results.items():
        print(f"{name:32} {s:8.3f} {s / base:17.1f}")
    print("targets: corridor --help < 0.3 s, corridor route < 1 s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
