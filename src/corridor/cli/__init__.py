"""The ``corridor`` command line: one module per command group; each command reads its arguments, calls, formats.

Every command takes ``--json`` for scripts. Errors users can cause print one readable line per problem and exit
with status 2; no traceback. ``corridor --help`` imports neither pandas nor the engines: commands import what they use,
and ``corridor COMMAND`` imports only that command's module (:mod:`corridor.cli.registry`).
"""

from __future__ import annotations

from typing import Any

from corridor.cli.registry import main

__all__ = ["app", "main"]


def __getattr__(name: str) -> Any:
    """``corridor.cli.app``, the whole Typer app, is built on first use: the script itself builds only its command."""
    if name == "app":
        from corridor.cli.app import app

        globals()["app"] = app  # the Typer app, not the submodule of the same name
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
