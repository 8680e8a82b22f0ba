"""Read the cited operating parameters (``operations.csv``) that the operations simulation runs on.

One row per value, each with its source row in ``operations_facts.csv`` or an assumption with its reason;
the table's columns are defined in ``corridor/schema/operations.csv``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from corridor import settings
from corridor.data.csvdir import DATASET_DIR
from corridor.errors import DataError, Problem
from corridor.schema import parse_rows

__all__ = ["OPERATIONS_FILE", "read_operations"]

OPERATIONS_FILE = "operations.csv"


def read_operations(path: str | Path | None = None) -> pd.DataFrame:
    """The operations table from *path* (a file or a dataset folder; default: the shipped dataset), validated.

    Raises :class:`DataError` naming file, line, field and value for every malformed cell.
    """
    target = Path(path or settings.get("dataset_dir") or DATASET_DIR)
    if target.is_dir():
        target = target / OPERATIONS_FILE
    if not target.exists():
        raise DataError(Problem(OPERATIONS_FILE, None, "(file)", str(target), "the operations table to exist"))
    with target.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    frame, problems = parse_rows("operations", header, rows, target.name)
    problems += _valid_from_problems(frame, target.name)
    if problems:
        raise DataError(problems)
    return frame.reset_index(drop=True) if "param_id" not in frame.columns else frame


def _valid_from_problems(frame: pd.DataFrame, file: str) -> list[Problem]:
    """A ``valid_from`` day must lie in the row's ``year``: it says from which day of that year the value applies."""
    if "valid_from" not in frame.columns or "year" not in frame.columns:
        return []
    out = []
    for line, day, year in zip(frame["_line"], frame["valid_from"], frame["year"], strict=True):
        if day is None or pd.isna(day) or pd.isna(year) or int(str(day)[:4]) == int(year):
            continue
        out.append(Problem(file, int(line), "valid_from", day, f"a day in the row's year {int(year)} (YYYY-MM-DD)"))
    return out
