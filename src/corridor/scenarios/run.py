"""Run scenarios year by year: each year's network, then the engines on it (freight assignment, energy flows).

:func:`run_year` builds the network a scenario sees in one year and runs every engine the scenario asks for;
:func:`run_scenario` repeats it over years. The results say where capacity binds (volume/capacity, delay, the year
each bottleneck saturates), how freight splits between corridors and what energy is shipped or stranded.

Every numeric column carries its unit in its name: freight in ``..._t_per_year``, energy in its commodity's unit
(``..._t_per_year`` for oil, ``..._bcm_per_year`` for gas), ``delay_h``; ratios are ``vc_ratio`` (volume over
capacity) and shares ``share_fraction`` (0 to 1, never percent).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from corridor.assignment.energy import EnergyFlowResult, solve_energy_flows
from corridor.assignment.freight import FreightResult, assign_freight
from corridor.data.allocation_files import allocation_path, read_allocation
from corridor.errors import DataError, Problem
from corridor.graph import year_graph
from corridor.model import Network
from corridor.model.scenario import Scenario
from corridor.scenarios.energy_cases import AllocatedEnergy, solve_case
from corridor.units import per_year

__all__ = [
    "SATURATED_VC",
    "SATURATION_COLUMNS",
    "SHARE_COLUMNS",
    "ScenarioRun",
    "YearResult",
    "diff_runs",
    "run_scenario",
    "run_year",
    "scenario_key",
]

SATURATED_VC = 0.95  # where the queue function turns linear: beyond it the facility is over capacity
SHARE_COLUMNS = ["year", "corridor", "flow_t_per_year", "share_fraction"]
SATURATION_COLUMNS = ["id", "name", "capacity_t_per_year", "saturation_year", "max_vc_ratio", "max_vc_year"]


def _wide(shares: pd.DataFrame, value: str) -> pd.DataFrame:
    """A long year/corridor table as one row per year and one column per corridor (missing corridors 0)."""
    if shares.empty:
        return pd.DataFrame(index=pd.Index([], name="year"))
    return (
        shares.pivot_table(index="year", columns="corridor", values=value, aggfunc="sum", sort=False)
        .fillna(0.0)
        .rename_axis(columns=None)
    )


@dataclass
class YearResult:
    """One year of a scenario: the freight equilibrium and the energy flows (None when the scenario has none).

    ``allocations`` holds each named allocation case (crude, gas) by case name, with flows by route and
    terminal; ``energy`` keeps its old meaning, the flows of the scenario's energy cargo (from the first
    allocation case of that cargo when the scenario names cases).
    """

    scenario: str
    year: int
    freight: FreightResult
    energy: EnergyFlowResult | None
    allocations: dict[str, AllocatedEnergy] = field(default_factory=dict)

    @property
    def demand_t(self) -> float:
        return self.freight.demand_t

    @property
    def links(self) -> pd.DataFrame:
        return self.freight.links

    @property
    def bottlenecks(self) -> pd.DataFrame:
        return self.freight.bottlenecks

    @property
    def shares(self) -> pd.DataFrame:
        return self.freight.shares

    @property
    def unmet_t(self) -> float:
        return self.freight.unmet_t

    @property
    def relative_gap(self) -> float:
        return self.freight.relative_gap

    def to_dict(self) -> dict:
        """JSON-ready year: demand and unmet freight (t/yr), convergence, bottlenecks, shares, energy."""
        return {
            "scenario": self.scenario,
            "year": self.year,
            "demand_t_per_year": self.demand_t,
            "unmet_t_per_year": self.unmet_t,
            "relative_gap": self.relative_gap,
            "bottlenecks": self.bottlenecks.head(15).to_dict(orient="records"),
            "corridor_shares": self.shares.to_dict(orient="records"),
            "energy": None if self.energy is None else self.energy.to_dict(),
            "energy_allocations": {k: v.to_dict() for k, v in self.allocations.items()},
        }


def _allocations(view: Network, scenario: Scenario) -> tuple[EnergyFlowResult | None, dict[str, AllocatedEnergy]]:
    """The scenario's allocation cases on the year's network, and the first of its energy cargo as flows."""
    e = scenario.energy
    assert e is not None
    out, flows = {}, None
    for name in e.allocations:
        path = allocation_path(name)
        if path is None:
            raise DataError(Problem(scenario.file, None, "energy.allocation", name, "a shipped case or a TOML file"))
        case = read_allocation(path)
        solved = solve_case(view, case, quotas=e.quotas, customs=scenario.customs)
        out[case.name] = solved
        if flows is None and case.cargo == e.cargo:
            flows = solved.as_flow_result(year_graph(view, case.cargo, customs=scenario.customs))
    return flows, out


def _energy(view: Network, scenario: Scenario, year: int) -> EnergyFlowResult | None:
    """The scenario's least-cost energy case on the year's network; supplies must be open that year."""
    e = scenario.energy
    if e is None or not e.supplies:
        return None
    g = year_graph(view, e.cargo, customs=scenario.customs)
    missing = [n for n in e.supplies if n not in g.origin_gate]
    if missing:
        raise DataError(Problem(scenario.file, None, "energy.supplies", ", ".join(missing), f"nodes open in {year}"))
    sinks = {k: v for k, v in e.sinks.items() if k in g.dest_gate}
    quotas = {k: v for k, v in e.quotas.items() if k in set(g.base)}
    return solve_energy_flows(g, supplies=e.supplies, sinks=sinks, max_flow=quotas)


def run_year(net: Network, scenario: Scenario, year: int) -> YearResult:
    """Freight assignment and energy flows of one scenario year (computed once per network, scenario and year).

    Results are kept on the (read-only) network keyed by the scenario's full contents, so a dashboard, a notebook or
    a test asking again gets the same tables without re-running the equilibrium; treat them as read-only.
    """
    return net.derived(("run_year", scenario_key(scenario), int(year)), lambda: _run_year(net, scenario, int(year)))


def scenario_key(scenario: Scenario) -> str:
    """A digest of the scenario's full contents, for keeping results derived from it (a name alone can be reused)."""
    return hashlib.sha256(repr(scenario).encode()).hexdigest()


