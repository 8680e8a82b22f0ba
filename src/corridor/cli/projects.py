"""``corridor projects``: every project named in the sources with its stage, date and source; stage options shared
by ``compare`` and ``assign`` (``--include-stage``, ``--switch-on``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli.common import DataOpt, JsonOpt, emit, fail, load, make_table, out, run, split

__all__ = ["FxDateOpt", "IncludeStageOpt", "SwitchOnOpt", "apply_stage_options", "load_staged", "projects"]

IncludeStageOpt = Annotated[
    str | None,
    typer.Option(
        "--include-stage",
        help="Count planned rows only of projects at or beyond this stage: idea, memorandum, feasibility, financed, "
        "under_construction, operating (implies --planned).",
    ),
]
SwitchOnOpt = Annotated[
    list[str] | None, typer.Option("--switch-on", help="Open a project's rows from a year: PROJECT_ID:YEAR (repeatable).")
]


def projects(
    status: Annotated[
        list[str] | None, typer.Option("--status", help="Only projects at these stages (comma-separated or repeated).")
    ] = None,
    country: Annotated[list[str] | None, typer.Option("--country", help="Only projects in these countries (ISO codes).")] = None,
    as_of: Annotated[int | None, typer.Option("--as-of", help="Stage as known in this year (default: the latest).")] = None,
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Projects named in the sources: stage (idea … operating, suspended, stalled), its date and its source."""
    from corridor.cli.common import arg_countries

    countries = arg_countries(country, as_json, "--country")
    register = _register(data, as_json)
    chosen = run(as_json, lambda: register.select(stages=split(status), countries=countries, as_of_year=as_of))
    if as_json:
        emit({"projects": [p.to_dict() for p in chosen]})
        return
    t = make_table([("project", "left"), ("stage", "left"), ("since", "right"), ("countries", "left")], show_lines=False)
    t.add_column("source / assumption", overflow="fold", ratio=1)
    for p in chosen:
        last = p.stage_as_of(as_of)
        if last is None:
            continue
        when = last.date or str(last.year)
        cite = f"{last.source_title}: “{last.quote}”" if last.source_id else f"assumption: {last.assumption}"
        t.add_row(f"{p.name}\n[dim]{p.project_id}[/]", last.stage.value, when, "-".join(p.countries), cite)
    out.print(t)
    out.print(f"{len(chosen)} projects. Stages in order: idea, memorandum, feasibility, financed, under_construction, operating.")


def _register(data: Path | None, as_json: bool, net: Any = None) -> Any:
    from corridor.data.project_file import read_projects

    return run(as_json, lambda: read_projects(data, net=net))


def apply_stage_options(
    net: Any, data: Path | None, include_stage: str | None, switch_on: list[str] | None, as_json: bool
) -> Any:
    """*net* with the stage filter and the switched-on projects applied (unchanged when neither is given)."""
    if not include_stage and not switch_on:
        return net
    from corridor.model.project_stages import network_with_stages
    from corridor.model.project_stages import switch_on as open_from

    register = _register(data, as_json, net)
    if include_stage:
        net = run(as_json, lambda: network_with_stages(net, register, include_stage))
    years: dict[str, int] = {}
    for item in split(switch_on):
        pid, _, year = item.partition(":")
        if not year.strip().isdigit():
            from corridor.errors import DataError

            fail(DataError(f"--switch-on = {item!r}: expected PROJECT_ID:YEAR"), as_json)
        years[pid.strip()] = int(year)
    if years:
        net = run(as_json, lambda: open_from(net, register, years))
    return net


FxDateOpt = Annotated[
    str | None, typer.Option("--fx-date", help="Convert costs at the exchange rates in force on this date (YYYY-MM-DD).")
]


def load_staged(
    data: Path | None, include_stage: str | None, switch_on: list[str] | None, as_json: bool, fx_date: str | None = None
) -> Any:
    """The dataset with its digital layer (where transit declarations are electronic), the stage options and the
    exchange rates of *fx_date* applied."""
    from corridor.data.digital_file import read_dataset_digital
    from corridor.data.side_tables import side_folder

    if (data is None or data.is_dir()) and (side_folder(data) / "digital_procedures.csv").exists():
        net = run(as_json, lambda: read_dataset_digital(data))  # cached with the layer applied: no validation per call
    else:  # a folder without the table keeps its nodes' years
        net = load(data, as_json)
    if fx_date is not None:
        from corridor.cli.rules import parse_date
        from corridor.data.fx_file import read_fx_history
        from corridor.model.fx import network_at_fx_date

        day = parse_date(fx_date, as_json, "--fx-date")
        net = run(as_json, lambda: network_at_fx_date(net, read_fx_history(data, net=net), day))
    return apply_stage_options(net, data, include_stage, switch_on, as_json)
