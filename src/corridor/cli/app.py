"""The root ``corridor`` Typer app: registers each command group's commands; :func:`main` is the script's entry point.

Command groups live in their own modules (``network``, ``routes``, ``flows``, ``transit``); a new group (simulate,
calibrate, evidence) adds a module and one line here. Each command reads its arguments, calls the library, formats.
"""

from __future__ import annotations

import sys

import typer

from corridor.cli import calibrate, flows, network, routes, simulate, transit
from corridor.cli.common import err

__all__ = ["app", "main"]

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Corridor: routes, corridors and sources of the Middle Corridor digital twin.",
)
app.add_typer(network.network_app, name="network")
app.add_typer(flows.tntp_app, name="tntp")
app.add_typer(flows.scenario_app, name="scenario")
app.add_typer(transit.transit_app, name="transit")
app.add_typer(simulate.simulate_app, name="simulate")
app.command()(routes.route)
app.command()(routes.compare)
app.command()(network.sources)
app.command()(network.fx)
app.command()(flows.assign)
app.command()(flows.sweep)
app.command()(transit.serve)
app.command("calibrate")(calibrate.calibrate_cmd)
app.command("validate")(calibrate.validate_cmd)


def main() -> None:
    """Entry point of the ``corridor`` script."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        err.print("interrupted")
        sys.exit(130)
