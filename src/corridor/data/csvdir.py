"""Read and validate a dataset folder (one CSV per table, as described in :mod:`corridor.schema`).

Every problem in every file is collected and raised together as one :class:`~corridor.errors.DataError`:
missing or unknown columns, bad types, negative quantities, unknown units or currencies, duplicate ids,
references to unknown nodes or sources, and numbers that no provenance row covers.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

from corridor import settings
from corridor.errors import DataError, Problem
from corridor.model import CARGO_MODES, Network, layer_of
from corridor.schema import TABLES, Mode, Status, parse_rows, schema
from corridor.units import great_circle_km

__all__ = ["DATASET_DIR", "SEA_GEOMETRY_FILE", "read_dataset"]

#: The dataset shipped inside the package.
DATASET_DIR = Path(__file__).parent / "dataset"
#: Sea-lane geometry computed with searoute (see :mod:`corridor.data.sea`).
SEA_GEOMETRY_FILE = "sea_lanes.geojson"

_PROV_TABLES = ("nodes", "links", "transfers", "modes", "parameters", "projects", "fx_rates")
_WATER_MODES = {Mode.SEA.value, Mode.FERRY.value, Mode.RIVER.value}


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    return header, rows


def _numeric_columns(table: str) -> list[str]:
    return [c.attribute for c in schema(table).columns if c.dtype in ("float", "int")]


def read_dataset(path: str | Path | None = None) -> Network:
    """Load and validate the dataset folder at *path* (default: the shipped dataset).

    Returns the full, multi-year :class:`Network`; call :meth:`Network.at_year` for one year's view.
    """
    folder = Path(path or settings.get("dataset_dir") or DATASET_DIR)
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for table in TABLES:
        file = folder / f"{table}.csv"
        if not file.exists():
            problems.append(Problem(f"{table}.csv", None, "(file)", str(file), "the file to exist"))
            frames[table] = pd.DataFrame(columns=["_line", *(c.attribute for c in schema(table).columns)])
            continue
        header, rows = _read_csv(file)
        frame, found = parse_rows(table, header, rows, file.name)
        problems.extend(found)
        frames[table] = frame
    problems.extend(_check_references(frames))
    geometry = _read_sea_geometry(folder, problems)
    provenance = _provenance(frames, geometry, problems)
    if problems:
        raise DataError(problems)
    return _build(frames, geometry, provenance)


def _ids(frame: pd.DataFrame, key: str) -> set[str]:
    return {v for v in frame[key] if isinstance(v, str)}


def _check_references(f: dict[str, pd.DataFrame]) -> list[Problem]:
    """Cross-table checks: unknown nodes, sources, layers, modes and fields."""
    out: list[Problem] = []
    nodes = _ids(f["nodes"], "node_id")
    sources = _ids(f["sources"], "source_id")
    node_country = dict(zip(f["nodes"]["node_id"], f["nodes"]["country"], strict=True))
    for _, r in f["links"].iterrows():
        line = int(r["_line"])
        for col in ("from_node", "to_node"):
            if r[col] is not None and r[col] not in nodes:
                out.append(Problem("links.csv", line, col, r[col], "a node_id from nodes.csv"))
        mode = r["mode"]
        if mode == Mode.TRANSFER:
            out.append(Problem("links.csv", line, "mode", mode.value, "a moving mode; transfers go in transfers.csv"))
        if mode == Mode.RAIL and r["gauge_mm"] not in (1520, 1435):
            out.append(Problem("links.csv", line, "gauge_mm", r["gauge_mm"], "1520 or 1435 for a rail link"))
        for cls in r["cargo_classes"] or ():
            if mode is not None and mode not in CARGO_MODES[cls]:
                out.append(Problem("links.csv", line, "cargo_classes", cls.value, f"a class that {mode.value} can carry"))
        countries = set(r["countries"] or ())
        for col in ("from_node", "to_node"):
            c = node_country.get(r[col])
            if c and countries and c not in countries:
                out.append(Problem("links.csv", line, "countries", ";".join(sorted(countries)), f"to include {c} ({r[col]})"))
    for _, r in f["transfers"].iterrows():
        if r["node_id"] is not None and r["node_id"] not in nodes:
            out.append(Problem("transfers.csv", int(r["_line"]), "node_id", r["node_id"], "a node_id from nodes.csv"))
        if r["from_layer"] is not None and r["from_layer"] == r["to_layer"]:
            out.append(
                Problem("transfers.csv", int(r["_line"]), "to_layer", r["to_layer"].value, "a layer other than from_layer")
            )
    used_modes = {m for m in f["links"]["mode"] if m is not None}
    have_modes = {m for m in f["modes"]["mode"] if m is not None}
    for m in sorted(used_modes - have_modes):
        out.append(Problem("modes.csv", None, "mode", m.value, "a row for every mode used in links.csv"))
    for table, col in (("fx_rates", "source_id"), ("provenance", "source_id")):
        for _, r in f[table].iterrows():
            if r[col] is not None and r[col] not in sources:
                out.append(Problem(f"{table}.csv", int(r["_line"]), col, r[col], "a source_id from sources.csv"))
    keys = {t: _ids(f[t], schema(t).key) for t in ("nodes", "links", "transfers")}
    for _, r in f["projects"].iterrows():
        line, table = int(r["_line"]), r["table"]
        if table is None:
            continue
        if table.value not in keys:
            out.append(Problem("projects.csv", line, "table", table.value, "nodes, links or transfers"))
            continue
        if r["record_id"] not in keys[table.value]:
            out.append(Problem("projects.csv", line, "record_id", r["record_id"], f"an id from {table.value}.csv"))
        if r["field"] not in _numeric_columns(table.value):
            out.append(Problem("projects.csv", line, "field", r["field"], f"a numeric column of {table.value}"))
    for _, r in f["corridors"].iterrows():
        line = int(r["_line"])
        groups = [g for g in (r["via_any"] or "").split("|") if g.strip()]
        for g in groups:
            for n in (x.strip() for x in g.split(";")):
                if n and n not in nodes:
                    out.append(Problem("corridors.csv", line, "via_any", n, "node_ids from nodes.csv"))
        for n in r["avoid_nodes"] or ():
            if n not in nodes:
                out.append(Problem("corridors.csv", line, "avoid_nodes", n, "node_ids from nodes.csv"))
    for _, r in f["provenance"].iterrows():
        line = int(r["_line"])
        if r["source_id"] and not r["quote"]:
            out.append(Problem("provenance.csv", line, "quote", "", "the sentence from the source that states the value"))
        if not r["source_id"] and not r["assumption"]:
            out.append(Problem("provenance.csv", line, "assumption", "", "a reason, since the row cites no source"))
    return out


def _read_sea_geometry(folder: Path, problems: list[Problem]) -> dict[str, dict]:
    file = folder / SEA_GEOMETRY_FILE
    if not file.exists():
        return {}
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
        return {feat["properties"]["link_id"]: feat for feat in doc["features"]}
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(Problem(SEA_GEOMETRY_FILE, None, "(file)", str(exc)[:80], "a GeoJSON FeatureCollection of sea lanes"))
        return {}


def _provenance(f: dict[str, pd.DataFrame], geometry: dict[str, dict], problems: list[Problem]) -> pd.DataFrame:
    """One row per number in the dataset: its unit, year and source or assumption.

    Link lengths left empty are filled here, from searoute geometry (computed) or from great-circle
    distance x the mode's circuity factor (assumption), and recorded as such.
    """
    prov = f["provenance"]
    rules: dict[tuple[str, str, str], dict] = {}
    for _, r in prov.iterrows():
        if r["table"] is None:
            continue
        for fld in r["field"]:
            rules.setdefault((r["table"].value, r["record_id"], fld), r.to_dict())
    src = f["sources"].set_index("source_id") if len(f["sources"]) else pd.DataFrame()
    used: set[tuple[str, str, str]] = set()
    rows: list[dict] = []

    def cite(table: str, rid: str, fld: str, value: object, unit: str, line: int) -> None:
        rule = rules.get((table, rid, fld)) or rules.get((table, "*", fld))
        if rule is None:
            problems.append(Problem(f"{table}.csv", line, fld, value, f"a row in provenance.csv for {table}/{rid}/{fld}"))
            return
        used.add((table, rule["record_id"], fld))
        sid = rule["source_id"]
        s = src.loc[sid] if sid and sid in src.index else None
        rows.append(
            {
                "table": table,
                "record_id": rid,
                "field": fld,
                "value": value,
                "unit": unit,
                "year": rule["year"],
                "kind": ("computed" if rule["assumption"] else "sourced") if sid else "assumption",
                "source_id": sid,
                "source_title": None if s is None else s["title"],
                "source_ref": None if s is None else (s["url"] or f"seed:{s['seed_file']}"),
                "confidence": None if s is None else s["confidence"].value,
                "quote": rule["quote"],
                "note": rule["assumption"],
            }
        )

    for table in ("nodes", "links", "transfers", "modes", "parameters", "projects"):
        frame, key = f[table], schema(table).key
        units = schema(table).units
        for _, r in frame.iterrows():
            rid = r[key]
            if not isinstance(rid, str):
                continue
            for fld in _numeric_columns(table):
                v = r[fld]
                if v is None or (isinstance(v, float) and v != v):
                    continue
                unit = str(r["unit"]) if table == "parameters" else units[fld]
                cite(table, rid, fld, v, unit, int(r["_line"]))
    for _, r in f["fx_rates"].iterrows():
        if r["currency"] is None or r["source_id"] not in src.index:
            continue
        s = src.loc[r["source_id"]]
        rows.append(
            {
                "table": "fx_rates",
                "record_id": r["currency"],
                "field": "units_per_usd",
                "value": r["units_per_usd"],
                "unit": f"{r['currency']}/USD",
                "year": int(str(r["as_of"])[:4]),
                "kind": "sourced",
                "source_id": r["source_id"],
                "source_title": s["title"],
                "source_ref": s["url"] or f"seed:{s['seed_file']}",
                "confidence": s["confidence"].value,
                "quote": r["notes"],
                "note": None,
            }
        )
    for (table, rid, fld), r in rules.items():
        if (table, rid, fld) not in used and rid != "*":
            problems.append(
                Problem(
                    "provenance.csv", int(r["_line"]), "record_id", f"{table}/{rid}/{fld}", "a value that exists in the dataset"
                )
            )
    rows.extend(_derive_lengths(f, geometry))
    return pd.DataFrame(rows)


_NO_SOURCE = {"source_id": None, "source_title": None, "source_ref": None, "confidence": None, "quote": None}


def _derive_lengths(f: dict[str, pd.DataFrame], geometry: dict[str, dict]) -> list[dict]:
    """Fill empty link lengths in place and return their provenance rows."""
    links, nodes = f["links"], f["nodes"].set_index("node_id")
    modes = f["modes"].set_index(f["modes"]["mode"].map(lambda m: m.value if m is not None else None))
    src = f["sources"].set_index("source_id")
    searoute = dict(_NO_SOURCE)
    if "searoute" in src.index:
        s = src.loc["searoute"]
        searoute = {
            "source_id": "searoute",
            "source_title": s["title"],
            "source_ref": s["url"],
            "confidence": s["confidence"].value,
            "quote": "length of the shortest maritime path on its network",
        }
    out = []
    for i, r in links.iterrows():
        if r["length_km"] is not None and r["length_km"] == r["length_km"]:
            continue
        if r["from_node"] not in nodes.index or r["to_node"] not in nodes.index or r["mode"] is None:
            continue
        mode = r["mode"].value
        feat = geometry.get(r["link_id"])
        if mode in _WATER_MODES and feat is not None:
            length = float(feat["properties"]["length_km"])
            kind, note = (
                "computed",
                f"searoute {feat['properties'].get('searoute_version', '')} shortest sea lane between the two ports",
            )
        else:
            a, b = nodes.loc[r["from_node"]], nodes.loc[r["to_node"]]
            if any(not isinstance(x, float) for x in (a["lat"], a["lon"], b["lat"], b["lon"])):
                continue  # bad coordinates are already reported
            gc = great_circle_km(a["lat"], a["lon"], b["lat"], b["lon"])
            circuity = float(modes.loc[mode, "circuity"]) if mode in modes.index else 1.0
            length = gc * circuity
            kind = "assumption"
            note = f"no sourced length: great-circle {gc:.0f} km x {mode} circuity {circuity:g}"
        links.at[i, "length_km"] = round(length, 1)
        out.append(
            {
                "table": "links",
                "record_id": r["link_id"],
                "field": "length_km",
                "value": round(length, 1),
                "unit": "km",
                "year": None,
                "kind": kind,
                **(searoute if kind == "computed" else _NO_SOURCE),
                "note": note,
            }
        )
    return out


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
        for col in _numeric_columns(table):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
        return out

    nodes = clean(f["nodes"]).set_index("node_id")
    links = _directed(clean(f["links"]), "link_id", ("from_node", "to_node"))
    links["layer"] = [layer_of(m, g) for m, g in zip(links["mode"], links["gauge_mm"], strict=True)]
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
