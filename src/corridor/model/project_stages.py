"""Projects named in the sources, the stages each has reached (with date and source), and the network a stage opens.

A project's stage is data: idea → memorandum → feasibility → financed → under_construction → operating, or
suspended/stalled. :func:`network_with_stages` keeps only the planned rows of projects at or beyond a stage, so
``--include-stage feasibility`` counts projects that have at least a feasibility study; :func:`switch_on` opens
one project's rows from a chosen year, as a scenario would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from corridor.errors import DataError, Problem
from corridor.model.network import Network
from corridor.schema.enums import ProjectStage, Status

__all__ = [
    "Project",
    "ProjectRegister",
    "StageEvent",
    "network_with_stages",
    "open_rows",
    "parse_stage",
    "rows_of_projects",
    "switch_on",
]

_ELEMENT_TABLES = ("links", "nodes", "transfers", "projects")


@dataclass(frozen=True)
class StageEvent:
    """One stage a project reached: when, and who says so (or why it is assumed)."""

    stage: ProjectStage
    year: int
    date: str | None
    source_id: str | None
    source_title: str | None
    quote: str | None
    assumption: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "stage": self.stage.value,
            "year": self.year,
            "date": self.date,
            "source_id": self.source_id,
            "source": self.source_title,
            "quote": self.quote,
            "assumption": self.assumption,
        }


@dataclass(frozen=True)
class Project:
    """A project with the dataset rows it opens and its stages, oldest first."""

    project_id: str
    name: str
    kind: str
    countries: tuple[str, ...]
    elements: tuple[tuple[str, str], ...]
    description: str
    stages: tuple[StageEvent, ...]

    def stage_as_of(self, year: int | None = None) -> StageEvent | None:
        """The latest stage reached by *year* (default: the latest known)."""
        seen = [s for s in self.stages if year is None or s.year <= year]
        return seen[-1] if seen else None

    @property
    def stage(self) -> ProjectStage | None:
        last = self.stage_as_of()
        return None if last is None else last.stage

    def to_dict(self) -> dict[str, object]:
        last = self.stage_as_of()
        return {
            "project_id": self.project_id,
            "name": self.name,
            "kind": self.kind,
            "countries": list(self.countries),
            "stage": None if last is None else last.stage.value,
            "stage_year": None if last is None else last.year,
            "elements": [f"{t}:{i}" for t, i in self.elements],
            "description": self.description,
            "stages": [s.to_dict() for s in self.stages],
        }


class ProjectRegister(dict[str, Project]):
    """Projects by id, with filters by stage and country."""

    def select(
        self, *, stages: Iterable[str] = (), countries: Iterable[str] = (), as_of_year: int | None = None
    ) -> list[Project]:
        """Projects whose stage (by *as_of_year*) is one of *stages* and that lie in one of *countries* (empty: any)."""
        wanted = {parse_stage(s, "--status") for s in stages}
        where = {c.strip().upper() for c in countries if c.strip()}
        out = []
        for p in self.values():
            last = p.stage_as_of(as_of_year)
            if wanted and (last is None or last.stage not in wanted):
                continue
            if where and not where & set(p.countries):
                continue
            out.append(p)
        return sorted(out, key=lambda p: (-(p.stage.rank if p.stage else -1), p.project_id))

    def get_project(self, project_id: str) -> Project:
        """The project called *project_id*; names the known ids otherwise."""
        if project_id not in self:
            raise DataError(Problem("project_register.csv", None, "project_id", project_id, f"one of {', '.join(sorted(self))}"))
        return self[project_id]


def parse_stage(value: str | ProjectStage, field: str = "stage") -> ProjectStage:
    """A stage from its name; names the allowed stages otherwise."""
    try:
        return ProjectStage(str(value).strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        raise DataError(Problem("(query)", None, field, value, f"one of {', '.join(s.value for s in ProjectStage)}")) from None


def _rows_of(net: Network, table: str, ids: set[str]) -> pd.Series:
    frame = getattr(net, table)
    if table == "projects":
        return frame["project_id"].isin(ids)
    if "base_id" in frame.columns:
        return frame["base_id"].isin(ids)
    return pd.Series(frame.index.isin(list(ids)), index=frame.index)


def _ids(projects: Iterable[Project]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {t: set() for t in _ELEMENT_TABLES}
    for p in projects:
        for table, rid in p.elements:
            out.setdefault(table, set()).add(rid)
    return out


def network_with_stages(net: Network, register: ProjectRegister, include_stage: str | ProjectStage) -> Network:
    """*net* without the rows of registered projects below *include_stage* (their rows never open).

    Rows of projects at or beyond the stage keep their status and opening year, so a year view with
    ``include_planned=True`` counts them; planned rows that belong to no registered project are left as they are.
    """
    threshold = parse_stage(include_stage, "include_stage")
    below = [p for p in register.values() if p.stage is None or p.stage.rank < threshold.rank]
    keep = {p.project_id for p in register.values()} - {p.project_id for p in below}
    drop = _ids(below)
    for rid in set().union(*_ids(register[k] for k in keep).values()):
        for table in drop:
            drop[table].discard(rid)
    changes = {t: getattr(net, t)[~_rows_of(net, t, ids)] for t, ids in drop.items() if ids}
    return net.replace(**changes) if changes else net


def rows_of_projects(register: ProjectRegister, projects: Mapping[str, int]) -> tuple[tuple[str, str, int], ...]:
    """(table, row id, year) of every row the named projects open, each from its project's year."""
    out = []
    for project_id, year in projects.items():
        project = register.get_project(project_id)
        if not project.elements:
            raise DataError(Problem("project_register.csv", None, "elements", project_id, "rows the project opens"))
        out += [(table, rid, int(year)) for table, rid in project.elements]
    return tuple(out)


def open_rows(net: Network, rows: Iterable[tuple[str, str, int]]) -> Network:
    """*net* with each (table, row id, year) row operating from that year."""
    changes: dict[str, pd.DataFrame] = {}
    for table, rid, year in rows:
        frame = changes.get(table, getattr(net, table)).copy()
        mask = _rows_of(net.replace(**{table: frame}), table, {rid})
        frame.loc[mask, "status"] = Status.OPERATING
        frame.loc[mask, "open_year"] = int(year)
        changes[table] = frame
    return net.replace(**changes) if changes else net


def switch_on(net: Network, register: ProjectRegister, projects: Mapping[str, int]) -> Network:
    """*net* with each named project's rows operating from the given year (a scenario's "switch on from year")."""
    return open_rows(net, rows_of_projects(register, projects))
