"""``corridor simulate``: a scenario year's operations (door-to-door days p10-p99, where the days go, facility waits);
``corridor simulate diff A B`` compares two scenarios or one with changed operating parameters."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from corridor.cli.common import (
    DataOpt,
    ForceOpt,
    JsonOpt,
    arg_positive,
    arg_year,
    bar,
    check_choice,
    check_output_folder,
    emit,
    load,
    out,
    run,
)
from corridor.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["simulate", "simulate_app", "simulate_diff"]

simulate_app = typer.Typer(
    invoke_without_command=True,
    help="Simulate a scenario year's operations: door-to-door time distributions and where the days go.",
)
_SIM_FORMATS = ("csv", "parquet")


SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="Change an operating parameter, FACILITY.PARAMETER=VALUE (repeatable), e.g. ferry_kuryk_baku.fleet=9."
    ),
]


def _sim_overrides(values: list[str] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values or []:
        key, sep, raw = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(raw)
        except ValueError:
            raise DataError(f"field 'set' = {item!r}: expected FACILITY.PARAMETER=NUMBER") from None
    return out


def _sim_operations(data: Path | None, as_json: bool) -> Any:
    """The operations table of the --data folder when it has one, else the shipped one (None)."""
    from corridor.data.operations import OPERATIONS_FILE, read_operations

    if data is None or not (Path(data) / OPERATIONS_FILE).exists():
        return None
    return run(as_json, lambda: read_operations(data))


def _simulate(
    net: Any,
    scenario: str,
    year: int,
    days: float,
    replications: int,
    seed: int,
    use_ray: bool,
    workers: int,
    as_json: bool,
    label: str = "",
    operations: Any = None,
    overrides: dict[str, float] | None = None,
) -> Any:
    from corridor.scenarios.simulation import simulate_scenario

    with bar(as_json, counter="{task.completed}/{task.total} replications") as prog:
        task = prog.add_task(label or f"Simulating {scenario} {year}", total=replications)
        return run(
            as_json,
            lambda: simulate_scenario(
                net,
                scenario,
                year,
                days=days,
                replications=replications,
                seed=seed,
                use_ray=use_ray or None,
                workers=workers,
                operations=operations,
                overrides=overrides,
                progress=lambda i: prog.advance(task),
            ),
        )


def _top_components(comp: pd.DataFrame, cid: str, n: int = 3) -> str:
    c = comp[comp["corridor_id"] == cid].sort_values("mean_h", ascending=False).head(n)
    return ", ".join(f"{r['component']} {r['mean_days']:.1f} d" for _, r in c.iterrows())


def _write_sim(res: Any, folder: Path, fmt: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "corridors": res.corridors_frame(),
        "od_pairs": res.od_frame(),
        "components": res.components_frame(),
        "queues": res.queues_frame(),
        "offered_load": res.offered_load,
        "not_simulated": res.not_simulated,
        "trains": res.trains,
        "assumptions": res.assumptions,
    }
    files = []
    for name, frame in tables.items():
        path = folder / f"{name}.{fmt}"
        frame.to_csv(path, index=False) if fmt == "csv" else frame.to_parquet(path, index=False)
        files.append(str(path))
    return files


def _check_run_args(year: int, days: float, replications: int, workers: int, as_json: bool) -> None:
    """One line and exit 2 for a year outside the model's range, a non-positive horizon or count."""
    from corridor.model.inputs import check_count

    arg_year(year, as_json)
    arg_positive(days, as_json, "--days")
    run(as_json, lambda: (check_count(replications, "--replications"), check_count(workers, "--workers")))


