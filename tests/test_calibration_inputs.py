"""Calibration tables and allocation inputs: the shipped ones load; bad input is named by file, line and field."""

import shutil
from pathlib import Path

import pytest

from corridor.calibration import read_calibration_data
from corridor.calibration.tables import read_od_matrix
from corridor.data.allocation_files import ENERGY_DIR, read_allocation
from corridor.data.csvdir import DATASET_DIR, read_dataset
from corridor.errors import DataError


@pytest.fixture(scope="module")
def net():
    return read_dataset()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("zones.csv", "demand.csv", "counts.csv"):
        shutil.copy(DATASET_DIR / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> int:
    """Replace *old* (on one line) by *new*; return that line's number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        if old in line:
            lines[i] = line.replace(old, new, 1)
            path.write_text("".join(lines), encoding="utf-8")
            return i + 1
    raise AssertionError(f"{old!r} not in {path.name}")


def test_shipped_tables_load_and_every_value_is_sourced_or_assumed(net):
    data = read_calibration_data(net)
    assert len(data.demand_for(2024)) >= 20 and len(data.counts_for(2024)) >= 10
    for frame in (data.demand, data.counts):
        assert all(bool(r.source_id) or bool(r.assumption) for r in frame.itertuples())
    assert set(data.demand["origin_zone"]) | set(data.demand["destination_zone"]) <= set(data.zones["zone_id"])


def test_count_on_an_unknown_link(net, folder):
    line = _edit(folder / "counts.csv", "cn_kz_alashankou_dostyk;", "no_such_link;")
    with pytest.raises(DataError) as exc:
        read_calibration_data(net, folder)
    assert f"counts.csv:{line}: field 'links' = 'no_such_link'" in str(exc.value)


def test_negative_count(net, folder):
    line = _edit(folder / "counts.csv", ",32000000,", ",-32000000,")
    with pytest.raises(DataError) as exc:
        read_calibration_data(net, folder)
    assert f"counts.csv:{line}: field 'observed' = '-32000000': expected a number >= 0" in str(exc.value)


def test_zone_with_no_node(net, folder):
    line = _edit(folder / "zones.csv", ",tashkent,", ",,")
    with pytest.raises(DataError) as exc:
        read_calibration_data(net, folder)
    assert f"zones.csv:{line}: field 'node_id'" in str(exc.value)


def test_zone_on_an_unknown_node_and_demand_from_an_unknown_zone(net, folder):
    zline = _edit(folder / "zones.csv", ",tashkent,", ",atlantis,")
    dline = _edit(folder / "demand.csv", ",kz_north,uz,", ",kz_north,narnia,")
    with pytest.raises(DataError) as exc:
        read_calibration_data(net, folder)
    text = str(exc.value)
    assert f"zones.csv:{zline}: field 'node_id' = 'atlantis'" in text
    assert f"demand.csv:{dline}: field 'destination_zone' = 'narnia'" in text


def test_value_with_neither_source_nor_assumption(net, folder):
    text = (folder / "demand.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    row = ["x_y_2024", "grain", "dry_bulk", "kz_north", "uz", "2024", "1000", "", "", "", ""]
    assert len(row) == len(header)
    (folder / "demand.csv").write_text("\n".join([*text, ",".join(row)]) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"demand.csv:{len(text) + 1}: field 'assumption'"):
        read_calibration_data(net, folder)


def test_matrix_that_does_not_sum(tmp_path):
    path = tmp_path / "matrix.csv"
    path.write_text("origin,uz,tr,total\nkz_north,100,50,150\ncn_west,10,0,11\ntotal,110,50,161\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_od_matrix(path, {"uz", "tr", "kz_north", "cn_west"})
    text = str(exc.value)
    assert "matrix.csv:3: field 'total' = '11': expected the sum of the row, 10" in text
    assert "matrix.csv:4: field 'total'" in text


def test_matrix_that_sums(tmp_path):
    path = tmp_path / "matrix.csv"
    path.write_text("origin,uz,tr,total\nkz_north,100,50,150\ncn_west,10,,10\ntotal,110,50,160\n", encoding="utf-8")
    frame = read_od_matrix(path, {"uz", "tr", "kz_north", "cn_west"})
    assert frame["t_per_year"].sum() == 160 and len(frame) == 3


def test_matrix_with_an_unknown_zone_and_a_negative_cell(tmp_path):
    path = tmp_path / "matrix.csv"
    path.write_text("origin,uz,total\nmordor,-5,-5\ntotal,-5,-5\n", encoding="utf-8")
    with pytest.raises(DataError) as exc:
        read_od_matrix(path, {"uz"})
    text = str(exc.value)
    assert "matrix.csv:2: field 'origin' = 'mordor'" in text
    assert "matrix.csv:2: field 'uz' = '-5': expected tonnes per year >= 0" in text


def test_allocation_file_problems_are_named(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        'name = "x"\nyear = 2024\n[sinks]\nsamara = "unlimited"\n'
        '[[groups]]\nname = "a"\nnode = "atyrau"\namount = -1\nentry_layer = "hyperloop"\nentry_layers = "sea"\n'
        '[[contracts]]\nlink = "kcp"\nmin = 5\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError) as exc:
        read_allocation(path)
    text = str(exc.value)
    assert "bad.toml: field 'groups[0].amount' = -1" in text
    assert "bad.toml: field 'groups[0].source'" in text
    assert "bad.toml: field 'groups[0].entry_layer' = 'hyperloop': expected one of rail_1520" in text
    assert "bad.toml: field 'groups[0].entry_layers' = 'sea': expected one of the keys amount, assumption" in text
    assert "bad.toml: field 'contracts[0].source'" in text


def test_shipped_allocation_files_load():
    for p in ENERGY_DIR.glob("*.toml"):
        case = read_allocation(p)
        assert case.groups and case.sinks
