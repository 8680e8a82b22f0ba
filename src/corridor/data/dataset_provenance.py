"""The provenance table of a dataset, built column-wise: one row per number with its unit, year and source.

Each number is matched to its ``provenance.csv`` row by (table, record_id, field), falling back to the
wildcard row ``*``; numbers without a row and rows naming no number are reported. Link lengths left empty
are filled from searoute geometry (computed) or great-circle distance x circuity (assumption).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from corridor.errors import Problem
from corridor.schema import Mode, collect, schema

__all__ = ["build_provenance"]

_TABLES = ("nodes", "links", "transfers", "modes", "parameters", "projects")
_WATER_MODES = {Mode.SEA.value, Mode.FERRY.value, Mode.RIVER.value}
_NO_SOURCE = {"source_id": None, "source_title": None, "source_ref": None, "confidence": None, "quote": None}
EARTH_RADIUS_KM = 6371.0088  # IUGG mean Earth radius, as corridor.units.great_circle_km


def _rules(prov: pd.DataFrame) -> pd.DataFrame:
    """One row per (table, record_id, field) of provenance.csv; the first row naming a key wins."""
    p = prov[prov["table"].notna()].copy()
    p["table"] = p["table"].map(lambda t: t.value)
    p = p.explode("field").dropna(subset=["field"])
    p = p.rename(columns={"_line": "rule_line"}).drop_duplicates(["table", "record_id", "field"])
    return p[["table", "record_id", "field", "rule_line", "year", "source_id", "quote", "assumption"]].reset_index(drop=True)


def _rule_of(ids: pd.Series, rules: pd.DataFrame | None) -> pd.Series:
    """Position in *rules* (one table and field) of each id's rule: its own row, else the ``*`` row, else NaN."""
    if rules is None:
        return pd.Series(np.nan, index=ids.index)
    named = rules[rules["record_id"] != "*"]
    pos = ids.map(pd.Series(named.index, index=named["record_id"].to_numpy())).astype(float)
    wild = rules.index[rules["record_id"] == "*"]
    return pos.fillna(float(wild[0])) if len(wild) else pos