def _print_notes(res: Any) -> None:
    """What is not simulated (with tonnes) and where the year's trains ask more than a facility serves."""
    ns = res.not_simulated
    if len(ns):
        cut = ns["reason"].str.startswith("sea leg")
        left = ns[~cut]
        by = left.groupby("reason")["t_per_year"].agg(["size", "sum"])
        parts = [f"{r}: {int(v['size'])}" + (f" ({v['sum'] / 1e6:.2f} Mt)" if v["sum"] else "") for r, v in by.iterrows()]
        if cut.any():
            parts.append(
                f"sea legs at path ends not simulated: {int(cut.sum())} paths ({ns.loc[cut, 't_per_year'].sum() / 1e6:.2f} Mt)"
            )
        out.print("not trains, left out: " + "; ".join(parts), highlight=False)
    over = res.over_capacity()
    if len(over):
        items = ", ".join(f"{r['facility_id']} ({r['kind']}) {r['load_ratio']:.2f}x" for _, r in over.head(6).iterrows())
        out.print(f"[yellow]over capacity (queues grow while the traffic lasts):[/] {items}", highlight=False)


def _print_run(res: Any, files: list[str]) -> None:
    out.print(
        f"[bold]{res.scenario} {res.year}[/]: {res.replications} replications of {res.days:g} days on {res.executor}, "
        f"seed {res.seed}; {res.generated} trains generated = {res.generated - res.in_system} delivered "
        f"+ {res.in_system} still travelling at the end",
        highlight=False,
    )
    _print_notes(res)
    comp = res.components_frame()
    pair = f" {res.pair[0]} → {res.pair[1]}" if res.pair else ""
    t = Table(title=f"Container trains{pair}, door to door (days)", header_style="bold")
    for col in ("corridor", "p10", "p50", "p90", "p99", "mean", f"trains in {res.days:g} d", "largest components"):
        t.add_column(col)
    flagged = {}
    for _, r in res.corridors_frame().iterrows():
        over = str(r.get("over_capacity") or "")
        if over:
            flagged[str(r["corridor_id"])] = over.replace(";", ", ")
        t.add_row(
            str(r["corridor_id"]) + ("*" if over else ""),
            *(f"{r[c]:.1f}" for c in ("p10_days", "p50_days", "p90_days", "p99_days", "mean_days")),
            f"{r['trains']:.0f}",
            _top_components(comp, str(r["corridor_id"])),
        )
    out.print(t)
    for cid, over in flagged.items():
        out.print(f"* {cid} passes over-capacity facilities ({over}): its days grow with the simulated length", highlight=False)
    q = res.queues_frame()
    q = q[q["kind"] != "weather"].sort_values("mean_wait_h", ascending=False).head(8)
    qt = Table(title="Longest waits by facility", header_style="bold")
    for col in ("facility", "kind", "mean wait h", "max wait h", "mean queue", "utilisation"):
        qt.add_column(col)
    for _, r in q.iterrows():
        util = f"{r['utilisation']:.0%}" if r["utilisation"] == r["utilisation"] else "–"
        cells = (f"{r['mean_wait_h']:.1f}", f"{r['max_wait_h']:.1f}", f"{r['mean_queue']:.1f}", util)
        qt.add_row(str(r["facility_id"]), str(r["kind"]), *cells)
    out.print(qt)
    kinds = res.assumptions["kind"].value_counts().to_dict()
    used = ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
    out.print(f"parameters used: {used} (see --json 'assumptions')", highlight=False)
    for f in files:
        out.print(f"wrote {f}", highlight=False)


