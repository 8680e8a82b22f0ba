"""Cross-table checks of a parsed dataset, column-wise: references, self-loops, gauges, years, project values.

Each check works on whole columns (``isin``, comparisons, one pass over distinct value pairs) and reports
through :func:`corridor.schema.collect`, so a 200,000-row links file is checked in well under a second.
"""

from __future__ import annotations

import pandas as pd

from corridor.errors import Problem
from corridor.model import CARGO_MODES
from corridor.schema import Mode, collect, schema
from corridor.schema.columns import per_distinct

__all__ = ["check_references"]

_EMPTY_IDS = pd.Series([], dtype=object)


def _ids(frame: pd.DataFrame, key: str) -> pd.Series:
    return frame[key].dropna() if len(frame) else _EMPTY_IDS


def _unknown(frame: pd.DataFrame, col: str, known: pd.Series, file: str, expected: str) -> list[Problem]:
    values = frame[col]
    bad = values.notna() & ~values.isin(known)
    return collect(file, col, frame["_line"][bad], values[bad], expected)


def _links(f: dict[str, pd.DataFrame]) -> list[Problem]:
    links, nodes = f["links"], _ids(f["nodes"], "node_id")
    out: list[Problem] = []
    for col in ("from_node", "to_node"):
        out += _unknown(links, col, nodes, "links.csv", "a node_id from nodes.csv")
    loop = links["from_node"].notna() & (links["from_node"] == links["to_node"])
    out += collect(
        "links.csv", "to_node", links["_line"][loop], links["to_node"][loop], "a node other than from_node (no self-loops)"
    )
    mode = links["mode"]
    transfer = mode == Mode.TRANSFER
    out += collect("links.csv", "mode", links["_line"][transfer], mode[transfer], "a moving mode; transfers go in transfers.csv")
    gauge = links["gauge_mm"]
    bad_gauge = (mode == Mode.RAIL) & ~gauge.isin([1520.0, 1435.0])
    out += collect("links.csv", "gauge_mm", links["_line"][bad_gauge], gauge[bad_gauge], "1520 or 1435 for a rail link")
    wrong = per_distinct(
        lambda m, cs: next((c for c in cs if m is not None and m not in CARGO_MODES[c]), None), mode, links["cargo_classes"]
    )
    bad_cls = pd.Series(wrong, index=links.index).notna()
    expected = [f"a class that {m.value} can carry" for m in mode[bad_cls]]
    out += collect("links.csv", "cargo_classes", links["_line"][bad_cls], [c.value for c in wrong[bad_cls.to_numpy()]], expected)
    country = f["nodes"].drop_duplicates("node_id").set_index("node_id")["country"] if len(f["nodes"]) else pd.Series()
    for col in ("from_node", "to_node"):
        end = links[col].map(country)
        lacks = per_distinct(lambda c, cs: bool(c) and bool(cs) and c not in cs, end, links["countries"]).astype(bool)
        values = [";".join(sorted(cs)) for cs in links["countries"][lacks]]
        expected = [f"to include {c} ({n})" for c, n in zip(end[lacks], links[col][lacks], strict=True)]
        out += collect("links.csv", "countries", links["_line"][lacks], values, expected)
    return out


def _years(f: dict[str, pd.DataFrame]) -> list[Problem]:
    out: list[Problem] = []
    for table in ("nodes", "links", "transfers"):
        fr = f[table]
        bad = fr["close_year"] < fr["open_year"]
        out += collect(f"{table}.csv", "close_year", fr["_line"][bad], fr["close_year"][bad], "a year >= open_year")
    return out


def _nodes(f: dict[str, pd.DataFrame]) -> list[Problem]:
    n = f["nodes"]
    same = n["border_with"].notna() & (n["border_with"] == n["country"])
    return collect("nodes.csv", "border_with", n["_line"][same], n["border_with"][same], "the country on the other side")


