"""Growth of the calibrated demand for the base scenario: every row in one group, every group cited or assumed."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.calibration.growth import GROWTH_DIR, read_growth
from corridor.data.csvdir import DATASET_DIR
from corridor.errors import DataError


def _rows_2024() -> list[str]:
    import csv

    with open(DATASET_DIR / "demand.csv", encoding="utf-8") as f:
        return [r["demand_id"] for r in csv.DictReader(f) if r["year"] == "2024"]


def test_shipped_growth_covers_every_2024_row_once():
    rows = _rows_2024()
    growth = read_growth(GROWTH_DIR / "demand_growth_2024.toml", rows)
    assert set(growth) == set(rows) and len(rows) == 34
    titr = growth["kz_tr_titr_2024"]
    assert titr.factors[2030] == pytest.approx(10 / 4.5) and titr.annual_growth == pytest.approx(0.1423)
    assert titr.source == "titr_2030_target" and "10 million tons by 2030" in titr.quote
    held = [g for r, g in growth.items() if "titr" not in r]
    assert all(g.annual_growth == 0 and g.assumption and 2030 not in g.factors for g in held)


def test_bad_growth_files_name_file_field_and_value(tmp_path: Path):
    path = tmp_path / "growth.toml"
    path.write_text(
        "year = 2024\n"
        '[[groups]]\nname = "a"\nrows = ["r1", "nope"]\nannual_growth = 0.9\nassumption = "x"\n'
        '[[groups]]\nname = "b"\nrows = ["r1"]\nannual_growth = 0.0\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        read_growth(path, ["r1", "r2"])
    text = str(info.value)
    assert "growth.toml: field 'groups[0].annual_growth' = 0.9: expected a rate between -0.5 and 0.5" in text
    assert "field 'groups[0].rows' = 'nope'" in text
    assert "field 'groups[1].source'" in text  # neither source with quote nor assumption
    path.write_text(
        'year = 2024\n[[groups]]\nname = "a"\nrows = ["r1"]\nannual_growth = 0.0\nassumption = "x"\n', encoding="utf-8"
    )
    with pytest.raises(DataError, match="field 'groups' = 'r2': expected every demand row in a group"):
        read_growth(path, ["r1", "r2"])
    with pytest.raises(DataError, match="an existing TOML file"):
        read_growth(tmp_path / "missing.toml", ["r1"])
