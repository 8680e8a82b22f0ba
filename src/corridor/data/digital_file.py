"""Load the digital layer: ``data_links.csv`` (fibre cables) and ``digital_procedures.csv`` (per crossing, per year)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from corridor.data.side_tables import check_cited, raise_if, read_side_table, side_folder
from corridor.errors import Problem
from corridor.model import Network
from corridor.model.digital import PROCEDURES, DataLink, DigitalLayer, DigitalProcedure

__all__ = ["read_dataset_digital", "read_digital"]


def _cite(row: pd.Series, sources: dict[str, str]) -> str:
    if row["source_id"]:
        return f"{sources.get(row['source_id'], row['source_id'])}: “{row['quote']}”"
    return f"assumption: {row['assumption']}"


def _num(value: object) -> float | None:
    return None if value is None or value != value else float(value)  # type: ignore[arg-type]


def read_dataset_digital(path: str | Path | None = None) -> Network:
    """The dataset at *path* (:func:`~corridor.data.read_dataset`) with its digital layer applied, read from the
    dataset cache while neither the dataset's files nor the digital layer's have changed (no validation then)."""
    from corridor import data
    from corridor.data.csvdir import dataset_files
    from corridor.data.dataset_cache import cached
    from corridor.model.digital import apply_digital_layer

    def build() -> Network:
        net = data.read_dataset(path)
        return apply_digital_layer(net, read_digital(path, net=net))

    folder = side_folder(path)
    files = [*dataset_files(folder), folder / "data_links.csv", folder / "digital_procedures.csv"]
    code = ("data/digital_file.py", "data/side_tables.py", "model/digital.py")
    return cached("digital", files, build, Network, code)


def read_digital(path: str | Path | None = None, *, net: Network) -> DigitalLayer:
    """The data links and digital procedures of the dataset folder at *path*, checked against *net*."""
    folder = side_folder(path)
    problems: list[Problem] = []
    links = read_side_table(folder, "data_links", problems)
    procs = read_side_table(folder, "digital_procedures", problems)
    sources = {str(k): str(v) for k, v in net.sources["title"].items()}
    for frame, name in ((links, "data_links.csv"), (procs, "digital_procedures.csv")):
        check_cited(frame, name, set(sources), problems)
    nodes = set(net.nodes.index)
    for frame, name, cols in (
        (links, "data_links.csv", ("from_node", "to_node")),
        (procs, "digital_procedures.csv", ("node_id",)),
    ):
        for _, row in frame.iterrows():
            for col in cols:
                if row[col] and row[col] not in nodes:
                    problems.append(Problem(name, int(row["_line"]), col, row[col], "a node_id of nodes.csv"))
    for _, row in procs.iterrows():
        if row["procedure"] and row["procedure"] not in PROCEDURES:
            problems.append(
                Problem(
                    "digital_procedures.csv", int(row["_line"]), "procedure", row["procedure"], f"one of {', '.join(PROCEDURES)}"
                )
            )
    raise_if(problems)
    return DigitalLayer(
        links=tuple(
            DataLink(
                r["data_link_id"], r["name"], r["from_node"], r["to_node"], r["kind"], r["status"],
                None if _num(r["open_year"]) is None else int(r["open_year"]), _num(r["length_km"]), _num(r["capacity_tbps"]),
                _num(r["latency_ms"]), _cite(r, sources),
            )
            for _, r in links.iterrows()
        ),
        procedures=tuple(
            DigitalProcedure(r["node_id"], r["procedure"], r["status"], int(r["year"]), r["from_date"], _cite(r, sources))
            for _, r in procs.iterrows()
        ),
    )  # fmt: skip
