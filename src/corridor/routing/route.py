"""Routes as results: legs with their sources, totals, and table, dict and GeoJSON output."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from corridor.errors import DataError
from corridor.model import CARGO_UNIT, CargoClass, Network, NodeKind
from corridor.routing.search import OBJECTIVE_UNITS

__all__ = ["Leg", "Route", "RouteSet"]


@dataclass(frozen=True)
class Leg:
    """One link or transfer of a route."""

    kind: str  # link | transfer
    ref: str
    mode: str
    from_node: str
    to_node: str
    from_name: str
    to_name: str
    countries: tuple[str, ...]
    length_km: float
    moving_h: float
    waiting_h: float
    cost_usd: float
    co2_kg: float
    sources: tuple[str, ...] = ()


@dataclass
class Route:
    """A route with its legs and totals; amounts are for ``quantity`` units of the cargo class."""

    origin: str
    destination: str
    cargo: CargoClass
    objective: str
    quantity: float
    legs: list[Leg]
    objective_value: float
    year: int
    customs: str
    corridor: str | None = None
    _net: Network | None = field(default=None, repr=False, compare=False)

    # -------------------------------------------------------------- totals
    @property
    def unit(self) -> str:
        return CARGO_UNIT[self.cargo]

    @property
    def quantity_key(self) -> str:
        """Name of the quantity in JSON output, carrying its unit: ``quantity_teu``, ``quantity_t`` or ``quantity_bcm``."""
        return f"quantity_{self.unit.lower()}"

    @property
    def objective_key(self) -> str:
        """Name of the objective value in tables and JSON, with its unit: ``objective_h``, ``objective_usd``, ``objective_kg``."""
        return f"objective_{OBJECTIVE_UNITS.get(self.objective, 'value')}"

    @property
    def length_km(self) -> float:
        return float(sum(leg.length_km for leg in self.legs))

    @property
    def moving_h(self) -> float:
        return float(sum(leg.moving_h for leg in self.legs))

    @property
    def waiting_h(self) -> float:
        return float(sum(leg.waiting_h for leg in self.legs))

    @property
    def time_h(self) -> float:
        return self.moving_h + self.waiting_h

    @property
    def days(self) -> float:
        return self.time_h / 24.0

    @property
    def cost_usd(self) -> float:
        return float(sum(leg.cost_usd for leg in self.legs))

    @property
    def co2_kg(self) -> float:
        return float(sum(leg.co2_kg for leg in self.legs))

    @property
    def nodes(self) -> list[str]:
        """Node ids passed, in order (each once)."""
        out = [self.origin]
        for leg in self.legs:
            if leg.to_node != out[-1]:
                out.append(leg.to_node)
        return out

    @property
    def border_crossings(self) -> list[str]:
        """Border-crossing nodes passed (where customs formalities apply)."""
        if self._net is None:
            return []
        kinds = self._net.nodes["kind"]
        return [n for n in self.nodes if kinds.get(n) == NodeKind.BORDER_CROSSING]

    @property
    def countries(self) -> list[str]:
        """Countries entered, in order."""
        out: list[str] = []
        for leg in self.legs:
            out.extend(c for c in leg.countries if c not in out)
        return out

    @property
    def modes(self) -> list[str]:
        """Moving modes used, in order of first use."""
        out: list[str] = []
        for leg in self.legs:
            if leg.kind == "link" and leg.mode not in out:
                out.append(leg.mode)
        return out

    def summary(self, *, via_count: int = 6) -> str:
        """A short 'A – B – C' description through the route's main nodes."""
        names = self._names()
        key = [
            n
            for n in self.nodes
            if self._net is not None
            and self._net.nodes.loc[n, "kind"] in (NodeKind.BORDER_CROSSING, NodeKind.SEAPORT, NodeKind.WAYPOINT)
        ]
        mid = key[:via_count]
        seq = [self.origin, *[n for n in mid if n not in (self.origin, self.destination)], self.destination]
        return " – ".join(names.get(n, n) for n in seq)

    def _names(self) -> dict[str, str]:
        return {} if self._net is None else self._net.nodes["name"].to_dict()

    # -------------------------------------------------------------- output
    def cost_in(self, currency: str) -> float:
        """Total cost in *currency*, at the dataset's dated exchange rate."""
        if self._net is None:
            raise DataError("route has no network attached; cannot convert currency")
        return self._net.usd_to(self.cost_usd, currency)

    def to_frame(self) -> pd.DataFrame:
        """One row per leg: mode, from, to, km, moving and waiting hours, cost (USD), CO2 (kg), sources."""
        return pd.DataFrame(
            [
                {
                    "kind": leg.kind,
                    "id": leg.ref,
                    "mode": leg.mode,
                    "from": leg.from_name,
                    "to": leg.to_name,
                    "from_node": leg.from_node,
                    "to_node": leg.to_node,
                    "countries": ";".join(leg.countries),
                    "length_km": leg.length_km,
                    "moving_h": leg.moving_h,
                    "waiting_h": leg.waiting_h,
                    "cost_usd": leg.cost_usd,
                    "co2_kg": leg.co2_kg,
                    "sources": "; ".join(leg.sources),
                }
                for leg in self.legs
            ]
        )

    def to_dict(self, *, currency: str | None = None) -> dict:
        """JSON-ready description with totals and legs; every number's name carries its unit (``cost_usd``,
        ``quantity_teu``, ``objective_h``; local-currency cost as ``cost_local.cost_kzt``)."""
        out = {
            "origin": self.origin,
            "destination": self.destination,
            "corridor": self.corridor,
            "cargo": self.cargo.value,
            "unit": self.unit,
            self.quantity_key: self.quantity,
            "year": self.year,
            "customs": self.customs,
            "objective": self.objective,
            self.objective_key: self.objective_value,
            "summary": self.summary(),
            "length_km": round(self.length_km, 1),
            "time_h": round(self.time_h, 2),
            "days": round(self.days, 2),
            "moving_h": round(self.moving_h, 2),
            "waiting_h": round(self.waiting_h, 2),
            "cost_usd": round(self.cost_usd, 2),
            "co2_kg": round(self.co2_kg, 2),
            "border_crossings": self.border_crossings,
            "countries": self.countries,
            "modes": self.modes,
            "legs": self.to_frame().round(3).to_dict(orient="records"),
        }
        if currency and currency.upper() != "USD" and self._net is not None:
            rate, as_of, source = self._net.fx_rate(currency)
            out["cost_local"] = {
                "currency": currency.upper(),
                f"cost_{currency.lower()}": round(self.cost_usd * rate, 2),
                "rate_per_usd": rate,
                "as_of": as_of,
                "source": source,
            }
        return out

    def to_geojson(self) -> dict:
        """GeoJSON FeatureCollection with one LineString per moving leg (sea legs follow their lane)."""

        feats = []
        for leg in self.legs:
            if leg.kind != "link" or self._net is None:
                continue
            coords = self._net.link_coordinates(leg.ref)
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
                    "properties": {
                        "id": leg.ref,
                        "mode": leg.mode,
                        "from": leg.from_name,
                        "to": leg.to_name,
                        "length_km": leg.length_km,
                        "time_h": leg.moving_h + leg.waiting_h,
                        "cost_usd": leg.cost_usd,
                        "co2_kg": leg.co2_kg,
                    },
                }
            )
        return {
            "type": "FeatureCollection",
            "features": feats,
            "properties": {k: v for k, v in self.to_dict().items() if k != "legs"},
        }


class RouteSet(list[Route]):
    """Routes ranked best first, with table and GeoJSON output."""

    def to_frame(self) -> pd.DataFrame:
        """One row per route: rank, corridor, summary and totals (``days``, ``length_km``, ``cost_usd``, ``co2_kg``,
        ``border_crossings_count`` and the objective as ``objective_<unit>``)."""
        return pd.DataFrame(
            [
                {
                    "rank": i + 1,
                    "corridor": r.corridor,
                    "summary": r.summary(),
                    "days": r.days,
                    "length_km": r.length_km,
                    "cost_usd": r.cost_usd,
                    "co2_kg": r.co2_kg,
                    "border_crossings_count": len(r.border_crossings),
                    r.objective_key: r.objective_value,
                }
                for i, r in enumerate(self)
            ]
        )

    def to_geojson(self) -> dict:
        feats = []
        for i, r in enumerate(self):
            for f in r.to_geojson()["features"]:
                f["properties"]["rank"] = i + 1
                feats.append(f)
        return {"type": "FeatureCollection", "features": feats}
