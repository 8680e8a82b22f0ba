"""Rich renderings of flow results (one assigned year, a sweep summary, a TNTP run) for the flow commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corridor.cli.common import make_table, mt, out, print_by_year
from corridor.units import per_year

__all__ = ["print_allocation", "print_energy", "print_energy_by_year", "print_sweep", "print_tntp", "print_year"]


def print_year(y: Any) -> None:
    """One scenario year: headline, bottlenecks, corridor shares and energy exports."""
    out.print(
        f"\n[bold]{y.scenario}, {y.year}[/]: freight demand {y.demand_t / 1e6:.2f} Mt, unmet {y.unmet_t / 1e6:.2f} Mt, "
        f"relative gap {y.relative_gap:.1e}",
        highlight=False,
    )
    t = make_table(
        [
            ("link or facility", "left"),
            ("limited by", "left"),
            ("flow Mt", "right"),
            ("capacity Mt", "right"),
            ("v/c", "right"),
            ("delay h", "right"),
        ],
        title="Bottlenecks (worst volume/capacity first)",
    )
    for _, b in y.bottlenecks.head(10).iterrows():
        t.add_row(
            str(b["name"]),
            str(b["limited_by"]),
            mt(b["flow_t_per_year"]),
            mt(b["capacity_t_per_year"]),
            f"{b['vc_ratio']:.2f}",
            f"{b['delay_h']:.1f}",
        )
    out.print(t)
    s = make_table([("corridor", "left"), ("Mt", "right"), ("share", "right")], title="Corridor shares of freight")
    for _, r in y.shares.iterrows():
        s.add_row(str(r["corridor"]), mt(r["flow_t_per_year"]), f"{r['share_fraction']:.1%}")
    out.print(s)
    if getattr(y, "allocations", None):
        for a in y.allocations.values():
            print_allocation(a)
        if y.energy is not None:
            _print_binding(y.energy)
    elif y.energy is not None:
        print_energy(y.energy)


def _amount(v: float, unit: str) -> str:
    """Tonnes in Mt, bcm as they are."""
    return f"{v:,.2f}" if unit == "bcm" else f"{v / 1e6:,.2f}"


def print_allocation(a: Any) -> None:
    """One allocation case of a year: flows by route against the published split, then by export terminal."""
    unit = a.result.unit
    shown = "bcm" if unit == "bcm" else "Mt"
    pub_unit = a.case.published_unit or unit
    rt = make_table(
        [("route", "left"), (shown, "right"), ("share", "right"), ("published share", "right"), ("diff pp", "right")],
        title=f"{a.case.name} ({a.case.cargo.value}): flows by route vs published ({pub_unit}; {a.case.published_source})",
    )
    modelled = per_year("modelled", unit)
    for _, r in a.split().iterrows():
        has_pub = r["published_share_fraction"] == r["published_share_fraction"]
        rt.add_row(
            str(r["route"]),
            _amount(r[modelled], unit),
            f"{r['modelled_share_fraction']:.1%}",
            f"{r['published_share_fraction']:.1%}" if has_pub else "–",
            f"{r['difference_pp']:+.1f}" if has_pub else "–",
        )
    out.print(rt)
    tt = make_table(
        [("terminal", "left"), (shown, "right"), ("share", "right")],
        title=f"{a.case.name}: exports by terminal, shipped {_amount(a.shipped, unit)} of {_amount(a.supply, unit)} {shown}, "
        f"stranded {_amount(a.stranded_total, unit)}",
    )
    flow = a.result.flow_column
    for _, r in a.result.sinks.sort_values(flow, ascending=False).iterrows():
        tt.add_row(str(r["terminal"]), _amount(r[flow], unit), f"{r['share_fraction']:.1%}")
    out.print(tt)


def print_energy(e: Any) -> None:
    """Energy exports of one year: terminals with volume and share, then the binding capacities."""
    et = make_table(
        [("terminal", "left"), ("M/yr", "right"), ("share", "right")],
        title=f"Energy exports ({e.cargo.value}, {e.unit}/yr): shipped {e.shipped / 1e6:.2f} M of "
        f"{e.supply / 1e6:.2f} M, stranded {e.stranded_total / 1e6:.2f} M",
    )
    flow = e.flow_column
    for _, r in e.sinks.iterrows():
        et.add_row(str(r["terminal"]), f"{r[flow] / 1e6:.2f}", f"{r['share_fraction']:.1%}")
    out.print(et)
    _print_binding(e)


def _print_binding(e: Any) -> None:
    """The capacities that bind the energy flows, if any."""
    flow = e.flow_column
    binding = e.links[e.links["binding"] & (e.links[flow] > 0)]
    if len(binding):
        out.print("binding: " + ", ".join(f"{r['arc']} ({r[flow] / 1e6:.2f} M)" for _, r in binding.iterrows()), highlight=False)


def print_energy_by_year(title: str, energy: Any, fmt: Callable[[float], str]) -> None:
    """An energy table by year with human headers: ``to_ceyhan_t_per_year`` shows as ``to ceyhan``, the unit
    (millions of t or bcm a year) in the title."""
    import re

    units = {m.group(1) for c in energy.columns if (m := re.search(r"_([a-z]+)_per_year$", str(c)))}
    shown = energy.rename(columns=lambda c: re.sub(r"_[a-z]+_per_year$", "", str(c)).replace("_", " "))
    print_by_year(f"{title} (M {'/'.join(sorted(units)) or 'units'}/yr)", shown, fmt)


def _metric_format(metric: str) -> Callable[[float], str]:
    if metric == "share_fraction":
        return lambda v: f"{v:.1%}"
    if metric == "vc_ratio":
        return lambda v: f"{v:.2f}"
    return lambda v: f"{v / 1e6:.2f} M"


def print_sweep(summary: Any) -> None:
    """Percentiles of each swept metric, one row per metric, item and year."""
    t = make_table([(c, "left") for c in ("metric", "item", "year", "p5", "p50", "p95", "mean")])
    for _, r in summary.iterrows():
        fmt = _metric_format(str(r["metric"]))
        t.add_row(str(r["metric"]), str(r["item"]), str(r["year"]), fmt(r["p5"]), fmt(r["p50"]), fmt(r["p95"]), fmt(r["mean"]))
    out.print(t)


def print_tntp(run: Any, algorithm: str, gap: float) -> None:
    """A TNTP run: the iteration log (first and last ten) and the comparison with the best-known solution."""
    import pandas as pd

    d = run.to_dict()
    log = run.result.iterations
    t = make_table(
        [(c, "right") for c in ("iteration", "relative gap", "Beckmann objective", "step", "direction")],
        title=f"{run.network}: {algorithm.upper()} to relative gap {gap:g}",
    )
    shown = log if len(log) <= 20 else pd.concat([log.head(10), log.tail(10)])
    for _, r in shown.iterrows():
        t.add_row(
            str(int(r["iteration"])),
            f"{r['relative_gap']:.3e}",
            f"{r['objective']:,.4f}",
            f"{r['step']:.4f}",
            str(r["direction"]),
        )
    out.print(t)
    lines = [
        f"iterations {d['iterations']}, final relative gap {d['relative_gap']:.3e} "
        f"({'converged' if d['converged'] else 'NOT converged'}), wall time {d['wall_s']:.2f} s",
        f"Beckmann objective {d['objective']:,.6f}",
    ]
    if d["best_known_objective"] is not None:
        lines.append(
            f"best-known objective {d['best_known_objective']:,.6f}; relative difference "
            f"{d['objective_rel_diff']:.3e}; link-flow RMSE {d['flow_rmse']:.4f}, correlation {d['flow_correlation']:.8f}"
        )
    for line in lines:
        out.print(line, highlight=False)
