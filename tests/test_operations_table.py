"""The operations table's loader: the optional ``valid_from`` day is parsed and checked against the row's year."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from corridor.data.csvdir import DATASET_DIR
from corridor.data.operations import OPERATIONS_FILE, read_operations
from corridor.errors import DataError


def _copy_with(tmp_path: Path, param_id: str, **cells: str) -> Path:
    """The shipped operations table with *cells* changed on the row *param_id*, written under *tmp_path*."""
    with (DATASET_DIR / OPERATIONS_FILE).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0].keys())
    for row in rows:
        if row["param_id"] == param_id:
            row.update(cells)
    target = tmp_path / OPERATIONS_FILE
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return target


def _line_of(path: Path, param_id: str) -> int:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        for row in reader:
            if row and row[0] == param_id:
                return reader.line_num
    raise AssertionError(param_id)


def test_shipped_table_has_valid_from_and_dated_rows_lie_in_their_year():
    frame = read_operations()
    assert "valid_from" in frame.columns
    dated = frame[frame["valid_from"].notna()]
    assert not dated.empty
    for day, year in zip(dated["valid_from"], dated["year"], strict=True):
        assert day.startswith(f"{int(year)}-")


def test_valid_from_is_read_as_an_iso_day(tmp_path):
    path = _copy_with(tmp_path, "van_fleet", valid_from="2025-09-30")
    frame = read_operations(path)
    row = frame.set_index("param_id").loc["van_fleet"]
    assert row["valid_from"] == "2025-09-30"
    assert frame.set_index("param_id").loc["van_crossing", "valid_from"] is None


@pytest.mark.parametrize(
    ("bad", "expected"),
    [("30/09/2025", "YYYY-MM-DD"), ("2025-02-30", "real calendar day"), ("2024-09-30", "a day in the row's year 2025")],
)
def test_bad_valid_from_names_file_line_field_and_value(tmp_path, bad, expected):
    path = _copy_with(tmp_path, "van_fleet", valid_from=bad)
    with pytest.raises(DataError) as info:
        read_operations(path)
    text = str(info.value)
    assert f"{OPERATIONS_FILE}:{_line_of(path, 'van_fleet')}" in text
    assert "valid_from" in text and bad in text and expected in text


def test_a_table_without_the_valid_from_column_still_loads(tmp_path):
    with (DATASET_DIR / OPERATIONS_FILE).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    fields = [f for f in rows[0] if f != "valid_from"]
    target = tmp_path / OPERATIONS_FILE
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    frame = read_operations(target)
    assert frame["valid_from"].isna().all()
