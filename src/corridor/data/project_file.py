"""Load the project register and its stages (``project_register.csv`` and ``project_stages.csv``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from corridor.data.side_tables import check_cited, raise_if, read_side_table, side_folder
from corridor.errors import Problem
from corridor.model import Network
from corridor.model.project_stages import Project, ProjectRegister, StageEvent

__all__ = ["read_projects"]

_TABLES = ("links", "nodes", "transfers", "projects")


def read_projects(path: str | Path | None = None, *, net: Network | None = None) -> ProjectRegister:
    """Every project with its stages, oldest first; with *net*, each element must name a row of that network.

    Raises :class:`~corridor.errors.DataError` listing every problem (file, line, field, value, expected).
    """
    folder = side_folder(path)
    problems: list[Problem] = []
    register = read_side_table(folder, "project_register", problems)
    stages = read_side_table(folder, "project_stages", problems)
    sources = _sources(folder, net)
    check_cited(stages, "project_stages.csv", set(sources), problems)
    known = set(register["project_id"].dropna())
    for _, row in stages.iterrows():
        if row["project_id"] and row["project_id"] not in known:
            line, pid = int(row["_line"]), row["project_id"]
            problems.append(Problem("project_stages.csv", line, "project_id", pid, "a project_id of project_register.csv"))
    elements = {pid: _elements(row, net, problems) for pid, row in register.set_index("project_id", drop=False).iterrows()}
    raise_if(problems)
    out = ProjectRegister()
    for _, row in register.iterrows():
        pid = row["project_id"]
        mine = stages[stages["project_id"] == pid].sort_values(["stage_year", "_line"])
        events = tuple(
            StageEvent(
                stage=s["stage"],
                year=int(s["stage_year"]),
                date=s["stage_date"],
                source_id=s["source_id"],
                source_title=sources.get(s["source_id"]) if s["source_id"] else None,
                quote=s["quote"],
                assumption=s["assumption"],
            )
            for _, s in mine.iterrows()
        )
        out[pid] = Project(pid, row["name"], row["kind"], tuple(row["countries"]), elements[pid], row["description"], events)
    return out


def _sources(folder: Path, net: Network | None) -> dict[str, str]:
    if net is not None:
        return {str(k): str(v) for k, v in net.sources["title"].items()}
    frame = pd.read_csv(folder / "sources.csv", dtype=str, keep_default_na=False) if (folder / "sources.csv").exists() else None
    return {} if frame is None else dict(zip(frame["source_id"], frame["title"], strict=True))


def _elements(row: pd.Series, net: Network | None, problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    out = []
    for item in row["elements"] or ():
        table, _, rid = str(item).partition(":")
        line = int(row["_line"])
        if table not in _TABLES or not rid:
            expected = f"table:id with table one of {', '.join(_TABLES)}"
            problems.append(Problem("project_register.csv", line, "elements", item, expected))
            continue
        if net is not None and not _exists(net, table, rid):
            problems.append(Problem("project_register.csv", line, "elements", item, f"an id of {table}.csv"))
            continue
        out.append((table, rid))
    return tuple(out)


def _exists(net: Network, table: str, rid: str) -> bool:
    frame = getattr(net, table)
    if table == "projects":
        return bool((frame["project_id"] == rid).any())
    if "base_id" in frame.columns:
        return bool((frame["base_id"] == rid).any())
    return rid in frame.index