@simulate_app.callback()
def simulate(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Option("--scenario", help="Shipped scenario name or a TOML file.")] = "base",
    year: Annotated[int, typer.Option("--year", help="Simulated year.")] = 2025,
    days: Annotated[float, typer.Option("--days", help="Days of traffic to generate (trains then run to the end).")] = 365.0,
    replications: Annotated[int, typer.Option("--replications", help="Independent replications.")] = 30,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same results everywhere.")] = 7,
    use_ray: Annotated[bool, typer.Option("--ray", help="Run replications on Ray (a local one unless configured).")] = False,
    workers: Annotated[int, typer.Option("--workers", help="Local processes or Ray CPUs.")] = 1,
    output: Annotated[Path | None, typer.Option("--output", help="Also write the tables to this folder.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="Table format for --output: csv or parquet.")] = "csv",
    force: ForceOpt = False,
    set_values: SetOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Simulate SCENARIO in YEAR and print each corridor's door-to-door days (p10-p99) and where the days go."""
    if ctx.invoked_subcommand is not None:
        return
    check_choice(fmt, _SIM_FORMATS, option="--format", as_json=as_json)
    _check_run_args(year, days, replications, workers, as_json)
    if output is not None:
        check_output_folder(output, option="--output", force=force, as_json=as_json)
    net = load(data, as_json)
    ops = _sim_operations(data, as_json)
    changes = run(as_json, lambda: _sim_overrides(set_values))
    res = _simulate(net, scenario, year, days, replications, seed, use_ray, workers, as_json, operations=ops, overrides=changes)
    files = run(as_json, lambda: _write_sim(res, output, fmt)) if output is not None else []
    if as_json:
        emit({**res.to_dict(), "files": files})
        return
    _print_run(res, files)


def _sim_diff_frames(ra: Any, rb: Any) -> dict[str, pd.DataFrame]:
    """B - A: door-to-door percentiles (container and bulk trains), components, and facility waits."""
    import pandas as pd

    cols = ["p10_days", "p50_days", "p90_days", "p99_days", "mean_days", "trains"]
    out = {}
    for name, cargo in (("corridors", "container"), ("bulk", "bulk")):
        ca, cb = (r.corridors_frame(cargo).set_index("corridor_id")[cols] for r in (ra, rb))
        both = ca.merge(cb, left_index=True, right_index=True, how="outer", suffixes=("_a", "_b"))
        for c in cols:
            both[f"{c}_change"] = both[f"{c}_b"] - both[f"{c}_a"]
        out[name] = both
    ka = ra.components_frame().set_index(["corridor_id", "component"])["mean_days"]
    kb = rb.components_frame().set_index(["corridor_id", "component"])["mean_days"]
    comp = pd.DataFrame({"a_days": ka, "b_days": kb}).fillna(0.0)
    comp["change_days"] = comp["b_days"] - comp["a_days"]
    out["components"] = comp.reset_index()
    # a line has one queue per direction, told apart by the node it is entered from
    qa, qb = (r.queues_frame().set_index(["facility_id", "kind", "node"])["mean_wait_h"] for r in (ra, rb))
    q = pd.DataFrame({"a_mean_wait_h": qa, "b_mean_wait_h": qb})
    q["change_h"] = q["b_mean_wait_h"] - q["a_mean_wait_h"]
    out["queues"] = q.reset_index()
    return out


def _print_sim_diff_bulk_and_queues(d: dict[str, pd.DataFrame], a: str, b: str) -> None:
    bt = Table(title="Bulk trains (wagons on the rail ferries), door to door (days)", header_style="bold")
    for col in ("corridor", f"p50 {a}", f"p50 {b}", f"p90 {a}", f"p90 {b}", "mean change"):
        bt.add_column(col)
    for cid, r in d["bulk"].iterrows():
        cells = (f"{r[c]:.1f}" for c in ("p50_days_a", "p50_days_b", "p90_days_a", "p90_days_b"))
        bt.add_row(str(cid), *cells, f"{r['mean_days_change']:+.1f}")
    out.print(bt)
    q = d["queues"].dropna(subset=["change_h"])
    q = q[q["change_h"].abs() > 0.5]
    q = q.reindex(q["change_h"].abs().sort_values(ascending=False).index).head(8)
    qt = Table(title="Facilities whose mean wait changed (hours)", header_style="bold")
    for col in ("facility", "kind", a, b, "change"):
        qt.add_column(col)
    for _, r in q.iterrows():
        qt.add_row(
            str(r["facility_id"]),
            str(r["kind"]),
            f"{r['a_mean_wait_h']:.1f}",
            f"{r['b_mean_wait_h']:.1f}",
            f"{r['change_h']:+.1f}",
        )
    out.print(qt)


@simulate_app.command("diff")
def simulate_diff(
    a: Annotated[str, typer.Argument(help="Scenario A.")],
    b: Annotated[str, typer.Argument(help="Scenario B.")],
    year: Annotated[int, typer.Option("--year", help="Simulated year.")] = 2026,
    days: Annotated[float, typer.Option("--days", help="Days of traffic to generate.")] = 365.0,
    replications: Annotated[int, typer.Option("--replications", help="Replications of each scenario.")] = 10,
    seed: Annotated[int, typer.Option("--seed", help="Seed shared by both runs (common random numbers).")] = 7,
    use_ray: Annotated[bool, typer.Option("--ray", help="Run replications on Ray.")] = False,
    workers: Annotated[int, typer.Option("--workers", help="Local processes or Ray CPUs.")] = 1,
    set_values: SetOpt = None,
    set_b: Annotated[
        list[str] | None,
        typer.Option("--set-b", help="Change a parameter in B only, e.g. aktau.closure_days=7 (a week-long storm)."),
    ] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What changes from scenario A to B: door-to-door percentiles and delay components per corridor (B - A).

    A and B may be the same scenario with --set-b changes: two more ferries, a storm, a backlog.
    """
    _check_run_args(year, days, replications, workers, as_json)
    net = load(data, as_json)
    ops = _sim_operations(data, as_json)
    both_set = run(as_json, lambda: _sim_overrides(set_values))
    b_set = {**both_set, **run(as_json, lambda: _sim_overrides(set_b))}
    ra = _simulate(net, a, year, days, replications, seed, use_ray, workers, as_json, f"Simulating {a} {year}", ops, both_set)
    rb = _simulate(net, b, year, days, replications, seed, use_ray, workers, as_json, f"Simulating {b} {year}", ops, b_set)
    d = _sim_diff_frames(ra, rb)
    if as_json:
        emit(
            {
                "a": a,
                "b": b,
                "a_changes": both_set,
                "b_changes": b_set,
                "year": year,
                "replications": replications,
                "seed": seed,
                "corridors": json.loads(d["corridors"].reset_index().to_json(orient="records")),
                "components": json.loads(d["components"].to_json(orient="records")),
                "bulk": json.loads(d["bulk"].reset_index().to_json(orient="records")),
                "queues": json.loads(d["queues"].to_json(orient="records")),
            }
        )
        return
    if b_set != both_set:
        b = f"{b}*"
        changed = ", ".join(f"{k}={v:g}" for k, v in b_set.items() if both_set.get(k) != v)
        out.print(f"{b} = {b[:-1]} with {changed}", highlight=False)
    out.print(f"[bold]{b} minus {a}[/], {year}: {replications} replications each, seed {seed}", highlight=False)
    _print_sim_diff(d, a, b)


def _print_sim_diff(d: dict[str, pd.DataFrame], a: str, b: str) -> None:
    both, comp = d["corridors"], d["components"]
    t = Table(title="Container trains, door to door (days)", header_style="bold")
    for col in ("corridor", f"p50 {a}", f"p50 {b}", "p50 change", f"p90 {a}", f"p90 {b}", "p90 change", "mean change"):
        t.add_column(col)
    for cid, r in both.iterrows():
        t.add_row(
            str(cid),
            f"{r['p50_days_a']:.1f}",
            f"{r['p50_days_b']:.1f}",
            f"{r['p50_days_change']:+.1f}",
            f"{r['p90_days_a']:.1f}",
            f"{r['p90_days_b']:.1f}",
            f"{r['p90_days_change']:+.1f}",
            f"{r['mean_days_change']:+.1f}",
        )
    out.print(t)
    big = comp[comp["change_days"].abs() > 0.05].sort_values("change_days")
    ct = Table(title="Components that changed (mean days per train)", header_style="bold")
    for col in ("corridor", "component", a, b, "change"):
        ct.add_column(col)
    for _, r in big.iterrows():
        ct.add_row(
            str(r["corridor_id"]), str(r["component"]), f"{r['a_days']:.2f}", f"{r['b_days']:.2f}", f"{r['change_days']:+.2f}"
        )
    out.print(ct)
    _print_sim_diff_bulk_and_queues(d, a, b)
