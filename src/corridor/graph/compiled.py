"""Compile a year view of the network into CSR arrays for one cargo class.

Vertices are (node, layer) pairs, so a change of layer (transshipment, gauge change, ferry loading) is an
explicit arc with its own time and cost. Every node also gets an origin gate (arcs to each of its layers)
and a destination gate (arcs from each layer), so routes may start and end on any layer without giving a
free transfer in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import pandas as pd

from corridor.model import CARGO_MODES, CargoClass, Layer, Mode, Network, NodeKind
from corridor.model.records import records

__all__ = ["ArcKind", "CompiledGraph", "arc_mask", "compile_graph"]

_LAYER_MODE = {
    Layer.RAIL_1520: Mode.RAIL,
    Layer.RAIL_1435: Mode.RAIL,
    Layer.ROAD: Mode.ROAD,
    Layer.SEA: Mode.SEA,
    Layer.FERRY: Mode.FERRY,
    Layer.RIVER: Mode.RIVER,
    Layer.OIL_PIPELINE: Mode.OIL_PIPELINE,
    Layer.GAS_PIPELINE: Mode.GAS_PIPELINE,
}
CUSTOMS_REGIMES = ("auto", "digital", "paper")
_PIPELINES = (Mode.OIL_PIPELINE, Mode.GAS_PIPELINE)
_PIPE_LAYERS = (Layer.OIL_PIPELINE.value, Layer.GAS_PIPELINE.value)
_FREIGHT = frozenset({CargoClass.CONTAINER, CargoClass.DRY_BULK, CargoClass.LIQUID_BULK})


class ArcKind(IntEnum):
    """What an arc of the compiled graph stands for."""

    LINK = 0
    TRANSFER = 1
    GATE = 2


@dataclass(frozen=True, eq=False)
class CompiledGraph:
    """CSR arrays plus per-arc attributes (all arrays are in CSR order)."""

    cargo: CargoClass
    customs: str
    indptr: np.ndarray
    indices: np.ndarray
    tails: np.ndarray
    kind: np.ndarray
    ref: np.ndarray  # link_id / transfer_id ('' for gates)
    base: np.ndarray  # base id shared by both directions
    mode: np.ndarray  # Mode value per arc ('transfer', 'gate')
    length_km: np.ndarray
    moving_h: np.ndarray
    waiting_h: np.ndarray
    cost_usd: np.ndarray
    co2_kg: np.ndarray
    explicit: np.ndarray  # bool: the row names this cargo class (or is its pipeline); energy flows use only these
    capacity: np.ndarray  # per year, in the cargo class's unit (inf where no capacity is known)
    capacity_of: np.ndarray  # what limits the arc: "link", "line" (train slots), "border", "node", "transfer" or ""
    t_per_unit: float
    countries: np.ndarray  # bool (n_arcs, n_countries)
    country_index: dict[str, int]
    vertex_node: np.ndarray
    vertex_layer: np.ndarray
    origin_gate: dict[str, int]
    dest_gate: dict[str, int]
    layer_vertices: dict[str, np.ndarray]  # node_id -> its layer vertices

    @property
    def n_vertices(self) -> int:
        return len(self.vertex_node)

    @property
    def n_arcs(self) -> int:
        return len(self.indices)


def _num(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    v = float(value)
    return None if v != v else v


@dataclass
class _Arcs:
    """Vertices and arc rows collected while compiling.

    A row: tail, head, kind, ref, base, mode, km, moving_h, waiting_h, cost_usd, co2_kg, countries, capacity,
    capacity_of, explicit.
    """

    vid: dict[tuple[str, str], int] = field(default_factory=dict)
    v_node: list[str] = field(default_factory=list)
    v_layer: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)

    def vertex(self, node: str, layer: str) -> int:
        key = (node, layer)
        if key not in self.vid:
            self.vid[key] = len(self.v_node)
            self.v_node.append(node)
            self.v_layer.append(layer)
        return self.vid[key]


def _rows(frame: pd.DataFrame) -> dict[str, dict]:
    """The rows of *frame* as plain dicts by index label (row access through pandas costs ~100x more)."""
    return dict(zip(frame.index, records(frame), strict=True))


@dataclass(frozen=True)
class _Context:
    """What every arc of one compilation needs: the view, the cargo class and its unit, the border waits."""

    view: Network
    cargo: CargoClass
    carried: frozenset[Mode]
    t_per_unit: float
    border_wait: dict[str, float]
    nodes: dict[str, dict] = field(default_factory=dict)  # node rows by node_id
    modes: dict[str, dict] = field(default_factory=dict)  # mode rows by mode
    any_freight: bool = False  # also rows narrowed to other freight classes (the shared multi-class freight graph)

    def takes(self, classes: object) -> bool:
        """Whether a row narrowed to *classes* (empty: every class) is compiled."""
        if not classes:
            return True
        return bool(set(classes) & _FREIGHT) if self.any_freight else self.cargo in classes

    def node_cap(self, node: str) -> float:
        """Capacity of a port or crossing in the cargo's unit per year (inf where none is known)."""
        r = self.nodes[node]
        teu, t = _num(r["capacity_teu_per_year"]), _num(r["capacity_t_per_year"])
        if self.cargo == CargoClass.CONTAINER and teu is not None:
            return teu
        return t / self.t_per_unit if t is not None else np.inf

    def link_cap(self, r: dict) -> float:
        """Capacity of a link in the cargo's unit per year (inf where none is known)."""
        if self.cargo == CargoClass.GAS:
            v = _num(r["capacity_bcm_per_year"])
            return v if v is not None else np.inf
        teu, t = _num(r["capacity_teu_per_year"]), _num(r["capacity_t_per_year"])
        if self.cargo == CargoClass.CONTAINER and teu is not None:
            return teu
        return t / self.t_per_unit if t is not None else np.inf


