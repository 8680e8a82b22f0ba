"""The whole ``corridor`` Typer app: every command group's commands (see :mod:`corridor.cli.registry`).

Command groups live in their own modules (``network``, ``routes``, ``flows``, ``transit``); a new group (simulate,
calibrate, evidence) adds a module and one line in the registry. Each command reads its arguments, calls the
library, formats. The ``corridor`` script (:func:`main`) builds only the command it runs.
"""

from __future__ import annotations

from corridor.cli.registry import build_app, main

__all__ = ["app", "main"]

app = build_app()
