"""Write result tables: csv or parquet files per table, GeoJSON link flows per year.

Engines and scenario runs return tables; this module is where they become files. :func:`write_run` takes anything
with a ``name``, ``tables()`` and ``flows()`` (a :class:`corridor.scenarios.ScenarioRun`, for one). Column and
GeoJSON property names are the tables' own, which carry their units (``flow_t_per_year``, ``vc_ratio``, ``delay_h``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import pandas as pd

from corridor.errors import DataError, Problem

__all__ = ["ResultFormat", "RunTables", "write_flows_geojson", "write_run", "write_tables"]


class ResultFormat(StrEnum):
    """File formats for result tables."""

    CSV = "csv"
    PARQUET = "parquet"
    GEOJSON = "geojson"


class RunTables(Protocol):
    """What :func:`write_run` needs of a run."""

    @property
    def name(self) -> str: ...

    def tables(self) -> dict[str, pd.DataFrame]: ...

    def flows(self) -> dict[int, pd.DataFrame]: ...


def _format(value: str) -> ResultFormat:
    try:
        return ResultFormat(value)
    except ValueError:
        raise DataError(Problem("(output)", None, "format", value, "csv, parquet or geojson")) from None


def write_tables(tables: Mapping[str, pd.DataFrame], folder: str | Path, *, prefix: str, format: str = "csv") -> list[Path]:
    """Write each table as ``<prefix>_<name>.csv`` or ``.parquet`` into *folder*; returns the paths."""
    fmt = _format(format)
    if fmt == ResultFormat.GEOJSON:
        raise DataError(Problem("(output)", None, "format", format, "csv or parquet for tables"))
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = out / f"{prefix}_{name}.{fmt.value}"
        if fmt == ResultFormat.PARQUET:
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        written.append(path)
    return written


def _plain(value: object) -> object:
    return None if isinstance(value, float) and value != value else value


def write_flows_geojson(
    flows: Mapping[int, pd.DataFrame],
    folder: str | Path,
    *,
    prefix: str,
    geometry: Callable[[str], list[tuple[float, float]]],
) -> list[Path]:
    """One ``<prefix>_flows_<year>.geojson`` per year: a LineString per moving arc (``geometry(arc)`` gives its
    coordinates) with the arc's row as properties."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for year, links in flows.items():
        feats = [
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [list(p) for p in geometry(r["arc"])]},
                "properties": {k: _plain(v) for k, v in r.items()},
            }
            for _, r in links.iterrows()
            if r["mode"] != "transfer"
        ]
        path = out / f"{prefix}_flows_{year}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
        written.append(path)
    return written


def write_run(
    run: RunTables,
    folder: str | Path,
    *,
    format: str = "csv",
    geometry: Callable[[str], list[tuple[float, float]]] | None = None,
) -> list[Path]:
    """Write a run's tables (csv or parquet) or its link flows (geojson, one file per year, needs *geometry*)."""
    fmt = _format(format)
    if fmt != ResultFormat.GEOJSON:
        return write_tables(run.tables(), folder, prefix=run.name, format=fmt.value)
    if geometry is None:
        raise DataError(Problem("(output)", None, "format", format, "a network to take link geometry from"))
    return write_flows_geojson(run.flows(), folder, prefix=run.name, geometry=geometry)