def _border_waits(nodes: pd.DataFrame, customs: str, year: int) -> dict[str, float]:
    """Customs wait at each border crossing under the chosen regime (hours)."""
    border_wait: dict[str, float] = {}
    for node_id, r in nodes[nodes["kind"] == NodeKind.BORDER_CROSSING].iterrows():
        paper = _num(r["customs_paper_h"]) or 0.0
        digital = _num(r["customs_digital_h"])
        since = _num(r["digital_customs_from_year"])
        offered = digital is not None and (customs == "digital" or (customs == "auto" and (since or 0) <= year))
        border_wait[str(node_id)] = digital if offered and customs != "paper" else paper
    return border_wait


def _link_amounts(ctx: _Context, r: dict, mode: Mode) -> tuple[float, float, float, float]:
    """(km, moving hours, cost in USD and kg CO2 per unit of cargo) of one link."""
    m = ctx.modes[mode.value]
    km = _num(r["length_km"]) or 0.0
    tt = _num(r["transit_time_h"])
    speed = _num(r["speed_kmh"]) or float(m["speed_kmh"])
    moving = tt if tt is not None else km / speed
    if ctx.cargo == CargoClass.CONTAINER:
        tariff = _num(r["tariff_usd_per_teu"])
        cost = tariff if tariff is not None else (_num(m["rate_usd_per_teu_km"]) or 0.0) * km
    else:
        tariff = _num(r["tariff_usd_per_t"])
        cost = (tariff if tariff is not None else (_num(m["rate_usd_per_t_km"]) or 0.0) * km) * ctx.t_per_unit
    co2 = float(m["co2_g_per_tkm"]) * ctx.t_per_unit * km / 1000.0
    return km, moving, cost, co2


