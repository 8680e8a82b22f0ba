"""Read and validate a dataset folder (one CSV per table, as described in :mod:`corridor.schema`).

Every problem in every file is collected and raised together as one :class:`~corridor.errors.DataError`:
unreadable files and encodings, missing or unknown columns, bad types, values outside the schema's ranges,
control characters, unknown units or currencies, duplicate keys, self-loops, references to unknown nodes
or sources, and numbers that no provenance row covers. Checks run column by column. A validated network
is cached by a hash of the files (see :mod:`corridor.data.dataset_cache`), so unchanged files are not
validated again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from corridor import settings
from corridor.errors import DataError, Problem
from corridor.model import Network, layer_of
from corridor.schema import TABLES, Status, parse_columns, parse_rows, schema
from corridor.schema.columns import per_distinct

__all__ = ["DATASET_DIR", "SEA_GEOMETRY_FILE", "dataset_files", "read_dataset", "validate_dataset"]

#: The dataset shipped inside the package.
DATASET_DIR = Path(__file__).parent / "dataset"
#: Sea-lane geometry computed with searoute (see :mod:`corridor.data.sea`).
SEA_GEOMETRY_FILE = "sea_lanes.geojson"


def dataset_files(folder: Path) -> list[Path]:
    """The files a dataset folder is read from (one CSV per table, then the sea-lane geometry)."""
    return [*(folder / f"{t}.csv" for t in TABLES), folder / SEA_GEOMETRY_FILE]


def _empty(table: str) -> pd.DataFrame:
    frame, _ = parse_rows(table, [c.attribute for c in schema(table).columns], [], f"{table}.csv")
    return frame


def validate_dataset(folder: Path) -> tuple[dict[str, pd.DataFrame], dict[str, dict], pd.DataFrame]:
    """Parse and check every file of *folder*: (tables by name, sea-lane features, provenance).

    Raises :class:`DataError` with every problem found in every file.
    """
    from corridor.data.csvfile import read_csv_columns  # validation only: a cached load never needs these
    from corridor.data.dataset_checks import check_references
    from corridor.data.dataset_provenance import build_provenance

    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        read = read_csv_columns(folder / f"{table}.csv", problems)
        if read is None:
            frames[table] = _empty(table)
            continue
        frame, found = parse_columns(table, read.header, read.lines, read.columns, f"{table}.csv", controls=read.controls)
        problems.extend(found)
        frames[table] = frame
    problems.extend(check_references(frames))
    geometry = _read_sea_geometry(folder, problems)
    provenance = build_provenance(frames, geometry, problems)
    if problems:
        raise DataError(problems)
    return frames, geometry, provenance


def read_dataset(path: str | Path | None = None, *, cache: bool = True) -> Network:
    """Load and validate the dataset folder at *path* (default: the shipped dataset).

    Returns the full, multi-year :class:`Network`; call :meth:`Network.at_year` for one year's view. With
    *cache*, a network validated before from files with the same contents is read from the dataset cache
    (see :mod:`corridor.data.dataset_cache`) instead of being validated again.
    """
    from corridor.data import dataset_cache

    folder = Path(path or settings.get("dataset_dir") or DATASET_DIR)
    if folder.exists() and not folder.is_dir():
        raise DataError(Problem(str(folder), None, "(folder)", str(folder), "a dataset folder of CSV files"))
    if cache:
        return dataset_cache.cached_network(folder, lambda: _build(*validate_dataset(folder)))
    return _build(*validate_dataset(folder))


def _read_sea_geometry(folder: Path, problems: list[Problem]) -> dict[str, dict]:
    from corridor.data.csvfile import decode_utf8, read_bytes

    file = folder / SEA_GEOMETRY_FILE
    if not file.exists():
        return {}
    data = read_bytes(file, problems)
    if data is None:
        return {}
    try:
        doc = json.loads(decode_utf8(data, file.name, problems))
        return {feat["properties"]["link_id"]: feat for feat in doc["features"]}
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(Problem(SEA_GEOMETRY_FILE, None, "(file)", str(exc)[:80], "a GeoJSON FeatureCollection of sea lanes"))
        return {}


def _directed(frame: pd.DataFrame, key: str, swap: tuple[str, str]) -> pd.DataFrame:
    """Expand two-way rows into two directed rows ('<id>' and '<id>~r')."""
    fwd = frame.copy()
    fwd["base_id"] = fwd[key]
    rev = frame[frame["two_way"].fillna(True).astype(bool)].copy()
    rev["base_id"] = rev[key]
    rev[key] = rev[key] + "~r"
    a, b = swap
    rev[a], rev[b] = frame.loc[rev.index, b], frame.loc[rev.index, a]
    out = pd.concat([fwd, rev], ignore_index=True).set_index(key)
    return out


def _build(f: dict[str, pd.DataFrame], geometry: dict[str, dict], provenance: pd.DataFrame) -> Network:
    def clean(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.drop(columns=["_line"])
        table = next(t for t, fr in f.items() if fr is frame)
        for col in schema(table).numeric:
            out[col] = out[col].astype(float)
        return out

    nodes = clean(f["nodes"]).set_index("node_id")
    links = _directed(clean(f["links"]), "link_id", ("from_node", "to_node"))
    links["layer"] = per_distinct(layer_of, links["mode"], links["gauge_mm"]).tolist()
    transfers = _directed(clean(f["transfers"]), "transfer_id", ("from_layer", "to_layer"))
    for frame in (nodes, links, transfers):
        frame["status"] = frame["status"].fillna(Status.OPERATING)
        for col in ("open_year", "close_year"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
    coords = {k: [tuple(p) for p in v["geometry"]["coordinates"]] for k, v in geometry.items()}
    prov = provenance.set_index(["table", "record_id", "field"]).sort_index() if len(provenance) else provenance
    return Network(
        nodes=nodes,
        links=links,
        transfers=transfers,
        modes=clean(f["modes"]).set_index(f["modes"]["mode"].map(lambda m: m.value).rename("mode_id")),
        parameters=clean(f["parameters"]).set_index("parameter"),
        projects=clean(f["projects"]),
        fx_rates=clean(f["fx_rates"]).set_index("currency"),
        sources=clean(f["sources"]).set_index("source_id"),
        provenance=prov,
        corridors=clean(f["corridors"]).set_index("corridor_id"),
        geometry=coords,
    )
