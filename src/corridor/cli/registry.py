"""Which module holds each ``corridor`` command and group, and the app built from them, whole or for one command.

``corridor route ...`` builds an app holding only ``route``, so it imports and prepares only the routing
commands' module, not every command's options and imports; ``corridor --help``, an unknown name or options
before the command get the whole app (:mod:`corridor.cli.app`). Either way the command runs the same code with
the same options, help and errors. A new command or group adds one line here.
"""

from __future__ import annotations

import importlib
import sys

import typer

from corridor.cli.common import err

__all__ = ["COMMANDS", "GROUPS", "HELP", "build_app", "main"]

HELP = "Corridor: routes, corridors and sources of the Middle Corridor digital twin."

#: Command groups: name -> (module under corridor.cli, its Typer app), in help order.
GROUPS: dict[str, tuple[str, str]] = {
    "network": ("network", "network_app"),
    "tntp": ("flows", "tntp_app"),
    "scenario": ("flows", "scenario_app"),
    "transit": ("transit", "transit_app"),
    "evidence": ("evidence", "evidence_app"),
    "simulate": ("simulate", "simulate_app"),
}
#: Commands: name -> (module under corridor.cli, its function), in help order.
COMMANDS: dict[str, tuple[str, str]] = {
    "route": ("routes", "route"),
    "compare": ("routes", "compare"),
    "sources": ("network", "sources"),
    "fx": ("network", "fx"),
    "assign": ("flows", "assign"),
    "sweep": ("flows", "sweep"),
    "serve": ("transit", "serve"),
    "calibrate": ("calibrate", "calibrate_cmd"),
    "validate": ("calibrate", "validate_cmd"),
    "projects": ("projects", "projects"),
    "check": ("rules", "check"),
    "digital": ("digital", "digital"),
}


def _attr(module: str, name: str) -> object:
    return getattr(importlib.import_module(f"corridor.cli.{module}"), name)


def _group_callback() -> None:
    """Keeps an app of one command a group, so its name is still the first argument."""


def build_app(only: str | None = None) -> typer.Typer:
    """The ``corridor`` app with every command and group, or with only the command or group named *only*."""
    app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None, help=HELP)
    for name, (module, attr) in GROUPS.items():
        if only in (None, name):
            app.add_typer(_attr(module, attr), name=name)  # type: ignore[arg-type]
    for name, (module, attr) in COMMANDS.items():
        if only in (None, name):
            app.command(name)(_attr(module, attr))  # type: ignore[arg-type]
    if only in COMMANDS:
        app.callback()(_group_callback)
    return app


def main() -> None:
    """Entry point of the ``corridor`` script: builds only the command asked for when its name comes first."""
    first = sys.argv[1] if len(sys.argv) > 1 else None
    if first in COMMANDS or first in GROUPS:
        app = build_app(first)
    else:
        from corridor.cli.app import app
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        err.print("interrupted")
        sys.exit(130)
