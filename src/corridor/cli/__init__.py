"""The ``corridor`` command line: one module per command group; each command reads its arguments, calls, formats.

Every command takes ``--json`` for scripts. Errors users can cause print one readable line per problem and exit
with status 2; no traceback. ``corridor --help`` imports neither pandas nor the engines: commands import what they use.
"""

from corridor.cli.app import app, main

__all__ = ["app", "main"]
