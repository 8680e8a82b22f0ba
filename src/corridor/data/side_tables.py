"""Read the side tables of a dataset folder (project register and stages, rules, digital layer, FX history).

Side tables are validated with the same schema machinery as the Network's tables (file, line, field, value,
expected for every problem) but are loaded on their own, by the command or engine that needs them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from corridor.errors import DataError, Problem
from corridor.schema import parse_columns

__all__ = ["check_cited", "read_side_table", "side_folder"]


def side_folder(path: str | Path | None) -> Path:
    """The dataset folder side tables are read from (default: the shipped dataset)."""
    from corridor import settings
    from corridor.data.csvdir import DATASET_DIR

    return Path(path or settings.get("dataset_dir") or DATASET_DIR)


def read_side_table(folder: Path, table: str, problems: list[Problem], *, file: Path | None = None) -> pd.DataFrame:
    """Parse ``<folder>/<table>.csv`` (or *file*) against ``schema/<table>.csv``; problems are appended, not raised.

    A side table missing from the folder reads as empty (a named *file* must exist).
    """
    from corridor.data.csvfile import read_csv_columns  # Arrow's CSV reader: only when a table is read, not cached

    path = file or folder / f"{table}.csv"
    if file is None and not path.exists():  # a dataset folder may leave a side table out: it is then empty
        frame, _ = parse_columns(table, [], [], [], path.name)
        return frame
    read = read_csv_columns(path, problems)
    if read is None:
        frame, _ = parse_columns(table, [], [], [], path.name)
        return frame
    frame, found = parse_columns(table, read.header, read.lines, read.columns, path.name)
    problems.extend(found)
    return frame


def check_cited(frame: pd.DataFrame, file: str, sources: set[str], problems: list[Problem]) -> None:
    """Each row cites a known source with a quote, or states an assumption (the dataset's provenance rule)."""
    for _, row in frame.iterrows():
        line = int(row["_line"])
        source, quote, assumption = row.get("source_id"), row.get("quote"), row.get("assumption")
        if source:
            if source not in sources:
                problems.append(Problem(file, line, "source_id", source, "a source_id of sources.csv"))
            if not quote:
                problems.append(Problem(file, line, "quote", "", "the source's words (required with source_id)"))
        elif not assumption:
            problems.append(Problem(file, line, "assumption", "", "a source_id with a quote, or an assumption with its reason"))


def raise_if(problems: list[Problem]) -> None:
    """Raise every problem found together."""
    if problems:
        raise DataError(problems)
