"""Check every side table of a dataset folder at once (projects, rules, seasons, digital layer, FX history)."""

from __future__ import annotations

from pathlib import Path

from corridor.errors import DataError, Problem
from corridor.model import Network

__all__ = ["check_side_tables"]


def check_side_tables(path: str | Path | None, net: Network) -> None:
    """Raise one :class:`DataError` with the problems of every side table of the folder at *path* (none: return)."""
    from corridor.data.digital_file import read_digital
    from corridor.data.fx_file import read_fx_history
    from corridor.data.project_file import read_projects
    from corridor.data.rules_file import read_rules
    from corridor.data.seasons_file import read_seasons

    problems: list[Problem] = []
    for load in (read_projects, read_rules, read_seasons, read_digital, read_fx_history):
        try:
            load(path, net=net)
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
