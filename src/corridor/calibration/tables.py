"""Read the calibration tables (zones, demand by commodity, observed counts) and check them against a network.

The tables live beside the network dataset (``zones.csv``, ``demand.csv``, ``counts.csv``) and follow the
schema CSVs in :mod:`corridor.schema`. Every problem — a zone with no node, a demand between unknown zones, a
count on an unknown link, a negative count, a value with neither source nor assumption — is reported with its
file, line, field, value and what was expected, all at once.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from corridor.data.csvdir import DATASET_DIR
from corridor.errors import DataError, Problem
from corridor.model import Network
from corridor.schema import parse_rows

__all__ = ["CalibrationData", "read_calibration_data", "read_od_matrix", "read_table"]


@dataclass(frozen=True)
class CalibrationData:
    """Zones, demand (one row per origin-destination flow of a commodity and year) and counts."""

    zones: pd.DataFrame
    demand: pd.DataFrame
    counts: pd.DataFrame
    folder: Path

    def demand_for(self, year: int) -> pd.DataFrame:
        """Demand rows of *year*."""
        return self.demand[self.demand["year"] == year].reset_index(drop=True)

    def counts_for(self, year: int) -> pd.DataFrame:
        """Count rows of *year*."""
        return self.counts[self.counts["year"] == year].reset_index(drop=True)

    def zone_node(self, zone_id: str) -> str:
        """Network node standing for *zone_id*."""
        return str(self.zones.loc[self.zones["zone_id"] == zone_id, "node_id"].iloc[0])


def read_table(table: str, path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse one calibration CSV against its schema; returns the typed frame and the problems found."""
    if not path.exists():
        return pd.DataFrame(), [Problem(path.name, None, "(file)", str(path), "the file to exist")]
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    return parse_rows(table, header, rows, path.name)


def _provenance(frame: pd.DataFrame, file: str, sources: set[str], problems: list[Problem]) -> None:
    for _, r in frame.iterrows():
        line = int(r["_line"])
        if r["source_id"]:
            if r["source_id"] not in sources:
                problems.append(Problem(file, line, "source_id", r["source_id"], "a source_id from sources.csv"))
            if not r["quote"]:
                problems.append(Problem(file, line, "quote", "", "the sentence of the source that states the value"))
        elif not r["assumption"]:
            problems.append(Problem(file, line, "assumption", "", "a source_id with quote, or an assumption with its reason"))


def _check(zones: pd.DataFrame, demand: pd.DataFrame, counts: pd.DataFrame, net: Network) -> list[Problem]:
    problems: list[Problem] = []
    nodes = set(net.nodes.index)
    links = set(net.links["base_id"])
    sources = set(net.sources.index) if "source_id" not in net.sources.columns else set(net.sources["source_id"])
    for _, r in zones.iterrows():
        if r["node_id"] is not None and r["node_id"] not in nodes:
            problems.append(Problem("zones.csv", int(r["_line"]), "node_id", r["node_id"], "a node_id from nodes.csv"))
    known_zones = {z for z in zones["zone_id"] if z is not None}
    for _, r in demand.iterrows():
        for col in ("origin_zone", "destination_zone"):
            if r[col] is not None and r[col] not in known_zones:
                problems.append(Problem("demand.csv", int(r["_line"]), col, r[col], "a zone_id from zones.csv"))
        if r["origin_zone"] is not None and r["origin_zone"] == r["destination_zone"]:
            problems.append(
                Problem("demand.csv", int(r["_line"]), "destination_zone", r["destination_zone"], "a zone other than the origin")
            )
    for _, r in counts.iterrows():
        line = int(r["_line"])
        # ranges of observed and t_per_unit are checked by the schema (schema/counts.csv)
        if not r["links"]:
            problems.append(Problem("counts.csv", line, "links", "", "at least one link_id"))
        for link in r["links"] or ():
            if link not in links:
                problems.append(Problem("counts.csv", line, "links", link, "a link_id from links.csv"))
    _provenance(demand, "demand.csv", sources, problems)
    _provenance(counts, "counts.csv", sources, problems)
    return problems