def _cite(f: dict[str, pd.DataFrame], rules: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """Every non-empty number of the cited tables with the position of its rule (numbers without one reported)."""
    groups = {key: grp for key, grp in rules.groupby(["table", "field"], sort=False)}
    parts, used = [], set()
    for table in _TABLES:
        frame, sch = f[table], schema(table)
        keys = frame[sch.key]
        for field in sch.numeric:
            has = keys.notna() & frame[field].notna()
            if not has.any():
                continue
            ids, values = keys[has], frame[field][has]
            rule = _rule_of(ids, groups.get((table, field)))
            lost = rule.isna()
            expected = [f"a row in provenance.csv for {table}/{rid}/{field}" for rid in ids[lost]]
            problems += collect(f"{table}.csv", field, frame["_line"][has][lost], values[lost], expected)
            unit = frame["unit"][has].astype(str) if table == "parameters" else sch.units[field]
            part = pd.DataFrame({"table": table, "record_id": ids, "field": field, "value": values, "unit": unit, "rule": rule})
            parts.append(part[~lost])
            used.update(rule[~lost].astype(int).unique().tolist())
    named = rules[(rules["record_id"] != "*") & ~rules.index.isin(list(used))]
    values = [f"{t}/{r}/{fl}" for t, r, fl in zip(named["table"], named["record_id"], named["field"], strict=True)]
    problems += collect("provenance.csv", "record_id", named["rule_line"], values, "a value that exists in the dataset")
    if not parts:
        return pd.DataFrame(columns=["table", "record_id", "field", "value", "unit", "year", "source_id", "quote", "assumption"])
    cited = pd.concat(parts, ignore_index=True)
    picked = rules.iloc[cited["rule"].astype(int).to_numpy()].reset_index(drop=True)
    for col in ("year", "source_id", "quote", "assumption"):
        cited[col] = picked[col].to_numpy()
    return cited


def _source_table(sources: pd.DataFrame) -> pd.DataFrame:
    """title, ref (url, else ``seed:<file>``) and confidence by source_id."""
    src = sources.drop_duplicates("source_id").dropna(subset=["source_id"]).set_index("source_id")
    return pd.DataFrame(
        {
            "source_title": src["title"],
            "source_ref": [u or f"seed:{s}" for u, s in zip(src["url"], src["seed_file"], strict=True)],
            "confidence": [None if c is None else c.value for c in src["confidence"]],
        },
        index=src.index,
        dtype=object,
    )


def _with_sources(cited: pd.DataFrame, src: pd.DataFrame) -> pd.DataFrame:
    sid = cited["source_id"]
    kind = np.where(sid.notna(), np.where(cited["assumption"].notna(), "computed", "sourced"), "assumption")
    out = pd.DataFrame(
        {
            "table": cited["table"],
            "record_id": cited["record_id"],
            "field": cited["field"],
            "value": cited["value"].astype(float),
            "unit": cited["unit"],
            "year": cited["year"],
            "kind": kind,
            "source_id": sid.astype(object),
        }
    )
    for col in ("source_title", "source_ref", "confidence"):
        out[col] = sid.map(src[col]).astype(object)
    out["quote"] = cited["quote"].astype(object)
    out["note"] = cited["assumption"].astype(object)
    return out


def _fx_rows(fx: pd.DataFrame, src: pd.DataFrame) -> pd.DataFrame:
    fx = fx[fx["currency"].notna() & fx["source_id"].isin(src.index) & fx["as_of"].notna()]
    return pd.DataFrame(
        {
            "table": "fx_rates",
            "record_id": fx["currency"],
            "field": "units_per_usd",
            "value": fx["units_per_usd"],
            "unit": fx["currency"] + "/USD",
            "year": fx["as_of"].str[:4].astype(float),
            "kind": "sourced",
            "source_id": fx["source_id"],
            "source_title": fx["source_id"].map(src["source_title"]),
            "source_ref": fx["source_id"].map(src["source_ref"]),
            "confidence": fx["source_id"].map(src["confidence"]),
            "quote": fx["notes"],
            "note": None,
        }
    )


def _great_circle_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Haversine distance, the formula of :func:`corridor.units.great_circle_km` on whole columns."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _searoute_source(src: pd.DataFrame) -> dict:
    if "searoute" not in src.index:
        return dict(_NO_SOURCE)
    s = src.loc["searoute"]
    quote = "length of the shortest maritime path on its network"
    return {
        "source_id": "searoute",
        "source_title": s["source_title"],
        "source_ref": s["source_ref"],
        "confidence": s["confidence"],
        "quote": quote,
    }


def derive_lengths(f: dict[str, pd.DataFrame], geometry: dict[str, dict], src: pd.DataFrame) -> pd.DataFrame:
    """Fill empty link lengths in ``f['links']`` in place and return their provenance rows."""
    links, nodes = f["links"], f["nodes"].dropna(subset=["node_id"]).drop_duplicates("node_id").set_index("node_id")
    mode = links["mode"].map(lambda m: None if m is None else m.value)
    todo = links["length_km"].isna() & links["from_node"].isin(nodes.index) & links["to_node"].isin(nodes.index) & mode.notna()
    if not todo.any():
        return pd.DataFrame()
    rows, mode = links[todo], mode[todo]
    feat_km = rows["link_id"].map(lambda k: float(geometry[k]["properties"]["length_km"]) if k in geometry else np.nan)
    sea = mode.isin(_WATER_MODES) & feat_km.notna()
    a, b = nodes.loc[rows["from_node"]], nodes.loc[rows["to_node"]]
    gc = _great_circle_km(a["lat"].to_numpy(), a["lon"].to_numpy(), b["lat"].to_numpy(), b["lon"].to_numpy())
    modes = f["modes"].dropna(subset=["mode"]).drop_duplicates("mode")
    circuity = mode.map(dict(zip((m.value for m in modes["mode"]), modes["circuity"], strict=True))).fillna(1.0)
    land = gc * circuity.to_numpy()
    length = np.where(sea, feat_km, land)
    keep = ~np.isnan(length)  # bad coordinates are already reported
    rounded = [round(float(x), 1) for x in length]
    links.loc[rows.index[keep], "length_km"] = np.array(rounded)[keep]
    sea_src = _searoute_source(src)
    out = []
    for i, (lid, m, is_sea, g, c) in enumerate(zip(rows["link_id"], mode, sea, gc, circuity, strict=True)):
        if not keep[i]:
            continue
        if is_sea:
            version = geometry[lid]["properties"].get("searoute_version", "")
            note, kind, cite = f"searoute {version} shortest sea lane between the two ports", "computed", sea_src
        else:
            note, kind, cite = f"no sourced length: great-circle {g:.0f} km x {m} circuity {c:g}", "assumption", _NO_SOURCE
        out.append(
            {
                "table": "links",
                "record_id": lid,
                "field": "length_km",
                "value": rounded[i],
                "unit": "km",
                "year": None,
                "kind": kind,
                **cite,
                "note": note,
            }
        )
    return pd.DataFrame(out)


def build_provenance(f: dict[str, pd.DataFrame], geometry: dict[str, dict], problems: list[Problem]) -> pd.DataFrame:
    """One row per number in the dataset (see the module docstring); problems are appended to *problems*."""
    cited = _cite(f, _rules(f["provenance"]), problems)
    src = _source_table(f["sources"])
    parts = [_with_sources(cited, src), _fx_rows(f["fx_rates"], src), derive_lengths(f, geometry, src)]
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    out["record_id"] = out["record_id"].astype(str)  # mode rows are keyed by Mode members
    return out.infer_objects()
