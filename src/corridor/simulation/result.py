"""Simulation results as tables: door-to-door distributions, delay components, queues, assumptions, GeoJSON."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from corridor.simulation.engine import Replication
from corridor.simulation.load import LOAD_COLUMNS, offered_load, over_capacity_by_route
from corridor.simulation.plan import COMPONENTS, Plan

__all__ = ["PERCENTILES", "SimulationResult", "collect"]

PERCENTILES = (10, 50, 90, 99)
_COMP_H = [f"{c}_h" for c in COMPONENTS]
_MONTH_START_H = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]) * 24.0


@dataclass
class SimulationResult:
    """Every delivered train of every replication, facility statistics and the parameters used."""

    scenario: str
    year: int
    days: float
    replications: int
    seed: int
    executor: str
    routes: pd.DataFrame
    trains: pd.DataFrame
    facilities: pd.DataFrame
    assumptions: pd.DataFrame
    generated: int
    in_system: int
    events: int
    coords: dict[str, tuple[float, float]] = field(default_factory=dict, repr=False)
    pair: tuple[str, str] | None = None  # the corridor tables' origin-destination pair (None: every pair)
    not_simulated: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)  # flows that are not trains
    offered_load: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LOAD_COLUMNS), repr=False)

    def over_capacity(self) -> pd.DataFrame:
        """Facilities whose trains ask more than they can serve in a year (load ratio > 1): queues grow there."""
        return self.offered_load[self.offered_load["load_ratio"] > 1.0].reset_index(drop=True)

    def _pick(self, cargo: str | None, pair: bool = False) -> pd.DataFrame:
        """Trains of *cargo* (``None``: all, ``"bulk"``: every non-container class), of :attr:`pair` if *pair*."""
        t = self.trains
        if cargo == "bulk":
            t = t[t["cargo"] != "container"]
        elif cargo is not None:
            t = t[t["cargo"] == cargo]
        if pair and self.pair is not None:
            t = t[(t["origin"] == self.pair[0]) & (t["destination"] == self.pair[1])]
        return t

    # ---------------------------------------------------------- distributions
    def _distribution(self, keys: Sequence[str], cargo: str | None, pair: bool) -> pd.DataFrame:
        t = self._pick(cargo, pair)
        cols = [*keys, *(f"p{p}_days" for p in PERCENTILES), "mean_days", "trains", "teu"]
        if t.empty:
            return pd.DataFrame(columns=[*cols, "over_capacity"])
        days = t["door_to_door_h"] / 24.0
        g = days.groupby([t[k] for k in keys])
        out = pd.DataFrame({f"p{p}_days": g.quantile(p / 100.0) for p in PERCENTILES})
        out["mean_days"] = g.mean()
        out["trains"] = g.count() / self.replications
        out["teu"] = t.groupby([t[k] for k in keys])["teu"].sum() / self.replications
        if "over_capacity" in self.routes.columns:  # the over-capacity facilities these trains pass
            passed = self.routes.set_index("route")["over_capacity"]
            by = t["route"].map(passed).fillna("").groupby([t[k] for k in keys])
            out["over_capacity"] = by.agg(lambda v: ";".join(dict.fromkeys(x for s in v.unique() for x in s.split(";") if x)))
        else:
            out["over_capacity"] = ""
        return out.reset_index()[[*cols, "over_capacity"]].sort_values("p50_days", ignore_index=True)

    def corridors_frame(self, cargo: str | None = "container") -> pd.DataFrame:
        """Per corridor: door-to-door p10/p50/p90/p99 and mean days, trains and TEU delivered in the simulated
        period, for the result's origin-destination :attr:`pair` (probe and scenario trains of that pair; every pair
        when None), and ``over_capacity``: the facilities on the way whose load ratio exceeds 1 (queues grow there)."""
        return self._distribution(["corridor_id"], cargo, pair=cargo == "container")

    def od_frame(self, cargo: str | None = "container") -> pd.DataFrame:
        """The same per origin, destination and corridor, for every pair."""
        return self._distribution(["origin", "destination", "corridor_id"], cargo, pair=False)

    def monthly_frame(self, cargo: str | None = "container") -> pd.DataFrame:
        """Door-to-door p50/p90 days per corridor by month of departure (the pair's trains): the seasonal storm effect."""
        t = self._pick(cargo, pair=True)
        cols = ["corridor_id", "month", "p50_days", "p90_days", "trains"]
        if t.empty:
            return pd.DataFrame(columns=cols)
        month = (np.searchsorted(_MONTH_START_H, t["created_h"].to_numpy() % 8760.0, side="right")).astype(int)
        g = (t["door_to_door_h"] / 24.0).groupby([t["corridor_id"], pd.Series(month, index=t.index, name="month")])
        out = pd.DataFrame({"p50_days": g.quantile(0.5), "p90_days": g.quantile(0.9), "trains": g.count() / self.replications})
        return out.reset_index()[cols]

    def components_frame(self, cargo: str | None = "container") -> pd.DataFrame:
        """Mean hours per train by component (running, border, gauge change, slot wait, weather, ...) per corridor,
        for the pair's container trains (every pair for other cargo)."""
        t = self._pick(cargo, pair=cargo == "container")
        if t.empty:
            return pd.DataFrame(columns=["corridor_id", "component", "mean_h", "mean_days", "share_fraction"])
        means = t.groupby("corridor_id")[_COMP_H].mean()
        rows = []
        for cid, r in means.iterrows():
            total = float(r.sum()) or 1.0
            for c, col in zip(COMPONENTS, _COMP_H, strict=True):
                rows.append(
                    {
                        "corridor_id": cid,
                        "component": c,
                        "mean_h": float(r[col]),
                        "mean_days": float(r[col]) / 24.0,
                        "share_fraction": float(r[col]) / total,
                    }
                )
        return pd.DataFrame(rows)

    def trains_by_corridor(self) -> pd.DataFrame:
        """Per corridor and cargo, every pair: scenario trains per year planned (from the assigned tonnes) and delivered."""
        cols = ["corridor_id", "cargo", "planned_trains_per_year", "delivered_trains_per_year"]
        r = self.routes
        if r.empty:
            return pd.DataFrame(columns=cols)
        r = r[r["source"] == "scenario"]
        planned = r.groupby(["corridor_id", "cargo"])["trains_per_year"].sum()
        t = self.trains[self.trains["source"] == "scenario"] if len(self.trains) else self.trains
        per_year = 365.0 / (self.days * self.replications)
        delivered = t.groupby(["corridor_id", "cargo"]).size() * per_year if len(t) else pd.Series(dtype=float)
        out = pd.DataFrame({"planned_trains_per_year": planned, "delivered_trains_per_year": delivered}).fillna(0.0)
        return out.rename_axis(["corridor_id", "cargo"]).reset_index()[cols]

    def queues_frame(self) -> pd.DataFrame:
        """Per facility, averaged over replications: queue length, waits, utilisation, sailings, storms."""
        f = self.facilities
        if f.empty:
            return f
        num = [c for c in f.columns if c not in ("facility_id", "kind", "node", "replication", "unit")]
        agg = {c: ("max" if c in ("max_queue", "max_wait_h", "tracks_max_in_use") else "mean") for c in num}
        out = f.groupby(["facility_id", "kind", "node"], dropna=False).agg(agg).reset_index()
        return out.sort_values(["kind", "mean_wait_h"], ascending=[True, False], ignore_index=True)

    # ----------------------------------------------------------------- export
    def to_geojson(self) -> dict:
        """Facilities as points with their waits and queues (a FeatureCollection)."""
        features = []
        for _, r in self.queues_frame().iterrows():
            lonlat = self.coords.get(str(r["node"]))
            if lonlat is None:
                continue
            props = {k: _plain(v) for k, v in r.items()}
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": list(lonlat)}, "properties": props})
        return {"type": "FeatureCollection", "features": features}

    def to_dict(self) -> dict:
        """JSON-ready summary: corridors with percentiles and their components, OD pairs, queues, assumptions."""
        comp = self.components_frame()
        corridors = []
        for _, r in self.corridors_frame().iterrows():
            c = comp[comp["corridor_id"] == r["corridor_id"]]
            corridors.append(
                {
                    **{k: _plain(v) for k, v in r.items()},
                    "components": {str(x["component"]): round(float(x["mean_days"]), 3) for _, x in c.iterrows()},
                }
            )
        return {
            "scenario": self.scenario,
            "year": self.year,
            "days": self.days,
            "replications": self.replications,
            "seed": self.seed,
            "executor": self.executor,
            "pair": list(self.pair) if self.pair else None,
            "trains_generated": self.generated,
            "trains_delivered": int(self.trains["delivered_h"].notna().sum()) if len(self.trains) else 0,
            "trains_in_system_at_end": self.in_system,
            "events": self.events,
            "corridors": corridors,
            "od_pairs": _records(self.od_frame()),
            "monthly": _records(self.monthly_frame()),
            "bulk": _records(self.corridors_frame("bulk")),
            "trains_by_corridor": _records(self.trains_by_corridor()),
            "not_simulated": _records(self.not_simulated),
            "over_capacity": _records(self.over_capacity()),
            "queues": _records(self.queues_frame()),
            "assumptions": _records(self.assumptions),
        }


def _plain(v: object) -> object:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(float(v)) else round(float(v), 4)
    return v


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def collect(plan: Plan, reps: Sequence[Replication], *, scenario: str, seed: int, executor: str) -> SimulationResult:
    """Join the replications' raw records into one result."""
    routes = pd.DataFrame(
        [
            {
                "route": i,
                "route_id": r.route_id,
                "corridor_id": r.corridor_id,
                "origin": r.origin,
                "destination": r.destination,
                "cargo": r.cargo,
                "source": r.source,
                "trains_per_year": r.trains_per_year,
                "over_capacity": over,
            }
            for i, (r, over) in enumerate(zip(plan.routes, over_capacity_by_route(plan), strict=True))
        ]
    )
    rows = [(rep.index, *t) for rep in reps for t in rep.trains]
    trains = pd.DataFrame(rows, columns=["replication", "train", "route", "created_h", "delivered_h", "teu", *_COMP_H])
    if len(routes):
        trains = trains.merge(
            routes[["route", "corridor_id", "origin", "destination", "cargo", "source"]], on="route", how="left"
        )
    trains["door_to_door_h"] = trains["delivered_h"] - trains["created_h"]
    facilities = pd.DataFrame([row for rep in reps for row in rep.facilities])
    generated = sum(rep.created for rep in reps)
    return SimulationResult(
        scenario,
        plan.year,
        plan.horizon_h / 24.0,
        len(reps),
        seed,
        executor,
        routes,
        trains,
        facilities,
        plan.provenance,
        generated,
        sum(len(r.in_flight) for r in reps),
        sum(r.events for r in reps),
        plan.coords,
        offered_load=offered_load(plan),
    )
