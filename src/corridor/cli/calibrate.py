"""Calibration commands: ``corridor calibrate`` (OD-matrix estimation and fit per count site) and ``corridor validate``
(leave-one-out), both for one base year."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from corridor.cli.common import JsonOpt, arg_year, emit, fail, out
from corridor.errors import CorridorError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["calibrate_cmd", "validate_cmd"]

CalYearOpt = Annotated[int, typer.Option("--year", help="Base year to calibrate (demand.csv and counts.csv rows of it).")]
CalDataOpt = Annotated[Path | None, typer.Option("--data", help="Dataset folder with zones/demand/counts (default: shipped).")]
CalPriorOpt = Annotated[float, typer.Option("--prior-weight", help="Weight of the penalty keeping the matrix near the prior.")]


def _calibration(year: int, data: Path | None, prior_weight: float, as_json: bool) -> Any:
    from corridor.calibration import calibrate, read_calibration_data
    from corridor.data.allocation_files import find_allocation
    from corridor.data.csvdir import read_dataset

    def go() -> Any:
        net = read_dataset(data)
        tables = read_calibration_data(net, data)
        # a user's dataset folder brings its own allocation cases in <folder>/energy (none: no energy offsets)
        case = find_allocation(year) if data is None else find_allocation(year, folder=Path(data) / "energy")
        return net, tables, calibrate(net, tables, year, energy_case=case, prior_weight=prior_weight)

    from corridor.cli.common import spinner

    arg_year(year, as_json)
    with spinner(f"Calibrating {year}…", as_json) as prog:
        prog.add_task("calibrate")
        try:
            return go()
        except (CorridorError, ValueError, KeyError, LookupError) as exc:
            fail(exc, as_json)


def _cal_sites_json(frame: pd.DataFrame, value: str) -> list[dict]:
    import pandas as pd

    return [
        {
            "site_id": r["site_id"],
            "count_id": r["count_id"],
            "observed": float(r["observed"]),
            "modelled": float(r[value]),
            "unit": r["unit"],
            "rel_error": None if pd.isna(r["rel_error"]) else float(r["rel_error"]),
            "geh": float(r["geh"]),
            "source": r.get("source", ""),
        }
        for _, r in frame.iterrows()
    ]


def _cal_table(title: str, frame: pd.DataFrame, value: str, label: str) -> Table:
    t = Table(title=title, title_justify="left")
    for col in ("site", "observed", label, "unit", "rel. error", "GEH", "source"):
        t.add_column(col, justify="right" if col in ("observed", label, "rel. error", "GEH") else "left", overflow="fold")
    for _, r in frame.iterrows():
        e = r["rel_error"]
        colour = "green" if abs(e) <= 0.15 else "yellow" if abs(e) <= 0.30 else "red"
        t.add_row(
            str(r["count_id"]),
            f"{r['observed']:,.0f}",
            f"{r[value]:,.0f}",
            str(r["unit"]),
            f"[{colour}]{e:+.1%}[/]",
            f"{r['geh']:.1f}",
            str(r.get("source", ""))[:70],
        )
    return t


def calibrate_cmd(
    year: CalYearOpt = 2024,
    output: Annotated[Path, typer.Option("--output", "-O", help="Folder to write calibrated_<year>.toml into.")] = Path("."),
    prior_weight: CalPriorOpt = 1.0,
    data: CalDataOpt = None,
    base_output: Annotated[
        Path | None, typer.Option("--base-output", help="Also write the base scenario (calibrated demand grown per group) here.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Estimate the base-year OD matrix from the counts; print the fit per count site; write the scenario."""
    from corridor.calibration import FIT_LIMIT, LOO_LIMIT, scenario_name, write_base_scenario, write_calibrated_scenario

    net, tables, cal = _calibration(year, data, prior_weight, as_json)
    path = write_calibrated_scenario(cal, tables, net, Path(output) / f"{scenario_name(year)}.toml")
    if base_output is not None:
        try:
            write_base_scenario(cal, tables, net, base_output)
        except CorridorError as exc:
            fail(exc, as_json)
    summary = cal.summary()
    if as_json:
        body = {"sites": _cal_sites_json(cal.sites, "modelled"), "summary": summary, "scenario": str(path)}
        body["energy"] = None if cal.energy is None else cal.energy.to_dict()
        emit(body)
        return
    out.print(_cal_table(f"Fit per count site, {year} (calibrated)", cal.sites, "modelled", "modelled"))
    out.print(
        f"sites {summary['sites']}: {summary['share_within_15pct']:.0%} within {FIT_LIMIT:.0%} "
        f"(prior {summary['prior_share_within_15pct']:.0%}); leave-one-out {summary['loo_share_within_30pct']:.0%} within "
        f"{LOO_LIMIT:.0%}; R² {summary['r2']:.3f}; RMSE {summary['rmse_t']:,.0f} t; "
        f"GEH < 5 at {summary['share_geh_below_5']:.0%} "
        f"(GEH on {summary['geh_unit']})",
        highlight=False,
    )
    if cal.energy is not None:
        split = cal.energy.split()
        unit = cal.energy.result.unit
        modelled, published = f"modelled_{unit}_per_year", f"published_{unit}_per_year"
        t = Table(title=f"Crude exports by route, {year}: allocation vs published", title_justify="left")
        for col in ("route", "modelled t", "share", "published t", "share ", "diff (pp)"):
            t.add_column(col, justify="left" if col == "route" else "right")
        for _, r in split.iterrows():
            t.add_row(
                r["route"],
                f"{r[modelled]:,.0f}",
                f"{r['modelled_share_fraction']:.1%}",
                f"{r[published]:,.0f}",
                f"{r['published_share_fraction']:.1%}",
                f"{r['difference_pp']:+.1f}",
            )
        out.print(t)
    out.print(f"wrote {path}" + (f" and {base_output}" if base_output else ""), highlight=False)


def validate_cmd(
    year: CalYearOpt = 2024, prior_weight: CalPriorOpt = 1.0, data: CalDataOpt = None, as_json: JsonOpt = False
) -> None:
    """Leave-one-out validation: each count predicted by a calibration made without it."""
    from corridor.calibration import LOO_LIMIT

    _net, _tables, cal = _calibration(year, data, prior_weight, as_json)
    summary = cal.summary()
    loo = cal.loo.merge(cal.sites[["count_id", "source"]], on="count_id")
    if as_json:
        emit({"sites": _cal_sites_json(loo, "predicted"), "summary": summary})
        return
    out.print(_cal_table(f"Leave-one-out, {year}: each count predicted without it", loo, "predicted", "predicted"))
    out.print(
        f"{summary['loo_share_within_30pct']:.0%} of {summary['sites']} sites within {LOO_LIMIT:.0%} "
        f"({summary['loo_share_within_30pct_demand_sites']:.0%} of the {summary['demand_sites']} sites "
        "the demand matrix reaches)",
        highlight=False,
    )
