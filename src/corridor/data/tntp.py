"""Read TNTP benchmark networks (``_net``, ``_trips``, ``_flow``, ``_node`` files).

The format is described in ``shared/data/tntp/README.md``. A broken line raises
:class:`~corridor.errors.DataError` naming the file, the line and what was expected, with every problem found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corridor.errors import DataError, Problem

__all__ = [
    "TntpNetwork",
    "find_tntp_files",
    "read_cost_weights",
    "read_tntp",
    "read_tntp_flow",
    "read_tntp_net",
    "read_tntp_trips",
]

_META = re.compile(r"<([A-Z ]+)>\s*(.*)")


@dataclass(frozen=True, eq=False)
class TntpNetwork:
    """A TNTP network as plain arrays (node numbers 0-based, links in file order)."""

    name: str
    n_zones: int
    n_nodes: int
    first_thru_node: int  # 0-based: zones below it may not be used as through nodes
    tails: np.ndarray
    heads: np.ndarray
    capacity: np.ndarray
    length: np.ndarray
    free_flow_time: np.ndarray
    b: np.ndarray
    power: np.ndarray
    toll: np.ndarray
    link_type: np.ndarray
    demand: np.ndarray  # dense (n_zones, n_zones)
    best_flow: np.ndarray | None = None  # best-known link volumes, aligned with the links
    best_cost: np.ndarray | None = None
    toll_factor: float = 0.0  # generalised cost = time + toll_factor * toll + distance_factor * length
    distance_factor: float = 0.0

    @property
    def fixed_cost(self) -> np.ndarray:
        """Flow-independent part of the generalised cost per link."""
        return self.toll_factor * self.toll + self.distance_factor * self.length


def _metadata(lines: list[str], file: str) -> tuple[dict[str, str], int]:
    meta: dict[str, str] = {}
    for i, line in enumerate(lines):
        m = _META.match(line.strip())
        if m:
            if m.group(1) == "END OF METADATA":
                return meta, i + 1
            meta[m.group(1)] = m.group(2).strip()
    raise DataError(Problem(file, None, "<END OF METADATA>", None, "a metadata block ending in <END OF METADATA>"))


def _meta_int(meta: dict[str, str], key: str, file: str, default: int | None = None) -> int:
    if key not in meta:
        if default is not None:
            return default
        raise DataError(Problem(file, None, f"<{key}>", None, "this metadata line"))
    try:
        return int(float(meta[key].split()[0]))
    except (ValueError, IndexError):
        raise DataError(Problem(file, None, f"<{key}>", meta[key], "a whole number")) from None


def read_tntp_net(path: str | Path) -> dict:
    """Links of a ``_net.tntp`` file as arrays plus the zone and first-through-node metadata."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    meta, start = _metadata(lines, path.name)
    n_zones = _meta_int(meta, "NUMBER OF ZONES", path.name)
    n_nodes = _meta_int(meta, "NUMBER OF NODES", path.name)
    ftn = _meta_int(meta, "FIRST THRU NODE", path.name, default=1)
    rows, problems = [], []
    names = ("init_node", "term_node", "capacity", "length", "free_flow_time", "b", "power", "speed", "toll", "link_type")
    for i in range(start, len(lines)):
        text = lines[i].strip()
        if not text or text.startswith("~"):
            continue
        parts = text.rstrip(";").split()
        if len(parts) < 10:
            problems.append(Problem(path.name, i + 1, "(row)", text[:60], "10 fields: " + ", ".join(names)))
            continue
        try:
            vals = [float(p) for p in parts[:10]]
        except ValueError:
            bad = next(j for j, p in enumerate(parts[:10]) if not _is_float(p))
            problems.append(Problem(path.name, i + 1, names[bad], parts[bad], "a number"))
            continue
        a, b = int(vals[0]), int(vals[1])
        if not (1 <= a <= n_nodes and 1 <= b <= n_nodes):
            problems.append(Problem(path.name, i + 1, "init_node/term_node", f"{a} {b}", f"node numbers 1..{n_nodes}"))
            continue
        if vals[2] <= 0 and vals[5] > 0:
            problems.append(Problem(path.name, i + 1, "capacity", parts[2], "a capacity > 0 where b > 0"))
            continue
        if min(vals[3], vals[4], vals[5], vals[6]) < 0:
            problems.append(Problem(path.name, i + 1, "length/free_flow_time/b/power", " ".join(parts[3:7]), "values >= 0"))
            continue
        rows.append(vals)
    if problems:
        raise DataError(problems)
    if not rows:
        raise DataError(Problem(path.name, None, "(links)", 0, "at least one link row"))
    arr = np.array(rows)
    return {
        "n_zones": n_zones,
        "n_nodes": n_nodes,
        "first_thru_node": ftn - 1,
        "tails": arr[:, 0].astype(np.int64) - 1,
        "heads": arr[:, 1].astype(np.int64) - 1,
        "capacity": arr[:, 2],
        "length": arr[:, 3],
        "free_flow_time": arr[:, 4],
        "b": arr[:, 5],
        "power": arr[:, 6],
        "toll": arr[:, 8],
        "link_type": arr[:, 9].astype(np.int64),
    }


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_tntp_trips(path: str | Path, n_zones: int | None = None) -> np.ndarray:
    """Dense (zones x zones) demand matrix from a ``_trips.tntp`` file."""
    path = Path(path)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    meta, start = _metadata(lines, path.name)
    zones = _meta_int(meta, "NUMBER OF ZONES", path.name)
    if n_zones is not None and zones != n_zones:
        raise DataError(Problem(path.name, None, "<NUMBER OF ZONES>", zones, f"{n_zones} as in the net file"))
    demand = np.zeros((zones, zones))
    origin = None
    problems = []
    for i in range(start, len(lines)):
        text = lines[i].strip()
        if not text or text.startswith("~"):
            continue
        if text.lower().startswith("origin"):
            try:
                origin = int(text.split()[1]) - 1
            except (IndexError, ValueError):
                problems.append(Problem(path.name, i + 1, "Origin", text[:40], "'Origin <zone number>'"))
                origin = None
                continue
            if not 0 <= origin < zones:
                problems.append(Problem(path.name, i + 1, "Origin", origin + 1, f"a zone 1..{zones}"))
                origin = None
            continue
        if origin is None:
            problems.append(Problem(path.name, i + 1, "(row)", text[:40], "an 'Origin n' line before destinations"))
            continue
        for pair in text.split(";"):
            pair = pair.strip()
            if not pair:
                continue
            try:
                d_text, v_text = pair.split(":")
                d, v = int(d_text) - 1, float(v_text)
            except ValueError:
                problems.append(Problem(path.name, i + 1, "dest : flow", pair[:30], "'destination : flow'"))
                continue
            if not 0 <= d < zones or v < 0:
                problems.append(Problem(path.name, i + 1, "dest : flow", pair, f"a zone 1..{zones} and a flow >= 0"))
                continue
            demand[origin, d] += v
    if problems:
        raise DataError(problems)
    return demand