def read_calibration_data(net: Network, folder: str | Path | None = None) -> CalibrationData:
    """Read and check ``zones.csv``, ``demand.csv`` and ``counts.csv`` in *folder* (default: the shipped dataset)."""
    base = Path(folder) if folder is not None else DATASET_DIR
    problems: list[Problem] = []
    frames = {}
    for table in ("zones", "demand", "counts"):
        frame, found = read_table(table, base / f"{table}.csv")
        problems.extend(found)
        frames[table] = frame
    if not problems:
        problems.extend(_check(frames["zones"], frames["demand"], frames["counts"], net))
    if problems:
        raise DataError(problems)
    return CalibrationData(frames["zones"], frames["demand"], frames["counts"], base)


def read_od_matrix(path: str | Path, zones: set[str], *, rel_tol: float = 1e-6) -> pd.DataFrame:
    """Read a wide OD matrix (tonnes per year) with row and column totals, as statistics offices publish them.

    The header is ``origin,<destination zones...>,total``; each row is an origin zone, its cells and its total;
    the last row, ``total``, holds the column totals. Every zone must be in *zones*, every cell a number >= 0,
    and every row and column must sum to its total (within *rel_tol*) — a matrix that does not sum is reported
    with the line and the column. Returns one row per non-empty cell: origin_zone, destination_zone, t_per_year.
    """
    p = Path(path)
    if not p.exists():
        raise DataError(Problem(p.name, None, "(file)", str(p), "the file to exist"))
    with p.open(newline="", encoding="utf-8") as fh:
        rows = [(i, row) for i, row in enumerate(csv.reader(fh), start=1) if any(c.strip() for c in row)]
    problems: list[Problem] = []
    if not rows:
        raise DataError(Problem(p.name, 1, "(header)", "", "origin,<destination zones>,total"))
    header = [h.strip() for h in rows[0][1]]
    if len(header) < 3 or header[0] != "origin" or header[-1] != "total":
        raise DataError(Problem(p.name, 1, "(header)", ",".join(header), "origin,<destination zones>,total"))
    dests = header[1:-1]
    for d in dests:
        if d not in zones:
            problems.append(Problem(p.name, 1, d, d, "a zone_id from zones.csv"))
    cells: dict[tuple[str, str], float] = {}
    col_sum = dict.fromkeys(dests, 0.0)
    totals_row = None

    def number(line: int, field: str, raw: str) -> float:
        try:
            v = float(raw) if raw.strip() else 0.0
        except ValueError:
            problems.append(Problem(p.name, line, field, raw, "a number of tonnes per year"))
            return 0.0
        if not v >= 0:
            problems.append(Problem(p.name, line, field, raw, "tonnes per year >= 0"))
        return v

    for line, row in rows[1:]:
        if len(row) != len(header):
            problems.append(Problem(p.name, line, "(row)", len(row), f"{len(header)} cells like the header"))
            continue
        origin = row[0].strip()
        values = [number(line, d, c) for d, c in zip(dests, row[1:-1], strict=True)]
        total = number(line, "total", row[-1])
        if origin == "total":
            totals_row = (line, dict(zip(dests, values, strict=True)), total)
            continue
        if origin not in zones:
            problems.append(Problem(p.name, line, "origin", origin, "a zone_id from zones.csv"))
        if abs(sum(values) - total) > rel_tol * max(abs(total), 1.0):
            problems.append(Problem(p.name, line, "total", row[-1].strip(), f"the sum of the row, {sum(values):,.0f}"))
        for d, v in zip(dests, values, strict=True):
            col_sum[d] += v
            if v > 0:
                cells[(origin, d)] = v
    if totals_row is None:
        problems.append(Problem(p.name, None, "total", "", "a last row 'total' with the column totals"))
    else:
        line, col_totals, grand = totals_row
        for d in dests:
            if abs(col_sum[d] - col_totals[d]) > rel_tol * max(abs(col_totals[d]), 1.0):
                problems.append(Problem(p.name, line, d, col_totals[d], f"the sum of the column, {col_sum[d]:,.0f}"))
        if abs(sum(col_sum.values()) - grand) > rel_tol * max(abs(grand), 1.0):
            problems.append(Problem(p.name, line, "total", grand, f"the sum of all cells, {sum(col_sum.values()):,.0f}"))
    if problems:
        raise DataError(problems)
    return pd.DataFrame(
        [{"origin_zone": o, "destination_zone": d, "t_per_year": v} for (o, d), v in cells.items()],
        columns=["origin_zone", "destination_zone", "t_per_year"],
    )