def _transfers(f: dict[str, pd.DataFrame]) -> list[Problem]:
    t = f["transfers"]
    out = _unknown(t, "node_id", _ids(f["nodes"], "node_id"), "transfers.csv", "a node_id from nodes.csv")
    same = t["from_layer"].notna() & (t["from_layer"] == t["to_layer"])
    values = [v.value for v in t["to_layer"][same]]
    return out + collect("transfers.csv", "to_layer", t["_line"][same], values, "a layer other than from_layer")


def _projects(f: dict[str, pd.DataFrame]) -> list[Problem]:
    """Projects name an existing row and a numeric column, and their value lies in that column's range."""
    p, out = f["projects"], []
    keys = {t: _ids(f[t], schema(t).key) for t in ("nodes", "links", "transfers")}
    table = p["table"].map(lambda t: None if t is None else t.value)
    other = table.notna() & ~table.isin(list(keys))
    out += collect("projects.csv", "table", p["_line"][other], table[other], "nodes, links or transfers")
    for name, ids in keys.items():
        mine = table == name
        unknown = mine & ~p["record_id"].isin(ids)
        out += collect("projects.csv", "record_id", p["_line"][unknown], p["record_id"][unknown], f"an id from {name}.csv")
        numeric = schema(name).numeric
        not_numeric = mine & ~p["field"].isin(numeric)
        out += collect("projects.csv", "field", p["_line"][not_numeric], p["field"][not_numeric], f"a numeric column of {name}")
        for col in numeric:
            rng = schema(name).column(col).range
            target = mine & (p["field"] == col)
            if rng is None or not target.any():
                continue
            bad = target & ~rng.mask(p["value"].to_numpy())
            out += collect(
                "projects.csv", "value", p["_line"][bad], p["value"][bad], f"a value {rng.describe()} for {name}.{col}"
            )
    return out


def _corridors(f: dict[str, pd.DataFrame]) -> list[Problem]:
    c, nodes = f["corridors"], set(_ids(f["nodes"], "node_id"))
    lines, values, fields = [], [], []
    for line, via, avoid in zip(c["_line"], c["via_any"], c["avoid_nodes"], strict=True):
        for n in (x.strip() for g in (via or "").split("|") for x in g.split(";")):
            if n and n not in nodes:
                lines.append(line), values.append(n), fields.append("via_any")
        for n in avoid or ():
            if n not in nodes:
                lines.append(line), values.append(n), fields.append("avoid_nodes")
    out: list[Problem] = []
    for fld in ("via_any", "avoid_nodes"):
        pick = [i for i, x in enumerate(fields) if x == fld]
        out += collect("corridors.csv", fld, [lines[i] for i in pick], [values[i] for i in pick], "node_ids from nodes.csv")
    return out


def _provenance_rows(f: dict[str, pd.DataFrame]) -> list[Problem]:
    p = f["provenance"]
    has_source = p["source_id"].notna()
    no_quote = has_source & p["quote"].isna()
    no_reason = ~has_source & p["assumption"].isna()
    return collect(
        "provenance.csv",
        "quote",
        p["_line"][no_quote],
        [""] * int(no_quote.sum()),
        "the sentence from the source that states the value",
    ) + collect(
        "provenance.csv",
        "assumption",
        p["_line"][no_reason],
        [""] * int(no_reason.sum()),
        "a reason, since the row cites no source",
    )


def check_references(f: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every cross-table and cross-field problem of the parsed tables *f* (by table name)."""
    out = _nodes(f) + _links(f) + _years(f) + _transfers(f)
    used = {m for m in f["links"]["mode"] if m is not None}
    have = {m for m in f["modes"]["mode"] if m is not None}
    out += [Problem("modes.csv", None, "mode", m.value, "a row for every mode used in links.csv") for m in sorted(used - have)]
    sources = _ids(f["sources"], "source_id")
    for table in ("fx_rates", "provenance"):
        out += _unknown(f[table], "source_id", sources, f"{table}.csv", "a source_id from sources.csv")
    out += _projects(f) + _corridors(f) + _provenance_rows(f)
    return out
