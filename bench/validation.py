"""Dataset validation benchmark: load and validate a generated dataset with a 200,000-row links file.

Prints the seconds :func:`corridor.data.read_dataset` takes (cache off) beside the seconds a bare
``pandas.read_csv`` of the same files takes in the same run, and their ratio. Target (issue #8): a
200,000-row links file validates in a few seconds. Run with ``python bench/validation.py [rows]``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from dataset_builder import build_dataset  # noqa: E402

from corridor.data import read_dataset  # noqa: E402
from corridor.schema import TABLES  # noqa: E402


def generate(folder: Path, n_links: int, n_nodes: int = 2000, seed: int = 1) -> Path:
    """A valid dataset of *n_nodes* rail stations and *n_links* rail links between random pairs."""
    rng = np.random.default_rng(seed)
    nodes = [
        {
            "node_id": f"n{i}",
            "name": f"Station {i}",
            "kind": "rail_station",
            "country": "KZ",
            "lat": 40 + i % 100 * 0.1,
            "lon": 50 + i // 100 * 0.1,
        }
        for i in range(n_nodes)
    ]
    a = rng.integers(0, n_nodes, n_links)
    b = (a + rng.integers(1, n_nodes, n_links)) % n_nodes
    lengths = rng.uniform(5, 900, n_links).round(1)
    links = [
        {
            "link_id": f"l{i}",
            "name": f"Line {i}",
            "from_node": f"n{x}",
            "to_node": f"n{y}",
            "mode": "rail",
            "gauge_mm": 1520,
            "length_km": "" if i % 10 == 0 else length,
            "capacity_t_per_year": 1_000_000 + i,
            "countries": "KZ",
            "status": "operating",
        }
        for i, (x, y, length) in enumerate(zip(a, b, lengths, strict=True))
    ]
    return build_dataset(folder, nodes, links)


def main(n_links: int = 200_000, repeats: int = 3) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "big", n_links)
        ours, peer = [], []
        for _ in range(repeats):
            t = time.perf_counter()
            for table in TABLES:
                pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
            peer.append(time.perf_counter() - t)
            t = time.perf_counter()
            net = read_dataset(folder, cache=False)
            ours.append(time.perf_counter() - t)
        o, p = statistics.median(ours), statistics.median(peer)
        print(f"links rows: {n_links:,} (directed: {len(net.links):,}); provenance rows: {len(net.provenance):,}")
        print(f"read_dataset (validate + build), median of {repeats}: {o:.2f} s")
        print(f"pandas.read_csv of the same files (no checks):  {p:.2f} s")
        print(f"ratio: {o / p:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