def _run_year(net: Network, scenario: Scenario, year: int) -> YearResult:
    scenario.validate(net, [year])
    view = scenario.network_for(net, year)
    freight = assign_freight(view, scenario.demand, year, customs=scenario.customs)
    if scenario.energy is not None and scenario.energy.allocations:
        flows, allocations = _allocations(view, scenario)
        return YearResult(scenario.name, year, freight, flows, allocations)
    return YearResult(scenario.name, year, freight, _energy(view, scenario, year))


@dataclass
class ScenarioRun:
    """A scenario run over several years, as tables (write them with :func:`corridor.data.results.write_run`)."""

    scenario: Scenario
    years: list[YearResult]

    @property
    def name(self) -> str:
        return self.scenario.name

    def shares_table(self) -> pd.DataFrame:
        """Freight by corridor and year, one row each: year, corridor, flow_t_per_year, share_fraction."""
        frames = [y.shares.assign(year=y.year) for y in self.years if len(y.shares)]
        if not frames:
            return pd.DataFrame(columns=SHARE_COLUMNS)
        return pd.concat(frames, ignore_index=True)[SHARE_COLUMNS]

    def shares_by_year(self) -> pd.DataFrame:
        """:meth:`shares_table` as share fractions by year (rows: years, columns: corridors), for display."""
        return _wide(self.shares_table(), "share_fraction")

    def bottleneck_table(self) -> pd.DataFrame:
        """Every capacity-limited link or facility per year: flow, capacity, v/c, delay."""
        frames = [y.bottlenecks.assign(year=y.year) for y in self.years if len(y.bottlenecks)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def saturation(self, threshold: float = SATURATED_VC) -> pd.DataFrame:
        """For each bottleneck: the first year its v/c reaches *threshold* (``saturation_year``, None if never), worst
        v/c (``max_vc_ratio``) and its year."""
        table = self.bottleneck_table()
        if table.empty:
            return pd.DataFrame(columns=SATURATION_COLUMNS)
        out = []
        for key, grp in table.groupby("id"):
            grp = grp.sort_values("year")
            hit = grp[grp["vc_ratio"] >= threshold]
            worst = grp.loc[grp["vc_ratio"].idxmax()]
            out.append(
                {
                    "id": key,
                    "name": worst["name"],
                    "capacity_t_per_year": worst["capacity_t_per_year"],
                    "saturation_year": int(hit["year"].iloc[0]) if len(hit) else None,
                    "max_vc_ratio": float(worst["vc_ratio"]),
                    "max_vc_year": int(worst["year"]),
                }
            )
        frame = pd.DataFrame(out, columns=SATURATION_COLUMNS)
        frame["_order"] = frame["saturation_year"].fillna(10**6)
        return (
            frame.sort_values(["_order", "max_vc_ratio"], ascending=[True, False]).drop(columns="_order").reset_index(drop=True)
        )

    def energy_table(self) -> pd.DataFrame:
        """Energy supply, exports by terminal and stranded volume by year, named with the commodity's unit
        (``supply_t_per_year``, ``to_ceyhan_t_per_year``, ``stranded_bcm_per_year``...)."""
        rows = []
        for y in self.years:
            e = y.energy
            if e is None:
                continue
            u = e.unit
            row = {"year": y.year, per_year("supply", u): e.supply, per_year("shipped", u): e.shipped}
            row[per_year("stranded", u)] = e.stranded_total
            row.update({per_year(f"to_{r['terminal']}", u): r[e.flow_column] for _, r in e.sinks.iterrows()})
            rows.append(row)
        return pd.DataFrame(rows).set_index("year").fillna(0.0) if rows else pd.DataFrame()

    def energy_routes_table(self) -> pd.DataFrame:
        """Flows by allocation case and route, by year, with the published split where the case has one."""
        frames = [
            a.split().assign(year=y.year, case=name, unit=a.result.unit) for y in self.years for name, a in y.allocations.items()
        ]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The run's result tables by name: bottlenecks, saturation, shares, energy and energy routes."""
        out = {
            "bottlenecks": self.bottleneck_table(),
            "saturation": self.saturation(),
            "shares": self.shares_table(),
            "energy": self.energy_table().reset_index(),
        }
        routes = self.energy_routes_table()
        if len(routes):
            out["energy_routes"] = routes
        return out

    def flows(self) -> dict[int, pd.DataFrame]:
        """Loaded and capacity-limited arcs by year (the ``arc`` column names the directed link)."""
        return {y.year: y.links for y in self.years}


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
    """Differences B - A by year: corridor shares (year, corridor, ``a_share_fraction``, ``b_share_fraction``,
    ``change_share_fraction``), bottleneck v/c (``a_vc_ratio``, ``b_vc_ratio``, ``change_vc_ratio``), energy exports
    and stranded volumes (the columns of :meth:`ScenarioRun.energy_table`)."""
    keys = ["year", "corridor"]
    sa = a.shares_table()[[*keys, "share_fraction"]].rename(columns={"share_fraction": "a_share_fraction"})
    sb = b.shares_table()[[*keys, "share_fraction"]].rename(columns={"share_fraction": "b_share_fraction"})
    shares = sa.merge(sb, on=keys, how="outer")
    shares[["a_share_fraction", "b_share_fraction"]] = shares[["a_share_fraction", "b_share_fraction"]].fillna(0.0)
    shares["change_share_fraction"] = shares["b_share_fraction"] - shares["a_share_fraction"]
    shares = shares.sort_values(["year", "change_share_fraction"], ascending=[True, False], ignore_index=True)
    ba, bb = a.bottleneck_table(), b.bottleneck_table()
    if len(ba) and len(bb):
        m = ba.merge(bb, on=["id", "year"], how="outer", suffixes=("_a", "_b"))
        m = m.rename(columns={"vc_ratio_a": "a_vc_ratio", "vc_ratio_b": "b_vc_ratio"})
        m["change_vc_ratio"] = m["b_vc_ratio"].fillna(0) - m["a_vc_ratio"].fillna(0)
        m["name"] = m["name_b"].fillna(m["name_a"])
        cols = ["year", "id", "name", "a_vc_ratio", "b_vc_ratio", "change_vc_ratio"]
        bott = m[cols].sort_values(["year", "change_vc_ratio"], ascending=[True, False])
    else:
        bott = pd.DataFrame()
    ea, eb = a.energy_table(), b.energy_table()
    energy = eb.subtract(ea, fill_value=0.0) if len(ea) and len(eb) else pd.DataFrame()
    return {"shares": shares, "bottlenecks": bott.reset_index(drop=True), "energy": energy}
