"""The digital layer: procedures per crossing and year decide `--customs auto`; data links are listed with sources."""

from __future__ import annotations

import shutil

import pytest
from cli_helpers import ok_json

from corridor.data import DATASET_DIR, read_dataset
from corridor.data.digital_file import read_digital
from corridor.errors import DataError
from corridor.model.digital import DigitalLayer, DigitalProcedure, apply_digital_layer
from corridor.routing import find_routes
from corridor.schema.enums import Status


@pytest.fixture(scope="module")
def shipped():
    return read_dataset()


def test_shipped_procedures_reproduce_the_tez_customs_years(shipped):
    layer = read_digital(net=shipped)
    applied = apply_digital_layer(shipped, layer)
    years = applied.nodes["digital_customs_from_year"].dropna().to_dict()
    assert years == {"dostyk": 2024.0, "altynkol": 2024.0, "saryagash": 2024.0}
    assert {p.procedure for p in layer.procedures_at("altynkol", 2024)} == {
        "electronic_transit_declaration", "paperless_consignment_note", "pre_arrival_information",
    }  # fmt: skip
    assert {p.procedure for p in layer.procedures_at("altynkol", 2023)} == {"pre_arrival_information"}
    assert layer.procedures_at("kartsakhi", 2026) == []  # KTZ–TCDD paperless documents are agreed, not in use
    assert len(layer.procedures_at("kartsakhi", 2026, include_planned=True)) == 1


def test_customs_auto_follows_the_procedures_table(shipped):
    layer = read_digital(net=shipped)
    extra = DigitalProcedure("kartsakhi", "electronic_transit_declaration", Status.OPERATING, 2026, None, "test")
    with_kartsakhi = apply_digital_layer(shipped, DigitalLayer(layer.links, (*layer.procedures, extra)))
    before = find_routes(with_kartsakhi, "Tbilisi", "Kars", year=2025, customs="auto")[0]
    after = find_routes(with_kartsakhi, "Tbilisi", "Kars", year=2026, customs="auto")[0]
    assert after.waiting_h < before.waiting_h  # digital from 2026 only
    assert after.waiting_h == pytest.approx(
        find_routes(with_kartsakhi, "Tbilisi", "Kars", year=2026, customs="digital")[0].waiting_h
    )
    # without any procedure at Dostyk its crossing is paper even in 2025
    no_dostyk = apply_digital_layer(
        shipped, DigitalLayer(layer.links, tuple(p for p in layer.procedures if p.node_id != "dostyk"))
    )
    assert (
        no_dostyk.nodes.loc["dostyk", "digital_customs_from_year"] != no_dostyk.nodes.loc["dostyk", "digital_customs_from_year"]
    )


def test_cli_digital_lists_cable_from_its_year():
    assert ok_json("digital", "--year", "2025")["data_links"] == []
    cable = ok_json("digital", "--year", "2026")["data_links"][0]
    assert cable["data_link_id"] == "caspian_fibre" and cable["length_km"] == 380 and cable["capacity_tbps"] == 400
    assert "Trend" in cable["citation"]


def test_bad_digital_files_name_line_and_field(tmp_path, shipped):
    folder = tmp_path / "dataset"
    shutil.copytree(DATASET_DIR, folder)
    with (folder / "digital_procedures.csv").open("a", encoding="utf-8") as fh:
        fh.write("dostyk,telepathy,operating,,2024,,,because\n")
        fh.write("atlantis,pre_arrival_information,operating,,2024,,,because\n")
    with (folder / "data_links.csv").open("a", encoding="utf-8") as fh:
        fh.write("bad_cable,Bad,aktau,baku,fibre,planned,2026,-5,,,,,because\n")
    with pytest.raises(DataError) as info:
        read_digital(folder, net=shipped)
    text = str(info.value)
    assert "digital_procedures.csv:11: field 'procedure' = 'telepathy'" in text
    assert "digital_procedures.csv:12: field 'node_id' = 'atlantis'" in text
    assert "data_links.csv:3: field 'length_km'" in text