def _add_links(arcs: _Arcs, ctx: _Context) -> None:
    """One arc per directed link that carries the cargo; the wait and capacity of a crossing go on the link into it."""
    for link_id, r in _rows(ctx.view.links).items():
        mode = Mode(r["mode"])
        classes = r["cargo_classes"]
        if mode not in ctx.carried or not ctx.takes(classes):
            continue
        km, moving, cost, co2 = _link_amounts(ctx, r, mode)
        layer, to_node = str(r["layer"]), str(r["to_node"])
        tail, head = arcs.vertex(r["from_node"], layer), arcs.vertex(r["to_node"], layer)
        cap = ctx.link_cap(r)
        cap_of = ("line" if r.get("slot_limited") else "link") if np.isfinite(cap) else ""
        if to_node in ctx.border_wait and ctx.node_cap(to_node) < cap:
            cap, cap_of = ctx.node_cap(to_node), "border"
        explicit = bool(classes) or mode in _PIPELINES
        wait = ctx.border_wait.get(to_node, 0.0)
        row = (tail, head, ArcKind.LINK, link_id, r["base_id"], mode.value, km, moving, wait, cost, co2)
        arcs.rows.append((*row, tuple(r["countries"]), cap, cap_of, explicit))


def _add_transfers(arcs: _Arcs, ctx: _Context) -> None:
    """One arc per transfer between two layers that both carry the cargo and both have an active link."""
    for transfer_id, r in _rows(ctx.view.transfers).items():
        la, lb = Layer(r["from_layer"]), Layer(r["to_layer"])
        if _LAYER_MODE[la] not in ctx.carried or _LAYER_MODE[lb] not in ctx.carried:
            continue
        node = str(r["node_id"])
        if not ctx.takes(r["cargo_classes"]):
            continue
        if (node, la.value) not in arcs.vid or (node, lb.value) not in arcs.vid:
            continue  # no active link on one side: the transfer leads nowhere
        own = _num(r["capacity_t_per_year"])
        if own is not None:
            tcap, tcap_of = own / ctx.t_per_unit, "transfer"
        else:
            tcap = ctx.node_cap(node)
            tcap_of = "node" if np.isfinite(tcap) else ""
        container = ctx.cargo == CargoClass.CONTAINER
        per_unit = _num(r["cost_usd_per_teu"]) if container else _num(r["cost_usd_per_t"])
        cost = (per_unit or 0.0) * (1.0 if container else ctx.t_per_unit)
        explicit = bool(r["cargo_classes"]) or la.value in _PIPE_LAYERS or lb.value in _PIPE_LAYERS
        tail, head = arcs.vid[(node, la.value)], arcs.vid[(node, lb.value)]
        row = (tail, head, ArcKind.TRANSFER, transfer_id, r["base_id"], Mode.TRANSFER.value, 0.0, 0.0)
        country = (ctx.nodes[node]["country"],)
        arcs.rows.append((*row, _num(r["dwell_h"]) or 0.0, cost, 0.0, country, tcap, tcap_of, explicit))


def _add_gates(arcs: _Arcs, nodes: pd.DataFrame) -> tuple[dict[str, int], dict[str, int], dict[str, np.ndarray]]:
    """Origin and destination gates per node, free arcs to and from each of its layers; returns the gates and layers."""
    layer_vertices: dict[str, list[int]] = {}
    for (node, _layer), v in list(arcs.vid.items()):
        layer_vertices.setdefault(node, []).append(v)
    origin_gate, dest_gate = {}, {}
    for node, country in zip(nodes.index, nodes["country"], strict=True):
        node = str(node)
        o, d = arcs.vertex(node, "origin"), arcs.vertex(node, "destination")
        origin_gate[node], dest_gate[node] = o, d
        for v in layer_vertices.get(node, []):
            c = (country,)
            arcs.rows.append((o, v, ArcKind.GATE, "", "", "gate", 0.0, 0.0, 0.0, 0.0, 0.0, c, np.inf, "", True))
            arcs.rows.append((v, d, ArcKind.GATE, "", "", "gate", 0.0, 0.0, 0.0, 0.0, 0.0, c, np.inf, "", True))
    return origin_gate, dest_gate, {k: np.array(v, dtype=np.int64) for k, v in layer_vertices.items()}


def _column(pick: list[tuple], i: int, dtype: object) -> np.ndarray:
    return np.array([r[i] for r in pick], dtype=dtype)


