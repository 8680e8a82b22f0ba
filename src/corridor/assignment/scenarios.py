"""Run scenarios: freight assignment on the corridor network plus the energy LP, year by year.

:func:`run_year` equilibrates the scenario's freight demand (tonnes per year, generalised cost in USD per
tonne: charges + value of time x hours, with queueing delay where ports, ferries and crossings near capacity)
and ships the energy case; :func:`run_scenario` repeats it over years and reports the bottlenecks (volume /
capacity, delay, the year each saturates), the corridor shares and the energy route shares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from corridor.assignment.energy import EnergyFlowResult, solve_energy_flows
from corridor.assignment.equilibrium import AssignmentClass, assign
from corridor.assignment.vdf import BPR, QUEUE
from corridor.errors import DataError, Problem
from corridor.graph import ArcKind, CompiledGraph, arc_mask, compile_graph
from corridor.model import CargoClass, Network
from corridor.model.scenario import Scenario

__all__ = ["ScenarioRun", "YearResult", "classify_route", "diff_runs", "run_scenario", "run_year"]

SATURATED_VC = 0.95  # where the queue function turns linear: beyond it the facility is over capacity


@dataclass
class YearResult:
    """One year of a scenario."""

    scenario: str
    year: int
    demand_t: float
    links: pd.DataFrame  # one row per capacity-limited or loaded arc
    bottlenecks: pd.DataFrame  # one row per link or facility with a capacity, worst v/c first
    shares: pd.DataFrame  # corridor, flow_t, share
    unmet_t: float
    relative_gap: float
    energy: EnergyFlowResult | None

    def to_dict(self) -> dict:
        return {
            "scenario": self.scenario,
            "year": self.year,
            "demand_t": self.demand_t,
            "unmet_t": self.unmet_t,
            "relative_gap": self.relative_gap,
            "bottlenecks": self.bottlenecks.head(15).to_dict(orient="records"),
            "corridor_shares": self.shares.to_dict(orient="records"),
            "energy": None if self.energy is None else self.energy.to_dict(),
        }


def classify_route(nodes: Iterable[str], corridors: pd.DataFrame) -> str:
    """Name of the first corridor (in table order) whose required node groups the route passes."""
    passed = set(nodes)
    for _cid, row in corridors.iterrows():
        groups = [{n.strip() for n in g.split(";") if n.strip()} for g in (row["via_any"] or "").split("|") if g.strip()]
        if groups and all(passed & g for g in groups) and not passed & set(row["avoid_nodes"] or ()):
            return str(row["name"])
    return "other"


def _freight(view: Network, scenario: Scenario, year: int, g: CompiledGraph) -> tuple:
    t_unit = g.t_per_unit
    vot = view.parameter("value_of_time_usd_per_teu_h") / view.parameter("t_per_teu")
    time_h = np.maximum(g.moving_h + g.waiting_h, 0.0)
    capacity = g.capacity * t_unit
    limited = np.isfinite(capacity) & (capacity > 0)
    queue = limited & (np.isin(g.capacity_of, ["border", "node", "transfer"]) | np.isin(g.mode, ["ferry", "sea"]))
    kind = np.where(queue, QUEUE, BPR).astype(np.int64)
    alpha = np.where(limited, np.where(queue, view.parameter("vdf_queue_j"), view.parameter("vdf_bpr_alpha")), 0.0)
    beta = np.where(queue, view.parameter("vdf_queue_mu"), view.parameter("vdf_bpr_beta"))
    t0 = vot * np.where(limited, np.maximum(time_h, 0.1), time_h)
    fixed = g.cost_usd / t_unit
    cap = np.where(limited, capacity, 0.0)
    zones: list[int] = []
    index: dict[int, int] = {}

    def zone(v: int) -> int:
        if v not in index:
            index[v] = len(zones)
            zones.append(v)
        return index[v]

    pairs = []
    for d in scenario.demand:
        o, t = view.resolve(d.origin), view.resolve(d.destination)
        pairs.append((d, zone(g.origin_gate[o]), zone(g.dest_gate[t])))
    classes = []
    for d, zo, zd in pairs:
        mat = np.zeros((len(zones), len(zones)))
        mat[zo, zd] = d.at(year)
        allowed = arc_mask(g, avoid_countries=frozenset(d.avoid_countries))
        classes.append(AssignmentClass(d.id, mat, allowed=allowed))
    result = assign(
        g.n_vertices,
        g.tails,
        g.indices,
        t0,
        cap,
        classes,
        alpha=alpha,
        beta=beta,
        vdf_kind=kind,
        fixed_cost=fixed,
        zone_nodes=np.array(zones, dtype=np.int64),
        rgap=1e-6,
        max_iter=400,
        track_routes=True,
    )
    flows = result.flows
    cost = result.costs
    delay_h = np.where(vot > 0, (cost - fixed - t0) / vot, 0.0)
    names = view.nodes["name"]
    rows = []
    for a in np.flatnonzero((flows > 1e-6) | limited):
        if g.kind[a] == ArcKind.GATE:
            continue
        tail, head = str(g.vertex_node[g.tails[a]]), str(g.vertex_node[g.indices[a]])
        rows.append(
            {
                "arc": str(g.ref[a]),
                "id": str(g.base[a]),
                "mode": str(g.mode[a]),
                "from": names[tail],
                "to": names[head],
                "from_node": tail,
                "to_node": head,
                "flow_t": float(flows[a]),
                "capacity_t": float(capacity[a]) if limited[a] else np.nan,
                "limited_by": str(g.capacity_of[a]),
                "vc": float(flows[a] / capacity[a]) if limited[a] else np.nan,
                "delay_h": float(max(delay_h[a], 0.0)),
            }
        )
    links = pd.DataFrame(rows)
    bottlenecks = _bottlenecks(links)
    shares_rows: dict[str, float] = {}
    routes = result.route_shares
    if routes is not None and len(routes):
        inv = {v: k for k, v in index.items()}
        for _, r in routes.iterrows():
            passed = {str(g.vertex_node[g.tails[a]]) for a in r["links"]} | {str(g.vertex_node[inv[int(r["destination"])]])}
            label = classify_route(passed, view.corridors)
            shares_rows[label] = shares_rows.get(label, 0.0) + float(r["flow"])
    total = sum(shares_rows.values())
    shares = pd.DataFrame(
        [
            {"corridor": k, "flow_t": v, "share": v / total if total else 0.0}
            for k, v in sorted(shares_rows.items(), key=lambda kv: -kv[1])
        ],
        columns=["corridor", "flow_t", "share"],
    )
    return links, bottlenecks, shares, result.unassigned_demand, result.relative_gap


def _bottlenecks(links: pd.DataFrame) -> pd.DataFrame:
    cols = ["id", "limited_by", "name", "flow_t", "capacity_t", "vc", "delay_h"]
    if links.empty:
        return pd.DataFrame(columns=cols)
    lim = links[links["capacity_t"].notna()].copy()
    if lim.empty:
        return pd.DataFrame(columns=cols)
    facility = lim["limited_by"].isin(["border", "node"])
    lim["name"] = np.where(facility, lim["to"], lim["from"] + " → " + lim["to"] + " (" + lim["mode"] + ")")
    lim["key"] = np.where(facility, lim["to_node"], lim["id"])
    worst = lim.sort_values("vc", ascending=False).drop_duplicates("key")
    worst = worst.assign(id=worst["key"])
    return worst[cols].reset_index(drop=True)


def run_year(net: Network, scenario: Scenario, year: int) -> YearResult:
    """Freight assignment and energy flows of one scenario year."""
    scenario.validate(net)
    view = scenario.network_for(net, year)
    demand = float(sum(d.at(year) for d in scenario.demand))
    links = bottlenecks = shares = pd.DataFrame()
    unmet, gap = 0.0, 0.0
    if scenario.demand:
        g = compile_graph(view, CargoClass.CONTAINER, customs=scenario.customs)
        links, bottlenecks, shares, unmet, gap = _freight(view, scenario, year, g)
    energy = None
    if scenario.energy is not None:
        e = scenario.energy
        ge = compile_graph(view, e.cargo, customs=scenario.customs)
        missing = [n for n in e.supplies if n not in ge.origin_gate]
        if missing:
            raise DataError(Problem(scenario.file, None, "energy.supplies", ", ".join(missing), f"nodes open in {year}"))
        sinks = {k: v for k, v in e.sinks.items() if k in ge.dest_gate}
        quotas = {k: v for k, v in e.quotas.items() if k in set(ge.base)}
        energy = solve_energy_flows(ge, supplies=e.supplies, sinks=sinks, max_flow=quotas)
    return YearResult(scenario.name, year, demand, links, bottlenecks, shares, unmet, gap, energy)


@dataclass
class ScenarioRun:
    """A scenario run over several years."""

    scenario: Scenario
    years: list[YearResult]

    def shares_table(self) -> pd.DataFrame:
        """Corridor shares of freight by year (rows: years, columns: corridors)."""
        rows = [{"year": y.year, **{r["corridor"]: r["share"] for _, r in y.shares.iterrows()}} for y in self.years]
        return pd.DataFrame(rows).set_index("year").fillna(0.0)

    def bottleneck_table(self) -> pd.DataFrame:
        """Every capacity-limited link or facility per year: flow, capacity, v/c, delay."""
        frames = [y.bottlenecks.assign(year=y.year) for y in self.years if len(y.bottlenecks)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def saturation(self, threshold: float = SATURATED_VC) -> pd.DataFrame:
        """For each bottleneck: the first year its v/c reaches *threshold* (None if never), worst v/c and year."""
        table = self.bottleneck_table()
        if table.empty:
            return pd.DataFrame(columns=["id", "name", "capacity_t", "saturates_in", "max_vc", "max_vc_year"])
        out = []
        for key, grp in table.groupby("id"):
            grp = grp.sort_values("year")
            hit = grp[grp["vc"] >= threshold]
            worst = grp.loc[grp["vc"].idxmax()]
            out.append(
                {
                    "id": key,
                    "name": worst["name"],
                    "capacity_t": worst["capacity_t"],
                    "saturates_in": int(hit["year"].iloc[0]) if len(hit) else None,
                    "max_vc": float(worst["vc"]),
                    "max_vc_year": int(worst["year"]),
                }
            )
        frame = pd.DataFrame(out)
        frame["_order"] = frame["saturates_in"].fillna(10**6)
        return frame.sort_values(["_order", "max_vc"], ascending=[True, False]).drop(columns="_order").reset_index(drop=True)

    def energy_table(self) -> pd.DataFrame:
        """Energy exports by terminal and stranded volume, by year."""
        rows = []
        for y in self.years:
            if y.energy is None:
                continue
            row = {"year": y.year, "supply": y.energy.supply, "shipped": y.energy.shipped, "stranded": y.energy.stranded_total}
            row.update({f"to_{r['terminal']}": r["flow"] for _, r in y.energy.sinks.iterrows()})
            rows.append(row)
        return pd.DataFrame(rows).set_index("year").fillna(0.0) if rows else pd.DataFrame()

    def write(self, folder: str, *, format: str = "csv", geometry: Callable[[str], list] | None = None) -> list[str]:
        """Write the tables (csv or parquet) or the link flows (geojson, one file per year) into *folder*."""
        import os

        os.makedirs(folder, exist_ok=True)
        written = []
        if format == "geojson":
            if geometry is None:
                raise DataError(Problem("(output)", None, "format", format, "a network to take link geometry from"))
            import json

            for y in self.years:
                feats = [
                    {
                        "type": "Feature",
                        "geometry": {"type": "LineString", "coordinates": [list(p) for p in geometry(r["arc"])]},
                        "properties": {k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()},
                    }
                    for _, r in y.links.iterrows()
                    if r["mode"] != "transfer"
                ]
                path = os.path.join(folder, f"{self.scenario.name}_flows_{y.year}.geojson")
                with open(path, "w", encoding="utf-8") as fh:
                    json.dump({"type": "FeatureCollection", "features": feats}, fh)
                written.append(path)
            return written
        tables = {
            "bottlenecks": self.bottleneck_table(),
            "saturation": self.saturation(),
            "shares": self.shares_table().reset_index(),
            "energy": self.energy_table().reset_index(),
        }
        for name, frame in tables.items():
            path = os.path.join(folder, f"{self.scenario.name}_{name}.{'parquet' if format == 'parquet' else 'csv'}")
            if format == "parquet":
                frame.to_parquet(path, index=False)
            elif format == "csv":
                frame.to_csv(path, index=False)
            else:
                raise DataError(Problem("(output)", None, "format", format, "csv, parquet or geojson"))
            written.append(path)
        return written


def run_scenario(
    net: Network, scenario: Scenario, years: Iterable[int], progress: Callable[[int], None] | None = None
) -> ScenarioRun:
    """Run *scenario* for each year; *progress* is called after each year."""
    out = []
    for y in years:
        out.append(run_year(net, scenario, y))
        if progress:
            progress(y)
    return ScenarioRun(scenario, out)


def diff_runs(a: ScenarioRun, b: ScenarioRun) -> dict[str, pd.DataFrame]:
    """Differences B - A by year: corridor shares, bottleneck v/c, energy exports and stranded volumes."""
    sa, sb = a.shares_table(), b.shares_table()
    shares = sb.subtract(sa, fill_value=0.0)
    ba, bb = a.bottleneck_table(), b.bottleneck_table()
    if len(ba) and len(bb):
        m = ba.merge(bb, on=["id", "year"], how="outer", suffixes=("_a", "_b"))
        m["vc_change"] = m["vc_b"].fillna(0) - m["vc_a"].fillna(0)
        m["name"] = m["name_b"].fillna(m["name_a"])
        bott = m[["year", "id", "name", "vc_a", "vc_b", "vc_change"]].sort_values(["year", "vc_change"], ascending=[True, False])
    else:
        bott = pd.DataFrame()
    ea, eb = a.energy_table(), b.energy_table()
    energy = eb.subtract(ea, fill_value=0.0) if len(ea) and len(eb) else pd.DataFrame()
    return {"shares": shares, "bottlenecks": bott.reset_index(drop=True), "energy": energy}
