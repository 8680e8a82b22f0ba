"""Turn a year view of the network, routes with their trains per year and the operating parameters into a plan.

A plan is plain, picklable data: for each route the stages a train passes (run a link, take a line slot, cross
a border, change gauge, dwell in a port yard, ship on a vessel line) and one spec per facility. Replications
build SimPy objects from it (:mod:`corridor.simulation.engine`), so local processes and Ray get the same input.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from corridor.errors import DataError, Problem
from corridor.graph.lanes import split_facilities
from corridor.model import Network
from corridor.simulation.params import PARAMETERS, PSEUDO_FACILITIES, Dist, Operations, check_operations, optional_float

__all__ = ["COMPONENTS", "Hop", "Plan", "Stage", "TrafficRoute", "build_plan", "check_overrides", "network_ids"]

#: Where a train's hours go (door-to-door = their sum).
COMPONENTS = ("running", "line_wait", "border", "gauge_change", "slot_wait", "weather", "port_dwell", "transshipment")
_WATER = ("sea", "ferry", "river")
#: capacity parameters that may change during a year (operations.csv ``valid_from``) -> the spec key they set
_GATE_DATED = {"line_trains_per_day": "trains_per_day", "line_t_per_year": "t_per_year", "line_headway_h": "headway_h"}
_YARD_DATED = {"trains_per_day": "trains_per_day", "teu_per_day": "teu_per_day", "t_per_year": "t_per_year"}


@dataclass(frozen=True)
class Hop:
    """One leg of a route: a directed link or a transfer (the routing engine's legs have these fields)."""

    kind: str  # link | transfer
    ref: str
    mode: str
    from_node: str
    to_node: str
    countries: tuple[str, ...] = ()
    moving_h: float = 0.0


@dataclass(frozen=True)
class TrafficRoute:
    """A route with the trains that run on it each year."""

    route_id: str
    corridor_id: str
    origin: str
    destination: str
    cargo: str  # container | dry_bulk (any non-container class travels as a bulk train)
    hops: tuple[Hop, ...]
    trains_per_year: float
    source: str = "scenario"  # scenario | probe


@dataclass(frozen=True)
class Stage:
    kind: str  # run | gate | border | port | vessel | transship
    facility: str = ""
    hours: float = 0.0
    yard: str = ""  # border stage: the gauge-change yard the crossing's dwell includes


@dataclass
class Plan:
    """Everything one replication needs, as plain data."""

    year: int
    horizon_h: float
    drain_h: float
    t_per_teu: float
    routes: list[TrafficRoute]
    stages: list[tuple[Stage, ...]]
    gates: dict[str, dict] = field(default_factory=dict)
    yards: dict[str, dict] = field(default_factory=dict)
    borders: dict[str, dict] = field(default_factory=dict)
    ports: dict[str, dict] = field(default_factory=dict)
    lines: dict[str, dict] = field(default_factory=dict)
    trains: dict[str, dict] = field(default_factory=dict)
    coords: dict[str, tuple[float, float]] = field(default_factory=dict)
    provenance: pd.DataFrame = field(default_factory=pd.DataFrame)
    trace: bool = False


class _Builder:
    def __init__(self, view: Network, ops: Operations, customs: str) -> None:
        self.view, self.ops, self.customs = view, ops, customs
        self.nodes, self.links, self.transfers = view.nodes, view.links, view.transfers
        self.gates: dict[str, dict] = {}
        self.yards: dict[str, dict] = {}
        self.borders: dict[str, dict] = {}
        self.ports: dict[str, dict] = {}
        self.lines: dict[str, dict] = {}
        t_per_teu = view.parameter("t_per_teu")
        self.bulk_lanes = split_facilities(view, t_per_teu)
        wagons = ops.dist("bulk_train", "wagons_per_train")
        self.bulk_train_t = (wagons.mean if wagons else 1.0) * (ops.value("bulk_train", "t_per_wagon") or 1.0)

    # ------------------------------------------------------------ facilities
    def gate(self, link_ref: str) -> str | None:
        base = link_ref.removesuffix("~r")
        key = link_ref
        if key in self.gates:
            return key
        o = self.ops
        tpd = o.value(base, "line_trains_per_day")
        tpy = o.value(base, "line_t_per_year")
        if tpy is None and link_ref in self.links.index and str(self.links.loc[link_ref, "mode"]) == "rail":
            tpy = optional_float(self.links.loc[link_ref, "capacity_t_per_year"])
            if tpy is not None:
                o.value(
                    base, "line_t_per_year", tpy, note=f"links.csv capacity_t_per_year of {base} (see the network's provenance)"
                )
        start, end = o.value(base, "window_start_h"), o.value(base, "window_end_h")
        headway = o.value(base, "line_headway_h")
        changes = self.dated(base, _GATE_DATED)
        if tpd is None and tpy is None and start is None and headway is None and not changes:
            return None
        for name, v in (("line_trains_per_day", tpd), ("line_t_per_year", tpy), ("line_headway_h", headway)):
            if v is not None and v <= 0:
                raise DataError(Problem("operations", None, f"{base}.{name}", v, "a capacity > 0"))
        node = str(self.links.loc[link_ref, "from_node"]) if link_ref in self.links.index else ""
        self.gates[key] = {
            "facility_id": base,
            "node": node,
            "trains_per_day": tpd,
            "t_per_year": tpy,
            "headway_h": headway,
            "window": None if start is None else (start, end if end is not None else 24.0),
            "changes": changes,
        }
        return key

    def dated(self, facility: str, names: Mapping[str, str]) -> list[tuple[float, dict[str, float]]]:
        """Capacity values of *facility* that change during the year (``valid_from``): (hours after 1 January,
        {spec key: new value}), in time order, each checked > 0."""
        at: dict[float, dict[str, float]] = {}
        for parameter, spec_key in names.items():
            for start_h, v in self.ops.changes(facility, parameter):
                if v <= 0:
                    raise DataError(Problem("operations", None, f"{facility}.{parameter}", v, "a capacity > 0"))
                at.setdefault(start_h, {})[spec_key] = v
        running: dict[str, float] = {}
        out = []
        for start_h, delta in sorted(at.items()):  # each change keeps the earlier ones of the year
            running.update(delta)
            out.append((start_h, dict(running)))
        return out

    def yard(self, node: str, transfer_ref: str, direction: str = "", bulk: bool = False) -> str:
        """The gauge-change yard of *node* for one direction (its daily figures are per direction, as
        "receiving/departure capacity: 12 trains / 12 trains"); bulk trains at a facility with both a TEU and a
        tonnage capacity use its bulk lane instead (the flow engine's lanes: :mod:`corridor.graph.lanes`)."""
        bulk = bulk and node in self.bulk_lanes
        key = ":".join(x for x in (node, "bulk" if bulk else "", direction) if x)
        if key in self.yards:
            return key
        o = self.ops
        dwell = optional_float(self.transfers.loc[transfer_ref, "dwell_h"]) if transfer_ref in self.transfers.index else None
        proc = o.dist(
            node,
            "processing_h",
            Dist("fixed", dwell if dwell is not None else 6.0),
            note=f"transfers.csv dwell_h of {transfer_ref}" if dwell is not None else "network default 6 h per gauge change",
        )
        tracks = o.value(node, "yard_tracks")
        if tracks is None or tracks < 1:
            raise DataError(Problem("operations", None, f"{node}.yard_tracks", tracks, "at least 1 track"))
        tpd, teu_day, tpy = o.value(node, "trains_per_day"), o.value(node, "teu_per_day"), o.value(node, "t_per_year")
        for name, v in (("trains_per_day", tpd), ("teu_per_day", teu_day), ("t_per_year", tpy)):
            if v is not None and v <= 0:
                raise DataError(Problem("operations", None, f"{node}.{name}", v, "a capacity > 0"))
        if bulk:
            tpd, teu_day, tpy, tracks = None, None, *self._bulk_lane(node, proc.mean)
        self.yards[key] = {
            "node": node,
            "tracks": int(tracks),
            "processing": proc,
            "trains_per_day": tpd,
            "teu_per_day": teu_day,
            "t_per_year": tpy,
            "changes": [] if bulk else self.dated(node, _YARD_DATED),
        }
        return key

    def _bulk_lane(self, node: str, processing_h: float) -> tuple[float, int]:
        """Tonnes a year and tracks of a facility's bulk lane: the tonnage figure less its container terminal."""
        note = "nodes.csv capacity_t_per_year less capacity_teu_per_year x t_per_teu (the flow engine's bulk lane)"
        tpy = self.ops.value(node, "bulk_lane_t_per_year", self.bulk_lanes[node], note=note)
        if tpy is None or tpy <= 0:
            raise DataError(Problem("operations", None, f"{node}.bulk_lane_t_per_year", tpy, "a capacity > 0"))
        gap_h = self.bulk_train_t / (tpy / 8760.0)  # hours between bulk trains at the lane's full rate
        tracks = self.ops.value(
            node,
            "bulk_lane_tracks",
            float(math.ceil(processing_h / gap_h) + 1),
            note="assumption: the bulk lane has the tracks its tonnage rate needs (processing hours / hours per train, + 1)",
        )
        return tpy, int(tracks or 1)

    def border(self, node: str, from_node: str) -> str:
        if node in self.borders:
            return node
        r, o = self.nodes.loc[node], self.ops
        digital_h, since = optional_float(r["customs_digital_h"]), optional_float(r["digital_customs_from_year"])
        year = self.view.year or 0
        digital = digital_h is not None and (self.customs == "digital" or (self.customs == "auto" and (since or 0) <= year))
        direction = "inbound" if str(self.nodes.loc[from_node, "country"]) != str(r["country"]) else "outbound"
        if digital and self.customs != "paper":
            dwell = o.dist(
                node,
                "bcp_dwell_digital_h",
                Dist("fixed", float(digital_h)),
                note=f"nodes.csv customs_digital_h of {node} (digital declarations from {int(since or 0)})",
            )
        else:
            paper = optional_float(r["customs_paper_h"]) or 0.0
            cv = o.value("*", "bcp_dwell_cv") or 0.0
            dwell = o.dist(node, f"bcp_dwell_paper_{direction}_h") or o.dist(
                node, "bcp_dwell_paper_h", Dist("gamma", paper, cv=cv), note=f"nodes.csv customs_paper_h of {node}"
            )
        self.borders[node] = {
            "dwell": dwell,
            "digital": bool(digital and self.customs != "paper"),
            "direction": direction,
            "country": str(r["country"]),
            "border_with": str(r["border_with"]),
        }
        return node

    def port(self, node: str) -> str:
        if node in self.ports:
            return node
        o = self.ops
        shares = {k: o.value(node, f"storm_share_{k}") for k in ("nov_dec", "jan_mar", "apr_oct")}
        storm = o.dist(node, "storm_days") if any(v for v in shares.values()) else None
        for k, v in shares.items():
            if v is not None and not 0 <= v < 1:
                raise DataError(Problem("operations", None, f"{node}.storm_share_{k}", v, "a share in [0, 1)"))
        berths = {k: int(o.value(node, f"{k}_berths") or 1) for k in ("ferry", "container")}
        for k, v in berths.items():
            if v < 1:
                raise DataError(Problem("operations", None, f"{node}.{k}_berths", v, "at least 1 berth"))
        closure = (o.value(node, "closure_start_day"), o.value(node, "closure_days"))
        self.ports[node] = {
            "shares": shares,
            "storm_days": storm,
            "berths": berths,
            "closure": closure if closure[1] else None,
            "yard_dwell": o.dist(node, "yard_dwell_h"),
        }
        return node

    def line(self, hops: Sequence[Hop], route_id: str) -> str:
        ids = [h.ref.removesuffix("~r") for h in hops]
        origin, dest = hops[0].from_node, hops[-1].to_node
        key = f"{'+'.join(ids)}:{origin}>{dest}"
        if key in self.lines:
            return key
        o, fac, ferry = self.ops, ids[0], hops[0].mode == "ferry"
        unit = "wagons" if ferry else "teu"
        capacity = o.value(fac, f"vessel_capacity_{unit}")
        fleet = o.value(fac, "fleet")
        crossing = o.dist(
            fac,
            "crossing_h",
            Dist("fixed", sum(h.moving_h for h in hops)),
            note=f"router moving time of {'+'.join(ids)} (links.csv length and speed)",
        )
        full = bool(o.value(fac, "leave_when_full") or 0)
        headway = o.value(fac, "headway_h")
        berth = o.dist(fac, "berth_h")
        if fleet is None:  # timetabled lines without a cited fleet: enough vessels to keep the timetable
            cycle = 2 * ((berth.mean if berth else 0.0) + crossing.mean)
            fleet = max(1, math.ceil(cycle / (headway or 168.0)))
            o.value(fac, "fleet", fleet, note="vessels needed to keep the timetable: round trip / headway")
        where = f"{fac}.fleet"
        if fleet < 1:
            raise DataError(Problem("operations", None, where, fleet, f"at least 1 vessel: route {route_id} needs this line"))
        if capacity is None or capacity < 1:
            raise DataError(Problem("operations", None, f"{fac}.vessel_capacity_{unit}", capacity, "at least 1"))
        self.port(origin)
        self.port(dest)
        self.lines[key] = {
            "facility_id": "+".join(ids),
            "origin": origin,
            "dest": dest,
            "unit": unit,
            "capacity": int(capacity),
            "fleet": int(fleet),
            "berth": berth,
            "crossing": crossing,
            "leave_when_full": full,
            "max_hold_h": o.value(fac, "max_hold_h") or 168.0,
            "headway_h": headway or 168.0,
            "berth_kind": "ferry" if ferry else "container",
        }
        return key

    # ---------------------------------------------------------------- stages
    def stages(self, route: TrafficRoute) -> tuple[Stage, ...]:
        hops, out, i = route.hops, [], 0
        bulk = route.cargo != "container"
        while i < len(hops):
            h = hops[i]
            if h.kind == "link" and h.mode in _WATER:
                j = i
                while j < len(hops) and hops[j].kind == "link" and hops[j].mode == h.mode:
                    j += 1
                out.append(Stage("vessel", self.line(hops[i:j], route.route_id)))
                i = j
                continue
            if h.kind == "link":
                gate = self.gate(h.ref)
                if gate:
                    out.append(Stage("gate", gate))
                out.append(Stage("run", hours=float(h.moving_h)))
                if self._crosses(hops, i):
                    nxt = hops[i + 1] if i + 1 < len(hops) else None
                    yard = ""
                    if (
                        nxt is not None
                        and nxt.kind == "transfer"
                        and self._transfer_kind(nxt.ref) == "gauge_change"
                        and nxt.to_node == h.to_node
                    ):
                        yard = self.yard(h.to_node, nxt.ref, self._direction(h.to_node, h.from_node), bulk)
                        i += 1
                    out.append(Stage("border", self.border(h.to_node, h.from_node), yard=yard))
            else:
                kind = self._transfer_kind(h.ref)
                if kind == "gauge_change":
                    out.append(Stage("border", "", yard=self.yard(h.to_node, h.ref, bulk=bulk)))
                elif kind == "port_handling":
                    out.append(Stage("port", self.port(h.to_node)))
                elif kind != "ferry_loading":  # ferry loading is the vessel's berth time
                    dwell = optional_float(self.transfers.loc[h.ref, "dwell_h"]) if h.ref in self.transfers.index else None
                    out.append(Stage("transship", hours=dwell or 0.0))
            i += 1
        return _merge_runs(out)

    def _country(self, node: str) -> str:
        return str(self.nodes.loc[node, "country"]) if node in self.nodes.index else ""

    def _direction(self, node: str, from_node: str) -> str:
        return "inbound" if self._country(from_node) != self._country(node) else "outbound"

    def _crosses(self, hops: Sequence[Hop], i: int) -> bool:
        """Whether the train crosses the border at the head of link *i*: a border-crossing node it does not merely
        pass through inside one country (a junction at a border station, as Dostyk between Moyinty and Aktogay)."""
        node = hops[i].to_node
        if node not in self.nodes.index or str(self.nodes.loc[node, "kind"]) != "border_crossing":
            return False
        here = self._country(node)
        nxt = next((h.to_node for h in hops[i + 1 :] if h.kind == "link"), None)
        return self._country(hops[i].from_node) != here or nxt is None or self._country(nxt) != here

    def _transfer_kind(self, ref: str) -> str:
        return str(self.transfers.loc[ref, "kind"]) if ref in self.transfers.index else ""


def _merge_runs(stages: list[Stage]) -> tuple[Stage, ...]:
    """Consecutive running stages as one (one timeout instead of one per link)."""
    out: list[Stage] = []
    for st in stages:
        if st.kind == "run" and out and out[-1].kind == "run":
            out[-1] = Stage("run", hours=out[-1].hours + st.hours)
        else:
            out.append(st)
    return tuple(out)


def network_ids(net: Network) -> set[str]:
    """Node, link and transfer ids of *net* (pass the full network so parameters of other years are known)."""
    return set(net.nodes.index) | set(net.links["base_id"]) | set(net.transfers["base_id"])


def check_overrides(overrides: Mapping[str, float], known: set[str]) -> None:
    """Reject override keys that name no facility or parameter, and values that are no number >= 0."""
    problems = []
    for key, value in overrides.items():
        facility, _, parameter = key.rpartition(".")
        if not facility or not parameter:
            problems.append(Problem("overrides", None, key, value, "a key 'facility.parameter'"))
        elif facility not in known and facility not in PSEUDO_FACILITIES:
            problems.append(Problem("overrides", None, f"{key} (facility)", facility, "a node_id or link_id of the network"))
        elif parameter not in PARAMETERS:
            problems.append(
                Problem("overrides", None, f"{key} (parameter)", parameter, "one of " + ", ".join(sorted(PARAMETERS)))
            )
        if optional_float(value) is None or float(value) < 0:
            problems.append(Problem("overrides", None, key, value, "a number >= 0"))
    if problems:
        raise DataError(problems)


def build_plan(
    view: Network,
    routes: Sequence[TrafficRoute],
    operations: pd.DataFrame,
    *,
    days: float = 365.0,
    customs: str = "auto",
    overrides: Mapping[str, float] | None = None,
    trace: bool = False,
    known_facilities: Iterable[str] | None = None,
) -> Plan:
    """Check the inputs and resolve every stage and facility of *routes* on the year view *view*.

    *known_facilities* adds ids (say of every year of the network) that operating parameters may name.
    """
    if view.year is None:
        raise DataError(Problem("simulation", None, "year", None, "a year view of the network (Network.at_year)"))
    if not days > 0:
        raise DataError(Problem("simulation", None, "days", days, "a number of days > 0"))
    known = network_ids(view)
    known_all = known | set(view.links.index)
    check_operations(operations, known | set(known_facilities or ()))
    check_overrides(overrides or {}, known_all)
    ops = Operations(operations, view.year, overrides)
    b = _Builder(view, ops, customs)
    problems = []
    for r in routes:
        if not r.trains_per_year >= 0:
            problems.append(Problem("traffic", None, f"{r.route_id}.trains_per_year", r.trains_per_year, "a number >= 0"))
        for h in r.hops:
            table = view.links if h.kind == "link" else view.transfers
            if h.ref not in table.index:
                problems.append(Problem("traffic", None, f"{r.route_id}.{h.kind}", h.ref, f"a {h.kind} operating in {view.year}"))
    if problems:
        raise DataError(problems)
    stages = [b.stages(r) for r in routes]
    trains = {
        "container": {
            "teu": ops.value("container_train", "teu_per_train"),
            "wagons": ops.dist("container_train", "wagons_per_train"),
        },
        "dry_bulk": {
            "teu": 0.0,
            "wagons": ops.dist("bulk_train", "wagons_per_train"),
            "t_per_wagon": ops.value("bulk_train", "t_per_wagon"),
        },
    }
    coords = {str(n): (float(r["lon"]), float(r["lat"])) for n, r in view.nodes.iterrows()}
    drain_days = ops.value("traffic", "drain_days") or 90.0
    return Plan(
        view.year,
        days * 24.0,
        drain_days * 24.0,
        view.parameter("t_per_teu"),
        list(routes),
        stages,
        b.gates,
        b.yards,
        b.borders,
        b.ports,
        b.lines,
        trains,
        coords,
        ops.provenance_frame(),
        trace,
    )
