"""Read one CSV file of a dataset into columns of cells with their line numbers, reporting what cannot be read.

Files are read as bytes: a folder in place of a file, an unreadable file, invalid UTF-8 (with line and byte
offset) and malformed CSV become :class:`~corridor.errors.Problem` rows, never tracebacks. Simple files
(one row per line) are parsed by Arrow's CSV reader; anything else (quoted line breaks, rows of another
width) by the standard library's, which tracks line numbers exactly.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from corridor.errors import Problem
from corridor.schema import MAX_PER_RULE, rows_to_columns

#: Control characters other than the line breaks between rows (a one-row-per-line file has no others).
_CONTROLS_BUT_BREAKS = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")

__all__ = ["CsvColumns", "decode_utf8", "read_bytes", "read_csv_columns"]


@dataclass
class CsvColumns:
    """A CSV file as its header, each row's line number and one sequence of cells per header column."""

    header: list[str]
    lines: np.ndarray
    columns: list
    #: whether cells may hold control characters (False: the whole file was scanned and holds none)
    controls: bool = True


def read_bytes(file: Path, problems: list[Problem]) -> bytes | None:
    """The file's bytes, or None with a problem when it is missing, a folder or unreadable."""
    if not file.exists():
        problems.append(Problem(file.name, None, "(file)", str(file), "the file to exist"))
    elif not file.is_file():
        problems.append(Problem(file.name, None, "(file)", str(file), "a file, not a folder or device"))
    else:
        try:
            return file.read_bytes()
        except OSError as exc:
            problems.append(Problem(file.name, None, "(file)", str(file), f"a readable file ({exc.strerror or exc})"))
    return None


def decode_utf8(data: bytes, name: str, problems: list[Problem]) -> str:
    """*data* as text; each invalid UTF-8 sequence (up to MAX_PER_RULE) is reported with its line and byte offset."""
    pos, found = 0, 0
    while found < MAX_PER_RULE:
        try:
            data[pos:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            start, end = pos + exc.start, pos + exc.end
            line = data.count(b"\n", 0, start) + 1
            expected = f"UTF-8 text (invalid byte at byte offset {start}; save the file as UTF-8)"
            problems.append(Problem(name, line, "(encoding)", data[start:end], expected))
            pos, found = end, found + 1
    return data.decode("utf-8-sig", errors="replace")


def _nonblank_lines(data: bytes) -> np.ndarray:
    """1-based numbers of the lines holding anything but a line ending."""
    arr = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero(arr == 10)
    starts, ends = np.r_[0, breaks + 1], np.r_[breaks, len(arr)]
    length = ends - starts
    has_cr = (length > 0) & (arr[np.maximum(ends - 1, 0)] == 13) if len(arr) else length > 0
    return np.flatnonzero(length - has_cr > 0) + 1


def _arrow(data: bytes, width: int) -> tuple[np.ndarray, list] | None:
    """Columns by Arrow when every row is one line of *width* cells; None otherwise (the caller falls back)."""
    names = [f"c{i}" for i in range(width)]
    irregular: list[object] = []

    def skip(row: object) -> str:
        irregular.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
    except pa.ArrowException:  # anything Arrow cannot read goes to the csv module, which reports exact lines
        return None
    lines = _nonblank_lines(data)
    if irregular or not len(lines) or lines[0] != 1 or len(lines) - 1 != table.num_rows:
        return None
    return lines[1:], [table.column(i).combine_chunks() for i in range(width)]


def read_csv_columns(file: Path, problems: list[Problem]) -> CsvColumns | None:
    """Read *file* (see the module docstring); None when it could not be read at all."""
    data = read_bytes(file, problems)
    if data is None:
        return None
    text = decode_utf8(data, file.name, problems)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
        fast = _arrow(text.encode("utf-8"), len(header)) if header and reader.line_num == 1 else None
        if fast is not None:
            return CsvColumns(header, *fast, controls=_CONTROLS_BUT_BREAKS.search(text) is not None)
        rows = [(reader.line_num, row) for row in reader if any(row)]
    except csv.Error as exc:
        problems.append(Problem(file.name, reader.line_num, "(csv)", str(exc), "well-formed CSV (quotes closed)"))
        return None
    lines, columns, found = rows_to_columns(header, rows, file.name)
    problems.extend(found)
    return CsvColumns(header, lines, columns)