def compile_graph(
    view: Network, cargo: CargoClass | str, *, customs: str = "auto", any_freight_class: bool = False
) -> CompiledGraph:
    """Compile the year view *view* (see :meth:`Network.at_year`) for one cargo class.

    *customs* picks the border regime: ``auto`` uses digital declarations where a crossing offers them in
    the view's year, ``digital`` wherever offered at all, ``paper`` nowhere. With *any_freight_class* the rows
    narrowed to another freight class (a tanker link, an oil berth) are compiled too, in *cargo*'s unit: the
    shared graph of a multi-class freight assignment, whose classes are kept to their rows by arc masks.
    """
    cargo = CargoClass(cargo)
    if customs not in CUSTOMS_REGIMES:
        raise ValueError(f"customs must be one of {', '.join(CUSTOMS_REGIMES)}, got {customs!r}")
    year = view.year if view.year is not None else 10**6
    t_per_unit = {CargoClass.CONTAINER: view.parameter("t_per_teu"), CargoClass.GAS: view.parameter("t_per_bcm")}.get(cargo, 1.0)
    waits = _border_waits(view.nodes, customs, year)
    ctx = _Context(
        view, cargo, CARGO_MODES[cargo], float(t_per_unit), waits, _rows(view.nodes), _rows(view.modes), any_freight_class
    )
    arcs = _Arcs()
    _add_links(arcs, ctx)
    _add_transfers(arcs, ctx)
    origin_gate, dest_gate, layer_vertices = _add_gates(arcs, view.nodes)

    rows, n = arcs.rows, len(arcs.v_node)
    tails = np.array([r[0] for r in rows], dtype=np.int64)
    pick = [rows[i] for i in np.argsort(tails, kind="stable")]
    countries = sorted({c for r in rows for c in r[11]})
    cidx = {c: i for i, c in enumerate(countries)}
    cmat = np.zeros((len(pick), len(countries)), dtype=bool)
    for i, r in enumerate(pick):
        for c in r[11]:
            cmat[i, cidx[c]] = True
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=indptr[1:])
    return CompiledGraph(
        cargo=cargo,
        customs=customs,
        indptr=indptr,
        indices=_column(pick, 1, np.int64),
        tails=_column(pick, 0, np.int64),
        kind=np.array([int(r[2]) for r in pick], dtype=np.int8),
        ref=_column(pick, 3, object),
        base=_column(pick, 4, object),
        mode=_column(pick, 5, object),
        length_km=_column(pick, 6, float),
        moving_h=_column(pick, 7, float),
        waiting_h=_column(pick, 8, float),
        cost_usd=_column(pick, 9, float),
        co2_kg=_column(pick, 10, float),
        explicit=_column(pick, 14, bool),
        capacity=_column(pick, 12, float),
        capacity_of=_column(pick, 13, object),
        t_per_unit=float(t_per_unit),
        countries=cmat,
        country_index=cidx,
        vertex_node=np.array(arcs.v_node, dtype=object),
        vertex_layer=np.array(arcs.v_layer, dtype=object),
        origin_gate=origin_gate,
        dest_gate=dest_gate,
        layer_vertices=layer_vertices,
    )


def arc_mask(
    g: CompiledGraph,
    *,
    avoid_countries: frozenset[str] | set[str] = frozenset(),
    avoid_modes: frozenset[str] | set[str] = frozenset(),
    avoid_nodes: frozenset[str] | set[str] = frozenset(),
) -> np.ndarray:
    """Arcs a query may use: none touching an avoided country or node, none of an avoided mode."""
    en = np.ones(g.n_arcs, dtype=bool)
    cols = [g.country_index[x] for x in avoid_countries if x in g.country_index]
    if cols:
        en &= ~g.countries[:, cols].any(axis=1)
    if avoid_modes:
        en &= ~np.isin(g.mode, list(avoid_modes))
    if avoid_nodes:
        bad = np.isin(g.vertex_node, list(avoid_nodes))
        en &= ~bad[g.tails] & ~bad[g.indices]
    return en