def read_tntp_flow(path: str | Path, tails: np.ndarray, heads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best-known (volume, cost) per link from a ``_flow.tntp`` file, aligned with the net file's links."""
    path = Path(path)
    index = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(tails, heads, strict=True))}
    volume = np.full(len(tails), np.nan)
    cost = np.full(len(tails), np.nan)
    problems = []
    for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines()):
        parts = line.replace(";", " ").split()
        if len(parts) < 4 or not _is_float(parts[0]):
            continue  # header or metadata
        try:
            a, b, v, c = int(float(parts[0])) - 1, int(float(parts[1])) - 1, float(parts[2]), float(parts[3])
        except ValueError:
            problems.append(Problem(path.name, i + 1, "(row)", line[:40], "From To Volume Cost"))
            continue
        if (a, b) not in index:
            problems.append(Problem(path.name, i + 1, "From/To", f"{a + 1} {b + 1}", "a link of the net file"))
            continue
        volume[index[(a, b)]], cost[index[(a, b)]] = v, c
    if problems:
        raise DataError(problems)
    return volume, cost


def find_tntp_files(folder: str | Path) -> dict[str, Path]:
    """The ``net``, ``trips``, ``flow`` and ``node`` files of a TNTP folder (case-insensitive suffixes)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(Problem(str(folder), None, "DIR", str(folder), "a folder holding TNTP files"))
    found: dict[str, Path] = {}
    for p in sorted(folder.iterdir()):
        low = p.name.lower()
        for kind in ("net", "trips", "flow", "node"):
            if low.endswith(f"_{kind}.tntp"):
                found.setdefault(kind, p)
    for kind in ("net", "trips"):
        if kind not in found:
            raise DataError(Problem(folder.name, None, f"*_{kind}.tntp", None, f"a {kind} file in the folder"))
    return found


def read_cost_weights(folder: str | Path) -> tuple[float, float]:
    """(toll factor, distance factor) from the folder's README 'Generalized Cost Weights' section (0 if absent)."""
    readme = Path(folder) / "README.md"
    if not readme.exists():
        return 0.0, 0.0
    text = readme.read_text(encoding="utf-8", errors="replace")
    section = text.split("Generalized Cost Weights", 1)[1] if "Generalized Cost Weights" in text else ""
    toll = re.search(r"Toll:\s*([0-9.]+)", section)
    dist = re.search(r"Distance:\s*([0-9.]+)", section)
    return (float(toll.group(1)) if toll else 0.0, float(dist.group(1)) if dist else 0.0)


def read_tntp(folder: str | Path, *, toll_factor: float | None = None, distance_factor: float | None = None) -> TntpNetwork:
    """Read a TNTP folder: links, demand, generalised-cost weights and, when present, the best-known flows."""
    files = find_tntp_files(folder)
    net = read_tntp_net(files["net"])
    demand = read_tntp_trips(files["trips"], net["n_zones"])
    best_flow = best_cost = None
    if "flow" in files:
        best_flow, best_cost = read_tntp_flow(files["flow"], net["tails"], net["heads"])
    toll_w, dist_w = read_cost_weights(folder)
    return TntpNetwork(
        name=Path(folder).name,
        demand=demand,
        best_flow=best_flow,
        best_cost=best_cost,
        toll_factor=toll_w if toll_factor is None else toll_factor,
        distance_factor=dist_w if distance_factor is None else distance_factor,
        **net,
    )
