"""Flow commands: ``assign`` (one scenario year), ``scenario list|run|diff``, ``sweep`` and ``tntp run``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli.common import (
    DataOpt,
    ForceOpt,
    JsonOpt,
    arg_year,
    arg_years,
    bar,
    check_choice,
    check_output_folder,
    emit,
    fail,
    load,
    make_table,
    mt,
    out,
    print_by_year,
    run,
    spinner,
)
from corridor.cli.projects import IncludeStageOpt, SwitchOnOpt
from corridor.cli.render import print_energy_by_year, print_sweep, print_tntp, print_year
from corridor.errors import DataError

__all__ = ["assign", "scenario_app", "scenario_diff", "scenario_list", "scenario_run", "sweep", "tntp_app", "tntp_run"]

scenario_app = typer.Typer(no_args_is_help=True, help="Run, compare and list flow scenarios.")
tntp_app = typer.Typer(no_args_is_help=True, help="Run traffic assignment on TNTP benchmark networks.")

OUTPUT_FORMATS = ("csv", "parquet", "geojson")
OutputOpt = Annotated[Path | None, typer.Option("--output", "-O", help="Folder to write result tables or flows into.")]
FormatOpt = Annotated[str, typer.Option("--format", help="csv, parquet or geojson (flows on links).")]
YearsOpt = Annotated[str, typer.Option("--years", help="YYYY..YYYY or a comma list, years 2000 to 2100.")]


def _scenario(name: str, net: Any, as_json: bool, option: str) -> Any:
    """The scenario *name* (shipped name or TOML file), read and checked against the network."""
    from corridor.data.scenario_files import read_scenario

    if Path(name).is_dir():
        fail(DataError(f"{option} = {name!r}: expected a scenario name or a TOML file, found a folder"), as_json)
    sc = run(as_json, lambda: read_scenario(name))
    run(as_json, lambda: sc.validate(net))
    return sc


def _output(output: Path | None, format: str, force: bool, as_json: bool) -> None:
    check_choice(format, OUTPUT_FORMATS, option="--format", as_json=as_json)
    if output is not None:
        check_output_folder(output, option="--output", force=force, as_json=as_json)


def _write(result: Any, output: Path, format: str, net: Any, as_json: bool) -> list[str]:
    """Write a scenario run's tables or link flows into *output*; the files written, as strings."""
    from corridor.data.results import write_run

    return run(as_json, lambda: [str(p) for p in write_run(result, output, format=format, geometry=net.link_coordinates)])


def _records(frame: Any) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records"))


def assign(
    scenario: Annotated[str, typer.Option("--scenario", "-s", help="Shipped scenario name or a TOML file.")] = "base",
    year: Annotated[int, typer.Option("--year", help="Year to assign, 2000 to 2100.")] = 2030,
    output: OutputOpt = None,
    format: FormatOpt = "csv",
    force: ForceOpt = False,
    include_stage: IncludeStageOpt = None,
    switch_on: SwitchOnOpt = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Assign one scenario year: bottleneck ranking, corridor shares and energy route shares."""
    from corridor.cli.projects import load_staged
    from corridor.scenarios import ScenarioRun, run_year

    arg_year(year, as_json)
    _output(output, format, force, as_json)
    net = load_staged(data, include_stage, switch_on, as_json)
    sc = _scenario(scenario, net, as_json, "--scenario")
    with spinner(f"Assigning {sc.name} {year}…", as_json) as prog:
        prog.add_task("assign")
        y = run(as_json, lambda: run_year(net, sc, year))
    files = []
    if output:
        files = _write(ScenarioRun(sc, [y]), output, format, net, as_json)
    if as_json:
        emit({**y.to_dict(), "files": files})
        return
    print_year(y)
    if files:
        out.print(f"wrote {', '.join(files)}", highlight=False)


@scenario_app.command("list")
def scenario_list(as_json: JsonOpt = False) -> None:
    """The scenarios shipped with Corridor."""
    from corridor.data.scenario_files import list_scenarios, read_scenario

    rows = [{"name": n, "description": read_scenario(n).description} for n in list_scenarios()]
    if as_json:
        emit(rows)
        return
    t = make_table([("name", "left")])
    t.add_column("description", overflow="fold")
    for r in rows:
        t.add_row(r["name"], r["description"])
    out.print(t)


@scenario_app.command("run")
def scenario_run(
    name: Annotated[str, typer.Argument(help="Shipped scenario name or a TOML file.")],
    years: YearsOpt = "2024..2035",
    output: OutputOpt = None,
    format: FormatOpt = "csv",
    force: ForceOpt = False,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a scenario over years: the year each bottleneck saturates, corridor shares, energy by year."""
    from corridor.scenarios import SATURATED_VC, run_scenario

    ys = arg_years(years, as_json)
    _output(output, format, force, as_json)
    net = load(data, as_json)
    sc = _scenario(name, net, as_json, "NAME")
    with bar(as_json) as prog:
        task = prog.add_task(f"Running {sc.name}", total=len(ys))
        result = run(as_json, lambda: run_scenario(net, sc, ys, progress=lambda y: prog.advance(task)))
    files = _write(result, output, format, net, as_json) if output else []
    sat, shares, energy = result.saturation(), result.shares_table(), result.energy_table()
    if as_json:
        emit(
            {
                "scenario": sc.name,
                "years": ys,
                "saturation_vc_ratio": SATURATED_VC,
                "saturation": _records(sat),
                "corridor_shares": _records(shares),
                "energy": _records(energy.reset_index()),
                "files": files,
            }
        )
        return
    out.print(f"[bold]{sc.name}[/]: {sc.description}", highlight=False)
    t = make_table(
        [
            ("link or facility", "left"),
            ("capacity Mt", "right"),
            ("saturates in", "right"),
            ("worst v/c", "right"),
            ("in", "right"),
        ],
        title=f"Bottlenecks: year volume/capacity first reaches {SATURATED_VC:g}",
    )
    for _, r in sat.head(15).iterrows():
        year = r["saturation_year"]
        when = "–" if year is None or year != year else str(int(year))
        t.add_row(str(r["name"]), mt(r["capacity_t_per_year"]), when, f"{r['max_vc_ratio']:.2f}", str(int(r["max_vc_year"])))
    out.print(t)
    print_by_year("Corridor shares of freight by year", result.shares_by_year(), lambda v: f"{v:.1%}")
    if len(energy):
        print_energy_by_year("Energy by year", energy, lambda v: f"{v / 1e6:.2f}")
    if files:
        out.print(f"wrote {', '.join(files)}", highlight=False)


@scenario_app.command("diff")
def scenario_diff(
    a: Annotated[str, typer.Argument(help="Scenario A.")],
    b: Annotated[str, typer.Argument(help="Scenario B.")],
    years: YearsOpt = "2030",
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What changes from scenario A to scenario B: corridor shares, bottleneck v/c, energy exports."""
    from corridor.scenarios import diff_runs, run_scenario

    ys = arg_years(years, as_json)
    net = load(data, as_json)
    sa, sb = _scenario(a, net, as_json, "A"), _scenario(b, net, as_json, "B")
    with spinner("Running both scenarios…", as_json) as prog:
        prog.add_task("diff")
        ra = run(as_json, lambda: run_scenario(net, sa, ys))
        rb = run(as_json, lambda: run_scenario(net, sb, ys))
    d = diff_runs(ra, rb)
    if as_json:
        emit(
            {
                "a": sa.name,
                "b": sb.name,
                "years": ys,
                "shares": _records(d["shares"]),
                "bottlenecks": _records(d["bottlenecks"]),
                "energy": _records(d["energy"].reset_index()) if len(d["energy"]) else [],
            }
        )
        return
    out.print(f"[bold]{sb.name} minus {sa.name}[/] ({', '.join(map(str, ys))})", highlight=False)
    change = d["shares"].pivot_table(index="year", columns="corridor", values="change_share_fraction", sort=False)
    print_by_year("Change in corridor shares (percentage points)", change.rename_axis(columns=None), lambda v: f"{100 * v:+.1f}")
    bt = make_table(
        [(c, "left") for c in ("year", "link or facility", f"v/c {sa.name}", f"v/c {sb.name}", "change")],
        title="Largest changes in volume/capacity",
    )
    bd = d["bottlenecks"]
    if len(bd):
        bd = bd.reindex(bd["change_vc_ratio"].abs().sort_values(ascending=False).index).head(10)
        for _, r in bd.iterrows():
            bt.add_row(
                str(r["year"]),
                str(r["name"]),
                f"{r['a_vc_ratio']:.2f}" if r["a_vc_ratio"] == r["a_vc_ratio"] else "–",
                f"{r['b_vc_ratio']:.2f}" if r["b_vc_ratio"] == r["b_vc_ratio"] else "–",
                f"{r['change_vc_ratio']:+.2f}",
            )
    out.print(bt)
    if len(d["energy"]):
        print_energy_by_year("Change in energy", d["energy"], lambda v: f"{v / 1e6:+.2f}")


def sweep(
    name: Annotated[str, typer.Argument(help="Shipped scenario name or a TOML file.")] = "base",
    years: YearsOpt = "2030",
    samples: Annotated[int, typer.Option("--samples", help="Monte Carlo samples (1 or more).")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same results everywhere.")] = 0,
    demand_scale: Annotated[str, typer.Option("--demand-scale", help="Demand multiplier range LOW:HIGH, 0 <= LOW.")] = "0.8:1.2",
    delay: Annotated[str, typer.Option("--delay", help="Project delivery delay range in whole years LOW:HIGH.")] = "0:0",
    disruption_prob: Annotated[float, typer.Option("--disruption-prob", help="Chance each scenario disruption happens.")] = 1.0,
    grid: Annotated[bool, typer.Option("--grid", help="Every combination of range ends instead of random samples.")] = False,
    use_ray: Annotated[
        bool, typer.Option("--ray", help="Run on Ray (also when the ray_address setting, CORRIDOR_RAY_ADDRESS, is set).")
    ] = False,
    workers: Annotated[int, typer.Option("--workers", help="Local processes or Ray CPUs (1 or more).")] = 2,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sweep scenario parameters (grid or Monte Carlo) and summarise percentiles of shares, v/c and stranded energy."""
    from corridor.model.inputs import check_count, check_fraction, parse_range
    from corridor.scenarios import SweepSpec, run_sweep

    ys = arg_years(years, as_json)
    run(as_json, lambda: (check_count(samples, "--samples"), check_count(workers, "--workers")))
    spec = SweepSpec(
        years=tuple(ys),
        samples=samples,
        seed=seed,
        demand_scale=run(as_json, lambda: parse_range(demand_scale, float, "--demand-scale", minimum=0)),
        delay_years=run(as_json, lambda: parse_range(delay, int, "--delay", minimum=0)),
        disruption_probability=run(as_json, lambda: check_fraction(disruption_prob, "--disruption-prob")),
        grid=grid,
    )
    run(as_json, spec.check)
    net = load(data, as_json)
    sc = _scenario(name, net, as_json, "NAME")
    with bar(as_json, counter="{task.completed}") as prog:
        task = prog.add_task(f"Sweeping {sc.name}", total=samples if not grid else None)
        res = run(
            as_json,
            lambda: run_sweep(net, sc, spec, use_ray=use_ray or None, workers=workers, progress=lambda i: prog.advance(task)),
        )
    summary = res.summary()
    if as_json:
        emit({"scenario": sc.name, "executor": res.executor, "samples": len(res.parameters), "summary": _records(summary)})
        return
    out.print(f"[bold]{sc.name}[/]: {len(res.parameters)} samples on {res.executor}, seed {seed}", highlight=False)
    print_sweep(summary)


@tntp_app.command("run")
def tntp_run(
    folder: Annotated[Path, typer.Argument(help="Folder with <name>_net.tntp and <name>_trips.tntp (and _flow.tntp).")],
    algorithm: Annotated[str, typer.Option("--algorithm", help="fw, cfw or bfw.")] = "bfw",
    gap: Annotated[float, typer.Option("--gap", help="Target relative gap, > 0.")] = 1e-4,
    max_iter: Annotated[int, typer.Option("--max-iter", help="Most iterations (1 or more).")] = 2000,
    as_json: JsonOpt = False,
) -> None:
    """Equilibrate a TNTP network (user equilibrium) and compare with its best-known solution."""
    from corridor.assignment import ALGORITHMS
    from corridor.assignment.tntp import run_tntp
    from corridor.data.tntp import read_tntp
    from corridor.model.inputs import check_count, check_positive

    check_choice(algorithm, ALGORITHMS, option="--algorithm", as_json=as_json)
    run(as_json, lambda: (check_positive(gap, "--gap"), check_count(max_iter, "--max-iter")))
    with bar(as_json, bar_column=False, counter=None) as prog:
        task = prog.add_task(f"Assigning {folder.name}")

        def tick(i: int, g: float) -> None:
            prog.update(task, description=f"Assigning {folder.name}: iteration {i}, relative gap {g:.2e}")

        result = run(as_json, lambda: run_tntp(read_tntp(folder), algorithm=algorithm, gap=gap, max_iter=max_iter, callback=tick))
    if as_json:
        emit(result.to_dict())
        return
    print_tntp(result, algorithm, gap)
